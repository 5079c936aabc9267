"""When a coordinator's weekly digest falls due, and the order its partnerships come in.

The digest is ours (issue 19): the guide asks to follow partnerships and "alert quickly in
case of difficulties", not for a weekly letter; Monday 9:00 is our choice.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flows.health import URGENCY

# Monday (weekday 0), 9:00 in ALLIANCE_TIMEZONE (our choice).
DIGEST_WEEKDAY = 0
DIGEST_TIME = time(9, 0)


def digest_week(now: datetime, zone: ZoneInfo) -> date | None:
    """The Monday of the digest due at `now`: this week's once its Monday 9:00 has passed
    (a dispatcher down then sends it later that week); None before it, on Monday morning."""
    local = now.astimezone(zone)
    monday = local.date() - timedelta(days=(local.weekday() - DIGEST_WEEKDAY) % 7)
    starts = datetime.combine(monday, DIGEST_TIME, tzinfo=zone)
    return monday if local >= starts else None


def urgency(light: str | None) -> int:
    """Red before amber before green before not computed yet."""
    return URGENCY.get(light or "", len(URGENCY))
