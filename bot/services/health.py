"""Partnerships' health and alerts (issue 19): computed by the dispatcher a batch at a time,
read by the screens.

`refresh` computes a partnership's health again only when what it is computed from changed
(a cheap fingerprint of it, `stamp`) or when a time-bound signal may have turned (its
`recheck_at` has come), raises an alert once per partnership, signal and subject while its
cause lasts, and clears it when the cause is gone. Safe with two dispatchers on PostgreSQL:
each locks its batch's partnerships and skips those another holds.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from bot.services.checkin_schedule import side_of
from bot.services.work import Work
from flows.evaluation import FOLLOWED_FROM, OURS, PARTNER
from flows.health import (
    DECISION_MOVES,
    Health,
    HealthInputs,
    Reason,
    RoundFacts,
    assess,
    rounds_read,
    rules,
    start_of_day,
)
from storage import health as store

BATCH = 500
# The stage whose first entry is the first contact (the guide's time to sign runs from it).
FIRST_CONTACT = "dialogue"
# The /suivi answers health reads.
FOLLOWUP_KEYS = ("signature_date", "end_date", "frequency")


@dataclass
class HealthBatch:
    """What one batch did, and where the next one starts (None: nothing left)."""

    last_id: int | None
    # Alerts raised (their messages to send: notified_at still None) and cleared.
    raised: list[int] = field(default_factory=list)
    cleared: list[int] = field(default_factory=list)
    # Partnerships whose health was computed again (the others had not changed).
    computed: int = 0


@dataclass(frozen=True)
class HealthShown:
    """A partnership's last computed health, for a screen or a digest line."""

    partnership_id: int
    light: str
    reasons: tuple[Reason, ...]
    computed_at: datetime


def refresh(work: Work, after_id: int = 0, limit: int = BATCH) -> HealthBatch:
    """Computes the health of a batch of partnerships where it may have changed, and raises
    and clears their alerts."""
    rows = store.partnerships_batch(work.db, after_id=after_id, limit=limit, lock=True)
    batch = HealthBatch(rows[-1].id if rows else None)
    if not rows:
        return batch
    facts = _Facts(work, [row.id for row in rows])
    due = []
    for row in rows:
        stamp = facts.stamp(row)
        recheck = row.recheck_at is not None and row.recheck_at <= work.now
        if row.stamp is None or stamp != row.stamp or recheck:
            due.append((row, stamp))
    if not due:
        return batch
    ids = [row.id for row, _stamp in due]
    rounds = facts.rounds(ids)
    computed: dict[int, Health] = {}
    saved = []
    # Moments kept in UTC: SQLite keeps a moment's wall time and drops its zone.
    now = _utc(work.now)
    for row, stamp in due:
        health = assess(facts.inputs(row, rounds.get(row.id, ())), work.now)
        computed[row.id] = health
        saved.append(
            {
                "partnership_id": row.id,
                "light": health.light,
                "reasons": [reason.as_dict() for reason in health.reasons],
                "stamp": stamp,
                "computed_at": now,
                "recheck_at": _utc(health.recheck_at),
            }
        )
    store.save_health(work.db, rows=saved)
    batch.raised, batch.cleared = _alerts(work, computed, now)
    batch.computed = len(computed)
    return batch


def lights_of(work: Work, partnership_ids: list[int]) -> dict[int, str]:
    """The last computed light of these partnerships, without reasons (sorting many)."""
    return store.lights_of(work.db, partnership_ids=partnership_ids)


def health_of(work: Work, partnership_ids: list[int]) -> dict[int, HealthShown]:
    """The last computed health of these partnerships; one never computed is left out."""
    found = store.health_of(work.db, partnership_ids=partnership_ids)
    return {
        pid: HealthShown(
            pid,
            row.light,
            tuple(Reason.from_dict(reason) for reason in row.reasons or ()),
            row.computed_at,
        )
        for pid, row in found.items()
    }


def _alerts(work: Work, computed: dict[int, Health], now: datetime) -> tuple[list[int], list[int]]:
    """Raises the alerts whose cause is new, clears those whose cause is gone, and keeps the
    others open (their level and figures follow the cause)."""
    opened: dict[tuple[int, str, str], Any] = {}
    for alert in store.open_alerts(work.db, partnership_ids=list(computed)):
        opened[(alert.partnership_id, alert.signal, alert.subject)] = alert
    raised, changed, wanted = [], [], set()
    for pid, health in computed.items():
        for reason in health.reasons:
            key = (pid, reason.signal, reason.subject)
            wanted.add(key)
            details = dict(reason.details)
            alert = opened.get(key)
            if alert is None:
                raised.append(
                    {
                        "partnership_id": pid,
                        "signal": reason.signal,
                        "subject": reason.subject,
                        "level": reason.level,
                        "details": details,
                        "raised_at": now,
                    }
                )
            elif alert.level != reason.level or alert.details != details:
                changed.append({"id": alert.id, "level": reason.level, "details": details})
    gone = [alert.id for key, alert in opened.items() if key not in wanted]
    store.relevel_alerts(work.db, rows=changed)
    cleared = store.clear_alerts(work.db, alert_ids=gone, at=now)
    return store.raise_alerts(work.db, rows=raised), cleared


