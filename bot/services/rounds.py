"""Step 7, the rounds of evaluation check-ins: when they fall due, asking both organisations'
respondents, reminding them, closing a round with its report, and what the decision of a full
review does.

Every message for someone other than the user acting (a respondent, every member) is a
`Delivery` of the result: the adapter that runs the use case records it in the outbox, in
the same transaction, and a claim on the invite makes sure it is recorded once, whatever
number of dispatchers run.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from bot.services import reports, stages
from bot.services.checkin_schedule import dues_of, side_of, sides_ready
from bot.services.results import CheckInInvitation, Delivery, Result, Say
from bot.services.work import Work
from flows.evaluation import FOLLOWED_FROM, scored_questions
from flows.schedule import REVIEW, kind_shown, latest_due
from storage import checkins as store
from storage import repository
from storage.models import CheckInRound, Partnership, User

# Reminders to those who have not answered, after these many days; then the round closes.
REMINDER_DAYS = (3, 7)
CLOSE_AFTER = timedelta(days=14)
IMPLEMENTATION = "implementation"


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
    return _all_answered(store.invites_of(work.db, round_id=round_.id))


def _all_answered(invites) -> bool:
    waiting = [i for i in invites if i.answered_at is None and i.unreachable_at is None]
    return bool(invites) and not waiting


# -- the dispatcher's work, one partnership or round at a time ---------------------------------


def open_due_rounds(
    work: Work, partnerships: list, latest: dict[tuple[int, str], datetime]
) -> tuple[Result, int]:
    """Opens, for a batch of partnerships (anything with an id, a name and a followup), the
    round of each kind that has come due since the last one (once, even after weeks of
    downtime), and asks its respondents. Returns the messages and the number of partnerships
    with a new round."""
    undated = [p.id for p in partnerships if not (p.followup or {}).get("signature_date")]
    entered = store.entered_stage(work.db, stage=FOLLOWED_FROM, partnership_ids=undated)
    # A round waits for both organisations: it opens at the first run after the partner's
    # contact joined, still once.
    ready = sides_ready(work, [p.id for p in partnerships])
    rows = []
    for partnership in partnerships:
        if partnership.id not in ready:
            continue
        # Only what has come due is drawn: the partnerships are many, their past is short.
        dues = dues_of(work, partnership, entered.get(partnership.id), until=work.now)
        for kind, due in latest_due(dues, work.now).items():
            last = latest.get((partnership.id, kind))
            if last is None or last < due.at:
                rows.append(
                    {
                        "partnership_id": partnership.id,
                        "kind": kind,
                        "due_at": due.at,
                        "final": due.final,
                        "origin": "schedule",
                        "opened_at": work.now,
                    }
                )
    opened = store.insert_rounds(work.db, rows=rows)
    # One round of a kind per partnership and run: the final one is known by both.
    finals = {(row["partnership_id"], row["kind"]) for row in rows if row["final"]}
    final_ids = {round_id for round_id, pid, kind in opened if (pid, kind) in finals}
    result = Result(work.language)
    invite_respondents(work, {p.id: p for p in partnerships}, opened, result, final_ids)
    return result, len({partnership_id for _, partnership_id, _ in opened})


def invite_respondents(
    work: Work,
    partnerships: dict[int, Any],
    opened: list[tuple[int, int, str]],
    result: Result,
    final_ids: set[int] | frozenset[int] = frozenset(),
) -> None:
    """Every respondent of both organisations of the rounds just opened (id, partnership id,
    kind; `final_ids` are final evaluations) is asked, once, whatever number of dispatchers
    run."""
    if not opened:
        return
    found = store.respondents_of(work.db, partnership_ids=sorted({p for _, p, _ in opened}))
    by_partnership: dict[int, list] = {}
    for row in found:
        by_partnership.setdefault(row.partnership_id, []).append(row)
    store.add_invites(
        work.db,
        rows=[
            {"round_id": round_id, "user_id": row.user_id, "side": side_of(row.role)}
            for round_id, partnership_id, _ in opened
            for row in by_partnership.get(partnership_id, [])
        ],
    )
    users = {row.user_id: row for row in found}
    rounds_ = {round_id: (partnership_id, kind) for round_id, partnership_id, kind in opened}
    claimed = store.claim_invitations(work.db, round_ids=list(rounds_), at=work.now)
    for _invite_id, round_id, user_id in claimed:
        partnership_id, kind = rounds_[round_id]
        user = users[user_id]
        name = partnerships[partnership_id].name
        shown = kind_shown(kind, round_id in final_ids)
        view = CheckInInvitation(name, round_id, shown, 0, scores_asked(work, kind))
        result.deliveries.append(Delivery(user.external_id, user.language, (view,), bulk=True))


def remind_or_close(work: Work, round_: CheckInRound, invites: list) -> tuple[Result, bool]:
    """Reminders after 3 and 7 days to who has not answered; closing after 14 days or when
    everyone who can be reached has answered. `invites`: the round's, read with the batch.
    Returns the messages, and whether this call closed the round."""
    result = Result(work.language)
    opened = round_.opened_at
    if work.now >= opened + CLOSE_AFTER or _all_answered(invites):
        partnership = work.db.get(Partnership, round_.partnership_id)
        return result, close_round(work, partnership, round_, result, report_now=False)
    due = sum(work.now >= opened + timedelta(days=days) for days in REMINDER_DAYS)
    waiting = [i for i in invites if not (i.answered_at or i.unreachable_at) and i.reminders < due]
    if not waiting:
        return result, False
    partnership = work.db.get(Partnership, round_.partnership_id)
    for invite in waiting:
        if store.claim(
            work.db, invite.id, column="reminders", expected=invite.reminders, value=due
        ):
            user = work.db.get(User, invite.user_id)
            result.deliveries.append(_invitation(work, user, partnership, round_, reminder=due))
    return result, False


def _invitation(
    work: Work, user: User, partnership: Partnership, round_, reminder: int
) -> Delivery:
    asked = scores_asked(work, round_.kind)
    shown = kind_shown(round_.kind, round_.final)
    view = CheckInInvitation(partnership.name, round_.id, shown, reminder, asked)
    return Delivery(user.external_id, user.language, (view,), bulk=True)


def scores_asked(work: Work, kind: str) -> int:
    """How many scores a round of that kind asks for, as its invitation and intro say."""
    return len(scored_questions(work.core.flows[kind].questionnaire))


def close_round(
    work: Work,
    partnership: Partnership,
    round_: CheckInRound,
    result: Result,
    *,
    report_now: bool = True,
) -> bool:
    """Closes the round once, builds its report, sends it to every member, and lets a full
    review's decision move the partnership. False if another process closed it first.

    Without `report_now` (the dispatcher, whose transaction holds a batch of rows locked),
    the report is only marked pending on the round: its files are rendered after the
    transaction commits, and it is sent by `send_report`, once."""
    if not store.close(work.db, round_id=round_.id, at=work.now):
        return False
    round_.status, round_.closed_at = store.CLOSED, work.now
    built = reports.build(work, partnership, round_)
    round_.summary = built.summary
    work.db.add(round_)
    moved = _apply_decision(work, partnership, round_, built.report.decision)
    if report_now:
        _report(work, built, moved, result)
    else:
        round_.summary = built.summary | {"report": store.REPORT_PENDING, "moved_to": moved}
        work.db.add(round_)
    return True


def _report(work: Work, built: reports.Built, moved: str | None, result: Result) -> None:
    """The round's report, with its files in each member's language, to every member."""
    partnership = built.partnership
    for user, role in repository.members_of(work.db, partnership_id=partnership.id):
        if user.unreachable_at is not None:
            continue
        views = (built.view(role, moved),)
        result.deliveries.append(
            Delivery(
                user.external_id, user.language, views, built.documents(user.language), bulk=True
            )
        )


# -- reports sent after the dispatcher's transaction ------------------------------------------


def reports_pending(work: Work) -> list[int]:
    """The closed rounds whose report waits to be sent."""
    return store.rounds_with_report_pending(work.db)


def report_to_render(work: Work, round_id: int) -> reports.ToRender | None:
    """What rendering a pending report needs, in its members' languages (None if it was
    sent meanwhile): read in a short transaction, rendered outside any."""
    round_ = work.db.get(CheckInRound, round_id)
    if round_ is None or (round_.summary or {}).get("report") != store.REPORT_PENDING:
        return None
    partnership = work.db.get(Partnership, round_.partnership_id)
    members = repository.members_of(work.db, partnership_id=partnership.id)
    languages = sorted({user.language for user, _ in members if user.unreachable_at is None})
    job = reports.build(work, partnership, round_).to_render()
    return replace(job, languages=tuple(languages))


def send_report(work: Work, round_id: int, rendered: dict[str, list]) -> Result:
    """Records a pending report for its members, with the files rendered beforehand, and
    marks it sent, in one short transaction: once, whatever number of dispatchers run (and
    again at the next run if the process died before)."""
    result = Result(work.language)
    round_ = work.db.get(CheckInRound, round_id)
    summary = dict(round_.summary or {}) if round_ is not None else {}
    if summary.get("report") != store.REPORT_PENDING:
        return result
    moved = summary.get("moved_to")
    if not store.claim_report(
        work.db, round_id=round_id, summary=summary | {"report": store.REPORT_SENT}
    ):
        return result
    partnership = work.db.get(Partnership, round_.partnership_id)
    built = reports.build(work, partnership, round_)
    for language, files in rendered.items():
        built.keep_rendered(language, files)
    _report(work, built, moved, result)
    return result


def _apply_decision(work: Work, partnership: Partnership, round_, decision: str | None):
    """A full review (the final evaluation too) is the evaluation: the partnership enters
    step 7, then renews, changes or ends when both organisations proposed the same; otherwise
    its members decide from its card, where step 7 offers those moves. Recorded in its
    history; None if nothing moved."""
    if round_.kind != REVIEW:
        return None
    moved_to = None
    if partnership.stage == IMPLEMENTATION:
        moved = work.core.lifecycle.move(stages.facts(work, partnership), "advance")
        if not moved.moved:
            return None
        repository.record_move(
            work.db, partnership=partnership, user_id=None, trigger="advance", dest=moved.dest
        )
        moved_to = moved.dest
    if decision is None:
        return moved_to
    moved = work.core.lifecycle.move(stages.facts(work, partnership), decision)
    if not moved.moved:
        return moved_to
    repository.record_move(
        work.db, partnership=partnership, user_id=None, trigger=decision, dest=moved.dest
    )
    return moved.dest
