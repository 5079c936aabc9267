"""The pulse asks the guide's fifth evaluation word, contribution sociétale (issue 18): asked,
kept, reported to both organisations and exported like the others; a round answered before
it was asked shows it as not answered, never as a zero."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import select

from bot.callback_data import parse
from bot.documents.evaluation import CHART_HEIGHT, CHART_WIDTH, evaluation_chart
from bot.exporting import export
from bot.services import Actor, Services, checkins, questionnaires
from bot.services.results import RoundReport
from bot.views.evaluation import round_report_screen
from flows.evaluation import build_report, overall_scores
from knowledge import load_questionnaire
from storage import checkins as store
from storage.db import make_engine, session_scope
from storage.models import CheckInRound, FlowSession
from tests.bot.checkins import DAY, SIGNED, at, evaluated_partnership, rounds_of
from tests.bot.client import Client
from tests.bot.services.conventions import running, walk

OWNER = Actor("tg:101", "fr")
NOW = at(SIGNED + 10 * DAY)
NEW = "societal_contribution"
DIMENSIONS = ("performance", "coherence", "efficiency", "relevance", NEW)
DIMENSIONS += ("value_exchange", "steering", "clarity", "meaning")
# Ours scores the new dimension 5 and 4, the partner 2 and 3: 4,5 against 2,5, a gap to discuss.
SCORES = {101: "5", 102: "4", 201: "2", 202: "3"}


@pytest.fixture
def setting(sqlite_url):
    pid = evaluated_partnership(sqlite_url)
    engine = make_engine(sqlite_url)
    # A round started by hand a month after the first: one round per moment.
    moments = iter([NOW, NOW + 30 * DAY])
    now = [NOW]
    service = Client(Services(engine, clock=lambda: now[0]))
    service.later = lambda: now.__setitem__(0, next(moments))
    yield service, pid, sqlite_url
    engine.dispose()


def text_of(reply) -> str:
    screens = [*reply.messages, *([reply.edit] if reply.edit else [])]
    return "\n".join(s.text for s in screens)


def answer_round(service: Client, round_id: int):
    """Everyone answers the pulse, 4 everywhere but the new dimension; returns the report
    each chat receives when the last answer closes the round, and the files sent with it."""
    last = None
    for chat, score in SCORES.items():
        who = Actor(f"tg:{chat}", "fr")
        service.run(who, checkins.answer, round_id, None)
        plan = dict.fromkeys(DIMENSIONS, "4") | {NEW: score}
        walk(service, who, plan, until="difficulty")
        run = running(service, who)
        last = service.services.run(
            who, questionnaires.press, parse(f"v1:s:{run.id}:difficulty"), None
        )
    reports, files = {}, []
    for delivery in last.deliveries:
        reply = service.presenter.reply_in(delivery.language, delivery.views, delivery.documents)
        reports[int(delivery.external_id.removeprefix("tg:"))] = text_of(reply)
        files += service.files(reply)
    return reports, files


def start_pulse(service: Client, pid: int, url: str) -> CheckInRound:
    service.later()
    service.partnership_button(OWNER, service.button(pid, "round", "pulse"), 1)
    return next(r for r in rounds_of(url, pid) if r.status == "open")


def test_the_pulse_asks_the_societal_contribution_keeps_it_and_reports_it(setting):
    service, pid, url = setting
    round_ = start_pulse(service, pid, url)
    contact = Actor("tg:201", "fr")
    started = text_of(service.run(contact, checkins.answer, round_.id, None))
    assert "9 questions rapides" in started
    walk(service, contact, dict.fromkeys(DIMENSIONS, "4"), until=NEW)
    # Taken up at the new question: its prompt, its place in the questionnaire, its scores.
    asked = service.run(contact, checkins.answer, round_.id, None)
    assert "conforte-t-il la place de votre structure dans son écosystème" in text_of(asked)
    assert "5/10" in text_of(asked)
    scores = [b.data.rsplit(":", 1)[1] for row in asked.messages[-1].buttons for b in row]
    assert {"1", "2", "3", "4", "5"} <= set(scores)
    service.cancel(contact)

    reports, _ = answer_round(service, round_.id)

    engine = make_engine(url)
    with session_scope(engine) as db:
        kept = dict(store.answers_of(db, round_id=round_.id))
        closed = db.get(CheckInRound, round_.id)
        assert closed.status == "closed"
        assert sorted(a[NEW]["score"] for a in kept.values()) == [2, 3, 4, 5], kept
        assert closed.summary["scores"][NEW] == 3.5
        # Each organisation's average is kept too: health compares them round to round.
        assert closed.summary["sides"] == {
            "ours": dict.fromkeys(DIMENSIONS, 4.0) | {NEW: 4.5},
            "partner": dict.fromkeys(DIMENSIONS, 4.0) | {NEW: 2.5},
        }
    engine.dispose()
    assert set(reports) == set(SCORES)
    # Each organisation reads its own score first; the gap of 2 points is flagged.
    assert "Contribution sociétale — 4,5 / 2,5 ⚠" in reports[101]
    assert "Contribution sociétale — 2,5 / 4,5 ⚠" in reports[201]
    assert "Le partenariat conforte-t-il la place" in reports[101]  # to discuss together


def kept_before_the_question(url: str, round_id: int) -> None:
    """Makes a closed round look as it was kept before the question existed: no answer and
    no score for it."""
    engine = make_engine(url)
    with session_scope(engine) as db:
        kept = db.get(CheckInRound, round_id)
        scores = {k: v for k, v in kept.summary["scores"].items() if k != NEW}
        kept.summary = {**kept.summary, "scores": scores}
        flag_modified(kept, "summary")
        for session in db.exec(select(FlowSession).where(FlowSession.round_id == round_id)):
            answers = {k: v for k, v in session.state["answers"].items() if k != NEW}
            session.state = {**session.state, "answers": answers}
            flag_modified(session, "state")
    engine.dispose()


def test_a_round_kept_before_the_question_leaves_the_next_one_without_trend_for_it(setting):
    """The next round reports the new dimension with no trend, the others with theirs, and
    its chart is drawn."""
    service, pid, url = setting
    old = start_pulse(service, pid, url)
    answer_round(service, old.id)
    kept_before_the_question(url, old.id)

    new = start_pulse(service, pid, url)
    reports, charts = answer_round(service, new.id)

    lines = {line.split(" — ")[0][2:]: line for line in reports[101].splitlines() if " — " in line}
    assert lines["Performance"].endswith("4,0 / 4,0 →")
    assert lines["Contribution sociétale"].endswith("4,5 / 2,5 ⚠")  # no arrow: nothing before
    assert "0,0" not in reports[101]
    # The chart of the new round, with its trend over both rounds, is drawn and sent.
    (chart,) = {content for name, content in charts if name.endswith(".png")}
    assert Image.open(io.BytesIO(chart)).size == (CHART_WIDTH, CHART_HEIGHT)


def test_an_export_lists_the_new_score_only_where_it_was_given(setting, tmp_path):
    service, pid, url = setting
    old = start_pulse(service, pid, url)
    answer_round(service, old.id)
    kept_before_the_question(url, old.id)
    new = start_pulse(service, pid, url)
    answer_round(service, new.id)
    engine = make_engine(url)

    export(engine, form="csv", out=tmp_path / "tables", partnership_id=pid)
    scores = (tmp_path / "tables" / "scores.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(scores)))
    given = {(r["round_id"], r["side"], r["dimension"]): r["score"] for r in rows}
    # Each organisation's own score: 4,5 against 2,5.
    assert given[(str(new.id), "ours", NEW)] == "4.5"
    assert given[(str(new.id), "partner", NEW)] == "2.5"
    # Not answered then: no row, not a zero.
    assert not [key for key in given if key[0] == str(old.id) and key[2] == NEW]
    assert given[(str(old.id), "ours", "performance")] == "4"

    export(engine, form="xlsx", out=tmp_path / "out.xlsx", partnership_id=pid)
    sheet = load_workbook(tmp_path / "out.xlsx", read_only=True)["scores"]
    header, *values = sheet.iter_rows(values_only=True)
    dimensions = [(row[header.index("round_id")], row[header.index("dimension")]) for row in values]
    assert (new.id, NEW) in dimensions and (old.id, NEW) not in dimensions
    engine.dispose()


def test_answers_given_before_the_question_read_not_answered_on_the_screen_and_chart():
    """A round still open when the question came: its earlier answers lack the dimension."""
    pulse = load_questionnaire("pulse")
    before = {q: {"score": 4} for q in DIMENSIONS if q != NEW} | {"difficulty": None}
    answers = {"ours": [before], "partner": [before]}
    report = build_report(pulse, answers, invited={"ours": 1, "partner": 1})
    (missing,) = [d for d in report.dimensions if d.question.id == NEW]
    assert (missing.ours, missing.partner, missing.overall, missing.light) == (None,) * 4
    assert NEW not in overall_scores(report) and overall_scores(report)["performance"] == 4
    names = ("Association Rebond", "Boulangeries Martin")
    shown = RoundReport(report, "Alliance Emploi", names, date(2027, 3, 1), "member")
    text = round_report_screen(shown, "fr").text
    assert "⚪ Contribution sociétale — – / –" in text and "🟢 Performance — 4,0 / 4,0" in text
    english = round_report_screen(shown, "en").text
    assert "⚪ Societal contribution — – / –" in english
    chart = evaluation_chart(
        report,
        partnership="Alliance Emploi",
        ours=names[0],
        partner=names[1],
        round_date=date(2027, 3, 1),
    )
    assert Image.open(io.BytesIO(chart)).size == (CHART_WIDTH, CHART_HEIGHT)
