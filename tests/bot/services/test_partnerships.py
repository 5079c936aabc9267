"""Partnerships through the service on SQLite: lifecycle, candidates, convention, invitations."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.services import Actor, Services
from storage import repository
from storage.db import make_engine, session_scope
from storage.models import utcnow
from tests.bot.client import Client

OWNER, GUEST, STRANGER = Actor("tg:10", "fr"), Actor("tg:20", "fr"), Actor("tg:30", "fr")


class Clock:
    """A clock the test moves by hand."""

    def __init__(self):
        self.now = utcnow()

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def service(sqlite_url, clock):
    engine = make_engine(sqlite_url)
    yield Client(Services(engine, clock=clock))
    engine.dispose()


def create(service, who=OWNER, name="Alliance Emploi"):
    service.new_partnership(who)
    for answer in (name, "Association Rebond", None, "Insertion", "Métropole de Lyon"):
        service.text(who, answer) if answer else service.press(who, skip_button(service, who), 1)
    with session_scope(service.engine) as db:
        user = repository.get_or_create_user(db, external_id=who.external_id, language="fr")
        return user.active_partnership_id


def skip_button(service, who):
    with session_scope(service.engine) as db:
        user = repository.get_or_create_user(db, external_id=who.external_id, language="fr")
        run = repository.active_flow_session(db, user_id=user.id)
        return f"v1:s:{run.id}:{run.state['state']}"


def answer_all(service, who, answers):
    """Answers the running questionnaire: a dict of question id -> typed answer."""
    for _ in range(200):
        with session_scope(service.engine) as db:
            user = repository.get_or_create_user(db, external_id=who.external_id, language="fr")
            run = repository.active_flow_session(db, user_id=user.id)
        if run is None:
            return
        service.text(who, answers(run.state["state"]))
    raise AssertionError("the questionnaire never ended")


def test_a_new_partnership_is_listed_and_active(service):
    pid = create(service)
    listing = service.partnerships(OWNER).messages[0]
    assert "Alliance Emploi" in listing.text and "étape 1/7" in listing.text
    assert listing.buttons[0][0].data == service.button(pid, "open")


def test_stage_moves_are_refused_with_a_reason_and_recorded(service):
    pid = create(service)
    refused = service.partnership_button(OWNER, service.button(pid, "advance"), 5)
    assert "autodiagnostic" in refused.messages[0].text.replace("-", "")
    with session_scope(service.engine) as db:
        user = repository.get_or_create_user(db, external_id=OWNER.external_id, language="fr")
        repository.start_flow_session(db, user_id=user.id, flow="diagnostic", state={})
        run = repository.active_flow_session(db, user_id=user.id)
        run.status = "done"
    moved = service.partnership_button(OWNER, service.button(pid, "advance"), 5)
    assert "Étape 2/7" in moved.edit.text
    assert (
        "Pas encore"
        in service.partnership_button(OWNER, service.button(pid, "advance"), 5).messages[0].text
    )
    with session_scope(service.engine) as db:
        history = repository.stage_history(db, partnership_id=pid)
    assert [(m.source, m.dest) for m in history] == [("diagnosis", "dialogue")]


def score(service, who, name, level, guard_rails="yes"):
    service.criteria(who)
    answers = {"candidate_name": name, "candidate_profile": "economic", "guard_rails": guard_rails}
    answer_all(service, who, lambda q: answers.get(q, str(level)))


def test_two_candidates_are_scored_ranked_and_one_chosen(service):
    pid = create(service)
    score(service, OWNER, "Fragile SA", 2, guard_rails="no")
    reply = None
    service.criteria(OWNER)
    answers = {"candidate_name": "Solide SA", "candidate_profile": "economic", "guard_rails": "yes"}
    for _ in range(20):
        with session_scope(service.engine) as db:
            user = repository.get_or_create_user(db, external_id="tg:10", language="fr")
            run = repository.active_flow_session(db, user_id=user.id)
        if run is None:
            break
        reply = service.text(OWNER, answers.get(run.state["state"], "5"))
    ranking = reply.messages[-1].text
    assert ranking.index("Solide SA") < ranking.index("Fragile SA")
    assert "100/100" in ranking and "déséquilibre de pouvoir sans garde-fou" in ranking
    choose = reply.messages[-1].buttons[0][0]
    assert "Solide SA" in choose.label
    service.partnership_button(OWNER, choose.data, 7)
    with session_scope(service.engine) as db:
        chosen = repository.partnership_for(db, user_id=1, partnership_id=pid)[0]
    assert chosen.partner_name == "Solide SA"


def invite(service, pid, role="partner"):
    service.partnership_button(OWNER, service.button(pid, "invite"), 3)
    text = service.partnership_button(OWNER, service.button(pid, "role", role), 3)
    link = text.messages[0].text.split()[-1]
    return link.split("start=")[1]


def test_invitation_joins_once_then_refuses_used_expired_and_guessed_tokens(service, clock):
    pid = create(service)
    token = invite(service, pid)
    assert len(token) >= 22  # at least 128 random bits
    joined = service.start(GUEST, token)
    assert "rejoint le partenariat" in joined.messages[0].text
    assert "Alliance Emploi" in service.partnerships(GUEST).messages[0].text
    assert "déjà été utilisée" in service.start(STRANGER, token).messages[0].text
    assert "pas valide" in service.start(STRANGER, token[:-2] + "xy").messages[0].text
    late = invite(service, pid)
    clock.now += timedelta(days=7, seconds=1)
    assert "expiré" in service.start(STRANGER, late).messages[0].text
    revoked = invite(service, pid)
    service.partnership_button(OWNER, service.button(pid, "revoke"), 3)
    assert "révoquée" in service.start(STRANGER, revoked).messages[0].text
    assert "Vous n’avez pas encore" in service.partnerships(STRANGER).messages[0].text


def test_buttons_naming_someone_elses_partnership_reach_nothing(service):
    pid = create(service)
    for action in ("open", "advance", "dialogue", "invite", "generate", "choose:0", "doc:1"):
        action, _, arg = action.partition(":")
        reply = service.partnership_button(STRANGER, service.button(pid, action, arg or None), 1)
        assert reply.notice and not reply.messages and not reply.documents and reply.edit is None
    with session_scope(service.engine) as db:
        assert repository.documents_of(db, partnership_id=pid) == []
        assert repository.members_of(db, partnership_id=pid)[0][1] == "member"
        assert len(repository.members_of(db, partnership_id=pid)) == 1


def test_observers_read_but_do_not_act(service):
    pid = create(service)
    service.start(GUEST, invite(service, pid, role="observer"))
    assert (
        "Dialogue"
        in service.partnership_button(GUEST, service.button(pid, "dialogue"), 2).edit.text
    )
    refused = service.partnership_button(GUEST, service.button(pid, "tick", "meet"), 2)
    assert refused.notice and refused.edit is None


def test_dialogue_points_are_ticked_and_meeting_notes_kept_with_their_date(service):
    pid = create(service)
    ticked = service.partnership_button(OWNER, service.button(pid, "tick", "meet"), 4)
    assert "1/9" in ticked.edit.text
    assert ticked.edit.buttons[0][0].label.startswith("☑")
    service.partnership_button(OWNER, service.button(pid, "note"), 4)
    reply = service.text(OWNER, "Réunion de lancement : calendrier validé")
    dialogue = reply.messages[-1].text
    assert "Réunion de lancement : calendrier validé" in dialogue
    # The date as it is in Paris (the default time zone), not in UTC.
    assert utcnow().astimezone(ZoneInfo("Europe/Paris")).strftime("%d/%m/%Y") in dialogue


def invitations_of(service, pid):
    with session_scope(service.engine) as db:
        return repository.open_invitations(db, partnership_id=pid)


def test_a_partner_contact_invites_only_partner_contacts(service):
    pid = create(service)
    service.start(GUEST, invite(service, pid, role="partner"))
    menu = service.partnership_button(GUEST, service.button(pid, "invite"), 2).messages[0]
    labels = [button.label for row in menu.buttons for button in row]
    assert "Un contact chez le partenaire" in labels
    assert "Un membre de notre organisation" not in labels
    # A forged "member" button reaches nothing.
    forged = service.partnership_button(GUEST, service.button(pid, "role", "member"), 2)
    assert forged.notice and not forged.messages
    assert invitations_of(service, pid) == []
    link = service.partnership_button(GUEST, service.button(pid, "role", "partner"), 2)
    assert "start=" in link.messages[0].text
    assert [i.role for i in invitations_of(service, pid)] == ["partner"]


def test_a_partner_contact_revokes_only_their_own_invitations(service):
    pid = create(service)
    service.start(GUEST, invite(service, pid, role="partner"))
    owners = invite(service, pid, role="member")
    service.partnership_button(GUEST, service.button(pid, "role", "partner"), 2)
    revoked = service.partnership_button(GUEST, service.button(pid, "revoke"), 2)
    assert "1 invitation en cours révoquée" in revoked.messages[0].text
    # The owner's invitation still works.
    assert "rejoint" in service.start(STRANGER, owners).messages[0].text
    # A member of the creating organisation revokes every open invitation.
    invite(service, pid, role="observer")
    service.partnership_button(GUEST, service.button(pid, "role", "partner"), 2)
    revoked = service.partnership_button(OWNER, service.button(pid, "revoke"), 3)
    assert "2 invitations en cours révoquées" in revoked.messages[0].text


def test_an_observer_sees_no_button_that_would_act(service):
    pid = create(service)
    service.start(GUEST, invite(service, pid, role="observer"))
    card = service.partnership_button(GUEST, service.button(pid, "open"), 2).edit
    actions = [button.data.split(":")[4] for row in card.buttons for button in row]
    assert actions == ["dialogue", "evaluation"]
    dialogue = service.partnership_button(GUEST, service.button(pid, "dialogue"), 2).edit
    assert dialogue.buttons == () and "☐" in dialogue.text
