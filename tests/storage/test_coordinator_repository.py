"""Coordinator repository functions on SQLite and PostgreSQL: who coordinates what, and the
partnerships a coordinator reaches (either side of one of their organisations, nothing else)."""

from storage import organisations, repository
from storage.db import session_scope
from storage.models import Organisation


def organisation(db, name):
    row = Organisation(name=name)
    db.add(row)
    db.flush()
    return row.id


def test_a_coordinator_reaches_both_sides_of_their_organisations_and_nothing_else(engine):
    with session_scope(engine) as db:
        owner = repository.get_or_create_user(db, external_id="tg:1", language="fr")
        follower = repository.get_or_create_user(db, external_id="tg:2", language="en")
        rebond, acme, other = (organisation(db, n) for n in ("Rebond", "Acme", "Autre"))

        def partnership(ours, theirs):
            return repository.create_partnership(
                db,
                user=owner,
                name="P",
                our_organisation="x",
                our_organisation_id=ours,
                partner_organisation_id=theirs,
            ).id

        ours, theirs, elsewhere = (
            partnership(rebond, acme),
            partnership(acme, rebond),
            partnership(other, acme),
        )
        assert organisations.add_coordinator(
            db, organisation_id=rebond, user_id=follower.id, invited_by=owner.id
        )
        # Joining again (another link) changes nothing.
        assert not organisations.add_coordinator(
            db, organisation_id=rebond, user_id=follower.id, invited_by=owner.id
        )
        ids = (follower.id, owner.id)

    with session_scope(engine) as db:
        follower_id, owner_id = ids
        assert organisations.organisations_coordinated_by(db, user_id=follower_id) == [rebond]
        assert organisations.organisations_coordinated_by(db, user_id=owner_id) == []
        reached = organisations.coordinated_partnerships(db, user_id=follower_id)
        assert [p.id for p in reached] == [ours, theirs]
        assert organisations.coordinated_partnership(db, user_id=follower_id, partnership_id=ours)
        assert organisations.coordinated_partnership(db, user_id=follower_id, partnership_id=theirs)
        for pid in (elsewhere, None, 10_000):
            found = organisations.coordinated_partnership(
                db, user_id=follower_id, partnership_id=pid
            )
            assert found is None
        assert (
            organisations.coordinated_partnership(db, user_id=owner_id, partnership_id=ours) is None
        )
