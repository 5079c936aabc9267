"""Step 6, the steering meetings held: recorded from the partnership's card in two taps
(held today or yesterday), or with another date and a short note through a short
questionnaire. Their dates feed the health signal "no steering meeting for twice the agreed
rhythm", and the card shows the latest."""

from __future__ import annotations

from datetime import timedelta

from bot.services import questionnaires, summaries
from bot.services.access import in_place, notice, summary
from bot.services.results import Result, Say, SteeringAsked
from bot.services.steering_meetings import record
from bot.services.work import Work
from storage import repository
from storage.models import Partnership

# The quick answers: held today ("d0") or yesterday ("d1").
DAYS_AGO = {"d0": 0, "d1": 1}


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
