"""Signing in to the dashboard through real HTTP (aiohttp's test client): no page without a
session; a one-time link opens one once, for ten minutes; Telegram's init data opens one
with the right cookie; a change needs the session's CSRF token; every answer carries the
security headers. The race of two requests with one link runs on PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func
from sqlmodel import select

from bot.services import Actor, Core, Services
from bot.services.web_access import login_link, redeem
from bot.web import session
from bot.web.auth import sign_init_data
from bot.web.config import CONFIG, WebConfig
from storage.db import make_engine, session_scope
from storage.models import WebSession
from tests.bot.threads import at_once

TOKEN = "123456:ABC-sessions-test"
START = datetime(2027, 3, 1, 9, tzinfo=UTC)
PREFIX = "/alliance"
STATIC = session.TEMPLATES.with_name("static")
CAMILLE = {"id": 4242, "first_name": "Camille", "last_name": "Durand", "language_code": "en"}


class Clock:
    """The services' clock, moved by the tests (no waiting)."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def services(sqlite_url, clock):
    engine = make_engine(sqlite_url)
    yield Services(engine, Core("Europe/Paris"), clock=clock)
    engine.dispose()


# -- a dashboard with two stand-in pages (the real pages use the same decorator) -------------


@session.page
async def whoami(request: web.Request) -> web.Response:
    """Stands for the portfolio: shows who it is for (and the token its forms carry)."""
    viewer = session.viewer_of(request)
    return web.json_response(
        {
            "external_id": viewer.external_id,
            "language": viewer.language,
            "csrf": viewer.csrf,
            "via_telegram": viewer.via_telegram,
        }
    )


@session.page(changes=True)
async def mark_alert(request: web.Request) -> web.Response:
    """Stands for POST /alerts/{id}: a change."""
    form = await request.post()
    return web.Response(text=f"alert {request.match_info['alert_id']} {form.get('state')}")


@session.page
async def missing(request: web.Request) -> web.Response:
    """Stands for another user's partnership: the handler raises 404."""
    raise web.HTTPNotFound(text="no such partnership")


@session.page
async def streamed(request: web.Request) -> web.StreamResponse:
    """Stands for the CSV download, written as it is produced."""
    response = web.StreamResponse(headers={"Content-Type": "text/csv"})
    await response.prepare(request)
    await response.write(b"partnership;stage\n")
    return response


def dashboard(services: Services, base_url: str) -> web.Application:
    config = WebConfig(services, TOKEN, base_url)
    app = web.Application()
    app[CONFIG] = config
    session.add_auth_routes(app, config)
    app.router.add_get(f"{PREFIX}/", whoami)
    app.router.add_post(f"{PREFIX}/alerts/{{alert_id}}", mark_alert)
    app.router.add_get(f"{PREFIX}/p/{{pid}}", missing)
    app.router.add_get(f"{PREFIX}/portfolio.csv", streamed)
    app.router.add_static(f"{PREFIX}/static", STATIC)
    return app


@asynccontextmanager
async def browser(
    services: Services, base_url: str = "http://127.0.0.1" + PREFIX
) -> AsyncIterator[TestClient]:
    """A client with its own cookie jar, as one browser."""
    async with TestClient(TestServer(dashboard(services, base_url))) as client:
        yield client


def link_for(services: Services, external_id: str = "tg:42") -> str:
    return f"{PREFIX}/login/{services.run(Actor(external_id), login_link).token}"


async def call(client: TestClient, method: str, path: str, **kwargs):
    """One request, its body read at once (the answer outlives the client); redirects are
    not followed, to see them."""
    response = await client.request(method, path, allow_redirects=False, **kwargs)
    await response.read()
    return response


def set_cookie(response) -> str:
    (header,) = response.headers.getall("Set-Cookie")
    return header


def assert_secured(response) -> None:
    """The security headers every dashboard answer carries."""
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self' https://telegram.org/js/telegram-web-app.js;" in policy
    assert "default-src 'self'" in policy and "object-src 'none'" in policy
    assert "frame-ancestors https://web.telegram.org https://*.telegram.org" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"


def signed(user=CAMILLE, at=START) -> str:
    return sign_init_data(TOKEN, user, at, query_id="AAHdF6IQ")


# -- no session -------------------------------------------------------------------------------


async def test_without_a_session_a_page_says_to_open_the_dashboard_from_the_bot(services):
    async with browser(services) as client:
        french = await call(client, "GET", f"{PREFIX}/")
        english = await call(
            client, "GET", f"{PREFIX}/", headers={"Accept-Language": "en-GB,fr;q=0.5"}
        )
        change = await call(client, "POST", f"{PREFIX}/alerts/3", data={"state": "seen"})
    assert french.status == 401
    assert "ouvrez le tableau de bord avec /tableau" in await french.text()
    assert english.status == 401
    assert "open the dashboard with /dashboard" in await english.text()
    assert change.status == 401
    for response in (french, english, change):
        assert_secured(response)
        assert "Set-Cookie" not in response.headers


