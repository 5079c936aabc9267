"""Personal data rights through the real bot: /mesdonnees returns what the database holds
about the user; /supprimer, confirmed, leaves none of their personal data, and the
partnership they shared still opens for the others."""

from __future__ import annotations

import io
import json
import zipfile

from sqlalchemy import inspect, select, text

from bot.services import Actor, Services
from storage import repository
from storage.db import make_engine, session_scope
from storage.models import (
    AnswerRecord,
    FlowSession,
    Inbound,
    MeetingNote,
    OutboxMessage,
    Partnership,
    User,
)
from tests.bot.checkins import evaluated_partnership
from tests.bot.client import Client
from tests.bot.conftest import running_bot

ALICE, BOB = 601, 602


def setting(url: str) -> tuple[int, int]:
    """Alice alone in one partnership, with Bob in another, where she wrote a note; and her
    diagnosis half answered."""
    alone = evaluated_partnership(url, ours=(ALICE,), theirs=(), name="Projet perso")
    shared = evaluated_partnership(url, ours=(ALICE,), theirs=(BOB,), name="Alliance Emploi")
    engine = make_engine(url)
    with session_scope(engine) as db:
        alice = repository.get_or_create_user(db, external_id=f"tg:{ALICE}", language="fr")
        repository.add_note(db, partnership_id=shared, user_id=alice.id, text="Alice : RDV mardi")
    service = Client(Services(engine))
    service.diagnostic(Actor(f"tg:{ALICE}", "fr"))
    service.text(Actor(f"tg:{ALICE}", "fr"), "1")
    engine.dispose()
    return alone, shared


async def test_my_data_sends_what_the_database_holds(api, bot, sqlite_url):
    _, shared = setting(sqlite_url)
    api.send_text(ALICE, "/mesdonnees")
    await api.wait_for(lambda a: a.calls_of("sendDocument", ALICE))
    (name, content) = next(iter(api.files.values()))
    assert name.endswith("mes-donnees-alliance.json")
    data = json.loads(content)
    assert data["user"]["telegram"] == f"tg:{ALICE}"
    assert {p["name"] for p in data["partnerships"]} == {"Projet perso", "Alliance Emploi"}
    assert [n["text"] for n in data["meeting_notes"]] == ["Alice : RDV mardi"]
    (diagnosis,) = [q for q in data["questionnaires"] if q["questionnaire"] == "diagnostic"]
    engine = make_engine(sqlite_url)
    with session_scope(engine) as db:
        stored = db.exec(select(AnswerRecord).join(FlowSession)).scalars().all()
        assert len(diagnosis["answers"]) == len(stored) > 0
    engine.dispose()
    assert bot == []


async def test_delete_erases_the_person_and_keeps_the_shared_partnership(api, bot, sqlite_url):
    alone, shared = setting(sqlite_url)
    api.send_text(ALICE, "/supprimer", first_name="Alice")
    await api.wait_for(lambda a: a.last_keyboard(ALICE))
    # A refusal first: nothing changes.
    keep = next(d for row in api.last_keyboard(ALICE) for t, d in row if t == "Les garder")
    api.press(ALICE, keep)
    await api.wait_for(lambda a: "Rien n’a été effacé" in "".join(a.messages(ALICE)))
    api.send_text(ALICE, "/supprimer", first_name="Alice")
    await api.wait_for(lambda a: a.last_keyboard(ALICE))
    erase = next(d for row in api.last_keyboard(ALICE) for t, d in row if t.startswith("Effacer"))
    api.press(ALICE, erase, first_name="Alice")
    await api.wait_for(lambda a: "Vos données sont effacées" in "".join(a.messages(ALICE)))
    assert bot == []

    engine = make_engine(sqlite_url)
    with session_scope(engine) as db:
        assert db.exec(select(User).where(User.external_id == f"tg:{ALICE}")).first() is None
        assert db.exec(select(User).where(User.display_name.like("%601%"))).first() is None
        assert db.get(Partnership, alone) is None and db.get(Partnership, shared) is not None
        # Her own diagnosis is gone; nothing kept for her chat names her.
        runs = db.exec(select(FlowSession).where(FlowSession.partnership_id.is_(None)))
        assert runs.scalars().all() == []
        kept = db.exec(select(OutboxMessage).where(OutboxMessage.chat_id == ALICE))
        assert all("effacées" in (m.payload.get("text") or "") for m in kept.scalars())
        inbound = db.exec(select(Inbound)).scalars().all()
        assert not any("Alice" in json.dumps(row.payload or {}) for row in inbound)
        # The shared partnership keeps its note, without her.
        notes = db.exec(select(MeetingNote).where(MeetingNote.partnership_id == shared))
        (note,) = notes.scalars().all()
        assert db.get(User, note.user_id).external_id.startswith("erased:")
    service = Client(Services(engine))
    listed = service.partnerships(Actor(f"tg:{BOB}", "fr"))
    assert "Alliance Emploi" in listed.messages[0].text
    engine.dispose()


