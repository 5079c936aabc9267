"""A partnership's health: green, amber or red, with the method's signals that it drifts.

The guide says following a partnership is also there to alert quickly in case of
difficulties. Each signal below is one of the issue's (19): a check-in late or answered by
one organisation only; a dimension turning red, dropping by a point or more, or declining
two check-ins running; the two organisations seeing a dimension differently two check-ins
running; the agreement ending soon with no decision; no steering meeting for twice the
agreed rhythm; signing taking much longer than the guide's six to nine months; the
respondents of one organisation out of reach. Thresholds are knowledge (health.yaml, those
of ours marked so); the evaluation's own (traffic lights, the gap, the trend step) are
flows/evaluation.py's.

Pure: facts and the time in, a `Health` value out, with the earliest moment a time-bound
signal may change (`recheck_at`), so that nothing is computed again before then unless the
facts change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from types import MappingProxyType
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from flows import schedule
from flows.evaluation import DIVERGENCE, EVALUATED_STAGES, OURS, PARTNER, light_of, trend_direction
from knowledge.loader import load_health_rules
from knowledge.models import HealthRules, HealthSignal

GREEN, AMBER, RED = "green", "amber", "red"
# Most urgent first: how screens and digests sort partnerships.
URGENCY = {RED: 0, AMBER: 1, GREEN: 2}
# The signals, as alerts and reasons name them.
ROUND_LATE = "round_late"
ROUND_ONE_SIDE = "round_one_side"
ROUND_UNANSWERED = "round_unanswered"
DIMENSION_RED = "dimension_red"
DIMENSION_DROP = "dimension_drop"
DIMENSION_DECLINING = "dimension_declining"
PERCEPTIONS_DIVERGING = "perceptions_diverging"
CONVENTION_ENDING = "convention_ending"
STEERING_MISSING = "steering_missing"
STAGE_LONG = "stage_long"
SIDE_UNREACHABLE = "side_unreachable"
SIGNALS = (
    ROUND_LATE,
    ROUND_ONE_SIDE,
    ROUND_UNANSWERED,
    DIMENSION_RED,
    DIMENSION_DROP,
    DIMENSION_DECLINING,
    PERCEPTIONS_DIVERGING,
    CONVENTION_ENDING,
    STEERING_MISSING,
    STAGE_LONG,
    SIDE_UNREACHABLE,
)
# The stages before signature: the guide's six to nine months run from first contact
# (dialogue) to the signed agreement.
SIGNING_STAGES = ("dialogue", "partner_choice", "content", "formalisation")
# The agreement's end matters once it is signed, until the partnership ends.
SIGNED_STAGES = EVALUATED_STAGES
# The moves that decide what follows the agreement (flows/lifecycle.py triggers).
DECISION_MOVES = ("renew", "modify", "end")
# /suivi's steering rhythms (followup.yaml `frequency`).
QUARTERLY, HALF_YEARLY = "quarterly", "half_yearly"
# An empty mapping no one can change, shared by the facts that have none.
NOTHING: Mapping[str, Any] = MappingProxyType({})


class RoundFacts(NamedTuple):
    """One check-in round as health reads it (a tuple: tens of thousands are made a pass)."""

    id: int
    kind: str  # "pulse" or "review"
    due_at: datetime
    closed_at: datetime | None  # None while open
    # Per side: (answered, invited).
    answered: Mapping[str, Sequence[int]] = NOTHING
    # Both organisations' average per dimension (CheckInRound.summary["scores"]).
    scores: Mapping[str, float] = NOTHING
    # Each organisation's average per dimension (CheckInRound.summary["sides"]).
    sides: Mapping[str, Mapping[str, float]] = NOTHING
    # When respondents were asked: after the due date when no dispatcher ran on it.
    opened_at: datetime | None = None

    @property
    def asked_at(self) -> datetime:
        """From when an answer can be late: nobody is late for a question just sent."""
        return max(self.due_at, self.opened_at or self.due_at)

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def answered_by(self, side: str) -> int:
        return (self.answered.get(side) or (0, 0))[0]

    @property
    def both_answered(self) -> bool:
        return self.answered_by(OURS) > 0 and self.answered_by(PARTNER) > 0


@dataclass(frozen=True)
class HealthInputs:
    """What a partnership's health is computed from; every datetime aware."""

    partnership_id: int
    stage: str
    # First contact: when it first entered dialogue (else when it was created).
    first_contact_at: datetime | None = None
    # The agreement's signature (/suivi's date, else its entry into implementation).
    signed_at: datetime | None = None
    # The agreement's end (/suivi's end date), and the last renew / modify / end decision.
    convention_end: datetime | None = None
    decided_at: datetime | None = None
    # The agreed steering rhythm (/suivi: "quarterly", "half_yearly"; None: not agreed).
    steering_rhythm: str | None = None
    # When the last steering meeting noted was held (MeetingNote kind "steering").
    last_steering_at: datetime | None = None
    # The rounds, in due order.
    rounds: tuple[RoundFacts, ...] = ()
    # Respondents per side: (unreachable, all).
    respondents: Mapping[str, tuple[int, int]] = field(default_factory=dict)