async def test_a_made_up_session_cookie_opens_nothing(services):
    async with browser(services) as client:
        client.session.cookie_jar.update_cookies({session.COOKIE: "forged-token"})
        response = await call(client, "GET", f"{PREFIX}/")
    assert response.status == 401


# -- one-time links ---------------------------------------------------------------------------


async def test_a_login_link_opens_the_dashboard_once(services):
    link = link_for(services)
    async with browser(services) as first, browser(services) as second:
        opened = await call(first, "GET", link)
        portfolio = await call(first, "GET", f"{PREFIX}/")
        again = await call(second, "GET", link)
        same_browser_again = await call(first, "GET", link)
    assert opened.status == 303 and opened.headers["Location"] == f"{PREFIX}/"
    assert_secured(opened)
    cookie = set_cookie(opened)
    assert cookie.startswith(f"{session.COOKIE}=")
    for flag in ("HttpOnly", "SameSite=Lax", f"Path={PREFIX}", "Max-Age=43200"):
        assert flag in cookie
    # Served over plain HTTP (a local `alliance web`), the cookie cannot be Secure.
    assert "Secure" not in cookie
    assert portfolio.status == 200
    assert (await portfolio.json())["external_id"] == "tg:42"
    assert (await portfolio.json())["via_telegram"] is False
    for spent in (again, same_browser_again):
        assert spent.status == 410
        assert "a expiré ou a déjà servi" in await spent.text()
        assert "Set-Cookie" not in spent.headers
        assert_secured(spent)


async def test_a_login_link_works_for_ten_minutes(services, clock):
    almost, late, unknown = link_for(services), link_for(services), f"{PREFIX}/login/nothing"
    clock.now = START + timedelta(minutes=9, seconds=59)
    async with browser(services) as client:
        in_time = await call(client, "GET", almost)
        clock.now = START + timedelta(minutes=10)
        too_late = await call(client, "GET", late, headers={"Accept-Language": "en"})
        made_up = await call(client, "GET", unknown)
    assert in_time.status == 303
    assert too_late.status == 410
    assert "This link has expired or was already used" in await too_late.text()
    assert "/dashboard" in await too_late.text()
    assert made_up.status == 410


async def test_a_link_checker_s_head_request_does_not_spend_the_link(services):
    link = link_for(services)
    async with browser(services) as client:
        checked = await call(client, "HEAD", link)
        opened = await call(client, "GET", link)
    assert checked.status == 405
    assert opened.status == 303


async def test_a_session_ends_after_twelve_hours(services, clock):
    async with browser(services) as client:
        await call(client, "GET", link_for(services))
        clock.now = START + timedelta(hours=11, minutes=59)
        still = await call(client, "GET", f"{PREFIX}/")
        clock.now = START + timedelta(hours=12)
        ended = await call(client, "GET", f"{PREFIX}/")
    assert still.status == 200
    assert ended.status == 401


async def test_signing_out_ends_the_session_even_where_its_cookie_was_copied(services):
    async with browser(services) as client, browser(services) as copy:
        await call(client, "GET", link_for(services))
        csrf = (await (await call(client, "GET", f"{PREFIX}/")).json())["csrf"]
        token = client.session.cookie_jar.filter_cookies(client.make_url("/alliance/"))
        copy.session.cookie_jar.update_cookies({session.COOKIE: token[session.COOKIE].value})
        without_token = await call(client, "POST", f"{PREFIX}/logout")
        out = await call(client, "POST", f"{PREFIX}/logout", data={"csrf": csrf})
        after = await call(client, "GET", f"{PREFIX}/")
        copied = await call(copy, "GET", f"{PREFIX}/")
    assert without_token.status == 403
    assert out.status == 200
    assert "Vous êtes déconnecté" in await out.text()
    assert set_cookie(out).startswith(f'{session.COOKIE}="";')
    assert after.status == 401 and copied.status == 401


# -- Telegram's init data ---------------------------------------------------------------------


