"""What the adapters exchange with the conversation service: who speaks, what to show."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.screens import Screen


@dataclass(frozen=True)
class Who:
    """The person behind an input: a stable id and the language their client reports."""

    external_id: str
    language_code: str | None = None
    # Telegram's update id, to ignore an update delivered twice (None in the terminal).
    update_id: int | None = None


@dataclass
class Reply:
    """What to show: an edit of the message acted upon, then new messages."""

    messages: list[Screen] = field(default_factory=list)
    edit: Screen | None = None
    edit_message_id: int | None = None
    # A message (the previous question) whose buttons must go.
    close_message_id: int | None = None
    # A short notice for a button press (shown as a toast on Telegram).
    notice: str | None = None
    # Set when the last message is a question: its message id is then remembered.
    question_session_id: int | None = None
    # Files to send after the messages: (file name, content).
    documents: list[tuple[str, bytes]] = field(default_factory=list)
    language: str = "fr"
