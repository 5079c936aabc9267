"""Health and alerts as the dispatcher refreshes them, on a real database: computed again only
when the inputs changed or a time-bound signal may have turned, each alert raised once while
its cause lasts and cleared when it is gone; two dispatchers on PostgreSQL raise it once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func
from sqlmodel import select

from bot.services import Services
from bot.services.health import BATCH, HealthBatch, health_of, refresh
from flows.health import add_months, rules
from storage.db import make_engine, session_scope
from storage.models import (
    Alert,
    CheckInInvite,
    CheckInRound,
    MeetingNote,
    Membership,
    Partnership,
    PartnershipHealth,
    User,
)
from tests.bot.threads import at_once

SIGNED = "2026-01-15"
PARIS = ZoneInfo("Europe/Paris")
DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)


class Clock:
    """The dispatcher's time, moved by the test."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def engine(sqlite_url):
    engine = make_engine(sqlite_url)
    yield engine
    engine.dispose()


def partnership(engine, index: int = 0, *, stage="implementation", followup=None) -> int:
    """A partnership with a member and a partner contact, both respondents."""
    with session_scope(engine) as db:
        owner = User(external_id=f"tg:{1000 + 2 * index}")
        contact = User(external_id=f"tg:{1001 + 2 * index}")
        db.add_all([owner, contact])
        db.flush()
        row = Partnership(
            name=f"Alliance {index}",
            our_organisation="Rebond",
            stage=stage,
            created_by=owner.id,
            followup={"signature_date": SIGNED} if followup is None else followup,
        )
        db.add(row)
        db.flush()
        db.add(Membership(partnership_id=row.id, user_id=owner.id, role="owner"))
        db.add(Membership(partnership_id=row.id, user_id=contact.id, role="partner"))
        return row.id


def run(engine, clock, after: int = 0, limit: int = BATCH) -> HealthBatch:
    return Services(engine, clock=clock).run_system(refresh, after, limit)


def run_all(engine, clock, limit: int = BATCH) -> tuple[list[int], list[int], int]:
    """Every batch once, as dispatch_once does: raised, cleared, computed."""
    raised, cleared, computed, after = [], [], 0, 0
    while after is not None:
        batch = run(engine, clock, after, limit)
        raised += batch.raised
        cleared += batch.cleared
        computed += batch.computed
        after = batch.last_id
    return raised, cleared, computed


def alerts(engine) -> list[Alert]:
    with session_scope(engine) as db:
        rows = list(db.exec(select(Alert).order_by(Alert.id)))
        db.expunge_all()
        return rows


def steering_due(start: datetime) -> datetime:
    return add_months(start, 2 * rules().value("steering_quarterly"))


def signed_at() -> datetime:
    """The signature day's start where the partnership is (the Core's zone): months are
    counted in local time."""
    return datetime(2026, 1, 15, tzinfo=PARIS)


def test_an_alert_is_raised_at_its_moment_once_and_cleared_when_its_cause_is_gone(engine):
    pid = partnership(engine, followup={"signature_date": SIGNED, "frequency": "quarterly"})
    due = steering_due(signed_at())
    clock = Clock(due - SECOND)
    first = run(engine, clock)
    assert first == HealthBatch(pid, [], [], computed=1)
    with session_scope(engine) as db:
        kept = db.get(PartnershipHealth, pid)
        assert kept.light == "green" and kept.recheck_at.replace(tzinfo=UTC) == due
    # Nothing changed and the moment has not come: nothing computed.
    assert run(engine, clock).computed == 0
    clock.now = due
    batch = run(engine, clock)
    assert batch.computed == 1 and len(batch.raised) == 1
    (alert,) = alerts(engine)
    assert (alert.signal, alert.subject, alert.level, alert.state) == (
        "steering_missing",
        "",
        "amber",
        "new",
    )
    assert alert.notified_at is None
    # Later, the cause still there: not raised again, even once seen.
    with session_scope(engine) as db:
        db.get(Alert, alert.id).state = "seen"
    clock.now = due + 10 * DAY
    assert run_all(engine, clock)[0] == []
    # A steering meeting noted: the cause is gone, the alert clears.
    held = (due + 9 * DAY).astimezone(UTC)
    with session_scope(engine) as db:
        note = MeetingNote(partnership_id=pid, user_id=1, text="Copil", kind="steering")
        note.held_at = held
        db.add(note)
    batch = run(engine, clock)
    assert batch.raised == [] and batch.cleared == [alert.id]
    (cleared,) = alerts(engine)
    assert cleared.state == "cleared" and cleared.cleared_at is not None
    # The cause returns: a new alert, the cleared one left as it was.
    clock.now = steering_due(held) - SECOND
    assert run(engine, clock).raised == []
    clock.now = steering_due(held)
    batch = run(engine, clock)
    assert len(batch.raised) == 1 and batch.raised != [alert.id]
    assert [a.state for a in alerts(engine)] == ["cleared", "new"]


