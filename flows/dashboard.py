"""The dashboard's rules: which partnerships a filter keeps, the largest gap between the two
organisations' views, and the trend from one round to the next. Pure: the use case reads the
facts, these decide."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from statistics import fmean

from flows.evaluation import OURS, PARTNER, trend_direction
from flows.health import AMBER, GREEN, RED

# A partnership's health as a filter reads it: its light, or "none" before it is computed.
NOT_ASSESSED = "none"
HEALTH_VALUES = (RED, AMBER, GREEN, NOT_ASSESSED)
# Open alerts: some, or none.
ALERT_VALUES = ("open", "none")


@dataclass(frozen=True)
class Filters:
    """What the portfolio keeps; None keeps everything. The URL's query string holds them."""

    stage: str | None = None
    health: str | None = None
    organisation: int | None = None
    alert: str | None = None

    def as_query(self) -> dict[str, str]:
        """The filters set, as the query string spells them."""
        fields = {
            "stage": self.stage,
            "health": self.health,
            "organisation": self.organisation,
            "alert": self.alert,
        }
        return {key: str(value) for key, value in fields.items() if value is not None}

    @property
    def any(self) -> bool:
        return bool(self.as_query())


def parse_filters(
    query: Mapping[str, str], stages: Iterable[str], organisations: Iterable[int]
) -> Filters:
    """The filters of a query string; a value nobody could have chosen is ignored (a forged
    or stale link shows the whole portfolio rather than an error)."""
    stage = query.get("stage")
    health = query.get("health")
    alert = query.get("alert")
    organisation = _id(query.get("organisation", ""))
    if organisation not in set(organisations):
        organisation = None
    return Filters(
        stage=stage if stage in set(stages) else None,
        health=health if health in HEALTH_VALUES else None,
        organisation=organisation,
        alert=alert if alert in ALERT_VALUES else None,
    )


def _id(raw: str) -> int | None:
    """A row id written in ASCII digits; '²' is a digit to isdigit() but not to int(), and
    int() refuses more than 4,300 digits: neither is an id a link of ours carries."""
    if raw.isascii() and raw.isdigit() and len(raw) <= 10:
        return int(raw)
    return None


def matches(
    filters: Filters,
    *,
    stage: str,
    light: str | None,
    organisation_ids: Iterable[int | None],
    open_alerts: int,
) -> bool:
    """Whether a partnership passes every filter set."""
    if filters.stage is not None and stage != filters.stage:
        return False
    if filters.health is not None and (light or NOT_ASSESSED) != filters.health:
        return False
    if filters.organisation is not None and filters.organisation not in set(organisation_ids):
        return False
    if filters.alert == "open" and open_alerts == 0:
        return False
    return not (filters.alert == "none" and open_alerts > 0)


def largest_gap(sides: Mapping[str, Mapping[str, float]]) -> tuple[str, float] | None:
    """The dimension on which the two organisations' averages lie furthest apart, and how far
    (the first in order on a tie); None unless both answered some dimension."""
    ours, partner = sides.get(OURS) or {}, sides.get(PARTNER) or {}
    gaps = [(abs(ours[d] - partner[d]), d) for d in ours if d in partner]
    if not gaps:
        return None
    gap, dimension = max(gaps, key=lambda found: found[0])
    return dimension, round(gap, 2)


def overall(scores: Mapping[str, float] | None) -> float | None:
    """A round's mean over its dimensions (None when nothing was scored)."""
    values = [v for v in (scores or {}).values() if v is not None]
    return fmean(values) if values else None


def trend(newest_first: list[Mapping[str, float]]) -> str | None:
    """ "up", "down" or "steady" from the round before to the latest (their overall means);
    None with fewer than two rounds scored."""
    values = tuple(overall(scores) for scores in reversed(newest_first[:2]))
    return trend_direction(values)
