"""Who a dashboard page is for, and the doors in: the `page` decorator (a session, CSRF on
changes, security headers) and the sign-in routes (the Mini App's entry, its init data, a
one-time link, signing out).

A page is shown to a signed-in session only: its cookie, or Telegram's signed init data on
the request itself (checked on every request that carries it). The rules (links, sessions)
are use cases in bot.services.web_access; this module speaks HTTP."""

from __future__ import annotations

import asyncio
import functools
import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path

from aiohttp import hdrs, web
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot.services import Actor
from bot.services.web_access import (
    SESSION_LIFETIME,
    OpenedSession,
    Viewer,
    close,
    open_session,
    redeem,
    session_viewer,
    telegram_actor,
)
from bot.web.auth import check_init_data
from bot.web.config import CONFIG, WebConfig

__all__ = ["VIEWER", "Viewer", "add_auth_routes", "page", "viewer_of"]

COOKIE = "alliance_session"
INIT_DATA_HEADER = "X-Telegram-Init-Data"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf"
TELEGRAM_SCRIPT = "https://telegram.org/js/telegram-web-app.js"
# Only our own scripts and Telegram's; framed only by Telegram's web clients
# (web.telegram.org/k/ and /a/).
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        f"script-src 'self' {TELEGRAM_SCRIPT}",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors https://web.telegram.org https://*.telegram.org",
    )
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    # Every dashboard answer is someone's partnerships, or about their session.
    "Cache-Control": "no-store",
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class _Answer:
    """What the dashboard adds to a response when its headers go out (also to an error a
    handler raised, and to a response it streams): the security headers, and the session
    cookie to set (`cookie`) or to remove (`signed_out`)."""

    cookie: str | None = None
    signed_out: bool = False
    # Opened from Telegram's init data: the Mini App may be framed by Telegram Web.
    embedded: bool = False


VIEWER = web.RequestKey("viewer", Viewer)
_ANSWER = web.RequestKey("dashboard_answer", _Answer)


def viewer_of(request: web.Request) -> Viewer:
    """The signed-in person of a request a `page` handler serves."""
    return request[VIEWER]


def page(handler: Handler | None = None, *, changes: bool = False):
    """Wraps a dashboard handler: `@page` or `@page(changes=True)`. The handler runs only for
    a signed-in session and reads who it is for in `request[VIEWER]`; without one, the
    answer is 401 and a page that says to open the dashboard with /tableau. With `changes`,
    the request must also send back the session's CSRF token (form field `csrf` or header
    X-CSRF-Token), else 403. Every answer gets the security headers."""

    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def guarded(request: web.Request) -> web.StreamResponse:
            answer = _answer(request)
            signed_in = await _signed_in(request)
            if signed_in is None:
                return _refusal(request, web.HTTPUnauthorized, "signin")
            viewer, opened = signed_in
            if opened is not None:
                answer.cookie, answer.embedded = opened.token, True
            if changes and not await _csrf_sent(request, viewer.csrf):
                return _refusal(request, web.HTTPForbidden, "refused", viewer.language)
            request[VIEWER] = viewer
            return await handler(request)

        return guarded

    return wrap(handler) if handler is not None else wrap


def add_auth_routes(app: web.Application, config: WebConfig) -> None:
    """The sign-in routes under the dashboard's prefix, and the hook that puts the security
    headers and the cookie on every dashboard answer (the `page` decorator needs it)."""
    if CONFIG not in app:
        app[CONFIG] = config
    app.on_response_prepare.append(_finish)
    prefix = config.prefix
    app.router.add_get(f"{prefix}/app", entry)
    app.router.add_post(f"{prefix}/auth/telegram", telegram_sign_in)
    # Not on HEAD: a link checker's HEAD would spend the link.
    app.router.add_get(f"{prefix}/login/{{token}}", login, allow_head=False)
    app.router.add_post(f"{prefix}/logout", logout)


# --- The routes ---


async def entry(request: web.Request) -> web.Response:
    """The Mini App's first page: Telegram's script and ours, which hands the signed init
    data to /auth/telegram, then goes to the portfolio; without init data (a browser), it
    says how to open the dashboard."""
    _answer(request)
    return _render(request, "entry.html", _browser_language(request))


async def telegram_sign_in(request: web.Request) -> web.Response:
    """Init data (form field `init_data`, or the header) -> a session cookie, 204."""
    _answer(request)
    form = await request.post()
    init_data = form.get("init_data") or request.headers.get(INIT_DATA_HEADER)
    signed_in = await _from_init_data(request, init_data if isinstance(init_data, str) else "")
    if signed_in is None:
        return _refusal(request, web.HTTPUnauthorized, "signin")
    if signed_in[1] is not None:
        answer = _answer(request)
        answer.cookie, answer.embedded = signed_in[1].token, True
    return web.Response(status=204)


async def login(request: web.Request) -> web.Response:
    """A one-time link -> a session cookie and the portfolio; a spent, expired or unknown
    link -> 410 and a page that says to ask /tableau again."""
    services = _config(request).services
    external_id = await asyncio.to_thread(services.run_system, redeem, request.match_info["token"])
    if external_id is None:
        return _refusal(request, web.HTTPGone, "expired")
    opened = await asyncio.to_thread(services.run, Actor(external_id), open_session, False)
    _answer(request).cookie = opened.token
    raise web.HTTPSeeOther(_config(request).prefix + "/")


