"""A coordinator's /partenariats as a use case: which partnerships, in which order, how late,
and how many are left out of one message; on SQLite and PostgreSQL."""

from datetime import UTC

from bot.services import Actor, Core, Services, coordinators
from bot.services.results import FollowedList
from storage import checkins as store
from storage import organisations, repository
from storage.db import make_engine, session_scope
from storage.models import Organisation, PartnershipHealth
from tests.bot.checkins import DAY, SIGNED, at

# In UTC: SQLite keeps a time without its offset (until the aware column type lands).
NOW = at(SIGNED + 40 * DAY).astimezone(UTC)
FOLLOWER = Actor("tg:501", "fr")


def seed(engine, count: int) -> dict[str, int]:
    """`count` partnerships of Rebond (the first in implementation with a round 10 days late,
    every third red, every third amber, the rest never assessed) and one of another
    organisation, red, that the coordinator must not see."""
    with session_scope(engine) as db:
        rebond, other = Organisation(name="Rebond"), Organisation(name="Autre")
        db.add_all([rebond, other])
        db.flush()
        owner = repository.get_or_create_user(db, external_id="tg:500", language="fr")
        follower = repository.get_or_create_user(
            db, external_id=FOLLOWER.external_id, language="fr"
        )
        organisations.add_coordinator(
            db, organisation_id=rebond.id, user_id=follower.id, invited_by=None
        )
        ids = []
        for index in range(count):
            p = repository.create_partnership(
                db,
                user=owner,
                name=f"P{index:02d}",
                our_organisation="Rebond",
                our_organisation_id=rebond.id,
            )
            db.flush()
            ids.append(p.id)
            light = ("red", "amber", None)[index % 3]
            if light:
                reason = {"signal": "round_late", "level": light}
                db.add(PartnershipHealth(partnership_id=p.id, light=light, reasons=[reason]))
        late = db.get(type(p), ids[0])
        late.stage = "implementation"
        late.followup = {"signature_date": SIGNED.isoformat()}
        store.insert_rounds(
            db,
            rows=[
                {
                    "partnership_id": ids[0],
                    "kind": "pulse",
                    "due_at": NOW - 10 * DAY,
                    "origin": "schedule",
                    "opened_at": NOW - 10 * DAY,
                }
            ],
        )
        foreign = repository.create_partnership(
            db, user=owner, name="Ailleurs", our_organisation="Autre", our_organisation_id=other.id
        )
        db.flush()
        db.add(PartnershipHealth(partnership_id=foreign.id, light="red", reasons=[]))
        return {"first": ids[0], "foreign": foreign.id}


def test_most_urgent_first_the_late_round_said_and_the_rest_counted(database_url):
    engine = make_engine(database_url)
    ids = seed(engine, 30)
    services = Services(engine, Core("Europe/Paris"), clock=lambda: NOW)

    result = services.run(FOLLOWER, coordinators.list_followed)

    listing = next(v for v in result.shown if isinstance(v, FollowedList))
    assert listing.organisations == ("Rebond",)
    assert len(listing.rows) == coordinators.SHOWN and listing.more == 30 - coordinators.SHOWN
    lights = [row.light for row in listing.rows]
    assert lights == ["red"] * 10 + ["amber"] * 10 + [None] * 5
    assert [row.partnership.name for row in listing.rows[:3]] == ["P00", "P03", "P06"]
    assert all(row.partnership.role == "coordinator" for row in listing.rows)
    assert ids["foreign"] not in {row.partnership.id for row in listing.rows}
    first = listing.rows[0]
    assert first.late_since == NOW - 10 * DAY
    assert first.reason.fr == "Point d’étape en retard"
    assert listing.rows[1].late_since is None and listing.rows[1].next_checkin is None
    engine.dispose()
