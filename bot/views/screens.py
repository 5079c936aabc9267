"""Screens: what one message shows (HTML text and buttons), and a rendered reply.

A screen is a value; building it has no side effects, so the Telegram and the terminal
adapters show the same thing.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.services.results import ACTED, DocumentInfo, ScreenRef

# What pressing a button does: send its data to the bot (most buttons), open a web page, or
# open a Mini App inside Telegram (private chats only).
CALLBACK, LINK, WEB_APP = "callback", "url", "web_app"


@dataclass(frozen=True)
class Button:
    label: str
    # The callback data; for a link or a Mini App, its URL.
    data: str
    kind: str = CALLBACK


@dataclass(frozen=True)
class Screen:
    text: str
    buttons: tuple[tuple[Button, ...], ...] = field(default_factory=tuple)


@dataclass
class Reply:
    """A use case's result as screens: an edit, new messages, files, a short notice."""

    language: str
    messages: list[Screen] = field(default_factory=list)
    edit: Screen | None = None
    # The screen the edit replaces (by default the message acted upon), and the one whose
    # buttons go; each channel finds the message they stand for.
    replaces: ScreenRef = ACTED
    closes: ScreenRef | None = None
    notice: str | None = None
    documents: list[DocumentInfo] = field(default_factory=list)
    # The last message is this flow session's question.
    question_session_id: int | None = None
    # The edit turns its message into this flow session's question (the flow's live
    # message): if the edit is refused, the question comes as a new message instead.
    edit_session_id: int | None = None
    # By document id: the caption of the file sent compressed, and the message sent in its
    # place when even that is too heavy for Telegram.
    too_heavy: dict[int, tuple[str, str]] = field(default_factory=dict)


def plain(text: str) -> str:
    """HTML screen text as plain text (toasts, terminal)."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def local_date(moment: datetime, zone: ZoneInfo, pattern: str = "%d/%m/%Y") -> str:
    """A date as people of the configured time zone read it."""
    return moment.astimezone(zone).strftime(pattern)
