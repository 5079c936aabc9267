"""End to end: a member invites a coordinator of their organisation by a single-use link; the
coordinator lists exactly the partnerships of the organisations they follow (either side),
reads their cards, documents and evaluations, and acts on nothing; forged buttons naming
another organisation's partnership reach nothing."""

from __future__ import annotations

from sqlmodel import select

from storage import organisations, repository
from storage.db import make_engine, session_scope
from storage.models import Coordinator, Organisation, Partnership, PartnershipHealth, User
from tests.bot.checkins import started
from tests.bot.driver import last_text, type_text

OWNER, COORDINATOR, LATECOMER, OTHER_OWNER, CONTACT, ACME_COORDINATOR = (
    7001,
    7002,
    7003,
    7004,
    7005,
    7006,
)


def seed(url: str) -> dict[str, int]:
    """Rebond's partnerships with Acme (its owner a member, a contact of Acme, a document, a
    red health) and with Autre (another member of Rebond, amber); a partnership of Autre with
    Acme, and one of Autre alone, that Rebond's coordinator must never reach."""
    engine = make_engine(url)
    with session_scope(engine) as db:
        rebond, acme, autre = (Organisation(name=n) for n in ("Rebond", "Acme", "Autre"))
        db.add_all([rebond, acme, autre])
        db.flush()
        owner = repository.get_or_create_user(db, external_id=f"tg:{OWNER}", language="fr")
        other = repository.get_or_create_user(db, external_id=f"tg:{OTHER_OWNER}", language="fr")

        def partnership(user, name, ours, theirs, light=None, signal=None):
            created = repository.create_partnership(
                db,
                user=user,
                name=name,
                our_organisation=ours.name,
                partner_name=theirs.name if theirs else None,
                our_organisation_id=ours.id,
                partner_organisation_id=theirs.id if theirs else None,
            )
            db.flush()
            if light:
                reasons = [{"signal": signal, "level": light}] if signal else []
                db.add(PartnershipHealth(partnership_id=created.id, light=light, reasons=reasons))
            return created

        emploi = partnership(owner, "Alliance Emploi", rebond, acme, "red", "round_late")
        jardins = partnership(other, "Jardins partagés", rebond, autre, "amber", "steering_missing")
        secret = partnership(
            other, "Projet confidentiel", autre, acme, "red", "perceptions_diverging"
        )
        alone = partnership(other, "Autre interne", autre, None)
        contact = repository.get_or_create_user(db, external_id=f"tg:{CONTACT}", language="fr")
        repository.add_member(db, partnership_id=emploi.id, user=contact, role="partner")
        document = repository.add_document(
            db,
            partnership_id=emploi.id,
            kind="convention",
            file_name="projet-convention-alliance-emploi-v1.docx",
            content=b"PK convention",
            created_by=owner.id,
        )
        secret_document = repository.add_document(
            db,
            partnership_id=secret.id,
            kind="convention",
            file_name="projet-convention-confidentiel-v1.docx",
            content=b"PK secret",
            created_by=other.id,
        )
        ids = {
            "rebond": rebond.id,
            "acme": acme.id,
            "emploi": emploi.id,
            "jardins": jardins.id,
            "secret": secret.id,
            "alone": alone.id,
            "document": document.id,
            "secret_document": secret_document.id,
        }
    engine.dispose()
    return ids


def read(url: str, query):
    engine = make_engine(url)
    with session_scope(engine) as db:
        rows = list(db.exec(query))
        db.expunge_all()
    engine.dispose()
    return rows


def button(api, chat, ending: str) -> str:
    return next(d for row in api.last_keyboard(chat) for _, d in row if d.endswith(ending))


def labels(api, chat) -> list[str]:
    return [label for row in api.last_keyboard(chat) for label, _ in row]


async def press(api, chat, data, method="sendMessage", message_id=None):
    before = len(api.sent(chat_id=chat, method=method))
    api.press(chat, data, message_id=message_id)
    await api.wait_for(lambda a: len(a.sent(chat_id=chat, method=method)) > before)


async def press_for_notice(api, chat, data, message_id=None) -> str:
    """Presses and returns the short answer (a notice) the press got."""
    before = len(api.sent(method="answerCallbackQuery"))
    api.press(chat, data, message_id=message_id)
    await api.wait_for(lambda a: len(a.sent(method="answerCallbackQuery")) > before)
    return api.sent(method="answerCallbackQuery")[-1].params.get("text") or ""


