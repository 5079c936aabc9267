"""The dashboard's test data is what its tests say it is: every step of the method, each
light the rules give, the alerts a coordinator must see, and an organisation apart."""

from __future__ import annotations

from collections import Counter

from sqlmodel import select

from flows.lifecycle import STAGES
from storage.db import make_engine, session_scope
from storage.models import CheckInRound, GeneratedDocument, Partnership
from tests.bot.web.browser import NOW
from tests.bot.web.seed import NOT_ASSESSED, seed, seed_many


def test_a_dozen_partnerships_in_every_state_the_dashboard_shows(sqlite_url):
    seeded = seed(sqlite_url, NOW)
    assert len(seeded.partnerships) == 12
    assert set(STAGES) <= set(seeded.stages.values())
    # Computed by the real rules at NOW; the one made since is not assessed yet.
    assert seeded.lights == {
        "diagnosis": NOT_ASSESSED,
        "dialogue": "green",
        "stalled": "red",
        "content": "amber",
        "formalisation": "green",
        "green": "green",
        "red_dimension": "red",
        "diverging": "amber",
        "late": "amber",
        "ending": "amber",
        "ended": "green",
        "steering": "amber",
    }
    signals = {(a.partnership, a.signal): a.state for a in seeded.alerts}
    assert signals[("red_dimension", "dimension_red")] == "seen"
    assert signals[("diverging", "perceptions_diverging")] == "handled"
    assert signals[("late", "round_late")] == "new"
    assert signals[("ending", "convention_ending")] == "new"
    engine = make_engine(sqlite_url)
    with session_scope(engine) as db:
        ours = db.exec(
            select(Partnership.id).where(Partnership.our_organisation_id == seeded.organisation)
        ).all()
        files = db.exec(select(GeneratedDocument.file_name, GeneratedDocument.content)).all()
        rounds = Counter(db.exec(select(CheckInRound.status)).all())
    engine.dispose()
    assert sorted(ours) == sorted(seeded.partnerships.values())
    assert not set(seeded.others.values()) & set(ours)
    # Real Word files, built by the use case the bot calls.
    assert len(files) == 4 and all(name.endswith(".docx") for name, _ in files)
    assert all(content.startswith(b"PK") for _, content in files)
    assert rounds["open"] == 1 and rounds["closed"] >= 15


def test_many_partnerships_with_up_to_twelve_rounds(sqlite_url):
    many = seed_many(sqlite_url, 60, NOW)
    assert len(many.partnerships) == 60
    engine = make_engine(sqlite_url)
    with session_scope(engine) as db:
        twelve = db.exec(
            select(CheckInRound.id).where(CheckInRound.partnership_id == many.twelve_rounds)
        ).all()
    engine.dispose()
    assert len(twelve) == 12 and many.rounds >= 12
