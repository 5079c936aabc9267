"""Organisation queries on SQLite and PostgreSQL: which ones a user belongs to and may reuse,
and a rename reaching every partnership's name."""

from __future__ import annotations

from storage import organisations as store
from storage import repository
from storage.db import session_scope
from storage.models import Coordinator, Partnership

SIDES = {"our_roles": ("member", "observer"), "partner_roles": ("partner",)}


def test_a_user_belongs_to_their_side_and_may_reuse_what_they_see(engine):
    with session_scope(engine) as db:
        owner = repository.get_or_create_user(db, external_id="tg:1", language="fr")
        contact = repository.get_or_create_user(db, external_id="tg:2", language="fr")
        stranger = repository.get_or_create_user(db, external_id="tg:3", language="fr")
        ours = store.create_organisation(db, name="Association Rebond", created_by=owner.id)
        theirs = store.create_organisation(db, name="Boulangeries Martin", created_by=owner.id)
        followed = store.create_organisation(db, name="Fédération", created_by=stranger.id)
        unseen = store.create_organisation(db, name="Mairie", created_by=stranger.id)
        partnership = repository.create_partnership(
            db, user=owner, name="P", our_organisation=ours.name, partner_name=theirs.name
        )
        partnership.our_organisation_id, partnership.partner_organisation_id = ours.id, theirs.id
        repository.add_member(db, partnership_id=partnership.id, user=contact, role="partner")
        db.add(Coordinator(organisation_id=followed.id, user_id=contact.id))
        db.flush()

        def ids(found):
            return [o.id for o in found]

        assert ids(store.organisations_of_user(db, user_id=owner.id, **SIDES)) == [ours.id]
        assert ids(store.organisations_of_user(db, user_id=contact.id, **SIDES)) == [
            theirs.id,
            followed.id,
        ]
        # What they belong to first, then what they created or see in their partnerships.
        assert ids(store.organisations_known_to(db, user_id=contact.id, **SIDES)) == [
            theirs.id,
            followed.id,
            ours.id,
        ]
        assert ids(store.organisations_known_to(db, user_id=owner.id, **SIDES)) == [
            ours.id,
            theirs.id,
        ]
        assert unseen.id not in ids(store.organisations_known_to(db, user_id=contact.id, **SIDES))
        assert ids(store.organisations_known_to(db, user_id=stranger.id, **SIDES)) == [
            followed.id,
            unseen.id,
        ]


def test_a_rename_reaches_the_names_of_every_partnership_it_is_in(engine):
    with session_scope(engine) as db:
        owner = repository.get_or_create_user(db, external_id="tg:1", language="fr")
        rebond = store.create_organisation(db, name="Asociation Rebond", created_by=owner.id)
        other = store.create_organisation(db, name="Autre", created_by=owner.id)
        made = []
        for our, partner in ((rebond, other), (other, rebond), (other, None)):
            p = repository.create_partnership(
                db,
                user=owner,
                name="P",
                our_organisation=our.name,
                partner_name=partner.name if partner else None,
                our_organisation_id=our.id,
                partner_organisation_id=partner.id if partner else None,
            )
            made.append(p.id)
        db.flush()
        store.update_organisation(
            db, organisation=rebond, name=" Association Rebond ", seat="x" * 400
        )
        assert len(rebond.seat) == 300
    with session_scope(engine) as db:
        names = [
            (db.get(Partnership, pid).our_organisation, db.get(Partnership, pid).partner_name)
            for pid in made
        ]
    assert names == [
        ("Association Rebond", "Autre"),
        ("Autre", "Association Rebond"),
        ("Autre", None),
    ]
