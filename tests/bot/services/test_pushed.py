"""What the dispatcher pushes (`scheduler.push` with a clock), from alerts and health as the
health rules leave them, on SQLite and PostgreSQL: who receives an alert, once; Seen and
Handled, and who may press them; the digest on Monday 9:00, most urgent first, within one
message; two dispatchers at once. tests/bot/test_pushed_e2e.py raises them from real causes."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.callback_data import parse_partnership, partnership_button
from bot.scheduler import push
from bot.services import Actor, Core, Services, buttons
from bot.views import Presenter
from storage import alerts as alerts_store
from storage import health as health_store
from storage.db import make_engine, session_scope
from storage.models import Alert
from tests.bot import pushed
from tests.bot.client import Client
from tests.bot.threads import at_once

PARIS = ZoneInfo("Europe/Paris")
MONDAY = date(2027, 3, 1)
assert MONDAY.weekday() == 0


def paris(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


def dispatcher(url: str, moment: datetime):
    engine = make_engine(url)
    services = Services(engine, Core("Europe/Paris"), clock=lambda: moment)
    return engine, services, Presenter(services.core.zone, invitation_link=str)


def dispatch(url: str, moment: datetime):
    engine, services, presenter = dispatcher(url, moment)
    try:
        return push(services, presenter)
    finally:
        engine.dispose()


def two_organisations(url: str, **people) -> tuple[int, int, int]:
    ours = pushed.organisation(url, "Association Rebond")
    theirs = pushed.organisation(url, "Boulangeries Martin")
    pid = pushed.partnership(url, name="Alliance Emploi", ours=ours, theirs=theirs, **people)
    return ours, theirs, pid


PEOPLE = dict(members=(101, 102), contacts=(201,), observers=(301,))


def test_a_new_alert_goes_once_to_both_organisations_and_their_coordinators(database_url):
    ours, theirs, pid = two_organisations(database_url, **PEOPLE)
    pushed.coordinator(database_url, 401, ours)
    pushed.coordinator(database_url, 402, theirs)
    # A coordinator of another organisation hears nothing of it.
    pushed.coordinator(database_url, 403, pushed.organisation(database_url, "Ailleurs"))
    aid = pushed.alert(database_url, pid, "steering_missing", level="red")
    # Monday 8:00: no digest due yet, only the alert.
    moment = paris(MONDAY, 8)

    done = dispatch(database_url, moment)

    assert done.alerts == 1
    texts = pushed.outbox_texts(database_url)
    assert sorted(texts) == [101, 102, 201, 301, 401, 402]
    for chat in (101, 201, 401):
        (text,) = texts[chat]
        assert "Alerte — Alliance Emploi" in text and "rouge" in text
        assert "Pas de réunion de pilotage" in text
        assert "Fixez la prochaine réunion de pilotage" in text
    assert pushed.alert_row(database_url, aid).notified_at is not None
    # Again, and later: nothing more.
    assert dispatch(database_url, moment + timedelta(minutes=30)).alerts == 0
    assert sum(map(len, pushed.outbox_texts(database_url).values())) == 6


def test_an_alert_cleared_or_handled_before_its_message_is_not_sent(database_url):
    _ours, _theirs, pid = two_organisations(database_url, **PEOPLE)
    pushed.alert(database_url, pid, "round_late", state="cleared")
    pushed.alert(database_url, pid, "round_one_side", state="handled")
    assert dispatch(database_url, paris(MONDAY, 8)).alerts == 0
    assert pushed.outbox_texts(database_url) == {}


def test_seen_and_handled_by_a_member_not_by_an_observer_a_coordinator_or_a_forgery(
    database_url,
):
    ours, theirs, pid = two_organisations(database_url, **PEOPLE)
    pushed.coordinator(database_url, 401, ours)
    other = pushed.partnership(
        database_url, name="Autre", ours=theirs, theirs=ours, members=(501,), contacts=(502,)
    )
    aid = pushed.alert(database_url, pid, "perceptions_diverging", level="amber")
    foreign = pushed.alert(database_url, other, "perceptions_diverging", level="amber")
    engine = make_engine(database_url)
    client = Client(Services(engine, Core("Europe/Paris"), clock=lambda: paris(MONDAY, 10)))

    def press(chat: int, action: str, alert_id: int, on: int = pid):
        who = Actor(f"tg:{chat}", "fr")
        button = parse_partnership(partnership_button(on, 0, action, alert_id))
        return client.run(who, buttons.press, button, 7)

    try:
        assert "ne le permet pas" in press(301, "handled", aid).notice  # observer
        # A coordinator reads, and acts on nothing by default.
        assert press(401, "handled", aid).edit is None
        # Another partnership's alert through this partnership's button, and a partnership
        # the presser does not belong to: nothing changes.
        press(101, "handled", foreign)
        press(101, "handled", foreign, on=other)
        assert pushed.alert_row(database_url, foreign).state == "new"
        assert pushed.alert_row(database_url, aid).state == "new"

        seen = press(201, "seen", aid)  # the partner's contact
        assert "Marquée comme vue" in seen.edit.text
        assert [b.label for row in seen.edit.buttons for b in row][-1] == "Traitée"
        handled = press(102, "handled", aid)
        assert "Marquée comme traitée" in handled.edit.text
        row = pushed.alert_row(database_url, aid)
        assert (row.state, row.handled_by is not None, row.seen_at is not None) == (
            "handled",
            True,
            True,
        )
        assert press(101, "handled", aid).notice  # again: "already noted"
    finally:
        engine.dispose()


def test_the_digest_comes_on_monday_at_nine_and_not_before_nor_twice(database_url):
    ours, theirs, pid = two_organisations(database_url, members=(101,), contacts=(201,))
    pushed.coordinator(database_url, 401, ours)
    pushed.coordinator(database_url, 402, ours, theirs)
    # Monday morning: last week's digest is over, this week's not due yet.
    for moment in (paris(MONDAY, 0, 30), paris(MONDAY, 8, 59)):
        assert dispatch(database_url, moment).digests == 0
    assert pushed.outbox_texts(database_url) == {}

    assert dispatch(database_url, paris(MONDAY, 9)).digests == 2
    for moment in (paris(MONDAY, 9, 1), paris(MONDAY + timedelta(days=6), 23)):
        assert dispatch(database_url, moment).digests == 0
    texts = pushed.outbox_texts(database_url)
    assert sorted(texts) == [401, 402]
    assert "Alliance Emploi" in texts[401][0] and "01/03/2027" in texts[401][0]
    # Down all Monday: the next week's digest comes on Tuesday, once.
    assert dispatch(database_url, paris(MONDAY + timedelta(days=8), 7)).digests == 2
    assert dispatch(database_url, paris(MONDAY + timedelta(days=8), 8)).digests == 0


def test_the_digest_puts_red_first_then_amber_then_green_and_fits_one_message(database_url):
    ours = pushed.organisation(database_url, "Fédération")
    theirs = pushed.organisation(database_url, "Partenaire")
    pushed.coordinator(database_url, 401, ours)
    lights = ["green", "amber", "red", None] * 15
    for index, light in enumerate(lights):
        pid = pushed.partnership(
            database_url, name=f"P{index:03}", ours=ours, theirs=theirs, members=(1000 + index,)
        )
        if light == "red":
            pushed.health(database_url, pid, "red", {"signal": "dimension_red", "level": "red"})
        elif light == "amber":
            pushed.health(database_url, pid, "amber", {"signal": "round_late", "level": "amber"})
        elif light == "green":
            pushed.health(database_url, pid, "green")
    dispatch(database_url, paris(MONDAY, 9))
    (text,) = pushed.outbox_texts(database_url)[401]
    assert len(text) <= 4096
    assert text.index("🔴") < text.index("🟠") < text.index("🟢")
    assert "Une dimension passe au rouge" in text
    assert "/partenariats" in text and "… et " in text


def test_two_dispatchers_at_once_send_each_alert_and_digest_once(database_url):
    ours, theirs, _ = two_organisations(database_url, members=(101,), contacts=(201,))
    pids = [
        pushed.partnership(database_url, name=f"P{i}", ours=ours, theirs=theirs, members=(110 + i,))
        for i in range(30)
    ]
    for pid in pids:
        pushed.alert(database_url, pid, "stage_long")
    for chat in range(600, 640):
        pushed.coordinator(database_url, chat, ours)
    moment = paris(MONDAY, 9, 30)
    done = at_once(lambda: dispatch(database_url, moment), lambda: dispatch(database_url, moment))
    assert sum(d.alerts for d in done) == 30
    assert sum(d.digests for d in done) == 40
    texts = pushed.outbox_texts(database_url)
    # Each partnership's member once, each coordinator its digest once and 30 alerts.
    for pid_index in range(30):
        assert len(texts[110 + pid_index]) == 1
    for chat in range(600, 640):
        assert sum("Vos partenariats" in t for t in texts[chat]) == 1
        assert len(texts[chat]) == 31


def test_a_press_does_not_write_over_an_alert_cleared_since_it_was_read(database_url):
    """Seen pressed while a health refresh clears the alert: the conditional update leaves
    it cleared (it would be open again, its cause gone, with a plain write)."""
    ours = pushed.organisation(database_url, "Fédération")
    theirs = pushed.organisation(database_url, "Partenaire")
    pid = pushed.partnership(database_url, name="P", ours=ours, theirs=theirs, members=(1,))
    aid = pushed.alert(database_url, pid, "round_late")
    moment = paris(MONDAY, 10)
    engine = make_engine(database_url)
    with session_scope(engine) as press:
        assert press.get(Alert, aid).state == "new"
        with session_scope(engine) as refresh:
            assert health_store.clear_alerts(refresh, alert_ids=[aid], at=moment) == [aid]
        assert not alerts_store.mark(press, alert_id=aid, state="seen", at=moment, user_id=1)
    engine.dispose()
    assert pushed.alert_row(database_url, aid).state == "cleared"
