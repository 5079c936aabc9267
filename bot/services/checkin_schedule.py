"""A partnership's check-in schedule as its members see it: who answers for which
organisation, whether both can answer, and when the check-ins fall."""

from __future__ import annotations

from datetime import date, datetime

from bot.services.work import Work
from flows.evaluation import FOLLOWED_FROM, OURS, PARTNER
from flows.roles import SIDES
from flows.schedule import Due, followup_date, followup_schedule
from storage import checkins as store
from storage.models import Partnership


def side_of(role: str) -> str:
    """Which organisation a respondent answers for (flows.roles.SIDES, the one table); a
    viewer without a membership (a coordinator) reads as our side."""
    return SIDES.get(role, OURS)


def dues_of(
    work: Work,
    partnership: Partnership,
    entered: datetime | None = None,
    until: datetime | None = None,
) -> list[Due]:
    """The partnership's check-ins from its signature (or its entry into implementation,
    `entered`, read from its history when not given), at the rhythm /suivi set; up to
    `until` when given."""
    followup = partnership.followup or {}
    if entered is None and followup_date(followup, "signature_date") is None:
        found = store.entered_stage(work.db, stage=FOLLOWED_FROM, partnership_ids=[partnership.id])
        entered = found.get(partnership.id)
    return followup_schedule(followup, entered, work.core.zone, until=until)


def end_date(partnership: Partnership) -> date | None:
    """The convention's planned end, as /suivi gives it: the day of the final evaluation."""
    return followup_date(partnership.followup, "end_date")


def sides_ready(work: Work, partnership_ids: list[int]) -> set[int]:
    """The partnerships with a respondent in each organisation: a round "of both
    organisations" is not run with one side (it would close at once, half empty)."""
    sides: dict[int, set[str]] = {}
    for row in store.respondents_of(work.db, partnership_ids=partnership_ids):
        sides.setdefault(row.partnership_id, set()).add(side_of(row.role))
    return {pid for pid, found in sides.items() if found >= {OURS, PARTNER}}