async def test_a_file_too_heavy_for_telegram_comes_compressed_or_a_message_says_so(
    api, bot, sqlite_url
):
    setting(sqlite_url)
    api.send_text(ALICE, "/mesdonnees")
    await api.wait_for(lambda a: a.calls_of("sendDocument", ALICE))
    (name, content) = next(iter(api.files.values()))
    # Telegram takes a little less than the file (its 413 is what this test is about): it
    # comes compressed, whole.
    api.expect_refusals("sendDocument")
    api.upload_limits["document"] = len(content) - 1
    api.send_text(ALICE, "/mesdonnees")
    await api.wait_for(lambda a: len(a.calls_of("sendDocument", ALICE)) == 2)
    zipped_name, archive = list(api.files.values())[-1]
    assert zipped_name == f"{name}.zip"
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        assert json.loads(opened.read(name))["user"]["telegram"] == f"tg:{ALICE}"
    assert "compressé" in api.calls_of("sendDocument", ALICE)[-1].params["caption"]
    # Not even compressed: a message says so, and the chat goes on.
    api.upload_limits["document"] = 10
    api.send_text(ALICE, "/mesdonnees")
    await api.wait_for(lambda a: "trop lourd" in a.messages(ALICE)[-1])
    api.send_text(ALICE, "/aide")
    await api.wait_for(lambda a: "/diagnostic" in a.messages(ALICE)[-1])
    assert len(api.calls_of("sendDocument", ALICE)) == 2


# Her name as Telegram gives it: a first name with an accent (stored JSON escapes it), a last
# name, a username.
FIRST, LAST, USERNAME = "Maëlle", "Quiniou", "maelle_q"
HER = {"id": ALICE, "is_bot": False, "first_name": FIRST, "last_name": LAST, "username": USERNAME}
GROUP = -900


def names_found(url: str) -> list[str]:
    """Every text and JSON value of every table, decoded, searched for her names: where
    one is found, as "table.column"."""
    engine = make_engine(url)
    found = []
    with engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            for row in connection.execute(text(f'SELECT * FROM "{table}"')).mappings():
                for column, value in row.items():
                    if any(name in _readable(value) for name in (FIRST, LAST, USERNAME)):
                        found.append(f"{table}.{column}")
    engine.dispose()
    return sorted(set(found))


def _readable(value: object) -> str:
    """A stored value as a person would read it: JSON decoded (SQLite keeps "\\u00eb")."""
    if isinstance(value, bytes | memoryview):
        value = bytes(value).decode("utf-8", "replace")
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    return json.dumps(value, ensure_ascii=False, default=str)


async def test_after_an_erasure_her_name_is_nowhere_in_the_database(api, database_url):
    """Bob sees Maëlle among the respondents and presses a button under her name; in a group
    she writes and Bob answers her; she erases her data: no table holds her name any more."""
    evaluated_partnership(database_url, ours=(BOB,), theirs=(ALICE,), name="Alliance Emploi")
    async with running_bot(api, database_url) as running:
        private = {"id": ALICE, "type": "private", "first_name": FIRST, "last_name": LAST}
        help_ = {"message_id": 1, "from": HER, "chat": private, "date": 1, "text": "/aide"}
        help_["entities"] = [{"type": "bot_command", "offset": 0, "length": 5}]
        api.send_update({"message": help_})
        await api.wait_for(lambda a: a.messages(ALICE))
        # In a group: her own message, and Bob's answer quoting it, naming her username.
        chat = {"id": GROUP, "type": "group", "title": "Comité"}
        said = {"message_id": 1, "from": HER, "chat": chat, "date": 1, "text": "Bonjour"}
        api.send_update({"message": said})
        bob = {"id": BOB, "is_bot": False, "first_name": "Bob"}
        answer = {"message_id": 2, "from": bob, "chat": chat, "date": 2}
        answer["text"] = f"Bienvenue @{USERNAME}"
        api.send_update({"message": answer | {"reply_to_message": said}})
        # Bob's evaluation screen lists her, text and keyboard; he presses under her name.
        api.send_text(BOB, "/evaluation", first_name="Bob")
        await api.wait_for(lambda a: any(FIRST in m for m in a.messages(BOB)))
        toggle = next(d for row in api.last_keyboard(BOB) for t, d in row if FIRST in t)
        api.press(BOB, toggle, first_name="Bob")
        await api.wait_for(lambda a: "☐ " + FIRST in str(a.last_keyboard(BOB)))
        await api.wait_for(lambda a: _all_handled(database_url))
        assert {"inbound.payload", "outbox.payload"} <= set(names_found(database_url))

        api.send_text(ALICE, "/supprimer", first_name=FIRST, last_name=LAST)
        await api.wait_for(lambda a: a.last_keyboard(ALICE))
        erase = next(d for row in api.last_keyboard(ALICE) for t, d in row if t.startswith("Eff"))
        api.press(ALICE, erase, first_name=FIRST, last_name=LAST)
        await api.wait_for(lambda a: "Vos données sont effacées" in "".join(a.messages(ALICE)))
        await api.wait_for(lambda a: _all_handled(database_url))
        assert running.errors == []
    assert names_found(database_url) == []


def _all_handled(url: str) -> bool:
    """Every kept update handled and every message sent: nothing left to change the rows."""
    engine = make_engine(url)
    with session_scope(engine) as db:
        waiting = db.exec(select(Inbound.key).where(Inbound.handled_at.is_(None))).first()
        pending = db.exec(select(OutboxMessage.id).where(OutboxMessage.status == "pending"))
        done = waiting is None and pending.first() is None
    engine.dispose()
    return done
