"""Signing in to the dashboard: one-time login links for a browser, and the sessions a
signed-in page runs in (a Mini App's or a link's), with the token its forms send back.

Tokens are random and only their hashes are stored. The dashboard's adapter (bot/web) calls
these through `Services`, as the bot calls its own use cases."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from bot.services.work import Actor, Work
from storage import web
from storage.addresses import Address

LOGIN_LIFETIME = timedelta(minutes=10)
SESSION_LIFETIME = timedelta(hours=12)
# 32 random bytes: 256 bits, 43 URL-safe characters.
TOKEN_BYTES = 32
TELEGRAM, LINK = "telegram", "link"


class LoginLink(NamedTuple):
    """A link's token (shown once, in the URL) and when it stops working."""

    token: str
    expires_at: datetime


@dataclass(frozen=True)
class Viewer:
    """Who a dashboard page is for: the same external id as in the bot, the language the bot
    speaks to them, the session's CSRF token and whether it was opened inside Telegram."""

    external_id: str
    language: str
    csrf: str
    via_telegram: bool


class OpenedSession(NamedTuple):
    """A new session: the cookie's token (shown once) and whom it signs in, with the token
    the session's forms must send back (`viewer.csrf`)."""

    token: str
    viewer: Viewer


def telegram_actor(user_id: int, language_code: str | None, name: str | None) -> Actor:
    """The person a Mini App's signed init data names, as the bot knows them."""
    return Actor(str(Address.telegram(user_id)), language_code, name)


def token_hash(token: str) -> str:
    """Only the hash is stored: a database leak opens no dashboard."""
    return hashlib.sha256(token.encode()).hexdigest()


def login_link(work: Work) -> LoginLink:
    """A single-use link that opens the dashboard as this user for ten minutes."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    expires_at = work.now + LOGIN_LIFETIME
    web.add_login(
        work.db,
        user_id=work.user.id,
        token_hash=token_hash(token),
        at=work.now,
        expires_at=expires_at,
    )
    return LoginLink(token, expires_at)


def redeem(work: Work, token: str) -> str | None:
    """Spends a login link: the external id of the person it was made for, or None when it
    is unknown, expired or was already used (even by a request at the same moment)."""
    return web.use_login(work.db, token_hash=token_hash(token), at=work.now)


def open_session(work: Work, via_telegram: bool) -> OpenedSession:
    """A new dashboard session for the user, for twelve hours."""
    token, csrf = secrets.token_urlsafe(TOKEN_BYTES), secrets.token_urlsafe(TOKEN_BYTES)
    web.add_session(
        work.db,
        user_id=work.user.id,
        token_hash=token_hash(token),
        csrf=csrf,
        via=TELEGRAM if via_telegram else LINK,
        at=work.now,
        expires_at=work.now + SESSION_LIFETIME,
    )
    return OpenedSession(token, Viewer(work.user.external_id, work.language, csrf, via_telegram))


def session_viewer(work: Work, token: str) -> Viewer | None:
    """Who a session's cookie signs in, or None when the session is unknown or expired."""
    found = web.live_session(work.db, token_hash=token_hash(token), at=work.now)
    if found is None:
        return None
    session, user = found
    return Viewer(user.external_id, user.language, session.csrf, session.via == TELEGRAM)


def close(work: Work, token: str) -> None:
    """Signs the session out (the cookie's token works no more)."""
    web.end_session(work.db, token_hash=token_hash(token))