class _Facts:
    """What health is computed from, for one batch, read in a few grouped queries."""

    def __init__(self, work: Work, ids: list[int]):
        db = self.db = work.db
        self.zone = work.core.zone
        self.round_counts = store.round_counts(db, partnership_ids=ids)
        self.open_answers = store.open_round_answers(db, partnership_ids=ids)
        self.steering = store.last_steering(db, partnership_ids=ids)
        reach = store.respondent_reach(db, partnership_ids=ids)
        self.reach: dict[int, dict[str, tuple[int, int]]] = {}
        for pid, roles in reach.items():
            sides: dict[str, list[int]] = {OURS: [0, 0], PARTNER: [0, 0]}
            for role, (unreachable, every) in roles.items():
                sides[side_of(role)][0] += unreachable
                sides[side_of(role)][1] += every
            self.reach[pid] = {side: (u, n) for side, (u, n) in sides.items() if n}
        self.first_contact: dict[int, datetime] = {}
        self.signed: dict[int, datetime] = {}
        self.decided: dict[int, datetime] = {}
        moves = store.stage_entries(
            db, partnership_ids=ids, stages=(FIRST_CONTACT, FOLLOWED_FROM), triggers=DECISION_MOVES
        )
        for move in moves:
            if move.dest == FIRST_CONTACT:
                _earliest(self.first_contact, move.partnership_id, move.first)
            if move.dest == FOLLOWED_FROM:
                _latest(self.signed, move.partnership_id, move.last)
            if move.trigger in DECISION_MOVES:
                _latest(self.decided, move.partnership_id, move.last)

    def stamp(self, row) -> str:
        """A fingerprint of everything health reads of this partnership but the closed rounds'
        reports (a closed round never changes; its id and closing are in)."""
        pid = row.id
        followup = row.followup or {}
        open_rounds = self.open_answers.get(pid, {})
        parts = (
            _rules_version(),
            row.stage,
            row.revision,
            [followup.get(key) for key in FOLLOWUP_KEYS],
            self.round_counts.get(pid),
            sorted((rid, sorted(sides.items())) for rid, sides in open_rounds.items()),
            self.steering.get(pid),
            sorted(self.reach.get(pid, {}).items()),
            self.first_contact.get(pid),
            self.signed.get(pid),
            self.decided.get(pid),
        )
        return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()

    def rounds(self, ids: list[int]) -> dict[int, tuple[RoundFacts, ...]]:
        """The rounds of these partnerships, as health reads them."""
        found: dict[int, list[RoundFacts]] = {}
        rows = store.rounds_of(self.db, partnership_ids=ids, latest=rounds_read())
        for rid, pid, kind, due_at, status, closed_at, summary, opened_at in rows:
            summary = summary or {}
            if status == "open":
                answered = self.open_answers.get(pid, {}).get(rid, {})
                closed_at = None
            else:
                answered = summary.get("answered") or {}
                closed_at = closed_at or due_at
            found.setdefault(pid, []).append(
                RoundFacts(
                    rid,
                    kind,
                    due_at,
                    closed_at,
                    answered,
                    summary.get("scores") or {},
                    summary.get("sides") or {},
                    opened_at,
                )
            )
        return {pid: tuple(rounds) for pid, rounds in found.items()}

    def inputs(self, row, rounds: tuple[RoundFacts, ...]) -> HealthInputs:
        pid = row.id
        followup = row.followup or {}
        signature = _date(followup.get("signature_date"))
        end = _date(followup.get("end_date"))
        steering = self.steering.get(pid)
        return HealthInputs(
            partnership_id=pid,
            stage=row.stage,
            first_contact_at=self.first_contact.get(pid) or row.created_at,
            signed_at=start_of_day(signature, self.zone) if signature else self.signed.get(pid),
            convention_end=start_of_day(end, self.zone) if end else None,
            decided_at=self.decided.get(pid),
            steering_rhythm=followup.get("frequency"),
            last_steering_at=steering[0] if steering else None,
            rounds=rounds,
            respondents=self.reach.get(pid, {}),
        )


def _earliest(found: dict, key: int, moment: datetime) -> None:
    if key not in found or moment < found[key]:
        found[key] = moment


def _latest(found: dict, key: int, moment: datetime) -> None:
    if key not in found or moment > found[key]:
        found[key] = moment


@cache
def _rules_version() -> str:
    """The health rules in force: changing a threshold computes every health again."""
    return hashlib.blake2b(
        json.dumps(rules().model_dump(), sort_keys=True).encode(), digest_size=8
    ).hexdigest()


def _utc(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC) if moment is not None else None


def _date(value) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None