async def invitation_menu(api, pid) -> None:
    """The owner opens the partnership's card, then its invitation menu."""
    await type_text(api, OWNER, "/partenariats")
    opening = next(
        d
        for row in api.last_keyboard(OWNER)
        for _, d in row
        if d.startswith(f"v1:p:{pid}:") and d.endswith(":open")
    )
    await press(api, OWNER, opening, method="editMessageText")
    await press(api, OWNER, button(api, OWNER, ":invite"))


async def invite_coordinator(api, url, pid) -> str:
    """The owner asks for a coordinator's link from the partnership's invitation menu."""
    await invitation_menu(api, pid)
    assert "Un coordinateur de Rebond" in labels(api, OWNER)
    await press(api, OWNER, button(api, OWNER, ":role:coordinator"))
    text = last_text(api, OWNER)
    assert "lecture seule" in text
    return text.split("start=")[1].split()[0]


def state_of(url: str):
    """What a refused press must leave as it was: stages, revisions, active partnerships."""
    partnerships = read(url, select(Partnership).order_by(Partnership.id))
    users = read(url, select(User).order_by(User.id))
    return (
        [(p.id, p.stage, p.revision, p.dialogue) for p in partnerships],
        [(u.external_id, u.active_partnership_id) for u in users],
    )


async def test_a_member_invites_a_coordinator_who_reads_their_organisations_partnerships(
    api, bot, sqlite_url
):
    ids = seed(sqlite_url)
    started(api, sqlite_url)
    token = await invite_coordinator(api, sqlite_url, ids["emploi"])

    await type_text(api, COORDINATOR, f"/start {token}", replies=2)
    assert "Vous suivez désormais tous les partenariats de Rebond" in api.messages(COORDINATOR)[-2]
    coordinators = read(sqlite_url, select(Coordinator))
    assert [(c.organisation_id, c.invited_by is not None) for c in coordinators] == [
        (ids["rebond"], True)
    ]
    # Single use: the link admits nobody else, and the same person again changes nothing.
    await type_text(api, LATECOMER, f"/start {token}")
    assert "déjà été utilisée" in last_text(api, LATECOMER)
    await type_text(api, COORDINATOR, f"/start {token}")
    assert len(read(sqlite_url, select(Coordinator))) == 1
    await type_text(api, LATECOMER, "/partenariats")
    assert "pas encore de partenariat" in last_text(api, LATECOMER)
    # A second link, revoked by the member before anyone uses it, admits nobody.
    revoked = await invite_coordinator(api, sqlite_url, ids["emploi"])
    await invitation_menu(api, ids["emploi"])
    await press(api, OWNER, button(api, OWNER, ":revoke"))
    assert "1 invitation en cours révoquée" in last_text(api, OWNER)
    await type_text(api, LATECOMER, f"/start {revoked}")
    assert "révoquée" in last_text(api, LATECOMER)
    assert len(read(sqlite_url, select(Coordinator))) == 1

    # Exactly Rebond's partnerships, red before amber, each with its step and reason.
    await type_text(api, COORDINATOR, "/partenariats")
    listing = last_text(api, COORDINATOR)
    assert "Partenariats que vous suivez</b> · Rebond" in listing
    assert listing.index("Alliance Emploi") < listing.index("Jardins partagés")
    assert "Projet confidentiel" not in listing and "Autre interne" not in listing
    assert "🔴" in listing and "rouge" in listing and "🟠" in listing
    assert "étape 1/7" in listing
    opened = [d for row in api.last_keyboard(COORDINATOR) for _, d in row]
    assert sorted(int(d.split(":")[2]) for d in opened) == sorted([ids["emploi"], ids["jardins"]])

    # The card reads, without a move, an invitation or a correction.
    await press(api, COORDINATOR, opened[0], method="editMessageText")
    card = last_text(api, COORDINATOR)
    assert "Alliance Emploi" in card and "coordinateur" in card
    actions = {d.split(":")[4] for row in api.last_keyboard(COORDINATOR) for _, d in row}
    assert actions == {"dialogue", "evaluation"}

    # Documents: listed and sent again.
    await type_text(api, COORDINATOR, "/documents")
    doc = button(api, COORDINATOR, f":doc:{ids['document']}")
    await press(api, COORDINATOR, doc, method="sendDocument")
    sent = api.sent(chat_id=COORDINATOR, method="sendDocument")[-1]
    assert sent.files["document"][1] == b"PK convention"
    # The evaluation reads too.
    await type_text(api, COORDINATOR, "/evaluation")
    assert "Évaluation — Alliance Emploi" in last_text(api, COORDINATOR)
    actions = {d.split(":")[4] for row in api.last_keyboard(COORDINATOR) for _, d in row}
    assert not actions & {"round", "respondent"}

    # Acting is refused, and changes nothing.
    before = state_of(sqlite_url)
    for command in ("/convention", "/suivi", "/criteres"):
        await type_text(api, COORDINATOR, command)
        assert "ne le permet pas" in last_text(api, COORDINATOR)
    revision = opened[0].split(":")[3]
    for action in ("advance", "tick:roles", "generate", "invite", "role:coordinator", "edit"):
        forged = f"v1:p:{ids['emploi']}:{revision}:{action}"
        assert "ne le permet pas" in await press_for_notice(api, COORDINATOR, forged)
    assert state_of(sqlite_url) == before
    assert bot == []


