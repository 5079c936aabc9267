"""Step 7 through the use cases, without Telegram: /evaluation, who answers, a round started by
hand, a check-in left and taken up again, and buttons that reach nothing they should not."""

from __future__ import annotations

import pytest

from bot.callback_data import parse_round
from bot.services import Actor, Services, checkins, questionnaires
from bot.services.results import EvaluationShown
from storage.db import make_engine
from tests.bot.checkins import DAY, SIGNED, at, evaluated_partnership, invites_of, rounds_of
from tests.bot.client import Client
from tests.bot.services.conventions import running, walk

OWNER, COLLEAGUE = Actor("tg:101", "fr"), Actor("tg:102", "fr")
CONTACT, STRANGER = Actor("tg:201", "fr"), Actor("tg:999", "fr")
NOW = at(SIGNED + 10 * DAY)


@pytest.fixture
def setting(sqlite_url):
    pid = evaluated_partnership(sqlite_url)
    engine = make_engine(sqlite_url)
    yield Client(Services(engine, clock=lambda: NOW)), pid, sqlite_url
    engine.dispose()


def shown(service: Client, who: Actor, use_case, *args) -> EvaluationShown:
    result = service.services.run(who, use_case, *args)
    return next(item for item in result.shown if isinstance(item, EvaluationShown))


def everything(reply) -> str:
    """All the text a reply shows."""
    screens = [*reply.messages, *([reply.edit] if reply.edit else [])]
    return "\n".join([s.text for s in screens] + [reply.notice or ""])


def started_by_hand(service: Client, pid: int, kind: str = "pulse") -> None:
    service.partnership_button(OWNER, service.button(pid, "round", kind), 1)


def test_evaluation_shows_who_answers_on_each_side_and_the_first_pulse_to_come(setting):
    service, pid, _ = setting
    view = shown(service, OWNER, checkins.evaluation)
    assert view.evaluated and view.rounds == ()
    assert view.next_kind == "pulse"
    assert view.next_due == at(SIGNED + 42 * DAY)
    sides = sorted((r.side, r.respondent) for r in view.respondents)
    assert sides == [("ours", True), ("ours", True), ("partner", True), ("partner", True)]


def test_a_member_no_longer_asked_gets_no_check_in(setting):
    service, pid, url = setting
    colleague = next(
        r for r in shown(service, OWNER, checkins.evaluation).respondents if r.name.endswith("102")
    )
    service.partnership_button(OWNER, service.button(pid, "respondent", colleague.user_id), 1)
    started_by_hand(service, pid)
    (round_,) = rounds_of(url, pid)
    assert round_.origin == "manual" and round_.status == "open"
    assert len(invites_of(url, round_.id)) == 3
    view = shown(service, OWNER, checkins.evaluation)
    assert [(r.invited, r.answered, r.status) for r in view.rounds] == [(3, 0, "open")]
    # One round at a time: another one is refused while this one is open.
    again = service.partnership_button(OWNER, service.button(pid, "round", "review"), 1)
    assert "déjà ouvert" in everything(again)
    assert len(rounds_of(url, pid)) == 1


def test_a_check_in_left_half_way_resumes_where_it_stopped(setting):
    service, pid, url = setting
    started_by_hand(service, pid)
    (round_,) = rounds_of(url, pid)
    service.run(CONTACT, checkins.answer, round_.id, None)
    walk(service, CONTACT, {"performance": "2 trop lent", "coherence": "4"}, until="efficiency")
    # Another questionnaire in between, then /annuler: the check-in waits.
    service.run(CONTACT, questionnaires.diagnostic)
    service.cancel(CONTACT)
    service.run(CONTACT, checkins.answer, round_.id, None)
    resumed = running(service, CONTACT)
    assert resumed.round_id == round_.id and resumed.state["state"] == "efficiency"
    assert resumed.state["answers"]["performance"] == {"score": 2, "comment": "trop lent"}
    # /annuler within the check-in itself: the button takes it up at the same question.
    walk(service, CONTACT, {"efficiency": "3"}, until="relevance")
    stopped = service.cancel(CONTACT)
    assert "où vous vous étiez arrêté" in everything(stopped)
    service.run(CONTACT, checkins.answer, round_.id, None)
    assert running(service, CONTACT).state["state"] == "relevance"


def test_buttons_reach_nothing_outside_the_users_partnerships(setting):
    service, pid, url = setting
    other = evaluated_partnership(url, ours=(301,), theirs=(401,), name="Autre")
    started_by_hand(service, pid)
    (round_,) = rounds_of(url, pid)
    for action, arg in (("evaluation", None), ("round", "pulse"), ("respondent", 1)):
        reply = service.partnership_button(STRANGER, service.button(pid, action, arg), 1)
        assert "Alliance Emploi" not in everything(reply)
    # Someone of another partnership, a forged round id, a member toggled from elsewhere.
    outsider = Actor("tg:301", "fr")
    for data in (f"v1:e:{round_.id}", "v1:e:abc", "v1:e:99999999999999", None):
        service.run(outsider, checkins.answer, parse_round(data), None)
        assert running(service, outsider) is None
    service.partnership_button(OWNER, service.button(pid, "respondent", 5), 1)
    service.partnership_button(OWNER, service.button(pid, "round", "weekly"), 1)
    assert len(rounds_of(url, pid)) == 1 and len(invites_of(url, round_.id)) == 4
    assert rounds_of(url, other) == []


def test_a_review_without_a_shared_decision_leaves_it_to_the_members_in_step_7(setting):
    from tests.bot.checkins import stage_of
    from tests.bot.test_checkins_e2e import REVIEW_ANSWERS, answer

    service, pid, url = setting
    started_by_hand(service, pid, "review")
    (review,) = rounds_of(url, pid)
    proposals = {101: "Renouveler", 102: "Renouveler", 201: "Modifier", 202: "Modifier"}
    for chat, proposal in proposals.items():
        answer(service, chat, review.id, REVIEW_ANSWERS | {"decision": proposal})
    stage, moves = stage_of(url, pid)
    assert stage == "evaluation" and moves[-1] == ("advance", "evaluation")
    # The card now offers the three moves of step 7 to decide together.
    card = service.partnership_button(OWNER, service.button(pid, "open"), 1)
    screens = [*card.messages, *([card.edit] if card.edit else [])]
    labels = [b.label for screen in screens for row in screen.buttons for b in row]
    assert {"Renouveler", "Modifier", "Arrêter"} <= set(labels), labels
