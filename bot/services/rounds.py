"""Step 7, the rounds of evaluation check-ins: when they fall due, asking both organisations'
respondents, reminding them, closing a round with its report, and what the decision of a full
review does.

Every message for someone other than the user acting (a respondent, every member) is a
`Delivery` of the result: the adapter that runs the use case records it in the outbox, in
the same transaction, and a claim on the invite makes sure it is recorded once, whatever
number of dispatchers run.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.services import reports, stages
from bot.services.results import CheckInInvitation, Delivery, Result, Say
from bot.services.work import Work
from flows.evaluation import OURS, PARTNER
from flows.invitations import aware
from flows.schedule import REVIEW, Due, latest_due, schedule
from storage import checkins as store
from storage import repository
from storage.models import CheckInRound, Partnership, User

# Reminders to those who have not answered, after these many days; then the round closes.
REMINDER_DAYS = (3, 7)
CLOSE_AFTER = timedelta(days=14)
IMPLEMENTATION = "implementation"


def side_of(role: str) -> str:
    """Which organisation a respondent answers for."""
    return PARTNER if role == "partner" else OURS


# -- the schedule ---------------------------------------------------------------------------


def dues_of(work: Work, partnership: Partnership) -> list[Due]:
    """The partnership's check-ins from its signature (or its entry into implementation)."""
    start = signature_date(work, partnership)
    if start is None:
        return []
    followup = partnership.followup or {}
    end = _date(followup.get("end_date"))
    return schedule(start, frequency=followup.get("frequency"), end=end, zone=work.core.zone)


def signature_date(work: Work, partnership: Partnership) -> date | None:
    """The date /suivi gives, else the day it entered implementation, in the local zone."""
    given = _date((partnership.followup or {}).get("signature_date"))
    if given is not None:
        return given
    moves = repository.stage_history(work.db, partnership_id=partnership.id)
    entered = [m.moved_at for m in moves if m.dest == IMPLEMENTATION]
    if entered:
        return aware(entered[-1]).astimezone(work.core.zone).date()
    return None


def _date(value) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def answered(work: Work, partnership: Partnership, round_id: int, result: Result) -> None:
    """A respondent finished: recorded; the round closes as soon as everyone has answered."""
    invite = store.invite_for(work.db, round_id=round_id, user_id=work.user.id)
    if invite is not None:
        store.claim(work.db, invite.id, column="answered_at", expected=None, value=work.now)
    result.shown.append(Say("checkin_thanks"))
    work.db.flush()
    round_ = work.db.get(CheckInRound, round_id)
    if round_ is not None and _everyone_answered(work, round_):
        close_round(work, partnership, round_, result)


def _everyone_answered(work: Work, round_: CheckInRound) -> bool:
    invites = store.invites_of(work.db, round_id=round_.id)
    waiting = [i for i in invites if i.answered_at is None and i.unreachable_at is None]
    return bool(invites) and not waiting


# -- the dispatcher's work, one partnership or round at a time ---------------------------------


def open_due_rounds(work: Work, partnership: Partnership, latest: dict[str, datetime]) -> Result:
    """Opens the round of each kind that has come due since the last one (once, even after
    weeks of downtime), and asks its respondents."""
    result = Result(work.language)
    for kind, due in latest_due(dues_of(work, partnership), work.now).items():
        last = latest.get(kind)
        if last is not None and aware(last) >= due.at:
            continue
        round_ = store.open_round(
            work.db,
            partnership_id=partnership.id,
            kind=kind,
            due_at=due.at,
            origin="schedule",
            at=work.now,
        )
        if round_ is not None:
            work.db.flush()
            invite_respondents(work, partnership, round_, result)
    return result


def invite_respondents(work: Work, partnership: Partnership, round_, result: Result) -> None:
    """Every respondent of both organisations is asked, once."""
    for user, role in store.respondents(work.db, partnership_id=partnership.id):
        store.add_invite(work.db, round_id=round_.id, user_id=user.id, side=side_of(role))
    work.db.flush()
    for invite in store.invites_of(work.db, round_id=round_.id):
        user = work.db.get(User, invite.user_id)
        if user.unreachable_at is not None:
            store.claim(work.db, invite.id, column="unreachable_at", expected=None, value=work.now)
            continue
        if store.claim(work.db, invite.id, column="invited_at", expected=None, value=work.now):
            result.deliveries.append(_invitation(user, partnership, round_, reminder=0))


def remind_or_close(work: Work, round_: CheckInRound) -> Result:
    """Reminders after 3 and 7 days to who has not answered; closing after 14 days or when
    everyone has answered."""
    result = Result(work.language)
    partnership = work.db.get(Partnership, round_.partnership_id)
    opened = aware(round_.opened_at)
    if work.now >= opened + CLOSE_AFTER or _everyone_answered(work, round_):
        close_round(work, partnership, round_, result)
        return result
    due = sum(work.now >= opened + timedelta(days=days) for days in REMINDER_DAYS)
    for invite in store.invites_of(work.db, round_id=round_.id):
        if invite.answered_at or invite.unreachable_at or invite.reminders >= due:
            continue
        user = work.db.get(User, invite.user_id)
        if user.unreachable_at is not None:
            store.claim(work.db, invite.id, column="unreachable_at", expected=None, value=work.now)
        elif store.claim(
            work.db, invite.id, column="reminders", expected=invite.reminders, value=due
        ):
            result.deliveries.append(_invitation(user, partnership, round_, reminder=due))
    return result


def _invitation(user: User, partnership: Partnership, round_, reminder: int) -> Delivery:
    view = CheckInInvitation(partnership.name, round_.id, round_.kind, reminder)
    return Delivery(user.external_id, user.language, (view,), bulk=True)


def close_round(work: Work, partnership: Partnership, round_: CheckInRound, result: Result):
    """Closes the round once, builds its report, sends it to every member, and lets a full
    review's decision move the partnership."""
    if not store.close(work.db, round_id=round_.id, at=work.now):
        return
    built = reports.build(work, partnership, round_)
    round_.summary = built.summary
    work.db.add(round_)
    moved = _apply_decision(work, partnership, round_, built.report.decision)
    for user, role in repository.members_of(work.db, partnership_id=partnership.id):
        if user.unreachable_at is not None:
            continue
        views = (built.view(role, moved),)
        result.deliveries.append(
            Delivery(
                user.external_id, user.language, views, built.documents(user.language), bulk=True
            )
        )


def _apply_decision(work: Work, partnership: Partnership, round_, decision: str | None):
    """Renew, modify or end, through the lifecycle, with its history; None if nothing moved."""
    if round_.kind != REVIEW or decision is None:
        return None
    facts = stages.facts(work, partnership)
    if partnership.stage == IMPLEMENTATION:
        # A full review is the evaluation: the partnership enters step 7 first.
        moved = work.core.lifecycle.move(facts, "advance")
        if not moved.moved:
            return None
        repository.record_move(
            work.db, partnership=partnership, user_id=None, trigger="advance", dest=moved.dest
        )
        facts = stages.facts(work, partnership)
    moved = work.core.lifecycle.move(facts, decision)
    if not moved.moved:
        return None
    repository.record_move(
        work.db, partnership=partnership, user_id=None, trigger=decision, dest=moved.dest
    )
    return moved.dest