async def test_forged_buttons_naming_another_organisations_partnership_reach_nothing(
    api, bot, sqlite_url
):
    ids = seed(sqlite_url)
    engine = make_engine(sqlite_url)
    with session_scope(engine) as db:
        user = repository.get_or_create_user(db, external_id=f"tg:{COORDINATOR}", language="fr")
        organisations.add_coordinator(
            db, organisation_id=ids["rebond"], user_id=user.id, invited_by=None
        )
    engine.dispose()
    started(api, sqlite_url)

    before = state_of(sqlite_url)
    sends = len(api.sent(chat_id=COORDINATOR, method="sendDocument"))
    edits = len(api.sent(chat_id=COORDINATOR, method="editMessageText"))
    for pid in (ids["secret"], ids["alone"], 99_999):
        for action in ("open", "dialogue", "evaluation", f"doc:{ids['secret_document']}"):
            notice = await press_for_notice(api, COORDINATOR, f"v1:p:{pid}:0:{action}", 1)
            assert "n’est plus actif" in notice or "plus actif" in notice
    # A document of another organisation through a partnership the coordinator follows.
    forged = f"v1:p:{ids['emploi']}:0:doc:{ids['secret_document']}"
    assert "plus actif" in await press_for_notice(api, COORDINATOR, forged, 1)
    assert len(api.sent(chat_id=COORDINATOR, method="sendDocument")) == sends
    assert len(api.sent(chat_id=COORDINATOR, method="editMessageText")) == edits
    assert state_of(sqlite_url) == before
    assert bot == []


async def test_a_coordinator_of_the_partner_organisation_sees_only_where_it_takes_part(
    api, bot, sqlite_url
):
    ids = seed(sqlite_url)
    engine = make_engine(sqlite_url)
    with session_scope(engine) as db:
        user = repository.get_or_create_user(
            db, external_id=f"tg:{ACME_COORDINATOR}", language="en"
        )
        organisations.add_coordinator(
            db, organisation_id=ids["acme"], user_id=user.id, invited_by=None
        )
    engine.dispose()
    started(api, sqlite_url)

    await type_text(api, ACME_COORDINATOR, "/partnerships", language_code="en")
    listing = last_text(api, ACME_COORDINATOR)
    assert "Partnerships you follow</b> · Acme" in listing
    assert "Alliance Emploi" in listing and "Projet confidentiel" in listing
    assert "Jardins partagés" not in listing and "Autre interne" not in listing
    shown = sorted(
        int(d.split(":")[2]) for row in api.last_keyboard(ACME_COORDINATOR) for _, d in row
    )
    assert shown == sorted([ids["emploi"], ids["secret"]])
    notice = await press_for_notice(api, ACME_COORDINATOR, f"v1:p:{ids['jardins']}:0:open", 1)
    assert "no longer active" in notice

    # Acme's contact in Rebond's partnership may not invite a coordinator of Acme: our side
    # named Acme and brought the contact in (flows.roles.coordinated_by_invitation).
    await type_text(api, CONTACT, "/partenariats")
    await press(api, CONTACT, button(api, CONTACT, ":open"), method="editMessageText")
    await press(api, CONTACT, button(api, CONTACT, ":invite"))
    assert not any("coordinat" in label for label in labels(api, CONTACT))
    revision = button(api, CONTACT, ":revoke").split(":")[3]
    forged = f"v1:p:{ids['emploi']}:{revision}:role:coordinator"
    assert "ne le permet pas" in await press_for_notice(api, CONTACT, forged)
    assert read(
        sqlite_url, select(Coordinator.user_id).where(Coordinator.organisation_id == ids["acme"])
    ) == [read(sqlite_url, select(User.id).where(User.external_id == f"tg:{ACME_COORDINATOR}"))[0]]
    assert bot == []
