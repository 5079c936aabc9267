"""Retention: what `alliance privacy purge` removes, on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
import subprocess
import sys
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import select

from storage import personal, repository
from storage.db import session_scope
from storage.models import FlowSession, GeneratedDocument, User, utcnow


def test_purge_removes_what_passed_its_retention_and_nothing_else(engine):
    long_ago = utcnow() - timedelta(days=400)
    with session_scope(engine) as db:
        idle = repository.get_or_create_user(db, external_id="tg:1", language="fr", name="Idle")
        member = repository.get_or_create_user(db, external_id="tg:2", language="fr")
        active = repository.get_or_create_user(db, external_id="tg:3", language="fr")
        repository.create_partnership(db, user=member, name="P", our_organisation="Asso")
        for user in (idle, active):
            repository.start_flow_session(db, user_id=user.id, flow="diagnostic", state={})
        old_file = personal.add_personal_file(db, user=member, file_name="a.json", content=b"{}")
        new_file = personal.add_personal_file(db, user=member, file_name="b.json", content=b"{}")
        db.flush()
        ids = idle.id, member.id, active.id, old_file.id, new_file.id
        db.execute(update(User).values(created_at=long_ago))
        db.execute(
            update(FlowSession).where(FlowSession.user_id == idle.id).values(updated_at=long_ago)
        )
        db.execute(
            update(GeneratedDocument)
            .where(GeneratedDocument.id == old_file.id)
            .values(created_at=long_ago)
        )
    removed = personal.purge(engine, before=utcnow() - timedelta(days=365))
    assert removed["people"] == 1 and removed["files"] == 1
    with session_scope(engine) as db:
        idle_id, member_id, active_id, old_id, new_id = ids
        assert db.get(User, idle_id).external_id == f"erased:{idle_id}"
        assert db.get(User, idle_id).display_name is None
        assert db.get(User, member_id).external_id == "tg:2"
        assert db.get(User, active_id).external_id == "tg:3"
        assert db.get(GeneratedDocument, old_id) is None
        assert db.get(GeneratedDocument, new_id) is not None


def test_purge_command_needs_a_number_of_days(sqlite_url):
    def purge(days: str):
        return subprocess.run(
            [sys.executable, "-m", "bot.cli", "privacy", "purge", "--older-than", days],
            env={"DATABASE_URL": sqlite_url, "PATH": ""},
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert purge("0").returncode == 2
    done = purge("30")
    assert done.returncode == 0, done.stderr
    assert "Removed: 0 person(s)" in done.stdout


def _message(update_id: int, sender: int, chat: int) -> dict:
    return {
        "update_id": update_id,
        "message": {"from": {"id": sender, "first_name": "Awa"}, "chat": {"id": chat}},
    }


def test_an_erasure_forgets_the_persons_kept_updates_wherever_they_wrote(engine):
    from storage import delivery
    from storage.models import Inbound

    person, other = 501, 502
    kept = [
        delivery.Input("tg:1", _message(1, person, person), chat_id=person, seq=1),
        delivery.Input("tg:2", _message(2, person, -77), chat_id=-77, seq=2),  # in a group
        delivery.Input("tg:3", _message(3, person, person), chat_id=None, seq=3),  # kept before
        delivery.Input("tg:4", _message(4, other, other), chat_id=other, seq=4),
        delivery.Input("tg:5", _message(5, other, -77), chat_id=-77, seq=5),
    ]
    with session_scope(engine) as db:
        delivery.store_inbound(db, items=kept, at=utcnow())
        user = repository.get_or_create_user(db, external_id=f"tg:{person}", language="fr")
    with session_scope(engine) as db:
        user = db.get(User, user.id)
        personal.erase(db, user=user, chat_id=person, at=utcnow())
    with session_scope(engine) as db:
        left = sorted(db.exec(select(Inbound.key)).all())
    assert left == ["tg:4", "tg:5"]


def _erased_in(engine, *, name: str, telegram_id: int, outbox: list[dict], inbound: list):
    """Stores the messages and updates, erases the person, returns what remains of them."""
    from storage import delivery
    from storage.models import Inbound, OutboxMessage

    with session_scope(engine) as db:
        delivery.add_outbox(db, messages=outbox, at=utcnow())
        delivery.store_inbound(db, items=inbound, at=utcnow())
        user = repository.get_or_create_user(
            db, external_id=f"tg:{telegram_id}", language="fr", name=name
        )
    with session_scope(engine) as db:
        personal.erase(db, user=db.get(User, user.id), chat_id=telegram_id, at=utcnow())
    with session_scope(engine) as db:
        messages = db.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        updates = db.exec(select(Inbound).order_by(Inbound.key)).all()
        return [m.payload for m in messages], {u.key: u.payload for u in updates}


def test_her_name_leaves_the_messages_sent_to_others_as_a_whole_word(engine):
    """Her exact name goes, as the text shows it (HTML-escaped) and as a button cuts it;
    a longer word or another name that begins like hers stays. Waiting messages too."""
    name = "Anne-Sophie O'Brien de la Roche-Guyon-Montmorency"
    cut = name[:40]
    sent = [
        {"text": "☑ Anne-Sophie O&#39;Brien de la Roche-Guyon-Montmorency — Rebond"},
        {"text": "Réunion", "reply_markup": {"inline_keyboard": [[{"text": f"☑ {cut}"}]]}},
        {"text": "Anne-Sophie O'Brien de la Roche-Guyon-Montmorencyville, autre"},
        {"text": "Anne-Sophie et Marc"},
    ]
    outbox = [
        {"chat_id": 800, "kind": "send", "payload": payload, "status": status}
        for payload, status in zip(sent, ("sent", "pending", "sent", "sent"), strict=True)
    ]
    messages, _ = _erased_in(engine, name=name, telegram_id=501, outbox=outbox, inbound=[])
    assert messages == [
        {"text": "☑ (personne supprimée) — Rebond"},
        {
            "text": "Réunion",
            "reply_markup": {"inline_keyboard": [[{"text": "☑ (personne supprimée)"}]]},
        },
        sent[2],
        sent[3],
    ]


def test_updates_of_other_chats_lose_her_name_username_and_id(engine):
    from storage import delivery

    her = {"id": 501, "is_bot": False, "first_name": "Maëlle", "last_name": "Q", "username": "mq"}
    bob = {"id": 502, "is_bot": False, "first_name": "Bob"}
    said = {"message_id": 1, "from": her, "chat": {"id": -77}, "text": "Bonjour"}
    answer = {"message_id": 2, "from": bob, "chat": {"id": -77}, "reply_to_message": said}
    screen = {"message_id": 3, "chat": {"id": 502}, "text": "☑ Maëlle Q — Rebond"}
    press = {"id": "9", "from": bob, "message": screen, "data": "v1:p"}
    inbound = [
        delivery.Input("tg:1", {"update_id": 1, "message": said}, chat_id=-77, seq=1),
        delivery.Input("tg:2", {"update_id": 2, "message": answer}, chat_id=-77, seq=2),
        delivery.Input("tg:3", {"update_id": 3, "callback_query": press}, chat_id=502, seq=3),
        delivery.Input("tg:4", {"update_id": 4, "message": {"from": bob, "text": "Maëlle Qu"}}),
    ]
    _, updates = _erased_in(engine, name="Maëlle Q", telegram_id=501, outbox=[], inbound=inbound)
    # Her own group message goes; Bob's answer keeps his words, not her.
    assert set(updates) == {"tg:2", "tg:3", "tg:4"}
    quoted = updates["tg:2"]["message"]["reply_to_message"]
    assert quoted["from"] == {"id": 0, "is_bot": False, "first_name": "(personne supprimée)"}
    assert quoted["text"] == "Bonjour"
    shown = updates["tg:3"]["callback_query"]["message"]["text"]
    assert shown == "☑ (personne supprimée) — Rebond"
    assert updates["tg:4"]["message"]["text"] == "Maëlle Qu"


def test_a_purge_works_in_short_transactions_between_which_the_bot_writes(database_url):
    """`alliance privacy purge` with more expired rows than a batch: each batch, and each
    person, is a transaction of its own, and another connection writes between them; it
    removes everything expired, keeps the rest, and run again removes nothing."""
    from sqlalchemy import event, func, insert
    from sqlalchemy.orm import Session

    from bot.cli import purge_personal_data
    from bot.settings import Settings
    from storage.db import make_engine
    from storage.models import Inbound, OutboxMessage

    long_ago, now = utcnow() - timedelta(days=400), utcnow()
    expired = 2 * personal.PURGE_BATCH + 1
    engine = make_engine(database_url)
    with engine.begin() as db:
        db.execute(insert(Inbound), [_kept(f"tg:{i}", long_ago) for i in range(expired)])
        db.execute(insert(Inbound), [_kept("tg:new", now)])
        db.execute(insert(OutboxMessage), [_sent(long_ago) for _ in range(expired)] + [_sent(now)])
    with session_scope(engine) as db:
        for chat in (11, 12, 13):
            repository.get_or_create_user(db, external_id=f"tg:{chat}", language="fr", name="X")
        db.flush()
        db.execute(update(User).values(created_at=long_ago))

    written, keys = [], itertools.count()

    def the_bot_writes(session) -> None:
        # Another connection saves an update at once: no transaction of the purge is open.
        with engine.begin() as other:
            other.execute(insert(Inbound), [_kept(f"bot:{next(keys)}", now)])
        written.append(session)

    def purge() -> dict[str, int]:
        event.listen(Session, "after_commit", the_bot_writes)
        try:
            settings = Settings(_env_file=None, database_url=database_url)
            assert purge_personal_data(settings, 365) == 0
        finally:
            event.remove(Session, "after_commit", the_bot_writes)
        with session_scope(engine) as db:
            return {
                "updates": db.exec(select(func.count()).select_from(Inbound)).one(),
                "messages": db.exec(select(func.count()).select_from(OutboxMessage)).one(),
                "people": db.exec(select(func.count()).where(User.external_id.like("tg:%"))).one(),
            }

    left = purge()
    # 3 people, 3 batches of updates, 3 of messages, 1 (empty) of personal files.
    assert len(written) >= 10
    assert left == {"updates": 1 + len(written), "messages": 1, "people": 0}
    written.clear()
    again = purge()
    assert again == {"updates": left["updates"] + len(written), "messages": 1, "people": 0}
    engine.dispose()


def _kept(key: str, at) -> dict:
    return {"key": key, "payload": {"update_id": 1}, "received_at": at, "handled_at": at}


def _sent(at) -> dict:
    return {
        "chat_id": 900,
        "kind": "send",
        "payload": {"text": "x"},
        "status": "sent",
        "attempts": 1,
        "next_attempt_at": at,
        "created_at": at,
    }
