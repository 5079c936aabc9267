"""Use cases called directly, as any adapter calls them: their results are plain values."""

import pytest

from bot.callback_data import ButtonData, parse, parse_partnership, partnership_button
from bot.services import Actor, Services, basics, buttons, partnerships, questionnaires
from bot.services.results import (
    AnswerShown,
    DocumentInfo,
    InvitationCreated,
    PartnershipCard,
    QuestionShown,
    Result,
    Say,
)
from flows.roles import Right
from storage.db import make_engine

ALICE = Actor("console:alice", "fr")
BOB = Actor("tg:55", "en")


@pytest.fixture
def services(sqlite_url):
    engine = make_engine(sqlite_url)
    yield Services(engine)
    engine.dispose()


def test_the_diagnosis_starts_with_its_introduction_then_question_one(services):
    result = services.run(ALICE, questionnaires.diagnostic)
    intro, question = result.shown
    assert intro == Say("diagnostic_intro")
    assert isinstance(question, QuestionShown)
    assert (question.question.id, question.position, question.can_go_back) == ("profile", 1, False)
    assert result.asking == question.session_id


def test_an_answer_is_echoed_in_place_and_the_next_question_follows(services):
    session = services.run(ALICE, questionnaires.diagnostic).asking
    result = services.run(ALICE, questionnaires.answer_text, "entreprise")
    assert result.in_place == AnswerShown(result.in_place.question, "company")
    assert result.shown[-1].question.id == "territory" and result.shown[-1].position == 2
    # A button of the answered question is stale now.
    stale = ButtonData("answer", session, "profile", "association").encode()
    assert services.run(ALICE, questionnaires.press, parse(stale), None).notice == Say(
        "stale_button"
    )


def create(services, actor=ALICE) -> PartnershipCard:
    services.run(actor, partnerships.new_partnership)
    for text in ("Alliance Emploi", "Association Rebond", "Boulangeries Martin", "Insertion"):
        services.run(actor, questionnaires.answer_text, text)
    result = services.run(actor, questionnaires.answer_text, "Lyon")
    return next(view for view in result.shown if isinstance(view, PartnershipCard))


def test_a_finished_new_partnership_gives_its_card_with_the_moves_allowed(services):
    card = create(services)
    assert card.partnership.name == "Alliance Emploi" and card.partnership.role == "member"
    assert card.moves == ("advance",)
    assert Right.INVITE in card.partnership.rights


def test_a_partnership_button_acts_once_per_revision(services):
    p = create(services).partnership
    invite = partnership_button(p.id, p.revision, "role", "partner")
    first = services.run(ALICE, buttons.press, parse_partnership(invite), 3)
    assert isinstance(first.shown[0], InvitationCreated) and first.shown[0].role == "partner"
    again = services.run(ALICE, buttons.press, parse_partnership(invite), 3)
    assert again.notice == Say("stale_button") and not again.shown


def test_joining_by_invitation_gives_the_card_as_partner_contact(services):
    p = create(services).partnership
    created = services.run(
        ALICE,
        buttons.press,
        parse_partnership(partnership_button(p.id, p.revision, "role", "partner")),
        3,
    )
    joined = services.run(BOB, basics.start, created.shown[0].token)
    assert joined.language == "en"
    assert joined.shown[0] == Say("joined")
    assert joined.shown[1].partnership.role == "partner"


def test_building_the_drafts_keeps_two_documents_and_says_so(services):
    p = create(services).partnership
    result = services.run(
        ALICE, buttons.press, parse_partnership(partnership_button(p.id, p.revision, "generate")), 4
    )
    assert result.shown == [Say("documents_ready")]
    assert [d.kind for d in result.documents] == ["convention", "action_plan"]
    assert all(isinstance(d, DocumentInfo) and d.version == 1 for d in result.documents)


def test_a_stranger_reaches_nothing(services):
    p = create(services).partnership
    for action in ("open", "generate", "invite", "advance"):
        result = services.run(
            BOB, buttons.press, parse_partnership(partnership_button(p.id, p.revision, action)), 1
        )
        assert isinstance(result, Result) and result.notice == Say("stale_button")
        assert not result.shown and not result.documents and result.in_place is None
