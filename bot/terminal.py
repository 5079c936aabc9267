"""Messages for terminal users ("console:<name>"): what others' actions or the check-in
dispatcher have for them (an invitation to a round, its report and chart) is recorded in the
same transaction as the change (bot.delivery), rendered for the terminal, and shown at their
next prompt.

The Telegram outbox keeps the same kind of rows for Telegram chats; these wait under a status
of their own (storage.delivery.TERMINAL) that the Telegram sender never reads.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.views import Presenter


def presenter(zone: ZoneInfo) -> Presenter:
    """Texts that speak of keys, and invitations as the /start command to type."""
    return Presenter(zone, invitation_link=lambda token: f"/start {token}", channel="terminal")
