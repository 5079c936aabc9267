"""Pushed, not pulled: a new alert goes once to the people of its partnership, and each
coordinator gets a weekly digest of their organisations' partnerships, most urgent first.

The dispatcher runs `notify_new` and `send_digests` batch by batch, like the check-ins: the
messages are deliveries of the result, recorded in the outbox by the transaction that
claims them (the alert's `notified_at`, the week's `Digest` row), so each goes once whatever
number of dispatchers run. Members mark an alert seen or handled from its message.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.services import coordinators
from bot.services.access import in_place, notice
from bot.services.results import (
    AlertNotice,
    Delivery,
    PartnershipStatus,
    Result,
    WeeklyDigest,
)
from bot.services.work import Work
from flows.digest import digest_week
from flows.health import advice
from flows.roles import COORDINATOR, Right, may
from storage import alerts as store
from storage import organisations
from storage.models import Alert, Partnership, User

BATCH = 200

# The card shown when the signal is not known (an alert of an older version of the rules).
DEFAULT_CARD = "follow_up"


@dataclass
class AlertBatch:
    """What one batch did, and where the next one starts (None: nothing left)."""

    result: Result
    last_id: int | None
    alerts: int = 0


@dataclass
class DigestBatch:
    result: Result
    last_id: int | None
    digests: int = 0


def signal_advice(signal: str):
    """The signal's title, what to do next and its card (health.yaml); None when unknown."""
    try:
        return advice(signal)
    except KeyError:
        return None


def notice_of(work: Work, alert: Alert, partnership: Partnership, role: str) -> AlertNotice:
    found = signal_advice(alert.signal)
    cards = work.core.cards.cards
    return AlertNotice(
        alert_id=alert.id,
        partnership_id=partnership.id,
        partnership_name=partnership.name,
        revision=partnership.revision or 0,
        signal=alert.signal,
        level=alert.level,
        details=dict(alert.details or {}),
        title=found.title if found else None,
        next=found.next if found else None,
        card=cards.get(found.card if found else DEFAULT_CARD) or cards.get(DEFAULT_CARD),
        may_act=may(role, Right.ACT),
        state=alert.state,
    )


def notify_new(work: Work, after_id: int, limit: int = BATCH) -> AlertBatch:
    """Each new alert of a batch, once, to the members of both organisations (observers
    included, to read) and the coordinators of either organisation; none to who blocked
    the bot."""
    alerts = store.alerts_to_notify(work.db, after_id=after_id, limit=limit, lock=True)
    batch = AlertBatch(Result(work.language), alerts[-1].id if alerts else None)
    pids = sorted({alert.partnership_id for alert in alerts})
    partnerships = {p.id: p for p in store.partnerships_by_id(work.db, ids=pids)}
    audience: dict[int, list[store.Recipient]] = {}
    for person in store.audience_of(work.db, partnership_ids=pids):
        audience.setdefault(person.partnership_id, []).append(person)
    for alert in alerts:
        if not store.claim_notified(work.db, alert_id=alert.id, at=work.now):
            continue
        batch.alerts += 1
        partnership = partnerships[alert.partnership_id]
        for person in audience.get(alert.partnership_id, []):
            if person.unreachable_at is not None:
                continue
            view = notice_of(work, alert, partnership, person.role)
            batch.result.deliveries.append(
                Delivery(person.external_id, person.language, (view,), bulk=True)
            )
    return batch


def mark(state: str, work: Work, partnership: Partnership, role: str, arg, acted) -> Result:
    """A member marks an alert of the partnership seen or handled; the message shows it. An
    alert id of another partnership, or a cleared alert, changes nothing."""
    alert = (
        store.alert_of(work.db, alert_id=int(arg), partnership_id=partnership.id)
        if arg and arg.isdigit()
        else None
    )
    if alert is None:
        return notice(work)
    if alert.state == store.CLEARED:
        return notice(work, "alert_cleared")
    if not store.mark(work.db, alert_id=alert.id, state=state, at=work.now, user_id=work.user.id):
        work.db.refresh(alert)
        return notice(work, "alert_cleared" if alert.state == store.CLEARED else "alert_unchanged")
    work.db.refresh(alert)
    return in_place(work, acted, notice_of(work, alert, partnership, role))


# -- the weekly digest ---------------------------------------------------------------------------


def send_digests(work: Work, after_id: int, limit: int = BATCH) -> DigestBatch:
    """This week's digest, once, to each coordinator of a batch who has none yet: nothing
    before Monday 9:00 in ALLIANCE_TIMEZONE, then any time that week."""
    week = digest_week(work.now, work.core.zone)
    if week is None:
        return DigestBatch(Result(work.language), None)
    key = week.isoformat()
    users = store.coordinators_without_digest(
        work.db, week=key, after_user_id=after_id, limit=limit, lock=True
    )
    batch = DigestBatch(Result(work.language), users[-1] if users else None)
    for user_id in users:
        if not store.claim_digest(work.db, user_id=user_id, week=key, at=work.now):
            continue
        batch.digests += 1
        user = work.db.get(User, user_id)
        if user is None or user.unreachable_at is not None:
            continue
        digest = WeeklyDigest(week, tuple(digest_lines(work, user_id)))
        batch.result.deliveries.append(
            Delivery(user.external_id, user.language, (digest,), bulk=True)
        )
    return batch


def digest_lines(work: Work, user_id: int) -> list[PartnershipStatus]:
    """The coordinator's partnerships, in the order and the lines of their /partenariats."""
    partnerships = organisations.coordinated_partnerships(work.db, user_id=user_id)
    return coordinators.statuses(work, [(p, COORDINATOR) for p in partnerships])
