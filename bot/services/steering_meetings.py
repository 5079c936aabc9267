"""A steering meeting recorded (step 6), from the card's quick answers or at the end of the
short questionnaire that asks another date: kept apart from the buttons, which start that
questionnaire, so that finishing it does not lead back to them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from bot.services import summaries
from bot.services.results import Result, Say
from bot.services.work import Work
from flows.engine import FlowState
from storage import alerts as store
from storage.models import Partnership

NOTE_LIMIT = 500


def record(work: Work, partnership: Partnership, day: date, text: str = "") -> None:
    """The meeting, dated at noon of that day where the alliance is (a date, not a time)."""
    held_at = datetime.combine(day, time(12), tzinfo=work.core.zone).astimezone(UTC)
    store.add_steering_meeting(
        work.db,
        partnership_id=partnership.id,
        user_id=work.user.id,
        held_at=held_at,
        text=(text or "")[:NOTE_LIMIT],
    )


def produced(work: Work, partnership: Partnership, role: str, state: FlowState, result: Result):
    """The questionnaire's end: the meeting recorded, then the card."""
    answers = state.answers
    record(work, partnership, date.fromisoformat(answers["held_on"]), answers.get("note") or "")
    work.db.flush()
    result.shown.append(Say("steering_noted"))
    result.shown.append(summaries.card(work, partnership, role))