async def test_the_mini_app_entry_loads_telegram_s_script_and_ours(services):
    async with browser(services) as client:
        entry = await call(client, "GET", f"{PREFIX}/app", headers={"Accept-Language": "fr-FR"})
        script = await call(client, "GET", f"{PREFIX}/static/entry.js")
    html = await entry.text()
    assert entry.status == 200
    assert_secured(entry)
    assert '<script src="https://telegram.org/js/telegram-web-app.js"></script>' in html
    assert f'<script src="{PREFIX}/static/entry.js"></script>' in html
    assert f'data-auth="{PREFIX}/auth/telegram"' in html
    assert f'data-home="{PREFIX}/"' in html
    # No inline script: the policy would block it.
    assert html.count("<script") == 2 and "<script>" not in html
    assert "Telegram.WebApp" in await script.text() and "initData" in await script.text()


async def test_init_data_opens_a_secure_session_on_an_https_dashboard(services):
    async with browser(services, base_url="https://dash.example.org" + PREFIX) as client:
        signed_in = await call(
            client, "POST", f"{PREFIX}/auth/telegram", data={"init_data": signed()}
        )
        # The test server speaks plain HTTP, so the jar keeps the Secure cookie to itself:
        # it is sent by hand, as the browser would over HTTPS.
        token = set_cookie(signed_in).split(";")[0].split("=", 1)[1]
        portfolio = await call(
            client, "GET", f"{PREFIX}/", headers={"Cookie": f"{session.COOKIE}={token}"}
        )
    assert signed_in.status == 204
    assert_secured(signed_in)
    cookie = set_cookie(signed_in)
    # Telegram Web frames the Mini App, where a Lax cookie would never be sent back.
    flags = ("HttpOnly", "SameSite=None", "Secure", "Partitioned", f"Path={PREFIX}")
    for flag in (*flags, "Max-Age=43200"):
        assert flag in cookie
    viewer = await portfolio.json()
    assert viewer["external_id"] == "tg:4242"
    assert viewer["language"] == "en"  # a new user: Telegram's language
    assert viewer["via_telegram"] is True


async def test_on_https_a_browser_session_stays_lax_and_a_mini_app_s_signs_out_in_its_frame(
    services,
):
    https = "https://dash.example.org" + PREFIX
    async with browser(services, base_url=https) as desk, browser(services, https) as app:
        opened = await call(desk, "GET", link_for(services))
        signed_in = await call(app, "POST", f"{PREFIX}/auth/telegram", data={"init_data": signed()})
        token = set_cookie(signed_in).split(";")[0].split("=", 1)[1]
        cookie = {"Cookie": f"{session.COOKIE}={token}"}
        csrf = (await (await call(app, "GET", f"{PREFIX}/", headers=cookie)).json())["csrf"]
        out = await call(app, "POST", f"{PREFIX}/logout", data={"csrf": csrf}, headers=cookie)
    # A link opened in a browser is a top-level page: its cookie is not sent by other sites.
    assert "SameSite=Lax" in set_cookie(opened) and "Partitioned" not in set_cookie(opened)
    # The Mini App's cookie is removed in the partition it was set in.
    assert out.status == 200
    removal = set_cookie(out)
    assert removal.startswith(f'{session.COOKIE}="";') and "Max-Age=0" in removal
    assert "Partitioned" in removal and "SameSite=None" in removal


async def test_init_data_that_is_not_telegram_s_opens_nothing(services, clock):
    tampered = dict(parse_qsl(signed()))
    tampered["user"] = tampered["user"].replace("4242", "1")
    refused = [urlencode(tampered), signed(at=START - timedelta(hours=2)), "", "garbage"]
    async with browser(services) as client:
        answers = [
            await call(client, "POST", f"{PREFIX}/auth/telegram", data={"init_data": init_data})
            for init_data in refused
        ]
    for answer in answers:
        assert answer.status == 401
        assert "Set-Cookie" not in answer.headers
        assert_secured(answer)


async def test_init_data_on_a_page_request_is_checked_and_opens_a_session(services):
    async with browser(services) as client:
        first = await call(
            client, "GET", f"{PREFIX}/", headers={session.INIT_DATA_HEADER: signed()}
        )
        # Later requests carry the cookie only.
        later = await call(client, "GET", f"{PREFIX}/")
        # Sent again, the same person's init data keeps the session it already has.
        again = await call(
            client, "GET", f"{PREFIX}/", headers={session.INIT_DATA_HEADER: signed()}
        )
    assert first.status == 200 and (await first.json())["external_id"] == "tg:4242"
    assert "Set-Cookie" in first.headers
    assert later.status == 200 and (await later.json())["external_id"] == "tg:4242"
    assert again.status == 200 and "Set-Cookie" not in again.headers
    assert (await again.json())["csrf"] == (await first.json())["csrf"]