def test_only_partnerships_whose_inputs_changed_are_computed_again(engine):
    ids = [partnership(engine, i) for i in range(5)]
    clock = Clock(datetime(2026, 3, 1, 9, tzinfo=UTC))
    assert run_all(engine, clock, limit=2)[2] == 5
    assert run_all(engine, clock, limit=2)[2] == 0
    with session_scope(engine) as db:
        contact = db.exec(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.partnership_id == ids[3], Membership.role == "partner")
        ).one()
        contact.unreachable_at = clock.now
    raised, cleared, computed = run_all(engine, clock, limit=2)
    assert computed == 1
    (alert,) = alerts(engine)
    assert (alert.partnership_id, alert.signal, alert.subject, alert.level) == (
        ids[3],
        "side_unreachable",
        "partner",
        "red",
    )
    assert raised == [alert.id] and cleared == []


def test_rounds_late_and_one_sided_through_their_rows(engine):
    pid = partnership(engine)
    due = datetime(2026, 4, 15, 7, tzinfo=UTC)
    with session_scope(engine) as db:
        first = CheckInRound(
            partnership_id=pid,
            kind="pulse",
            due_at=due - 90 * DAY,
            status="closed",
            closed_at=due - 80 * DAY,
            summary={
                "scores": {"trust": 2.5},
                "answered": {"ours": [1, 1], "partner": [1, 1]},
                "sides": {"ours": {"trust": 3.5}, "partner": {"trust": 1.5}},
            },
        )
        open_round = CheckInRound(
            partnership_id=pid, kind="pulse", due_at=due, opened_at=due, status="open"
        )
        db.add_all([first, open_round])
        db.flush()
        db.add(CheckInInvite(round_id=open_round.id, user_id=1, side="ours", answered_at=due))
        db.add(CheckInInvite(round_id=open_round.id, user_id=2, side="partner"))
        open_id = open_round.id
    late = due + rules().value("round_late_after") * DAY
    clock = Clock(late - SECOND)
    run(engine, clock)
    assert {(a.signal, a.subject) for a in alerts(engine)} == {("dimension_red", "trust")}
    clock.now = late
    raised = run(engine, clock).raised
    assert len(raised) == 1
    assert alerts(engine)[-1].details == {"waiting": {"partner": 1}, "due": "2026-04-15"}
    # The round closes, answered by ours only: late is gone, one side is raised; the
    # dimension, compared over rounds both organisations answered, stays red.
    with session_scope(engine) as db:
        row = db.get(CheckInRound, open_id)
        row.status, row.closed_at = "closed", late + DAY
        row.summary = {"scores": {"trust": 4.0}, "answered": {"ours": [1, 1], "partner": [0, 1]}}
    clock.now = late + DAY
    batch = run(engine, clock)
    states = {(a.signal, a.subject): a.state for a in alerts(engine)}
    assert states == {
        ("dimension_red", "trust"): "new",
        ("round_late", str(open_id)): "cleared",
        ("round_one_side", str(open_id)): "new",
    }
    assert len(batch.raised) == 1 and len(batch.cleared) == 1


def test_health_of_for_screens(engine):
    pid = partnership(engine, stage="content", followup={})
    other = partnership(engine, 1)
    clock = Clock(datetime(2028, 1, 1, tzinfo=UTC))  # long after its first contact
    run_all(engine, clock)
    shown = Services(engine, clock=clock).run_system(health_of, [pid, other, 999])
    assert set(shown) == {pid, other}
    assert shown[pid].light == "red"
    (reason,) = shown[pid].reasons
    assert (reason.signal, reason.subject, reason.card) == (
        "stage_long",
        "signing",
        "figures_timing",
    )
    assert shown[other].light == "green" and shown[other].reasons == ()


def test_batches_end_with_no_last_id(engine):
    ids = [partnership(engine, i) for i in range(3)]
    clock = Clock(datetime(2026, 3, 1, tzinfo=UTC))
    assert run(engine, clock, 0, 2).last_id == ids[1]
    assert run(engine, clock, ids[1], 2).last_id == ids[2]
    assert run(engine, clock, ids[2], 2) == HealthBatch(None)


def test_two_dispatchers_on_postgresql_raise_each_alert_once(clean_postgres_url):
    """Both refresh every batch at once, each through its own engine: the partnerships one
    holds the other skips, and what one committed the other finds done."""
    engine = make_engine(clean_postgres_url)
    followup = {"signature_date": SIGNED, "frequency": "quarterly"}
    count = 60
    for index in range(count):
        partnership(engine, index, followup=followup)
    now = steering_due(signed_at()) + DAY

    def dispatcher() -> list[int]:
        own = make_engine(clean_postgres_url)
        try:
            return run_all(own, Clock(now), limit=7)[0]
        finally:
            own.dispose()

    raised = at_once(dispatcher, dispatcher)
    with session_scope(engine) as db:
        rows = db.exec(
            select(Alert.partnership_id, Alert.signal, func.count()).group_by(
                Alert.partnership_id, Alert.signal
            )
        ).all()
    engine.dispose()
    assert len(rows) == count and all(n == 1 for _pid, _signal, n in rows)
    assert sorted(raised[0] + raised[1]) == sorted({i for ids in raised for i in ids})
    assert len(raised[0]) + len(raised[1]) == count
