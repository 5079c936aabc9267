"""Organisations through the use cases: a party's details asked once, corrected once, used by
every convention of the organisation; named again, an organisation is reused only by those
linked with it."""

from __future__ import annotations

from io import BytesIO

import docx
import pytest
from sqlmodel import select

from bot.services import Actor, Services, partnerships
from storage import repository
from storage.db import make_engine, session_scope
from storage.models import Organisation, Partnership
from tests.bot.client import Client
from tests.bot.services.conventions import running, walk
from tests.bot.services.test_chain import to_content
from tests.bot.services.test_convention import OURS, THEIRS, UNDIAGNOSED, diagnosed, text_of

OWNER, OTHER, CONTACT = Actor("tg:10", "fr"), Actor("tg:20", "fr"), Actor("tg:30", "fr")
CORRECTED = (
    "association loi 1901 ; 40 quai Perrache, 69002 Lyon ; W691234567 ; Inès Roche, présidente"
)


@pytest.fixture
def service(sqlite_url):
    engine = make_engine(sqlite_url)
    yield Client(Services(engine))
    engine.dispose()


def create(service, who=OWNER, ours="Association Rebond", partner="Boulangeries Martin", name="A"):
    service.new_partnership(who)
    plan = {"name": name, "our_organisation": ours, "partner": partner or "skip"}
    walk(service, who, plan | {"theme": "Insertion", "territory": "Métropole de Lyon"})
    return active(service, who).id


def active(service, who=OWNER) -> Partnership:
    with session_scope(service.engine) as db:
        user = repository.get_or_create_user(db, external_id=who.external_id, language="fr")
        return db.get(Partnership, user.active_partnership_id)


def organisation(service, organisation_id) -> Organisation | None:
    with session_scope(service.engine) as db:
        return db.get(Organisation, organisation_id) if organisation_id else None


def organisations(service) -> list[Organisation]:
    with session_scope(service.engine) as db:
        return list(db.exec(select(Organisation).order_by(Organisation.id)))


def open_partnership(service, who, pid):
    service.partnership_button(who, service.button(pid, "open"), 1)


def convention_text(service, who=OWNER) -> str:
    """The convention draft built now for the active partnership."""
    summary = service.convention(who).messages[0]
    generate = next(b.data for row in summary.buttons for b in row if b.data.endswith("generate"))
    reply = service.partnership_button(who, generate, 9)
    files = dict(service.files(reply))
    name = next(n for n in files if "convention" in n)
    return text_of(docx.Document(BytesIO(files[name])))


def offered(service, who, question_id) -> str | None:
    """What the running questionnaire offers at a question, once it gets there."""
    run = running(service, who)
    return (run.state.get("defaults") or {}).get(question_id)


def test_details_typed_once_are_offered_and_used_by_every_convention_of_the_organisation(service):
    diagnosed(service)
    first = create(service)
    service.convention(OWNER)
    walk(service, OWNER, UNDIAGNOSED)
    a = active(service)
    rebond, martin = (
        organisation(service, a.our_organisation_id),
        organisation(service, a.partner_organisation_id),
    )
    # Typed in A's convention, saved on the organisations, labels left out.
    assert (rebond.name, rebond.legal_form, rebond.identifier) == (
        "Association Rebond",
        "association loi 1901",
        "W691234567",
    )
    assert rebond.kind == "association"  # from the self-diagnosis
    assert martin.representative == "Marc Martin, gérant" and martin.seat.startswith("3 place")

    # B names the same organisations, spelt otherwise: the same ones, not copies.
    second = create(service, ours=" association  REBOND", partner="boulangeries martin", name="B")
    b = active(service)
    assert (b.our_organisation_id, b.partner_organisation_id) == (rebond.id, martin.id)
    assert b.our_organisation == "Association Rebond" and b.partner_name == "Boulangeries Martin"
    assert len(organisations(service)) == 2
    # B's convention offers the details to keep in one tap: nothing typed twice.
    service.convention(OWNER)
    assert offered(service, OWNER, "p_ours") and offered(service, OWNER, "p_partner")
    plan = {k: v for k, v in UNDIAGNOSED.items() if k not in ("p_ours", "p_partner")}
    walk(service, OWNER, plan)
    text = convention_text(service)
    for words in ("W691234567", "Claire Durand, présidente", "3 place Bellecour", "812 345 678"):
        assert words in text, words

    # Corrected once, in B: saved on the organisation; A's next draft has it too.
    service.run(OWNER, partnerships.convention, True)
    walk(service, OWNER, {"p_ours": CORRECTED})
    assert organisation(service, rebond.id).representative == "Inès Roche, présidente"
    assert "Inès Roche, présidente" in convention_text(service)
    open_partnership(service, OWNER, first)
    text = convention_text(service)
    assert "Inès Roche, présidente" in text and "40 quai Perrache" in text
    assert "Claire Durand, présidente" not in text.split("Article")[0]
    # A's review offers the corrected details, not those A typed first.
    service.run(OWNER, partnerships.convention, True)
    assert offered(service, OWNER, "p_ours") == (
        "association loi 1901 ; 40 quai Perrache, 69002 Lyon ; W691234567 ; Inès Roche, présidente"
    )
    assert second != first


