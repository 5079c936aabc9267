"""Who acts, and the unit of work a use case runs in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.services.core import Core
from storage.models import User


@dataclass(frozen=True)
class Actor:
    """The person behind an input: a stable id across channels ("tg:<id>", "console:<login>")
    and the language their client reports."""

    external_id: str
    language_code: str | None = None
    # The name the channel gives, shown to the other members.
    name: str | None = None


@dataclass
class Work:
    """One use case's transaction: the session, the user it acts for, the time, the method."""

    db: Session
    # None when no person acts (the scheduler).
    user: User | None
    now: datetime
    core: Core

    @property
    def language(self) -> str:
        return self.user.language if self.user else "fr"
