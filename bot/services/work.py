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


@dataclass
class Work:
    """One use case's transaction: the session, the user it acts for, the time, the method."""

    db: Session
    user: User
    now: datetime
    core: Core

    @property
    def language(self) -> str:
        return self.user.language
