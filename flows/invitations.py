"""Invitation links: the token, how it is kept, and whether it still admits someone."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Protocol

LIFETIME = timedelta(days=7)
# 18 random bytes: 144 bits, URL-safe, within Telegram's 64-character /start payload.
TOKEN_BYTES = 18
MAX_TOKEN_LENGTH = 64


class InvitationState(Protocol):
    revoked_at: datetime | None
    used_at: datetime | None
    expires_at: datetime


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """Only the hash is stored: a database leak gives no working link."""
    return hashlib.sha256(token.encode()).hexdigest()


def clean_token(payload: str) -> str:
    return payload.strip()[:MAX_TOKEN_LENGTH]


def problem_with(invitation: InvitationState | None, now: datetime) -> str | None:
    """Why an invitation admits nobody ("unknown", "revoked", "used", "expired"), or None."""
    if invitation is None:
        return "unknown"
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.used_at is not None:
        return "used"
    if invitation.expires_at <= now:
        return "expired"
    return None
