"""Steering meetings held, recorded from the partnership's card: two taps for today or
yesterday (in ALLIANCE_TIMEZONE), or another date and a note; the card shows the last one."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import select

from bot.callback_data import partnership_button
from bot.services import Actor, Core, Services
from storage.db import make_engine, session_scope
from storage.models import MeetingNote, Partnership
from tests.bot.checkins import evaluated_partnership
from tests.bot.client import Client
from tests.bot.services.conventions import walk

MEMBER, OBSERVER = Actor("tg:101", "fr"), Actor("tg:301", "fr")
# 23:30 in London on New Year's Eve is already 1 January in Paris.
NOW = datetime(2027, 12, 31, 23, 30, tzinfo=UTC)


def labels(screen) -> list[str]:
    return [button.label for row in screen.buttons for button in row]


def data_of(screen, label: str) -> str:
    return next(b.data for row in screen.buttons for b in row if b.label == label)


def meetings(url: str, pid: int) -> list[tuple[date, str]]:
    engine = make_engine(url)
    with session_scope(engine) as db:
        rows = db.exec(
            select(MeetingNote)
            .where(MeetingNote.partnership_id == pid, MeetingNote.kind == "steering")
            .order_by(MeetingNote.id)
        ).all()
        found = [(row.held_at.date(), row.text) for row in rows]
    engine.dispose()
    return found


def setup(sqlite_url):
    pid = evaluated_partnership(sqlite_url, ours=(101,), theirs=(201,))
    engine = make_engine(sqlite_url)
    with session_scope(engine) as db:
        from storage import repository

        observer = repository.get_or_create_user(db, external_id="tg:301", language="fr")
        repository.add_member(db, partnership_id=pid, user=observer, role="observer")
        revision = db.get(Partnership, pid).revision
    client = Client(Services(engine, Core("Europe/Paris"), clock=lambda: NOW))
    return pid, revision, engine, client


def test_held_today_in_two_taps_and_shown_on_the_card(sqlite_url):
    pid, revision, engine, client = setup(sqlite_url)
    try:
        card = client.partnership_button(MEMBER, partnership_button(pid, revision, "open"), 5)
        assert "Réunion de pilotage tenue" in labels(card.edit)
        asked = client.partnership_button(
            MEMBER, data_of(card.edit, "Réunion de pilotage tenue"), 5
        )
        assert "Quand s’est-elle tenue ?" in asked.edit.text
        today = data_of(asked.edit, "Aujourd’hui")
        done = client.partnership_button(MEMBER, today, 5)
        assert done.notice == "Réunion de pilotage notée."
        # On a line of its own, under the next check-in's.
        assert "\nDernière réunion de pilotage : 01/01/2028." in done.edit.text
        assert "Évaluation : " in done.edit.text
        assert meetings(sqlite_url, pid) == [(date(2028, 1, 1), "")]
        # The same button pressed again (a double tap) records nothing more.
        assert client.partnership_button(MEMBER, today, 5).edit is None
        assert len(meetings(sqlite_url, pid)) == 1
    finally:
        engine.dispose()


def test_another_date_with_a_note_and_the_latest_shown(sqlite_url):
    pid, revision, engine, client = setup(sqlite_url)
    try:
        asked = client.partnership_button(MEMBER, partnership_button(pid, revision, "steer"), 5)
        client.partnership_button(MEMBER, data_of(asked.edit, "Hier"), 5)
        asked = client.partnership_button(MEMBER, partnership_button(pid, revision, "steer"), 5)
        client.partnership_button(MEMBER, data_of(asked.edit, "Une autre date, une note…"), 5)
        walk(client, MEMBER, {"held_on": "15/11/2027", "note": "Budget 2028 validé"})
        assert meetings(sqlite_url, pid) == [
            (date(2027, 12, 31), ""),
            (date(2027, 11, 15), "Budget 2028 validé"),
        ]
        card = client.partnership_button(MEMBER, partnership_button(pid, revision, "open"), 5)
        assert "Dernière réunion de pilotage : 31/12/2027." in card.edit.text
    finally:
        engine.dispose()


def test_an_observer_has_no_button_and_a_forged_one_records_nothing(sqlite_url):
    pid, revision, engine, client = setup(sqlite_url)
    try:
        card = client.partnership_button(OBSERVER, partnership_button(pid, revision, "open"), 5)
        assert "Réunion de pilotage tenue" not in labels(card.edit)
        forged = partnership_button(pid, revision, "steered", "d0")
        assert "ne le permet pas" in client.partnership_button(OBSERVER, forged, 5).notice
        assert (
            client.partnership_button(
                MEMBER, partnership_button(pid, revision, "steered", "d9"), 5
            ).edit
            is None
        )
        assert meetings(sqlite_url, pid) == []
    finally:
        engine.dispose()
