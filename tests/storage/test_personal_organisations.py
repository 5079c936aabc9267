"""An organisation's details name its representative, a person: /mesdonnees lists the
organisations the user named, and erasing them removes those nothing else uses, as the
partnerships only they belonged to go with the details their conventions typed."""

from __future__ import annotations

from sqlmodel import select

from storage import organisations, personal, repository
from storage.db import session_scope
from storage.models import Coordinator, Organisation, Partnership


def test_my_data_lists_the_organisations_i_named_with_their_representative(engine):
    with session_scope(engine) as db:
        me = repository.get_or_create_user(db, external_id="tg:1", language="fr")
        other = repository.get_or_create_user(db, external_id="tg:2", language="fr")
        organisations.create_organisation(
            db, name="Association Rebond", created_by=me.id, representative="Claire Durand"
        )
        organisations.create_organisation(
            db, name="Autre", created_by=other.id, representative="Marc Martin"
        )
        data = personal.collect(db, user=me)
    assert [(o["name"], o["representative"]) for o in data["organisations_created"]] == [
        ("Association Rebond", "Claire Durand")
    ]


def test_my_data_lists_the_organisations_i_follow_as_a_coordinator(engine):
    with session_scope(engine) as db:
        me = repository.get_or_create_user(db, external_id="tg:1", language="fr")
        other = repository.get_or_create_user(db, external_id="tg:2", language="fr")
        followed = organisations.create_organisation(db, name="Fédération", created_by=other.id)
        organisations.add_coordinator(
            db, organisation_id=followed.id, user_id=me.id, invited_by=other.id
        )
        mine, theirs = personal.collect(db, user=me), personal.collect(db, user=other)
    assert [o["organisation_id"] for o in mine["organisations_followed"]] == [followed.id]
    assert mine["organisations_followed"][0]["since"] is not None
    assert theirs["organisations_followed"] == []


def test_erasure_removes_the_organisations_nothing_else_uses(engine):
    with session_scope(engine) as db:
        me = repository.get_or_create_user(db, external_id="tg:1", language="fr")
        friend = repository.get_or_create_user(db, external_id="tg:2", language="fr")
        shared_org = organisations.create_organisation(
            db, name="Association Rebond", created_by=me.id, representative="Claire Durand"
        )
        alone_org = organisations.create_organisation(
            db, name="Boulangeries Martin", created_by=me.id, representative="Marc Martin"
        )
        followed = organisations.create_organisation(
            db, name="Fédération", created_by=me.id, representative="Awa Diallo"
        )
        friends_org = organisations.create_organisation(db, name="Mairie", created_by=friend.id)
        # A partnership shared with a friend names the first: it stays, with its details.
        shared = repository.create_partnership(
            db, user=me, name="Partagé", our_organisation="Association Rebond"
        )
        shared.our_organisation_id = shared_org.id
        repository.add_member(db, partnership_id=shared.id, user=friend, role="member")
        # One only I belong to names the second: both go.
        alone = repository.create_partnership(
            db, user=me, name="Seule", our_organisation="Boulangeries Martin"
        )
        alone.our_organisation_id = alone_org.id
        # The third is followed by my friend as its coordinator: it stays for them.
        db.add(Coordinator(organisation_id=followed.id, user_id=friend.id))
        # What I coordinate ends with me.
        db.add(Coordinator(organisation_id=friends_org.id, user_id=me.id))
        db.flush()
        ids = shared_org.id, alone_org.id, followed.id, friends_org.id, alone.id
        personal.erase(db, user=me, chat_id=None, at=shared.created_at)
    with session_scope(engine) as db:
        shared_id, alone_id, followed_id, friends_id, alone_pid = ids
        assert db.get(Organisation, shared_id).representative == "Claire Durand"
        assert db.get(Organisation, alone_id) is None and db.get(Partnership, alone_pid) is None
        assert db.get(Organisation, followed_id) is not None
        assert db.get(Organisation, friends_id) is not None
        kept = db.exec(select(Coordinator.user_id)).all()
        assert kept == [friend.id]
