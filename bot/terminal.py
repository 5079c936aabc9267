"""Messages for terminal users ("console:<name>"): what others' actions or the check-in
dispatcher have for them (an invitation to a round, its report and chart) is recorded in the
same transaction as the change, rendered for the terminal, and shown at their next prompt.

The Telegram outbox keeps the same kind of rows for Telegram chats; these wait under a status
of their own (storage.delivery.TERMINAL) that the Telegram sender never reads.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.views import Presenter
from storage import delivery

PREFIX = "console:"
SEND, DOCUMENT = "send", "document"


def is_terminal_user(external_id: str) -> bool:
    return external_id.startswith(PREFIX)


def presenter(zone: ZoneInfo) -> Presenter:
    """Texts that speak of keys, and invitations as the /start command to type."""
    return Presenter(zone, invitation_link=lambda token: f"/start {token}", channel="terminal")


def record(db: Session, deliveries: Iterable[Any], *, zone: ZoneInfo, at: datetime) -> None:
    """Keeps the messages meant for terminal users among `deliveries` until they read them."""
    shown_by = presenter(zone)
    for message in deliveries:
        if not is_terminal_user(message.external_id):
            continue
        reply = shown_by.reply_in(message.language, message.views, message.documents)
        rows: list[dict[str, Any]] = [
            {"kind": SEND, "payload": {"text": screen.text, "buttons": _buttons(screen)}}
            for screen in reply.messages
        ]
        rows += [
            {
                "kind": DOCUMENT,
                "payload": {"document_id": document.id, "file_name": file_name(document)},
            }
            for document in reply.documents
        ]
        delivery.add_for_terminal(db, external_id=message.external_id, messages=rows, at=at)


def file_name(document) -> str:
    """A document's name in the documents folder: its version first."""
    return f"v{document.version}-{document.file_name}"


def _buttons(screen) -> list[list[list[str]]]:
    return [[[button.label, button.data] for button in row] for row in screen.buttons]
