"""Step 6, the steering meetings held: recorded from the partnership's card in two taps
(held today or yesterday), or with another date and a short note through a short
questionnaire. Their dates feed the health signal "no steering meeting for twice the agreed
rhythm", and the card shows the latest."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from bot.services import questionnaires, summaries
from bot.services.access import in_place, notice, summary
from bot.services.results import Result, Say, SteeringAsked
from bot.services.work import Work
from flows.engine import FlowState
from storage import alerts as store
from storage import repository
from storage.models import Partnership

# The quick answers: held today ("d0") or yesterday ("d1").
DAYS_AGO = {"d0": 0, "d1": 1}
NOTE_LIMIT = 500


def ask(work: Work, partnership: Partnership, role: str, _arg, acted) -> Result:
    """ "Steering meeting held": when? In place of the card."""
    return in_place(work, acted, SteeringAsked(summary(partnership, role)))


def held(work: Work, partnership: Partnership, role: str, arg, acted) -> Result:
    """Held today or yesterday, in ALLIANCE_TIMEZONE: recorded, and the card again."""
    if arg not in DAYS_AGO:
        return notice(work)
    day = work.now.astimezone(work.core.zone).date() - timedelta(days=DAYS_AGO[arg])
    record(work, partnership, day)
    repository.touch(partnership)
    work.db.add(partnership)
    work.db.flush()
    result = in_place(work, acted, summaries.card(work, partnership, role))
    result.notice = Say("steering_noted")
    return result


def other_date(work: Work, partnership: Partnership, _role, _arg, _acted) -> Result:
    """Another date, and a note if wished: asked one question at a time, today offered."""
    today = work.now.astimezone(work.core.zone).date()
    return questionnaires.start_or_resume(
        work,
        "steering",
        intro="steering_intro",
        partnership_id=partnership.id,
        defaults={"held_on": today.isoformat()},
    )


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
