"""Who evaluates, as a field worker meets it in /convention (issue 18): asked with the
evaluation terms, counted by the checklist's summary, written in the draft convention."""

import pytest

from bot.services import Services, partnerships
from storage.db import make_engine
from tests.bot.client import Client
from tests.bot.services.conventions import running, walk
from tests.bot.services.test_convention import (
    OWNER,
    UNDIAGNOSED,
    build,
    create,
    partnership,
    text_of,
)

# Referents and the evaluation terms agreed in the steering section.
EVALUATION = {"c_steering": [1, 4], "t_evaluation": "Un bilan par an sur trois indicateurs"}


@pytest.fixture
def service(sqlite_url):
    engine = make_engine(sqlite_url)
    yield Client(Services(engine))
    engine.dispose()


def summary(service) -> str:
    return service.convention(OWNER).messages[0].text


def test_who_evaluates_is_asked_counted_and_written_in_the_draft(service):
    create(service)
    service.convention(OWNER)
    walk(service, OWNER, UNDIAGNOSED)
    # Not agreed: the summary counts it among the points our wording covers for now.
    before = summary(service)
    assert "Qui évalue" in before.split("proposition")[-1]
    draft = text_of(next(d for n, d in build(service).items() if "convention" in n))
    assert "Elles peuvent convenir par écrit d’en confier tout ou partie à un tiers" in draft

    # Every point reviewed again, the evaluation terms agreed this time.
    service.run(OWNER, partnerships.convention, True)
    walk(service, OWNER, UNDIAGNOSED | EVALUATION, until="t_evaluation")
    # Right after the evaluation terms: who evaluates, three buttons.
    asked = service.text(OWNER, EVALUATION["t_evaluation"])
    question = asked.messages[-1]
    assert "Qui conduira l’évaluation : vous-mêmes, ou un tiers extérieur ?" in question.text
    labels = [b.label for row in question.buttons for b in row]
    assert labels[:3] == [
        "Les partenaires eux-mêmes",
        "Un tiers extérieur",
        "Les partenaires, aidés d’un tiers",
    ]
    assert running(service, OWNER).state["state"] == "s_evaluator"
    walk(service, OWNER, UNDIAGNOSED | EVALUATION | {"s_evaluator": "Un tiers extérieur"})
    assert partnership(service).convention["evaluator"] == {
        "status": "in_place",
        "choice": "third_party",
    }
    assert "Qui évalue" not in summary(service)
    convention = next(d for n, d in build(service).items() if "convention" in n)
    text = text_of(convention)
    assert "Un bilan par an sur trois indicateurs" in text
    assert (
        "L’évaluation du partenariat est confiée à un tiers extérieur, choisi d’un commun accord "
        "par les parties" in text
    )
    headings = [p.text for p in convention.paragraphs if p.style.name == "Heading 3"]
    assert any(h.endswith("Conduite de l’évaluation") for h in headings)