class Reason(NamedTuple):
    """One signal raised: what, about what (a dimension, a side, a round), how serious, the
    figures behind it, and the card of the guide to read next."""

    signal: str
    subject: str
    level: str  # "amber" or "red"
    details: Mapping[str, Any]
    card: str

    @property
    def key(self) -> tuple[str, str]:
        """What one alert is raised for while its cause lasts."""
        return self.signal, self.subject

    def as_dict(self) -> dict[str, Any]:
        return {
            "signal": self.signal,
            "subject": self.subject,
            "level": self.level,
            "details": dict(self.details),
            "card": self.card,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Reason:
        return cls(
            data["signal"],
            data.get("subject", ""),
            data["level"],
            dict(data.get("details") or {}),
            data.get("card", ""),
        )


@dataclass(frozen=True)
class Health:
    light: str  # "green", "amber", "red"
    reasons: tuple[Reason, ...]
    # The earliest future moment a time-bound signal may turn on, off or up; None: none.
    recheck_at: datetime | None = None


def rules() -> HealthRules:
    """The thresholds and signals, from knowledge (health.yaml), loaded once."""
    return load_health_rules()


def rounds_read(health_rules: HealthRules | None = None) -> int:
    """How many closed rounds of each kind the dimension signals compare, at most: a store
    need not read older ones."""
    limits = _Limits.of(health_rules or rules()).values
    return int(max(limits["declining_rounds"] + 1, limits["diverging_rounds"], 2))


def advice(signal: str, health_rules: HealthRules | None = None) -> HealthSignal:
    """A signal's title, what to do next (fr, en) and its card, for screens and messages."""
    return (health_rules or rules()).signal(signal)


def light_of_reasons(reasons: tuple[Reason, ...] | list[Reason]) -> str:
    """Red if any reason is red, amber if any is amber, green otherwise."""
    levels = {reason.level for reason in reasons}
    return RED if RED in levels else AMBER if AMBER in levels else GREEN


def assess(inputs: HealthInputs, now: datetime, health_rules: HealthRules | None = None) -> Health:
    """The partnership's health at `now`."""
    checker = _Assessment(inputs, now, _Limits.of(health_rules or rules()))
    reasons = checker.reasons()
    return Health(light_of_reasons(reasons), reasons, checker.recheck_at)


@dataclass(frozen=True)
class _Limits:
    """The rules' thresholds as plain values and each signal's level and card, read once per
    rules (a health is computed for thousands of partnerships in a row)."""

    values: Mapping[str, float]
    signals: Mapping[str, tuple[str, str]]  # signal -> (level, card)

    @staticmethod
    def of(health_rules: HealthRules) -> _Limits:
        kept = _LIMITS.get(id(health_rules))
        if kept is None or kept[0] is not health_rules:
            limits = _Limits(
                {t.id: t.value for t in health_rules.thresholds},
                {s.id: (s.level, s.card) for s in health_rules.signals},
            )
            kept = _LIMITS[id(health_rules)] = (health_rules, limits)
        return kept[1]


# Rules (kept alive here, so that their id is not reused) and their limits.
_LIMITS: dict[int, tuple[HealthRules, _Limits]] = {}


def start_of_day(day: date, zone: ZoneInfo) -> datetime:
    """A local date as the aware moment it starts (an end date, a signature date)."""
    return datetime.combine(day, time(0, 0), tzinfo=zone)


def add_months(moment: datetime, months: float) -> datetime:
    """The same moment, in its own zone, `months` later (whole months; the month's last day
    when shorter), as the check-in schedule counts them."""
    day = schedule.add_months(moment.date(), int(months))
    return moment.replace(year=day.year, month=day.month, day=day.day)


class _Assessment:
    """One partnership's signals at one moment, and the next moment one may change."""

    def __init__(self, inputs: HealthInputs, now: datetime, limits: _Limits):
        self.inputs, self.now, self.limits = inputs, now, limits
        self.recheck_at: datetime | None = None
        self.found: list[Reason] = []

    def reasons(self) -> tuple[Reason, ...]:
        stage = self.inputs.stage
        if stage in SIGNING_STAGES:
            self._signing()
        if stage in EVALUATED_STAGES:
            self._rounds()
            self._dimensions()
            self._steering()
            self._unreachable()
        if stage in SIGNED_STAGES:
            self._ending()
        return tuple(self.found)

    def _raise(self, signal: str, subject: str = "", level: str | None = None, **details) -> None:
        default, card = self.limits.signals[signal]
        self.found.append(Reason(signal, subject, level or default, details, card))

    def _at(self, moment: datetime) -> bool:
        """Whether `moment` has come; a moment to come is when to look again."""
        if moment <= self.now:
            return True
        if self.recheck_at is None or moment < self.recheck_at:
            self.recheck_at = moment
        return False

    def _value(self, name: str) -> float:
        return self.limits.values[name]

    # A check-in late, or answered by one organisation only.
    def _rounds(self) -> None:
        late_after = timedelta(days=self._value("round_late_after"))
        for round_ in self.inputs.rounds:
            if round_.is_open and self._at(round_.asked_at + late_after):
                waiting = {
                    side: invited - answered
                    for side, (answered, invited) in round_.answered.items()
                    if invited > answered
                }
                self._raise(ROUND_LATE, str(round_.id), waiting=waiting, due=_day(round_.due_at))
        closed = [r for r in self.inputs.rounds if not r.is_open]
        if not closed:
            return
        latest = max(closed, key=lambda r: (r.closed_at, r.id))
        missing = [side for side in (OURS, PARTNER) if latest.answered_by(side) == 0]
        if len(missing) == 2:
            self._raise(ROUND_UNANSWERED, str(latest.id), closed=_day(latest.closed_at))
        elif missing:
            self._raise(ROUND_ONE_SIDE, str(latest.id), missing=missing[0])

    # Dimensions: red, dropping, declining, seen differently.
    def _dimensions(self) -> None:
        series = _comparable(self.inputs.rounds)
        if not series:
            return
        latest = series[-1]
        drop = self._value("dimension_drop")
        declining = int(self._value("declining_rounds"))
        diverging = int(self._value("diverging_rounds"))
        previous = series[-2] if len(series) >= 2 else None
        for dimension, score in latest.scores.items():
            if score is None:
                continue
            if light_of(score) == RED:
                self._raise(DIMENSION_RED, dimension, score=score)
            before = previous.scores.get(dimension) if previous is not None else None
            if before is not None and round(score - before, 2) <= -drop:
                self._raise(DIMENSION_DROP, dimension, before=before, score=score)
            # The latest step first: most dimensions are not going down now.
            if before is not None and trend_direction((before, score)) == "down":
                values = [r.scores.get(dimension) for r in series[-(declining + 1) :]]
                if len(values) == declining + 1 and all(
                    trend_direction((values[n - 1], values[n])) == "down"
                    for n in range(declining - 1, 0, -1)
                ):
                    self._raise(DIMENSION_DECLINING, dimension, scores=values)
            gaps = []
            for round_ in reversed(series[-diverging:]):
                gap = _gap(round_, dimension)
                if gap is None or gap < DIVERGENCE:
                    break
                gaps.insert(0, gap)
            if len(gaps) == diverging:
                self._raise(PERCEPTIONS_DIVERGING, dimension, gaps=gaps)

    # The agreement ending with no decision.
    def _ending(self) -> None:
        end = self.inputs.convention_end
        if end is None:
            return
        window = add_months(end, -self._value("decision_window"))
        decided = self.inputs.decided_at
        if decided is not None and decided >= window:
            return
        warn = end - timedelta(days=self._value("convention_ending_within"))
        if not self._at(warn):
            return
        ended = self._at(end)
        self._raise(CONVENTION_ENDING, "", RED if ended else AMBER, end=_day(end))

    # No steering meeting for twice the agreed rhythm.
    def _steering(self) -> None:
        rhythm, start = self.inputs.steering_rhythm, self.inputs.signed_at
        if rhythm not in (QUARTERLY, HALF_YEARLY) or start is None:
            return
        last = self.inputs.last_steering_at
        since = max(last, start) if last is not None else start
        months = self._value("steering_half_yearly")
        if rhythm == QUARTERLY and since < add_months(start, self._value("steering_start")):
            months = self._value("steering_quarterly")
        due = add_months(since, months * self._value("steering_missing_after"))
        if self._at(due):
            self._raise(STEERING_MISSING, "", since=_day(since), rhythm=rhythm)

    # Signing much longer than the guide's six to nine months.
    def _signing(self) -> None:
        since = self.inputs.first_contact_at
        if since is None:
            return
        amber = add_months(since, self._value("signing_amber"))
        red = add_months(since, self._value("signing_red"))
        if self._at(amber):
            level = RED if self._at(red) else AMBER
            self._raise(STAGE_LONG, "signing", level, since=_day(since))

    # The respondents of one organisation out of reach.
    def _unreachable(self) -> None:
        for side in (OURS, PARTNER):
            unreachable, every = self.inputs.respondents.get(side) or (0, 0)
            if unreachable:
                level = RED if unreachable >= every else AMBER
                self._raise(SIDE_UNREACHABLE, side, level, unreachable=unreachable, of=every)


def _comparable(rounds: tuple[RoundFacts, ...]) -> list[RoundFacts]:
    """The closed rounds both organisations answered, of the kind of the latest such round,
    in order: what the dimensions are compared over (as the report's trend does)."""
    both = sorted(
        (r for r in rounds if not r.is_open and r.both_answered and r.scores),
        key=lambda r: (r.closed_at, r.id),
    )
    if not both:
        return []
    kind = both[-1].kind
    return [r for r in both if r.kind == kind]


def _gap(round_: RoundFacts, dimension: str) -> float | None:
    ours = (round_.sides.get(OURS) or {}).get(dimension)
    partner = (round_.sides.get(PARTNER) or {}).get(dimension)
    if ours is None or partner is None:
        return None
    return round(abs(ours - partner), 2)


def _day(moment: datetime | None) -> str | None:
    return moment.date().isoformat() if moment is not None else None
