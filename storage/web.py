"""Repository functions of the dashboard's sign-in: one-time login links and browser sessions,
found by the hash of their token (the token itself is never stored)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, or_, update
from sqlmodel import Session, select

from storage.models import User, WebLogin, WebSession


def add_login(
    session: Session, *, user_id: int, token_hash: str, at: datetime, expires_at: datetime
) -> None:
    """A new login link for the user; the links they can no longer use go (nothing else
    removes them, and each is a row per /tableau)."""
    session.execute(
        delete(WebLogin).where(
            WebLogin.user_id == user_id,
            or_(WebLogin.used_at.is_not(None), WebLogin.expires_at <= at),
        )
    )
    session.add(
        WebLogin(token_hash=token_hash, user_id=user_id, created_at=at, expires_at=expires_at)
    )
    session.flush()


def use_login(session: Session, *, token_hash: str, at: datetime) -> str | None:
    """Spends the link: the external id of its user, or None when it is unknown, expired or
    already used. One conditional update, so that two requests racing with the same link
    open one session between them."""
    statement = (
        update(WebLogin)
        .where(
            WebLogin.token_hash == token_hash,
            WebLogin.used_at.is_(None),
            WebLogin.expires_at > at,
        )
        .values(used_at=at)
        .returning(WebLogin.user_id)
    )
    user_id = session.execute(statement).scalar_one_or_none()
    if user_id is None:
        return None
    return session.exec(select(User.external_id).where(User.id == user_id)).one()


def add_session(
    session: Session,
    *,
    user_id: int,
    token_hash: str,
    csrf: str,
    via: str,
    at: datetime,
    expires_at: datetime,
) -> None:
    """A new signed-in session for the user; their expired ones go."""
    session.execute(
        delete(WebSession).where(WebSession.user_id == user_id, WebSession.expires_at <= at)
    )
    session.add(
        WebSession(
            token_hash=token_hash,
            user_id=user_id,
            csrf=csrf,
            via=via,
            created_at=at,
            expires_at=expires_at,
        )
    )
    session.flush()


def live_session(
    session: Session, *, token_hash: str, at: datetime
) -> tuple[WebSession, User] | None:
    """The session with this token and its user, unless it has expired."""
    query = (
        select(WebSession, User)
        .join(User, User.id == WebSession.user_id)
        .where(WebSession.token_hash == token_hash, WebSession.expires_at > at)
    )
    row = session.exec(query).first()
    return (row[0], row[1]) if row is not None else None


def end_session(session: Session, *, token_hash: str) -> None:
    session.execute(delete(WebSession).where(WebSession.token_hash == token_hash))


def forget_user(session: Session, *, user_id: int) -> None:
    """The user's links and sessions, for their erasure: every dashboard they had open is
    signed out."""
    session.execute(delete(WebLogin).where(WebLogin.user_id == user_id))
    session.execute(delete(WebSession).where(WebSession.user_id == user_id))