async def test_invalid_init_data_on_a_page_request_is_refused_even_with_a_session(services):
    async with browser(services) as client:
        await call(client, "GET", link_for(services, "tg:4242"))
        stale = signed(at=START - timedelta(hours=1, minutes=1))
        refused = await call(client, "GET", f"{PREFIX}/", headers={session.INIT_DATA_HEADER: stale})
        wrong_bot = sign_init_data("999:OTHER", CAMILLE, START)
        refused_too = await call(
            client, "GET", f"{PREFIX}/", headers={session.INIT_DATA_HEADER: wrong_bot}
        )
    assert refused.status == 401 and refused_too.status == 401


async def test_another_person_s_init_data_replaces_the_session(services):
    """A shared device: whoever Telegram signs in now is who the page is for."""
    async with browser(services) as client:
        await call(client, "GET", link_for(services, "tg:42"))
        other = await call(
            client, "GET", f"{PREFIX}/", headers={session.INIT_DATA_HEADER: signed()}
        )
        after = await call(client, "GET", f"{PREFIX}/")
    assert (await other.json())["external_id"] == "tg:4242"
    assert (await after.json())["external_id"] == "tg:4242"


# -- changes need the session's CSRF token ----------------------------------------------------


async def test_a_change_needs_the_session_s_csrf_token(services):
    async with browser(services) as client, browser(services) as other:
        await call(client, "GET", link_for(services, "tg:42"))
        await call(other, "GET", link_for(services, "tg:43"))
        csrf = (await (await call(client, "GET", f"{PREFIX}/")).json())["csrf"]
        others_csrf = (await (await call(other, "GET", f"{PREFIX}/")).json())["csrf"]
        url = f"{PREFIX}/alerts/7"
        missing_token = await call(client, "POST", url, data={"state": "seen"})
        wrong = await call(client, "POST", url, data={"state": "seen", "csrf": others_csrf})
        by_form = await call(client, "POST", url, data={"state": "seen", "csrf": csrf})
        by_header = await call(
            client, "POST", url, data={"state": "handled"}, headers={session.CSRF_HEADER: csrf}
        )
    assert csrf != others_csrf
    for refused in (missing_token, wrong):
        assert refused.status == 403
        assert "Ce formulaire n’est plus valable" in await refused.text()
        assert_secured(refused)
    assert by_form.status == 200 and await by_form.text() == "alert 7 seen"
    assert by_header.status == 200 and await by_header.text() == "alert 7 handled"


# -- headers on what a handler raises ---------------------------------------------------------


async def test_a_page_s_404_carries_the_security_headers(services):
    async with browser(services) as client:
        await call(client, "GET", link_for(services))
        response = await call(client, "GET", f"{PREFIX}/p/999")
    assert response.status == 404
    assert_secured(response)


async def test_a_mini_app_s_first_request_that_is_a_404_still_gets_its_cookie(services):
    async with browser(services) as client:
        response = await call(
            client, "GET", f"{PREFIX}/p/999", headers={session.INIT_DATA_HEADER: signed()}
        )
    assert response.status == 404
    assert set_cookie(response).startswith(f"{session.COOKIE}=")


async def test_a_streamed_download_carries_the_headers_and_the_mini_app_s_cookie(services):
    async with browser(services) as client:
        response = await call(
            client, "GET", f"{PREFIX}/portfolio.csv", headers={session.INIT_DATA_HEADER: signed()}
        )
    assert response.status == 200 and await response.text() == "partnership;stage\n"
    assert_secured(response)
    assert set_cookie(response).startswith(f"{session.COOKIE}=")


# -- two requests with one link, at the same moment, on PostgreSQL ----------------------------


def test_two_requests_racing_with_one_link_open_one_session(clean_postgres_url):
    engine = make_engine(clean_postgres_url)
    services = Services(engine, Core("Europe/Paris"))
    token = services.run(Actor("tg:42"), login_link).token

    def one_request() -> str | None:
        # Each request is served by its own instance: its own engine and connections.
        own = make_engine(clean_postgres_url)
        try:
            return Services(own, Core("Europe/Paris")).run_system(redeem, token)
        finally:
            own.dispose()

    for _ in range(5):
        token = services.run(Actor("tg:42"), login_link).token
        results = at_once(one_request, one_request)
        assert sorted(results, key=lambda result: result is None) == ["tg:42", None]
    engine.dispose()


async def test_two_browsers_racing_with_one_link_get_one_session(clean_postgres_url):
    engine = make_engine(clean_postgres_url)
    services = Services(engine, Core("Europe/Paris"))
    link = link_for(services)
    async with browser(services) as first, browser(services) as second:
        answers = await asyncio.gather(call(first, "GET", link), call(second, "GET", link))
    assert sorted(answer.status for answer in answers) == [303, 410]
    with session_scope(engine) as db:
        assert db.exec(select(func.count()).select_from(WebSession)).one() == 1
    engine.dispose()
