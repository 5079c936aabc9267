"""/suivi's evaluation rhythm as the user reads it: Alliance's defaults said to be our advice,
not the guide's, in French and in English; a rhythm the user set said to be theirs."""

from __future__ import annotations

from datetime import date

import pytest

from bot.services import Actor, Services
from storage import repository
from storage.db import make_engine, session_scope
from tests.bot.checkins import DAY, SIGNED, at, evaluated_partnership
from tests.bot.client import Client
from tests.bot.services.conventions import running, walk

END = date(2027, 12, 15)
STEERING = {
    "steering_committee": "no",
    "end_date": END.strftime("%d/%m/%Y"),
    "reporting_tools": [1],
    "communication_plan": "Une lettre par trimestre",
}


@pytest.fixture
def service(sqlite_url):
    engine = make_engine(sqlite_url)
    yield Client(Services(engine, clock=lambda: at(SIGNED + DAY)))
    engine.dispose()


def owner_of_a_partnership(service: Client, sqlite_url: str, language: str) -> Actor:
    """The first member of a partnership signed on SIGNED, who reads the bot in `language`."""
    chat = 101 if language == "fr" else 301
    evaluated_partnership(sqlite_url, ours=(chat, chat + 1), theirs=(chat + 100, chat + 101))
    with session_scope(service.engine) as db:
        user = repository.get_or_create_user(db, external_id=f"tg:{chat}", language=language)
        user.language = language
    return Actor(f"tg:{chat}", language)


def summary_after_followup(service: Client, who: Actor, plan: dict) -> str:
    """The summary /suivi ends with, the last question skipped."""
    service.followup(who)
    walk(service, who, plan, until="actions")
    run = running(service, who)
    reply = service.press(who, f"v1:s:{run.id}:actions", None)
    return next(m.text for m in reply.messages if "Steering" in m.text or "Pilotage" in m.text)


@pytest.mark.parametrize(
    ("language", "ours", "first", "before", "final", "steering"),
    [
        (
            "fr",
            "le rythme d’Alliance (notre conseil, pas celui du guide)",
            "un premier point d’étape 6 semaines après la signature",
            "un bilan complet chaque année et 8 semaines avant la fin",
            "l’évaluation finale le 15/12/2027",
            "Réunions de pilotage : chaque trimestre au démarrage, puis chaque semestre une fois "
            "le partenariat mûr (conseil du guide)",
        ),
        (
            "en",
            "Alliance’s rhythm (our advice, not the guide’s)",
            "a first check-in 6 weeks after signature",
            "a full review every year and 8 weeks before the end",
            "the final evaluation on 15/12/2027",
            "Steering meetings: every quarter at first, then every six months once the "
            "partnership is mature (the guide’s advice)",
        ),
    ],
)
def test_the_followup_summary_says_the_default_rhythm_is_ours_and_the_meetings_the_guides(
    service, sqlite_url, language, ours, first, before, final, steering
):
    who = owner_of_a_partnership(service, sqlite_url, language)
    # The hurried path: Alliance's rhythm kept with one tap.
    text = summary_after_followup(service, who, STEERING | {"keep_rhythm": "keep"})
    for words in (ours, first, before, final, steering):
        assert words in text, (words, text)


def test_a_rhythm_the_user_set_is_said_to_be_theirs(service, sqlite_url):
    who = owner_of_a_partnership(service, sqlite_url, "fr")
    plan = STEERING | {
        "keep_rhythm": "Non",
        "first_checkin": "12",
        "review_before_end": "Aucun",
        "yearly_review": "Oui",
    }
    text = summary_after_followup(service, who, plan)
    assert "le rythme que vous avez choisi" in text and "notre conseil" not in text, text
    assert "notre proposition" not in text and "celles que vous avez choisies" in text, text
    assert "un premier point d’étape 12 semaines après la signature" in text, text
    assert "un bilan complet chaque année ;" in text, text
    # The first evaluation to come follows: the check-in twelve weeks after signature.
    assert f"un point d’étape le {(SIGNED + 84 * DAY):%d/%m/%Y}" in text, text