@page(changes=True)
async def logout(request: web.Request) -> web.Response:
    """Ends the session: its cookie works no more, here or anywhere it was copied."""
    token = request.cookies.get(COOKIE)
    if token:
        await asyncio.to_thread(_config(request).services.run_system, close, token)
    answer = _answer(request)
    # A partitioned cookie is removed only by a partitioned Set-Cookie.
    answer.cookie, answer.signed_out = None, True
    answer.embedded = request[VIEWER].via_telegram
    return _render(request, "signin.html", request[VIEWER].language, reason="signed_out")


# --- Who the request is for ---


async def _signed_in(request: web.Request) -> tuple[Viewer, OpenedSession | None] | None:
    """The viewer and, when one was opened for this request, the new session; None when
    the request has no valid session. Init data, when sent, decides: invalid is refused even
    with a valid cookie."""
    init_data = request.headers.get(INIT_DATA_HEADER)
    if init_data is not None:
        return await _from_init_data(request, init_data)
    current = await _cookie_viewer(request)
    return (current, None) if current is not None else None


async def _from_init_data(
    request: web.Request, init_data: str
) -> tuple[Viewer, OpenedSession | None] | None:
    """The Telegram user signed in by init data; their session from the cookie when it is
    theirs, else a new one."""
    config = _config(request)
    user = check_init_data(init_data, config.bot_token, config.services.clock())
    if user is None:
        return None
    actor = telegram_actor(user.id, user.language_code, user.full_name)
    current = await _cookie_viewer(request)
    if current is not None and current.external_id == actor.external_id:
        return current, None
    opened = await asyncio.to_thread(config.services.run, actor, open_session, True)
    return opened.viewer, opened


async def _cookie_viewer(request: web.Request) -> Viewer | None:
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    return await asyncio.to_thread(_config(request).services.run_system, session_viewer, token)


async def _csrf_sent(request: web.Request, expected: str) -> bool:
    """Whether the request sends back the session's CSRF token (compared in constant time)."""
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.can_read_body:
        sent = (await request.post()).get(CSRF_FIELD)
    if not isinstance(sent, str) or not sent:
        return False
    return hmac.compare_digest(sent.encode(), expected.encode())


# --- What every answer gets ---


def _answer(request: web.Request) -> _Answer:
    """Marks the request as the dashboard's: its answer gets the headers in `_finish`."""
    if _ANSWER not in request:
        request[_ANSWER] = _Answer()
    return request[_ANSWER]


async def _finish(request: web.Request, response: web.StreamResponse) -> None:
    """Just before a dashboard answer's headers go out: the security headers, the cookie
    (written here: aiohttp has already turned the response's own cookies into headers)."""
    answer = request.get(_ANSWER)
    if answer is None:
        return
    response.headers.update(SECURITY_HEADERS)
    if answer.cookie is not None or answer.signed_out:
        cookie = _session_cookie(_config(request), answer.cookie, answer.embedded)
        response.headers.add(hdrs.SET_COOKIE, cookie)


def _session_cookie(config: WebConfig, token: str | None, embedded: bool = False) -> str:
    """The Set-Cookie value for a session's token, or removing it (None): never readable by
    scripts, not sent with other sites' requests, Secure whenever the URL is HTTPS.

    A Mini App session on HTTPS is the exception to "not sent with other sites' requests":
    Telegram Web shows the Mini App in a frame of web.telegram.org, where a Lax cookie is
    never sent, so the page after the entry would ask to sign in again. Its cookie is
    SameSite=None and Partitioned (kept for that frame's top site only); changes still need
    the session's CSRF token."""
    cookie = SimpleCookie()
    cookie[COOKIE] = token or ""
    morsel = cookie[COOKIE]
    morsel["path"] = config.prefix or "/"
    morsel["httponly"] = True
    framed = embedded and config.secure
    morsel["samesite"] = "None" if framed else "Lax"
    morsel["secure"] = config.secure
    if token is None:
        morsel["max-age"] = 0
        morsel["expires"] = "Thu, 01 Jan 1970 00:00:00 GMT"
    else:
        morsel["max-age"] = int(SESSION_LIFETIME.total_seconds())
    # Python's cookies learn Partitioned only in 3.14.
    return morsel.OutputString() + ("; Partitioned" if framed else "")


def _config(request: web.Request) -> WebConfig:
    return request.app[CONFIG]


# --- Our own small pages (the portfolio's templates are the dashboard's) ---

TEMPLATES = Path(__file__).with_name("templates")
_PAGES = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined)
LANGUAGES = ("fr", "en")


def _render(
    request: web.Request, template: str, language: str, status: int = 200, reason: str = ""
) -> web.Response:
    body = _PAGES.get_template(template).render(
        lang=language, prefix=_config(request).prefix, reason=reason
    )
    return web.Response(text=body, status=status, content_type="text/html")


def _refusal(
    request: web.Request, kind: type[web.HTTPException], reason: str, language: str | None = None
) -> web.Response:
    """A refusal as a page the person can act on, in their language (the session's, else
    their browser's)."""
    _answer(request)
    language = language or _browser_language(request)
    return _render(request, "signin.html", language, status=kind.status_code, reason=reason)


def _browser_language(request: web.Request) -> str:
    """French or English, whichever the browser prefers first (Accept-Language); French
    when it names neither."""
    ranked = []
    for position, item in enumerate(request.headers.get("Accept-Language", "").split(",")):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else LANGUAGES[0]
