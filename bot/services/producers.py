"""What a finished questionnaire records, by what its declaration says it `produces`."""

from __future__ import annotations

from collections.abc import Callable

from bot.services import (
    checkin_schedule,
    organisations,
    rounds,
    stages,
    steering_meetings,
    summaries,
)
from bot.services.access import membership
from bot.services.results import DiagnosisShown, FollowupShown, Result, Say
from bot.services.work import Work
from flows import questionnaires as q
from flows.answers import split_text
from flows.convention import answers_by_item
from flows.criteria import candidate_entry
from flows.diagnostic import diagnose
from flows.engine import FlowState
from flows.roles import MEMBER, Right, may
from flows.schedule import next_due, rhythm_of
from storage import repository
from storage.models import FlowSession, Partnership

Producer = Callable[[Work, FlowSession, Partnership | None, str | None, FlowState, Result], None]


def produce(work: Work, running: FlowSession, flow_state: FlowState, result: Result) -> None:
    """Records what the finished run produces, and adds what to show."""
    spec = work.core.spec(running.flow)
    partnership, role = None, None
    if spec.about_partnership:
        found = membership(work, running.partnership_id)
        if found is None or not may(found[1], Right.ACT):
            # The user left the partnership (or lost the right) meanwhile: nothing to record.
            result.shown.append(Say("not_allowed"))
            return
        partnership, role = found
        # The revision moves before anything is drawn, so the new buttons act.
        repository.touch(partnership)
        work.db.add(partnership)
    PRODUCERS[spec.produces](work, running, partnership, role, flow_state, result)


def _diagnosis(work: Work, _running, _p, _role, flow_state: FlowState, result: Result) -> None:
    flow = work.core.flows["diagnostic"]
    answers = flow_state.answers
    diagnosis = diagnose(flow.questionnaire, work.core.method, answers)
    result.shown.append(DiagnosisShown(flow.questionnaire, work.core.method, diagnosis, answers))
    # The partnership waiting for this diagnosis moves on to the dialogue.
    active = membership(work, work.user.active_partnership_id)
    if active is not None and may(active[1], Right.ACT):
        work.db.flush()
        stages.follow_the_work(work, active[0], result)


def _partnership(work: Work, _running, _p, _role, flow_state: FlowState, result: Result) -> None:
    created = repository.create_partnership(
        work.db, user=work.user, **q.partnership_fields(flow_state.answers)
    )
    # Its two organisations: the user's own reused when named again, else new ones.
    organisations.name_both(work, created)
    work.db.flush()
    result.shown.append(Say("partnership_created"))
    stages.follow_the_work(work, created, result)
    result.shown.append(summaries.card(work, created, MEMBER))


def _partnership_update(
    work: Work, _running, partnership, role, flow_state: FlowState, result
) -> None:
    for key, value in q.partnership_fields(flow_state.answers).items():
        setattr(partnership, key, value)
    # A corrected name corrects the organisation (and its other partnerships' names), unless
    # it names another one.
    organisations.name_both(work, partnership)
    result.shown.append(Say("partnership_updated"))
    result.shown.append(summaries.card(work, partnership, role))


def _candidate(
    work: Work, _running, partnership, role, flow_state: FlowState, result: Result
) -> None:
    entry = candidate_entry(work.core.criteria, flow_state.answers)
    partnership.candidates = [*partnership.candidates, entry]
    result.shown.append(summaries.candidates(work, partnership, role))


def _convention(
    work: Work, _running, partnership, role, flow_state: FlowState, result: Result
) -> None:
    partnership.convention = answers_by_item(
        work.core.checklist, flow_state.answers, flow_state.flags
    )
    # The parties' details belong to their organisations: typed once, for every convention.
    organisations.save_party_details(work, partnership, partnership.convention["_parties"])
    work.db.flush()
    stages.follow_the_work(work, partnership, result)
    result.shown.append(summaries.convention(work, partnership, role))


def _followup(
    work: Work, _running, partnership, role, flow_state: FlowState, result: Result
) -> None:
    partnership.followup = dict(flow_state.answers)
    upcoming = next_due(checkin_schedule.dues_of(work, partnership), work.now)
    result.shown.append(
        FollowupShown(
            dict(flow_state.answers),
            upcoming.at if upcoming else None,
            upcoming.shown_kind if upcoming else None,
            rhythm_of(partnership.followup),
            checkin_schedule.end_date(partnership),
        )
    )
    result.shown.append(summaries.card(work, partnership, role))


def _meeting_note(
    work: Work, running, partnership, role, flow_state: FlowState, result: Result
) -> None:
    # A note longer than one note holds is kept whole, as notes that follow each other.
    limit = work.core.flows[running.flow].questionnaire.question("text").max_length
    for text in split_text(flow_state.answers["text"], limit):
        repository.add_note(work.db, partnership_id=partnership.id, user_id=work.user.id, text=text)
    work.db.flush()
    result.shown.append(summaries.dialogue(work, partnership, role))


def _steering_meeting(work: Work, running, partnership, role, flow_state, result) -> None:
    steering_meetings.produced(work, partnership, role, flow_state, result)


def _checkin_answer(work: Work, running, partnership, role, flow_state, result) -> None:
    rounds.answered(work, partnership, running.round_id, result)


PRODUCERS: dict[str, Producer] = {
    q.DIAGNOSIS: _diagnosis,
    q.PARTNERSHIP: _partnership,
    q.PARTNERSHIP_UPDATE: _partnership_update,
    q.CANDIDATE: _candidate,
    q.CONVENTION: _convention,
    q.FOLLOWUP: _followup,
    q.MEETING_NOTE: _meeting_note,
    q.STEERING_MEETING: _steering_meeting,
    q.CHECKIN_ANSWER: _checkin_answer,
}
