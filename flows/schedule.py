"""When a partnership's evaluation check-ins fall due (step 7).

The guide asks for an evaluation that is periodic (interim reviews) and final (at the end of
the convention), and gives no calendar for it; it also keeps the steering meetings (quarterly
at first, half-yearly once mature) apart from the evaluation. The calendar below is ours, our
advice, and each partnership can change it in /suivi (`Rhythm`): a first pulse some weeks
after signature; then a pulse at each steering period (quarterly during the first year,
half-yearly after, or half-yearly from the start when /suivi chose it); a full review every
year and some weeks before the convention ends, so that renewing it is decided in time; and
the final evaluation, a full review, on the day the convention ends. A pulse that falls close
to a full review gives way to it.

Pure: dates in, due dates out. Due dates are 9:00 in the configured time zone.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

PULSE, REVIEW = "pulse", "review"
KINDS = (PULSE, REVIEW)
# How a final evaluation is named to people: a full review due at the convention's end.
FINAL = "final"
DUE_AT = time(9, 0)
# How long a schedule is drawn ahead; far enough for any partnership.
HORIZON_YEARS = 10


@dataclass(frozen=True)
class Rhythm:
    """A partnership's evaluation rhythm. The defaults are Alliance's (our advice, not the
    guide's); /suivi may set the first three."""

    # The first pulse, this long after signature: early enough to correct the start.
    first_pulse_after: timedelta = timedelta(weeks=6)
    # A full review this long before the end, to decide renewal in time; None: only the final.
    review_before_end: timedelta | None = timedelta(weeks=8)
    # A full review every year from signature.
    yearly_review: bool = True
    # A pulse this close to a full review is left to the review.
    pulse_gives_way: timedelta = timedelta(days=30)


DEFAULT_RHYTHM = Rhythm()
# /suivi's answer for no full review before the end (the others are numbers of weeks).
NO_REVIEW_BEFORE_END = "none"


def rhythm_of(followup: dict[str, Any] | None) -> Rhythm:
    """The rhythm /suivi's answers set: Alliance's unless the user chose to set it, and then
    each answer missing or unreadable keeps Alliance's value."""
    answers = followup or {}
    if answers.get("keep_rhythm") != "no":
        return DEFAULT_RHYTHM
    first = _weeks(answers.get("first_checkin"))
    before = answers.get("review_before_end")
    before_end = _weeks(before) or DEFAULT_RHYTHM.review_before_end
    if before == NO_REVIEW_BEFORE_END:
        before_end = None
    yearly = answers.get("yearly_review")
    return Rhythm(
        first_pulse_after=first or DEFAULT_RHYTHM.first_pulse_after,
        review_before_end=before_end,
        yearly_review=DEFAULT_RHYTHM.yearly_review if yearly is None else yearly != "no",
    )


def rhythm_answers(rhythm: Rhythm = DEFAULT_RHYTHM) -> dict[str, str]:
    """/suivi's answers that set `rhythm`, the other way round from `rhythm_of`: Alliance's
    rhythm is offered with them, kept with one tap."""
    before = rhythm.review_before_end
    return {
        "keep_rhythm": "yes" if rhythm == DEFAULT_RHYTHM else "no",
        "first_checkin": str(rhythm.first_pulse_after.days // 7),
        "review_before_end": str(before.days // 7) if before else NO_REVIEW_BEFORE_END,
        "yearly_review": "yes" if rhythm.yearly_review else "no",
    }


def _weeks(value: Any) -> timedelta | None:
    text = str(value or "")
    return timedelta(weeks=int(text)) if text.isdigit() and 0 < int(text) <= 52 else None


@dataclass(frozen=True, order=True)
class Due:
    at: datetime  # aware, UTC
    kind: str
    # The final evaluation: the full review due on the convention's end date.
    final: bool = False

    @property
    def shown_kind(self) -> str:
        return kind_shown(self.kind, self.final)


def kind_shown(kind: str, final: bool) -> str:
    """What people are told a round is: a check-in, a full review, or the final evaluation."""
    return FINAL if final and kind == REVIEW else kind


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def pulse_months(frequency: str | None, horizon: int = HORIZON_YEARS * 12) -> list[int]:
    """Months after signature when a pulse falls due: one per steering period (our choice, so
    that each steering meeting has both organisations' views), the steering meetings being
    quarterly during the first year then half-yearly (the guide's advice), or half-yearly
    throughout."""
    if frequency == "half_yearly":
        return list(range(6, horizon + 1, 6))
    return [3, 6, 9, 12] + list(range(18, horizon + 1, 6))


def schedule(
    start: date,
    *,
    frequency: str | None,
    end: date | None,
    zone: ZoneInfo,
    until: datetime | None = None,
    rhythm: Rhythm = DEFAULT_RHYTHM,
) -> list[Due]:
    """Every check-in of a partnership signed on `start`, in time order; only those due by
    `until` when it is given (the dispatcher asks for nothing later than now)."""
    years = HORIZON_YEARS if until is None else _years_to_draw(start, until, rhythm)
    reviews = [add_months(start, 12 * year) for year in range(1, years + 1)]
    if not rhythm.yearly_review:
        reviews = []
    finals: list[date] = []
    if end is not None:
        # No yearly review on the heels of the one before the end, or of the final one.
        last = end - (rhythm.review_before_end or rhythm.pulse_gives_way)
        reviews = [day for day in reviews if day < last]
        if rhythm.review_before_end is not None and last > start:
            reviews.append(last)
        finals = [end] if end > start else []
    pulses = [start + rhythm.first_pulse_after] + [
        add_months(start, m) for m in pulse_months(frequency, horizon=years * 12)
    ]
    if end is not None:
        pulses = [day for day in pulses if day <= end]
    gives_way = rhythm.pulse_gives_way
    pulses = [p for p in pulses if all(abs(p - r) > gives_way for r in reviews + finals)]
    dues = [Due(_at(day, zone), PULSE) for day in pulses]
    dues += [Due(_at(day, zone), REVIEW) for day in reviews]
    dues += [Due(_at(day, zone), REVIEW, final=True) for day in finals]
    return sorted(due for due in dues if until is None or due.at <= until)


def followup_date(followup: dict[str, Any] | None, key: str) -> date | None:
    """A date /suivi gives ("signature_date", "end_date"); None when missing or unreadable."""
    try:
        return date.fromisoformat(value) if (value := (followup or {}).get(key)) else None
    except (TypeError, ValueError):
        return None


def start_of(
    followup: dict[str, Any] | None, entered: datetime | None, zone: ZoneInfo
) -> date | None:
    """Where a partnership's check-ins count from: the signature /suivi gives, else the day
    it (last) entered implementation, `entered`, in the local zone."""
    given = followup_date(followup, "signature_date")
    if given is not None or entered is None:
        return given
    return entered.astimezone(zone).date()


def followup_schedule(
    followup: dict[str, Any] | None,
    entered: datetime | None,
    zone: ZoneInfo,
    until: datetime | None = None,
) -> list[Due]:
    """A partnership's check-ins as /suivi's answers set them (its dates, frequency and
    rhythm), from `start_of`; none before it has a start."""
    start = start_of(followup, entered, zone)
    if start is None:
        return []
    answers = followup or {}
    return schedule(
        start,
        frequency=answers.get("frequency"),
        end=followup_date(answers, "end_date"),
        zone=zone,
        until=until,
        rhythm=rhythm_of(answers),
    )


def _years_to_draw(start: date, until: datetime, rhythm: Rhythm) -> int:
    """Enough years to hold every due date by `until`, and the reviews a pulse then would
    give way to."""
    margin = 2 + rhythm.pulse_gives_way.days // 365
    return max(1, min(HORIZON_YEARS, (until.date() - start).days // 365 + margin))


def latest_due(dues: list[Due], now: datetime) -> dict[str, Due]:
    """The most recent due date of each kind that has come: a round missed while the bot was
    down is caught up once, not once per missed period."""
    latest: dict[str, Due] = {}
    for due in dues:
        if due.at <= now:
            latest[due.kind] = due
    return latest


def next_due(dues: list[Due], now: datetime) -> Due | None:
    return next((due for due in dues if due.at > now), None)


def _at(day: date, zone: ZoneInfo) -> datetime:
    """9:00 on that day where the partnership is, in UTC."""
    local = datetime.combine(day, DUE_AT, tzinfo=zone)
    return local.astimezone(UTC)
