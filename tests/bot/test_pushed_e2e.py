"""Each health signal of issue 19 from its real cause, with time moved, on SQLite and
PostgreSQL: the dispatcher (the one `alliance checkins run` and the bot run, `dispatch_once`
with a clock) raises its alert at the right moment and not before, records its message once
for each member of both organisations and the coordinators, and clears it when the cause is
resolved. The first test runs the real command (`--at`) against the fake Bot API on
PostgreSQL, for the whole chain to Telegram, the weekly digest included."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlmodel import select

from bot.callback_data import partnership_button
from bot.scheduler import Dispatched, dispatch_once
from bot.services import Actor, Core, Services
from bot.views import Presenter
from storage import repository
from storage.db import make_engine, session_scope
from storage.models import Alert, Coordinator, Membership, Organisation, Partnership, User
from tests.bot.checkins import DAY, SIGNED, at, evaluated_partnership, rounds_of, run_checkins
from tests.bot.client import Client
from tests.bot.pushed import outbox_texts
from tests.bot.test_checkins_e2e import PULSE_ANSWERS, answer

OURS, THEIRS, COORDINATOR = (101, 102), (201,), 401
PEOPLE = (101, 102, 201, COORDINATOR)
FIRST_PULSE = SIGNED + 6 * 7 * DAY  # 26/02/2027, 9:00 in Paris
SECOND_PULSE = date(2027, 4, 15)
THIRD_PULSE = date(2027, 7, 15)


class Timeline:
    """The dispatcher and the people of one partnership, at a time the test moves."""

    def __init__(self, url: str, *, partner_answers: bool = True, **seed):
        self.url = url
        self.pid = evaluated_partnership(url, ours=OURS, theirs=THEIRS, **seed)
        _organisations(url, self.pid, partner_answers)
        self.now = at(SIGNED)
        self.engine = make_engine(url)
        # The clock in UTC, as the processes' (the moments are said in Paris time).
        self.services = Services(
            self.engine, Core("Europe/Paris"), clock=lambda: self.now.astimezone(UTC)
        )
        self.presenter = Presenter(self.services.core.zone, invitation_link=str)
        self.client = Client(self.services)

    def run(self, moment: datetime) -> Dispatched:
        self.now = moment
        return dispatch_once(self.services, self.presenter)

    def alerts(self, signal: str) -> list[Alert]:
        with session_scope(self.engine) as db:
            rows = db.exec(
                select(Alert).where(Alert.partnership_id == self.pid, Alert.signal == signal)
            ).all()
            for row in rows:
                db.expunge(row)
        return list(rows)

    def messages(self, title: str) -> dict[int, int]:
        """How many alert messages with that title each person got."""
        found = outbox_texts(self.url)
        return {chat: sum(title in t for t in found.get(chat, [])) for chat in PEOPLE}

    def answer_round(self, moment: datetime, scores: dict[int, str]) -> None:
        """Respondents answer the open round at `moment`, each with their score everywhere
        (`scores`: chat -> "1".."5")."""
        self.now = moment
        open_round = [r for r in rounds_of(self.url, self.pid) if r.status == "open"][-1]
        for chat, score in scores.items():
            plan = {q: score for q in PULSE_ANSWERS} | {"difficulty": "skip"}
            answer(self.client, chat, open_round.id, plan)

    def press(self, chat: int, action: str, arg=None):
        with session_scope(self.engine) as db:
            revision = db.get(Partnership, self.pid).revision
        data = partnership_button(self.pid, revision, action, arg)
        return self.client.partnership_button(Actor(f"tg:{chat}", "fr"), data, 9)

    def raised_once(self, signal: str, title: str, before: datetime, moment: datetime) -> Alert:
        """Nothing at `before`; at `moment` the alert, its message once to everyone; nothing
        more a minute later."""
        self.run(before)
        assert self.alerts(signal) == [], f"{signal} raised before {moment}"
        self.run(moment)
        (alert,) = self.alerts(signal)
        assert alert.state == "new" and alert.notified_at is not None
        self.run(moment + timedelta(minutes=1))
        assert len(self.alerts(signal)) == 1
        assert self.messages(title) == dict.fromkeys(PEOPLE, 1)
        return alert

    def cleared(self, signal: str, moment: datetime) -> None:
        self.run(moment)
        assert [a.state for a in self.alerts(signal)] == ["cleared"]

    def close(self) -> None:
        self.engine.dispose()


def _organisations(url: str, pid: int, partner_answers: bool) -> None:
    """The partnership joins two organisations; 401 coordinates ours. Without
    `partner_answers`, the partner's contact answers no check-in: no round runs."""
    engine = make_engine(url)
    with session_scope(engine) as db:
        ours, theirs = Organisation(name="Association Rebond"), Organisation(name="Martin")
        db.add_all([ours, theirs])
        db.flush()
        partnership = db.get(Partnership, pid)
        partnership.our_organisation_id, partnership.partner_organisation_id = ours.id, theirs.id
        user = repository.get_or_create_user(db, external_id=f"tg:{COORDINATOR}", language="fr")
        db.add(Coordinator(organisation_id=ours.id, user_id=user.id))
        if not partner_answers:
            for membership in db.exec(select(Membership).where(Membership.role == "partner")):
                membership.respondent = False
                db.add(membership)
    engine.dispose()


