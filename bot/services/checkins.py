"""Step 7 as members see it: /evaluation (the rounds, who answers, what comes next), a round
started by hand, who is asked, and the button that starts answering a round."""

from __future__ import annotations

from bot.services import checkin_schedule, questionnaires, reports, rounds
from bot.services.access import (
    active_with_right,
    in_place,
    membership,
    notice,
    person_name,
    summary,
)
from bot.services.results import (
    CheckInIntro,
    EvaluationShown,
    RespondentInfo,
    Result,
    RoundInfo,
    Say,
)
from bot.services.work import Work
from flows.evaluation import EVALUATED_STAGES, OURS, PARTNER
from flows.roles import OBSERVER, Right, may
from flows.schedule import KINDS, kind_shown, next_due
from storage import checkins as store
from storage import repository
from storage.models import CheckInRound, Partnership

# -- /evaluation ------------------------------------------------------------------------------


def evaluation(work: Work) -> Result:
    """/evaluation: the partnership's rounds and their state, who answers, what comes next."""
    found = active_with_right(work, Right.READ)
    if isinstance(found, Result):
        return found
    partnership, role = found
    return Result(work.language, [evaluation_view(work, partnership, role)])


def show(work: Work, partnership: Partnership, role: str, _arg, acted) -> Result:
    """The evaluation of a partnership, from its card."""
    return in_place(work, acted, evaluation_view(work, partnership, role))


def evaluation_view(work: Work, partnership: Partnership, role: str) -> EvaluationShown:
    every = store.rounds_of(work.db, partnership_id=partnership.id)
    shown = every[-6:]
    invites = store.invites_of_rounds(work.db, round_ids=[r.id for r in shown])
    upcoming = next_due(checkin_schedule.dues_of(work, partnership), work.now)
    return EvaluationShown(
        partnership=summary(partnership, role),
        rounds=tuple(_round_info(work, r, invites[r.id]) for r in shown),
        respondents=tuple(_respondents(work, partnership, role)),
        next_due=upcoming.at if upcoming else None,
        next_kind=upcoming.shown_kind if upcoming else None,
        evaluated=partnership.stage in EVALUATED_STAGES,
        round_open=_round_open(every),
        needs_both=partnership.id not in checkin_schedule.sides_ready(work, [partnership.id]),
    )


def _round_open(rounds: list[CheckInRound]) -> bool:
    """One round at a time: respondents would not know which one they answer."""
    return any(r.status == store.OPEN for r in rounds)


def _round_info(work: Work, round_: CheckInRound, invites: list) -> RoundInfo:
    mine = next((i for i in invites if i.user_id == work.user.id), None)
    return RoundInfo(
        id=round_.id,
        kind=kind_shown(round_.kind, round_.final),
        due_at=round_.due_at,
        status=round_.status,
        answered=sum(i.answered_at is not None for i in invites),
        invited=len(invites),
        decision=(round_.summary or {}).get("decision"),
        to_answer=round_.status == store.OPEN and mine is not None and mine.answered_at is None,
    )


def _respondents(work: Work, partnership: Partnership, viewer_role: str) -> list[RespondentInfo]:
    """Who answers, each named and with their organisation, as the viewer's side sees them."""
    members = repository.members_of(work.db, partnership_id=partnership.id)
    flags = {
        m.user_id: m.respondent
        for m in repository.memberships_of(work.db, partnership_id=partnership.id)
    }
    viewer_side = checkin_schedule.side_of(viewer_role)
    organisations = {OURS: partnership.our_organisation, PARTNER: partnership.partner_name or ""}
    return [
        RespondentInfo(
            user_id=user.id,
            name=person_name(user),
            side=checkin_schedule.side_of(role),
            respondent=flags.get(user.id, False),
            unreachable=user.unreachable_at is not None,
            organisation=organisations[checkin_schedule.side_of(role)],
            same_side=checkin_schedule.side_of(role) == viewer_side,
            is_viewer=user.id == work.user.id,
        )
        for user, role in members
        if role != OBSERVER
    ]


def start_round(work: Work, partnership: Partnership, role: str, kind, acted) -> Result:
    """A round started by hand, now; its respondents are asked at once."""
    if kind not in KINDS:
        return notice(work)
    if _round_open(store.rounds_of(work.db, partnership_id=partnership.id)):
        return notice(work, "round_open")
    if partnership.id not in checkin_schedule.sides_ready(work, [partnership.id]):
        return notice(work, "round_needs_both")
    opened = store.insert_rounds(
        work.db,
        rows=[
            {
                "partnership_id": partnership.id,
                "kind": kind,
                "due_at": work.now,
                "origin": "manual",
                "opened_at": work.now,
            }
        ],
    )
    if not opened:
        return notice(work)
    repository.touch(partnership)
    invited = Result(work.language)
    rounds.invite_respondents(work, {partnership.id: partnership}, opened, invited)
    # Shown once the respondents are invited, so the round counts them.
    result = in_place(work, acted, evaluation_view(work, partnership, role))
    result.shown.append(Say("round_started", {"kind": kind}))
    result.deliveries.extend(invited.deliveries)
    return result


def toggle_respondent(work: Work, partnership: Partnership, role: str, user_id, acted):
    """Asks a member to answer the check-ins, or stops asking them."""
    if user_id is None:
        return notice(work)
    if not repository.toggle_respondent(work.db, partnership_id=partnership.id, user_id=user_id):
        return notice(work)
    repository.touch(partnership)
    return in_place(work, acted, evaluation_view(work, partnership, role))


# -- answering ------------------------------------------------------------------------------


def answer(work: Work, round_id: int | None, _acted: object) -> Result:
    """The button of an invitation: starts (or resumes) this round's questionnaire."""
    round_ = work.db.get(CheckInRound, round_id) if round_id else None
    found = membership(work, round_.partnership_id) if round_ else None
    invite = store.invite_for(work.db, round_id=round_id, user_id=work.user.id) if found else None
    if invite is None or not may(found[1], Right.ACT):
        return notice(work)
    if round_.status != store.OPEN or invite.answered_at is not None:
        return notice(work, "round_over")
    partnership = found[0]
    return questionnaires_start(work, partnership, round_)


def questionnaires_start(work: Work, partnership: Partnership, round_: CheckInRound) -> Result:
    """The round's questionnaire, after what Alliance already knows of the partnership."""
    # The final evaluation asks the full review's questions, framed as the convention's end.
    shown = kind_shown(round_.kind, round_.final)
    context = CheckInIntro(shown, partnership.name, tuple(reports.known_facts(partnership)))
    return questionnaires.start_or_resume(
        work,
        round_.kind,
        intro=Say(f"{shown}_intro", {"count": rounds.scores_asked(work, round_.kind)}),
        partnership_id=partnership.id,
        round_id=round_.id,
        context=context,
    )
