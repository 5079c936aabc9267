"""Welcome, help, and the answers to what the bot cannot read."""

from __future__ import annotations

from bot.services import invitations, questionnaires
from bot.services.results import Result, Say
from bot.services.work import Work
from storage import repository


def start(work: Work, payload: str = "") -> Result:
    """/start: the welcome; /start <token> from an invitation link joins a partnership."""
    if payload.strip():
        return invitations.join(work, payload)
    running = repository.active_flow_session(work.db, user_id=work.user.id, flow="diagnostic")
    return Result(work.language, [Say("welcome", {"resume": running is not None})])


def help_screen(work: Work, _words: str = "") -> Result:
    """/aide: what the bot can do."""
    return Result(work.language, [Say("help")])


def unsupported(work: Work) -> Result:
    """Stickers, photos, voice: say what the bot understands, and ask the question again."""
    return questionnaires.ask_again(work, Result(work.language, [Say("unsupported")]))


def edited(work: Work) -> Result:
    """An edited message is not taken as an answer."""
    return Result(work.language, [Say("edited")])


def private_only(work: Work) -> Result:
    """A command in a group: questionnaires are personal."""
    return Result(work.language, [Say("private_only")])


def failed(work: Work) -> Result:
    """An input could not be handled (a bug): an apology, and how to go on."""
    return questionnaires.ask_again(work, Result(work.language, [Say("error")]))