def paris(day: date, hour: int = 0, minute: int = 0) -> datetime:
    return at(day, hour, minute)


# -- through the real command and the fake Bot API ---------------------------------------------


async def test_no_steering_meeting_for_twice_the_rhythm_on_telegram_then_the_digest(
    api, clean_postgres_url
):
    """Quarterly steering from the signature on 15/01/2027: after six months with no
    meeting, the alert; on the next Monday 9:00, the coordinator's digest; a meeting held
    clears it."""
    line = Timeline(clean_postgres_url, partner_answers=False)
    try:
        due = paris(date(2027, 7, 15))
        said = await run_checkins(api, clean_postgres_url, due - timedelta(minutes=1))
        assert "0 alert(s) sent" in said, said

        said = await run_checkins(api, clean_postgres_url, due + timedelta(minutes=1))
        assert "1 alert(s) raised" in said and "1 alert(s) sent" in said, said
        for chat in PEOPLE:
            texts = [c.text for c in api.calls_of("sendMessage", chat)]
            assert sum("Pas de réunion de pilotage" in t for t in texts) == 1, (chat, texts)
        alert_text = next(c for c in api.calls_of("sendMessage", 101) if "Alerte" in (c.text or ""))
        assert "Fixez la prochaine réunion de pilotage" in alert_text.text
        markup = str(alert_text.params.get("reply_markup"))
        assert "Vue" in markup and "Traitée" in markup
        # The coordinator reads it: the guide's card, no buttons to change it.
        coordinator_text = next(
            c for c in api.calls_of("sendMessage", COORDINATOR) if "Alerte" in (c.text or "")
        )
        assert "Traitée" not in str(coordinator_text.params.get("reply_markup"))
        assert "Ouvrir la fiche du guide" in str(coordinator_text.params.get("reply_markup"))

        # 15/07/2027 is a Thursday: the digest of that week went with the alert's run; the
        # next comes on Monday 19/07 at 9:00, not at 8:59, and once.
        assert _digests(api) == 1
        await run_checkins(api, clean_postgres_url, paris(date(2027, 7, 19), 8, 59))
        assert _digests(api) == 1
        for _ in range(2):
            said = await run_checkins(api, clean_postgres_url, paris(date(2027, 7, 19), 9))
        assert _digests(api) == 2
        digest = [
            c.text
            for c in api.calls_of("sendMessage", COORDINATOR)
            if "Vos partenariats" in (c.text or "")
        ]
        assert "Alliance Emploi" in digest[-1] and "Pas de réunion de pilotage" in digest[-1]
        assert "orange" in digest[-1] or "rouge" in digest[-1]

        # A member records the meeting held today: the next run clears the alert.
        line.now = paris(date(2027, 7, 20), 10)
        asked = line.press(101, "steer")
        assert "Quand s’est-elle tenue ?" in asked.edit.text
        line.press(101, "steered", "d0")
        said = await run_checkins(api, clean_postgres_url, paris(date(2027, 7, 20), 10, 5))
        assert "1 cleared" in said, said
        assert [a.state for a in line.alerts("steering_missing")] == ["cleared"]
    finally:
        line.close()


def _digests(api) -> int:
    return sum(
        "Vos partenariats" in (c.text or "") for c in api.calls_of("sendMessage", COORDINATOR)
    )