def test_naming_another_users_organisation_reaches_a_new_one(service):
    create(service)
    service.convention(OWNER)
    walk(service, OWNER, UNDIAGNOSED)
    mine = active(service)
    create(service, OTHER, ours="Association Rebond", partner="Boulangeries Martin")
    theirs = active(service, OTHER)
    assert theirs.our_organisation_id != mine.our_organisation_id
    assert theirs.partner_organisation_id != mine.partner_organisation_id
    # Nothing of the owner's details reaches them: their convention asks.
    service.convention(OTHER)
    assert offered(service, OTHER, "p_ours") is None
    assert offered(service, OTHER, "p_partner") is None
    walk(service, OTHER, UNDIAGNOSED | {"p_ours": "SARL ; Villeurbanne"})
    # Their typing changed their organisation only.
    assert organisation(service, mine.our_organisation_id).legal_form == "association loi 1901"
    assert organisation(service, theirs.our_organisation_id).legal_form == "SARL"
    assert "W691234567" not in convention_text(service, OTHER)


def test_a_partner_contact_naming_their_organisation_reuses_it(service):
    pid = create(service)
    a = active(service)
    with session_scope(service.engine) as db:
        contact = repository.get_or_create_user(db, external_id=CONTACT.external_id, language="fr")
        repository.add_member(db, partnership_id=pid, user=contact, role="partner")
    create(service, CONTACT, ours="Boulangeries  Martin", partner="Ville de Lyon")
    theirs = active(service, CONTACT)
    # Their side of the first partnership is the partner's organisation: the same one.
    assert theirs.our_organisation_id == a.partner_organisation_id
    assert theirs.partner_organisation_id not in (a.our_organisation_id, None)


def test_a_corrected_name_renames_the_organisation_and_its_partnerships(service):
    first = create(service)
    second = create(service, name="B")
    service.partnership_button(OWNER, service.button(second, "edit"), 1)
    walk(service, OWNER, {"our_organisation": "ASSOCIATION REBOND"})
    rebond = organisation(service, active(service).our_organisation_id)
    assert rebond.name == "ASSOCIATION REBOND"
    open_partnership(service, OWNER, first)
    assert active(service).our_organisation == "ASSOCIATION REBOND"
    # Another name where the organisation has other partnerships: another organisation.
    service.partnership_button(OWNER, service.button(first, "edit"), 1)
    walk(service, OWNER, {"our_organisation": "Rebond Formation"})
    assert active(service).our_organisation_id != rebond.id
    assert organisation(service, rebond.id).name == "ASSOCIATION REBOND"


def test_a_partner_named_later_gets_its_organisation(service):
    create(service, partner=None)
    assert active(service).partner_organisation_id is None
    service.convention(OWNER)
    walk(service, OWNER, UNDIAGNOSED)
    # No partner named: its details stay in the convention, for the draft.
    assert active(service).convention["_parties"]["partner"] == THEIRS
    assert "3 place Bellecour" in convention_text(service)
    pid = active(service).id
    service.partnership_button(OWNER, service.button(pid, "edit"), 1)
    walk(service, OWNER, {"partner": "Boulangeries Martin"})
    martin = organisation(service, active(service).partner_organisation_id)
    assert martin.name == "Boulangeries Martin"
    # Its details come with the next convention run, kept in one tap.
    service.run(OWNER, partnerships.convention, True)
    walk(service, OWNER, {})
    assert organisation(service, martin.id).identifier == "812 345 678"
    assert (
        OURS.split(" ; ")[2]
        == organisation(service, active(service).our_organisation_id).identifier
    )


def test_the_chosen_candidate_is_the_partner_organisation(service):
    to_content(service)
    chosen = active(service)
    energy = organisation(service, chosen.partner_organisation_id)
    # Another partner than the one named at /nouveau: another organisation, not a rename.
    assert chosen.partner_name == energy.name == "ÉnerBat"
    names = [o.name for o in organisations(service)]
    assert names == ["Association Rebond", "Boulangeries Martin", "ÉnerBat"]
    # Chosen again in a new partnership, the same candidate is the same organisation.
    create(service, partner="énerbat", name="B")
    assert active(service).partner_organisation_id == energy.id
