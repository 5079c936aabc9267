"""Retention: what `alliance privacy purge` removes, on SQLite and PostgreSQL."""

from __future__ import annotations

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
    with session_scope(engine) as db:
        removed = personal.purge(db, before=utcnow() - timedelta(days=365))
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
