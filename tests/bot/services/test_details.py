"""The details a user notices: named red flags, what /annuler says, typed choices, control
characters, correcting a partnership."""

from io import BytesIO

import docx
import pytest

from bot.services import Actor, Services
from storage.db import make_engine
from tests.bot.client import Client
from tests.bot.services.conventions import running, walk
from tests.bot.services.test_convention import SCALES, UNDIAGNOSED, create, partnership

OWNER = Actor("tg:10", "fr")


@pytest.fixture
def service(sqlite_url):
    engine = make_engine(sqlite_url)
    yield Client(Services(engine))
    engine.dispose()


def test_the_ranking_names_each_flag(service):
    pid = create(service)
    service.criteria(OWNER)
    scores = {q: "4" for q in SCALES} | {"ec_trust": "2", "power_balance": "1"}
    plan = {"candidate_name": "Fragile SA", "candidate_profile": "2", "guard_rails": "Non"}
    walk(service, OWNER, plan | scores, until="guard_rails")
    reply = service.text(OWNER, "Non")
    ranking = reply.messages[-1].text
    assert "Confiance : 2/5" in ranking and "Rapport de force : 1/5" in ranking
    assert "déséquilibre de pouvoir sans garde-fou" in ranking
    assert pid


def test_cancel_names_the_questionnaire_and_how_to_start_it_again(service):
    create(service)
    service.convention(OWNER)
    text = service.cancel(OWNER).messages[0].text
    assert "« Contenu de la convention » arrêté" in text and "/convention" in text
    service.diagnostic(OWNER)
    assert "/diagnostic" in service.cancel(OWNER).messages[0].text


def test_a_typed_number_in_a_multiple_choice_ticks_it_and_waits_for_validate(service):
    service.diagnostic(OWNER)
    service.text(OWNER, "Entreprise")
    service.text(OWNER, "Région")
    reply = service.text(OWNER, "3")
    # The question is shown again with its box ticked (in place on Telegram), and waits.
    assert "☑ Gagner en performance" in str(reply.messages[-1].buttons)
    assert running(service, OWNER).state["state"] == "objectives_company"
    reply = service.text(OWNER, "valider")
    assert "Question 4/" in reply.messages[-1].text


def test_control_characters_are_cleaned_and_documents_still_build(service):
    service.new_partnership(OWNER)
    walk(
        service,
        OWNER,
        {
            "name": "Alliance\x00 Emploi\x1b[31m",
            "our_organisation": "Rebond\x07",
            "partner": "Martin",
            "theme": "Insertion",
            "territory": "Lyon",
        },
    )
    assert partnership(service).name == "Alliance Emploi[31m"
    service.convention(OWNER)
    walk(service, OWNER, UNDIAGNOSED | {"t_beneficiaries": "Jeunes\x00 du quartier"})
    summary = service.convention(OWNER).messages[0]
    generate = next(b.data for row in summary.buttons for b in row if b.data.endswith("generate"))
    for _name, content in service.files(service.partnership_button(OWNER, generate, 9)):
        assert "Jeunes du quartier" in "\n".join(
            p.text for p in docx.Document(BytesIO(content)).paragraphs
        )


def test_a_partnerships_details_can_be_corrected_keeping_the_rest(service):
    pid = create(service)
    card = service.partnership_button(OWNER, service.button(pid, "open"), 3).edit
    edit = next(b.data for row in card.buttons for b in row if b.data.endswith(":edit"))
    service.partnership_button(OWNER, edit, 3)
    # Every current value is offered: only the theme changes.
    walk(service, OWNER, {"theme": "Emploi des jeunes"})
    corrected = partnership(service)
    assert (corrected.name, corrected.theme) == ("Alliance Emploi", "Emploi des jeunes")
    assert corrected.partner_name == "Boulangeries Martin"
