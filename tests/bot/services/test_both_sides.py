"""Step 7 is lived by two organisations: each sees the others by name and from its own side,
and a round "of both organisations" never runs with one."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.scheduler import dispatch_once
from bot.services import Actor, Services, checkins
from bot.views import Presenter
from storage import repository
from storage.db import make_engine, session_scope
from storage.models import Partnership, User
from tests.bot.checkins import DAY, SIGNED, at, evaluated_partnership, invites_of, rounds_of
from tests.bot.client import LINK, Client
from tests.bot.services.test_checkins import everything

OWNER, CONTACT = Actor("tg:101", "fr"), Actor("tg:201", "fr")
FIRST_PULSE = at(SIGNED + 42 * DAY, 9, 1)


def client(url: str, now) -> Client:
    return Client(Services(make_engine(url), clock=lambda: now))


def dispatch(url: str, now) -> None:
    services = Services(make_engine(url), clock=lambda: now)
    dispatch_once(services, Presenter(services.core.zone, invitation_link=LINK.format))


def test_the_partner_sees_names_and_its_own_side(sqlite_url):
    pid = evaluated_partnership(sqlite_url)
    service = client(sqlite_url, at(SIGNED + DAY))
    theirs = everything(service.run(CONTACT, checkins.evaluation))
    # Named people, each with the organisation they answer for; "you" is the viewer.
    assert "Contact 201 (vous) — Boulangeries Martin" in theirs
    assert "Membre 101 — Association Rebond" in theirs
    assert "tg:" not in theirs and "(nous)" not in theirs
    ours = everything(service.run(OWNER, checkins.evaluation))
    assert "Membre 101 (vous) — Association Rebond" in ours
    assert "Contact 201 — Boulangeries Martin" in ours
    assert pid


def test_a_person_without_a_name_is_not_shown_by_account_id(sqlite_url):
    evaluated_partnership(sqlite_url)
    service = client(sqlite_url, at(SIGNED + DAY))
    with session_scope(service.engine) as db:
        for user in db.exec(select(User)):
            user.display_name = None
            db.add(user)
    shown = everything(service.run(OWNER, checkins.evaluation))
    assert "tg:" not in shown and "un membre" in shown


def test_a_name_longer_than_its_column_is_cut_not_refused(database_url):
    # Telegram's first and last names may make more than the column's 128 characters: on
    # PostgreSQL every update of that person failed (StringDataRightTruncation), forever.
    service = client(database_url, at(SIGNED))
    reply = service.run(Actor("tg:300", "fr", "É" * 70 + " " + "Z" * 70), checkins.evaluation)
    assert reply.messages  # answered, not failed
    with session_scope(service.engine) as db:
        kept = db.exec(select(User).where(User.external_id == "tg:300")).one().display_name
    assert kept == "É" * 70 + " " + "Z" * 57


@pytest.fixture
def one_sided(sqlite_url):
    """A partnership in implementation whose partner has nobody in Alliance yet."""
    return evaluated_partnership(sqlite_url, theirs=()), sqlite_url


def test_no_round_runs_with_one_organisation(one_sided):
    pid, url = one_sided
    service = client(url, at(SIGNED + DAY))
    shown = service.run(OWNER, checkins.evaluation).messages[0]
    assert "les deux organisations" in shown.text and "contact du partenaire" in shown.text
    labels = [b.label for row in shown.buttons for b in row]
    assert "Point d’étape maintenant" not in labels
    assert any("Inviter" in label for label in labels)
    # A press drawn before (or forged) starts nothing.
    refused = service.partnership_button(OWNER, service.button(pid, "round", "pulse"), 1)
    assert "contact du partenaire" in (refused.notice or "")
    assert rounds_of(url, pid) == []


def test_a_due_round_waits_for_the_partner_then_asks_both(one_sided):
    pid, url = one_sided
    dispatch(url, FIRST_PULSE)
    assert rounds_of(url, pid) == []
    # The partner's contact joins a week later: the next run opens the round, for both.
    with session_scope(make_engine(url)) as db:
        user = repository.get_or_create_user(db, external_id="tg:201", language="fr", name="Karim")
        repository.add_member(db, partnership_id=pid, user=user, role="partner")
        assert db.get(Partnership, pid).stage == "implementation"
    dispatch(url, FIRST_PULSE + 7 * DAY)
    (round_,) = rounds_of(url, pid)
    assert sorted(i.side for i in invites_of(url, round_.id)) == ["ours", "ours", "partner"]


def test_each_organisation_reads_the_round_report_from_its_own_side():
    from datetime import date

    from bot.services.core import Core
    from bot.services.results import RoundReport
    from bot.views.evaluation import round_report_screen
    from flows.evaluation import build_report

    pulse = Core("Europe/Paris").flows["pulse"].questionnaire
    scores = {q.id: {"score": 4, "comment": None} for q in pulse.questions if q.kind == "rating"}
    theirs = {k: {"score": 2, "comment": None} for k in scores}
    report = build_report(
        pulse, {"ours": [scores], "partner": [theirs]}, invited={"ours": 1, "partner": 1}
    )
    names = ("Rénov’Solidaire 93", "ÉnerBat")
    when = date(2027, 3, 1)

    def seen_by(role: str) -> str:
        return round_report_screen(RoundReport(report, "Rénov", names, when, role), "fr").text

    ours, partner = seen_by("member"), seen_by("partner")
    assert "Notes de 1 à 5 : Rénov’Solidaire 93 / ÉnerBat" in ours
    assert "Notes de 1 à 5 : ÉnerBat / Rénov’Solidaire 93" in partner
    assert "4,0 / 2,0" in ours and "2,0 / 4,0" in partner
    assert "nous" not in partner


def test_the_card_names_the_next_check_in_and_what_it_waits_for(one_sided):
    pid, url = one_sided
    service = client(url, at(SIGNED + DAY))
    card = service.partnership_button(OWNER, service.button(pid, "open"), 1).edit.text
    assert "Étape 6/7" in card
    assert "Évaluation : un point d’étape le 26/02/2027." in card
    assert "attend le contact du partenaire" in card