# -- the other signals, the dispatcher run in process -------------------------------------------


def test_a_check_in_late_then_answered(database_url):
    line = Timeline(database_url)
    try:
        line.run(at(FIRST_PULSE, minute=1))
        late = at(FIRST_PULSE + 7 * DAY)
        line.raised_once(
            "round_late",
            "Point d’étape en retard",
            late - timedelta(minutes=1),
            late + timedelta(minutes=1),
        )
        line.answer_round(late + timedelta(hours=1), {101: "4", 102: "4", 201: "4"})
        line.cleared("round_late", late + timedelta(hours=2))
    finally:
        line.close()


def test_a_check_in_answered_by_one_organisation_only(database_url):
    line = Timeline(database_url)
    try:
        line.run(at(FIRST_PULSE, minute=1))
        line.answer_round(at(FIRST_PULSE + DAY), {101: "4", 102: "4"})
        closing = at(FIRST_PULSE, minute=1) + 14 * DAY
        # The round closes at 14 days: the signal comes with its closing, not before.
        line.raised_once(
            "round_one_side",
            "Une seule organisation a répondu",
            closing - timedelta(minutes=2),
            closing + timedelta(minutes=1),
        )
        # The next round, answered by both, clears it.
        line.run(at(SECOND_PULSE, minute=1))
        line.answer_round(at(SECOND_PULSE, 10), {101: "4", 102: "4", 201: "4"})
        line.cleared("round_one_side", at(SECOND_PULSE, 11))
    finally:
        line.close()


def test_a_dimension_turning_red(database_url):
    line = Timeline(database_url)
    try:
        line.run(at(FIRST_PULSE, minute=1))
        line.answer_round(at(FIRST_PULSE, 10), {101: "2", 102: "2"})
        # Red on both sides' average; the last answer closes the round, the next run raises.
        line.run(at(FIRST_PULSE, 11))
        assert line.alerts("dimension_red") == []
        line.answer_round(at(FIRST_PULSE, 12), {201: "2"})
        alerts = _raised(line, "dimension_red", at(FIRST_PULSE, 12, 1))
        assert alerts >= 1
        assert line.messages("Une dimension passe au rouge")[101] == alerts
        line.run(at(SECOND_PULSE, minute=1))
        line.answer_round(at(SECOND_PULSE, 10), {101: "4", 102: "4", 201: "4"})
        line.run(at(SECOND_PULSE, 11))
        assert {a.state for a in line.alerts("dimension_red")} == {"cleared"}
    finally:
        line.close()


def test_a_dimension_dropping_then_declining_two_rounds_running(database_url):
    line = Timeline(database_url)
    try:
        for day, score in ((FIRST_PULSE, "5"), (SECOND_PULSE, "4")):
            line.run(at(day, minute=1))
            assert line.alerts("dimension_drop") == []
            line.answer_round(at(day, 10), {101: score, 102: score, 201: score})
        line.run(at(SECOND_PULSE, 11))
        drops = line.alerts("dimension_drop")
        assert drops and all(a.state == "new" for a in drops)
        assert line.alerts("dimension_declining") == []
        line.run(at(THIRD_PULSE, minute=1))
        line.answer_round(at(THIRD_PULSE, 10), {101: "3", 102: "3", 201: "3"})
        line.run(at(THIRD_PULSE, 11))
        declining = line.alerts("dimension_declining")
        assert declining and line.messages("Une dimension")[201] >= len(declining)
        # Sent once each: a later run adds nothing.
        sent = outbox_texts(database_url)
        line.run(at(THIRD_PULSE, 12))
        assert outbox_texts(database_url) == sent
    finally:
        line.close()


def test_perceptions_diverging_two_rounds_running(database_url):
    line = Timeline(database_url)
    try:
        line.run(at(FIRST_PULSE, minute=1))
        line.answer_round(at(FIRST_PULSE, 10), {101: "5", 102: "5", 201: "2"})
        line.run(at(FIRST_PULSE, 11))
        assert line.alerts("perceptions_diverging") == []
        line.run(at(SECOND_PULSE, minute=1))
        line.answer_round(at(SECOND_PULSE, 10), {101: "5", 102: "5", 201: "2"})
        line.run(at(SECOND_PULSE, 11))
        diverging = line.alerts("perceptions_diverging")
        assert diverging and {a.state for a in diverging} == {"new"}
        assert all(n >= 1 for n in line.messages("Alerte").values())
        line.run(at(THIRD_PULSE, minute=1))
        line.answer_round(at(THIRD_PULSE, 10), {101: "4", 102: "4", 201: "4"})
        line.run(at(THIRD_PULSE, 11))
        assert {a.state for a in line.alerts("perceptions_diverging")} == {"cleared"}
    finally:
        line.close()


