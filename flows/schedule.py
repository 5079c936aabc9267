"""When a partnership's evaluation check-ins fall due (step 7).

Pure: dates in, due dates out. A first pulse some weeks after signature; then a pulse at
the partnership's rhythm (quarterly during the first year, half-yearly after, unless /suivi
chose half-yearly from the start); a full review every year and some weeks before the
convention ends, so that renewing it is decided in time. A pulse that falls close to a
full review gives way to it. Due dates are 9:00 in the configured time zone.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

PULSE, REVIEW = "pulse", "review"
KINDS = (PULSE, REVIEW)
FIRST_PULSE_AFTER = timedelta(weeks=6)
REVIEW_BEFORE_END = timedelta(weeks=8)
# A pulse this close to a full review is left to the review.
PULSE_GIVES_WAY = timedelta(days=30)
DUE_AT = time(9, 0)
# How long a schedule is drawn ahead; far enough for any partnership.
HORIZON_YEARS = 10


@dataclass(frozen=True, order=True)
class Due:
    at: datetime  # aware, UTC
    kind: str


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def pulse_months(frequency: str | None, horizon: int = HORIZON_YEARS * 12) -> list[int]:
    """Months after signature when a pulse falls due: quarterly during the first year, then
    half-yearly (the guide's rhythm), or half-yearly throughout."""
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
) -> list[Due]:
    """Every check-in of a partnership signed on `start`, in time order; only those due by
    `until` when it is given (the dispatcher asks for nothing later than now)."""
    years = HORIZON_YEARS if until is None else _years_to_draw(start, until)
    reviews = [add_months(start, 12 * year) for year in range(1, years + 1)]
    if end is not None:
        before_end = end - REVIEW_BEFORE_END
        reviews = [day for day in reviews if day < before_end] + [max(before_end, start)]
    pulses = [start + FIRST_PULSE_AFTER] + [
        add_months(start, m) for m in pulse_months(frequency, horizon=years * 12)
    ]
    if end is not None:
        pulses = [day for day in pulses if day <= end]
    pulses = [p for p in pulses if all(abs(p - r) > PULSE_GIVES_WAY for r in reviews)]
    dues = [Due(_at(day, zone), PULSE) for day in pulses]
    dues += [Due(_at(day, zone), REVIEW) for day in reviews]
    return sorted(due for due in dues if until is None or due.at <= until)


def _years_to_draw(start: date, until: datetime) -> int:
    """Enough years to hold every due date by `until`, and the reviews a pulse then would
    give way to (a year more covers PULSE_GIVES_WAY)."""
    return max(1, min(HORIZON_YEARS, (until.date() - start).days // 365 + 2))


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
