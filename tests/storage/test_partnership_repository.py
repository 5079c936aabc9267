"""Partnership repository functions on SQLite and PostgreSQL: access, history, versions."""

from datetime import timedelta

from storage import repository
from storage.db import session_scope
from storage.models import utcnow


def make(engine, external_id="tg:1"):
    with session_scope(engine) as db:
        user = repository.get_or_create_user(db, external_id=external_id, language="fr")
        partnership = repository.create_partnership(
            db, user=user, name="Alliance", our_organisation="Rebond", territory="Lyon"
        )
        return user.id, partnership.id


def test_only_members_find_a_partnership(engine):
    owner, pid = make(engine)
    stranger, _other = make(engine, "tg:2")
    with session_scope(engine) as db:
        found = repository.partnership_for(db, user_id=owner, partnership_id=pid)
        assert found[0].name == "Alliance" and found[1] == "member"
        assert repository.partnership_for(db, user_id=stranger, partnership_id=pid) is None
        assert [p.id for p, _ in repository.partnerships_of(db, user_id=owner)] == [pid]
        user = repository.get_or_create_user(db, external_id="tg:1", language="fr")
        assert user.active_partnership_id == pid


def test_stage_moves_keep_their_history(engine):
    owner, pid = make(engine)
    with session_scope(engine) as db:
        partnership, _ = repository.partnership_for(db, user_id=owner, partnership_id=pid)
        repository.record_move(
            db, partnership=partnership, user_id=owner, trigger="advance", dest="dialogue"
        )
        repository.record_move(
            db, partnership=partnership, user_id=owner, trigger="back", dest="diagnosis"
        )
    with session_scope(engine) as db:
        history = repository.stage_history(db, partnership_id=pid)
    assert [(m.trigger, m.source, m.dest, m.user_id) for m in history] == [
        ("advance", "diagnosis", "dialogue", owner),
        ("back", "dialogue", "diagnosis", owner),
    ]


def test_documents_are_versioned_and_only_members_get_them(engine):
    owner, pid = make(engine)
    stranger, _ = make(engine, "tg:2")
    with session_scope(engine) as db:
        for content in (b"one", b"two"):
            repository.add_document(
                db,
                partnership_id=pid,
                kind="convention",
                file_name="c.docx",
                content=content,
                created_by=owner,
            )
    with session_scope(engine) as db:
        documents = repository.documents_of(db, partnership_id=pid)
        assert [(d.version, d.content) for d in documents] == [(2, b"two"), (1, b"one")]
        newest = documents[0].id
        assert repository.document_for(db, document_id=newest, user_id=owner).content == b"two"
        assert repository.document_for(db, document_id=newest, user_id=stranger) is None


def test_invitations_are_found_by_hash_used_and_revoked(engine):
    owner, pid = make(engine)
    guest, _ = make(engine, "tg:3")
    now = utcnow()
    with session_scope(engine) as db:
        for token_hash in ("a" * 64, "b" * 64):
            repository.create_invitation(
                db,
                partnership_id=pid,
                role="partner",
                token_hash=token_hash,
                created_by=owner,
                expires_at=now + timedelta(days=7),
            )
    with session_scope(engine) as db:
        invitation = repository.invitation_by_hash(db, token_hash="a" * 64)
        repository.use_invitation(db, invitation=invitation, user_id=guest, at=now)
        still_open = repository.open_invitations(db, partnership_id=pid)
        assert [i.token_hash for i in still_open] == ["b" * 64]
        repository.revoke_invitation(db, invitation=still_open[0], at=now)
    with session_scope(engine) as db:
        assert repository.invitation_by_hash(db, token_hash="a" * 64).used_by == guest
        assert repository.invitation_by_hash(db, token_hash="b" * 64).revoked_at is not None
        assert repository.invitation_by_hash(db, token_hash="c" * 64) is None