def test_the_agreement_ending_within_90_days_with_no_decision(database_url):
    end = date(2027, 12, 31)
    line = Timeline(database_url, partner_answers=False, end=end)
    try:
        warn = paris(end) - timedelta(days=90)
        line.raised_once(
            "convention_ending",
            "La convention arrive à échéance sans décision",
            warn - timedelta(minutes=1),
            warn + timedelta(minutes=1),
        )
        # A decision: the members end the partnership from its card.
        with session_scope(line.engine) as db:
            partnership = db.get(Partnership, line.pid)
            partnership.stage = "evaluation"
            db.add(partnership)
        line.now = warn + DAY
        line.press(101, "end")
        line.cleared("convention_ending", warn + DAY + timedelta(minutes=1))
    finally:
        line.close()


def test_respondents_of_one_organisation_unreachable(database_url):
    line = Timeline(database_url)
    try:
        moment = at(SIGNED + 20 * DAY)
        line.run(moment)
        assert line.alerts("side_unreachable") == []
        # Telegram refused a message to the partner's only contact: they blocked the bot.
        with session_scope(line.engine) as db:
            user = db.exec(select(User).where(User.external_id == "tg:201")).one()
            user.unreachable_at = moment
            db.add(user)
        line.run(moment + timedelta(minutes=1))
        (alert,) = line.alerts("side_unreachable")
        found = line.messages("Alerte")
        # Everyone but the one who cannot be reached.
        assert (found[101], found[102], found[COORDINATOR], found[201]) == (1, 1, 1, 0)
        line.run(moment + timedelta(minutes=2))
        assert line.messages("Alerte") == found
        # They write to the bot again.
        line.now = moment + timedelta(hours=1)
        line.client.start(Actor("tg:201", "fr"))
        line.cleared("side_unreachable", moment + timedelta(hours=2))
    finally:
        line.close()


def test_signing_taking_much_longer_than_the_guide_says(database_url):
    line = Timeline(database_url, partner_answers=False)
    # Nine months in the same time of year (CET): the threshold falls at 10:00 in Paris.
    first_contact = paris(date(2027, 2, 1), 10)
    try:
        with session_scope(line.engine) as db:
            partnership = db.get(Partnership, line.pid)
            partnership.stage = "dialogue"
            partnership.followup = {}
            db.add(partnership)
            repository.record_move(
                db, partnership=partnership, user_id=None, trigger="back", dest="dialogue"
            )
        _date_moves(line, first_contact)
        amber = paris(date(2027, 11, 1), 10)  # nine months
        alert = line.raised_once(
            "stage_long",
            "La signature se fait attendre",
            amber - timedelta(minutes=1),
            amber + timedelta(minutes=1),
        )
        assert alert.level == "amber"
        # Later it turns red: the same alert, not a second one.
        line.run(paris(date(2028, 6, 1)))
        (alert,) = line.alerts("stage_long")
        assert alert.level == "red"
        assert line.messages("La signature se fait attendre")[101] == 1
        # Signed at last.
        with session_scope(line.engine) as db:
            partnership = db.get(Partnership, line.pid)
            repository.record_move(
                db, partnership=partnership, user_id=None, trigger="advance", dest="implementation"
            )
        line.cleared("stage_long", paris(date(2028, 6, 2)))
    finally:
        line.close()


def _date_moves(line: Timeline, moment: datetime) -> None:
    from storage.models import StageMove

    with session_scope(line.engine) as db:
        for move in db.exec(select(StageMove).where(StageMove.partnership_id == line.pid)):
            move.moved_at = moment
            db.add(move)


def _raised(line: Timeline, signal: str, moment: datetime) -> int:
    line.run(moment)
    alerts = line.alerts(signal)
    assert alerts and all(a.notified_at is not None for a in alerts)
    return len(alerts)
