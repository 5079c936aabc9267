"""Step 7 through the real command and the fake Bot API, moving time with --at: rounds at
their due date, both organisations asked, reminders, closing, the report, the decision."""

from __future__ import annotations

from datetime import date, datetime

from bot.services import Actor, Services, checkins
from storage.db import make_engine
from tests.bot.checkins import (
    DAY,
    SIGNED,
    at,
    evaluated_partnership,
    rounds_of,
    run_checkins,
    stage_of,
)
from tests.bot.client import Client
from tests.bot.conftest import running_bot
from tests.bot.services.conventions import walk

OURS, THEIRS = (101, 102), (201, 202)
EVERYONE = OURS + THEIRS
FIRST_PULSE = SIGNED + 6 * 7 * DAY  # six weeks after signature, 9:00 in Paris


def invitations(api, chat: int) -> list:
    """The invitations and reminders a person got (not the alert of a round late, issue 19,
    which names the check-in too)."""
    return [
        c
        for c in api.calls_of("sendMessage", chat)
        if ("Point d’étape" in (c.text or "") or "Rappel" in (c.text or ""))
        and "Alerte" not in (c.text or "")
    ]


def answer(service: Client, chat: int, round_id: int, plan: dict) -> None:
    """A respondent presses Start in their invitation, then answers."""
    who = Actor(f"tg:{chat}", "fr")
    service.run(who, checkins.answer, round_id, None)
    walk(service, who, plan)


PULSE_ANSWERS = {
    q: "4"
    for q in (
        "performance",
        "coherence",
        "efficiency",
        "relevance",
        "societal_contribution",
        "value_exchange",
        "steering",
        "clarity",
        "meaning",
    )
}
PULSE_ANSWERS |= {"difficulty": "skip"}
RATED_IN_REVIEW = (
    "actions_done",
    "means_in_place",
    "framing",
    "steering",
    "communication",
    "evaluation",
    "objectives_own",
    "objectives_common",
    "coherence",
)
TEXTS_IN_REVIEW = ("identity", "genesis", "strengths", "weaknesses", "expectations", "story")
REVIEW_ANSWERS = {q: "4" for q in RATED_IN_REVIEW} | {q: "skip" for q in TEXTS_IN_REVIEW}


def later(day) -> datetime:
    """The cron run a minute after that day's 9:00: the round opened at 9:00 and a few
    tenths of a second (the time its process took to start), so a run at 9:00 sharp may
    come just before its +3 or +7 days."""
    return at(day, minute=1)


async def test_a_round_opens_at_its_due_date_reminds_and_closes(api, sqlite_url):
    pid = evaluated_partnership(sqlite_url, ours=OURS, theirs=THEIRS)
    await run_checkins(api, sqlite_url, at(FIRST_PULSE, 8, 59))
    assert rounds_of(sqlite_url, pid) == []
    await run_checkins(api, sqlite_url, at(FIRST_PULSE))
    (round_,) = rounds_of(sqlite_url, pid)
    assert round_.kind == "pulse"
    # Every respondent of both organisations is asked, in a private chat, once.
    assert all(len(invitations(api, chat)) == 1 for chat in EVERYONE)
    assert "Alliance Emploi" in invitations(api, 201)[0].text
    service = Client(Services(make_engine(sqlite_url)))
    for chat in (101, 201):
        answer(service, chat, round_.id, PULSE_ANSWERS)
    # Day 3: only those who have not answered are reminded; running again changes nothing.
    said = [await run_checkins(api, sqlite_url, later(FIRST_PULSE + 3 * DAY)) for _ in range(2)]
    assert [len(invitations(api, chat)) for chat in EVERYONE] == [1, 2, 1, 2], said
    await run_checkins(api, sqlite_url, later(FIRST_PULSE + 7 * DAY))
    assert [len(invitations(api, chat)) for chat in EVERYONE] == [1, 3, 1, 3]
    # Day 13: still open; day 14: closed, and everyone gets the report with its chart.
    await run_checkins(api, sqlite_url, later(FIRST_PULSE + 13 * DAY))
    assert rounds_of(sqlite_url, pid)[0].status == "open"
    await run_checkins(api, sqlite_url, later(FIRST_PULSE + 14 * DAY))
    assert rounds_of(sqlite_url, pid)[0].status == "closed"
    for chat in EVERYONE:
        assert len(api.calls_of("sendPhoto", chat)) == 1
        assert any(
            "Résultats du point d’étape" in (c.text or "")
            for c in api.calls_of("sendMessage", chat)
        )


async def test_the_report_comes_as_soon_as_the_last_respondent_answers(api, sqlite_url):
    pid = evaluated_partnership(sqlite_url, ours=OURS, theirs=THEIRS)
    await run_checkins(api, sqlite_url, at(FIRST_PULSE))
    (round_,) = rounds_of(sqlite_url, pid)
    service = Client(Services(make_engine(sqlite_url)))
    for chat in EVERYONE[:-1]:
        answer(service, chat, round_.id, PULSE_ANSWERS)
    assert rounds_of(sqlite_url, pid)[0].status == "open"
    # The last one answers on Telegram, from the invitation's button.
    async with running_bot(api, sqlite_url) as running:
        last = EVERYONE[-1]
        await tap(api, last, "Commencer")
        await api.wait_for(lambda a: _shows(a, last, ":performance:4"))
        api.send_text(last, "1 trop lent")
        for question in PULSE_ANSWERS:
            if question not in ("performance", "difficulty"):
                await tap(api, last, ":4", question)
        await tap(api, last, "Passer", "difficulty")
        for chat in EVERYONE:
            await api.wait_for(lambda a, chat=chat: a.calls_of("sendPhoto", chat), timeout=20)
            await api.wait_for(lambda a, chat=chat: "trop lent" in _last_text(a, chat))
        assert running.errors == []
    # One live message, as in every questionnaire: the first question and the one after the
    # typed answer came as messages, each press turned its message into the next question.
    asked = [c for c in api.calls_of("sendMessage", last) if "Question " in (c.text or "")]
    edited = [c for c in api.calls_of("editMessageText", last) if "Question " in (c.text or "")]
    assert len(asked) == 2 and len(edited) == len(PULSE_ANSWERS) - 2
    assert rounds_of(sqlite_url, pid)[0].status == "closed"
    summary = _last_text(api, 101)
    assert "Alliance Emploi" in summary and "Performance" in summary
    assert "Performance (Boulangeries Martin) : trop lent" in summary


def _shows(api, chat: int, data_part: str) -> str | None:
    """The data of a button of the chat's last keyboard containing `data_part`."""
    for row in api.last_keyboard(chat):
        for label, data in row:
            if data_part in (data or "") or label == data_part:
                return data
    return None


async def tap(api, chat: int, button: str, question: str | None = None) -> None:
    """Presses a button of the chat's last keyboard, once it shows (for that question)."""
    wanted = f":{question}{button}" if question and button.startswith(":") else button

    def ready(a):
        data = _shows(a, chat, wanted)
        return data if data and (question is None or f":{question}" in data) else None

    api.press(chat, await api.wait_for(ready))


def _last_text(api, chat: int) -> str:
    texts = [c.text or "" for c in api.calls_of("sendMessage", chat)]
    return texts[-1] if texts else ""


async def test_a_full_review_decision_moves_the_stage(api, sqlite_url):
    pid = evaluated_partnership(sqlite_url, ours=OURS, theirs=THEIRS)
    service = Client(Services(make_engine(sqlite_url)))
    owner = Actor("tg:101", "fr")
    start = service.button(pid, "round", "review")
    service.partnership_button(owner, start, 1)
    review = next(r for r in rounds_of(sqlite_url, pid) if r.kind == "review")
    for chat in EVERYONE:
        answer(service, chat, review.id, REVIEW_ANSWERS | {"decision": "Renouveler"})
    stage, moves = stage_of(sqlite_url, pid)
    # Both organisations proposed to renew: into evaluation, then renewed, with its history.
    assert stage == "implementation"
    assert moves[-2:] == [("advance", "evaluation"), ("renew", "implementation")]


def final_invitations(api, chat: int) -> list:
    return [c for c in api.calls_of("sendMessage", chat) if "Évaluation finale" in (c.text or "")]


async def test_the_final_evaluation_falls_due_on_the_end_date_once_and_its_decision_ends_it(
    api, sqlite_url
):
    end = date(2027, 12, 15)
    pid = evaluated_partnership(sqlite_url, ours=OURS, theirs=THEIRS, end=end)
    # The last minute before: the check-ins due before it are caught up, not the final one.
    await run_checkins(api, sqlite_url, at(end, 8, 59))
    assert not any(r.final for r in rounds_of(sqlite_url, pid))
    assert all(final_invitations(api, chat) == [] for chat in EVERYONE)
    # 9:00 on the end date: the final evaluation, a full review, asked of both organisations.
    await run_checkins(api, sqlite_url, at(end))
    (final,) = [r for r in rounds_of(sqlite_url, pid) if r.final]
    assert final.kind == "review" and final.due_at == at(end)
    # Run again the same day, and the next: nobody is asked twice.
    await run_checkins(api, sqlite_url, later(end))
    await run_checkins(api, sqlite_url, later(end + DAY))
    assert [len(final_invitations(api, chat)) for chat in EVERYONE] == [1, 1, 1, 1]
    assert [r.id for r in rounds_of(sqlite_url, pid) if r.final] == [final.id]
    assert "la convention arrive à son terme" in final_invitations(api, 201)[0].text
    # Starting it says what it is; its questions are the full review's, decision included.
    service = Client(Services(make_engine(sqlite_url)))
    started = service.run(Actor("tg:101", "fr"), checkins.answer, final.id, None)
    assert "Évaluation finale" in started.messages[0].text
    walk(service, Actor("tg:101", "fr"), REVIEW_ANSWERS | {"decision": "Arrêter"})
    for chat in THEIRS:
        answer(service, chat, final.id, REVIEW_ANSWERS | {"decision": "Arrêter"})
    # Closed after its 14 days, by the dispatcher: everyone reads the final evaluation's
    # report, and both organisations' proposal ends the partnership.
    await run_checkins(api, sqlite_url, later(end + 14 * DAY))
    for chat in EVERYONE:
        texts = [c.text or "" for c in api.calls_of("sendMessage", chat)]
        assert any("Résultats de l’évaluation finale" in t for t in texts), chat
    stage, moves = stage_of(sqlite_url, pid)
    assert stage == "ended" and moves[-1] == ("end", "ended")


async def test_a_rhythm_set_in_followup_moves_the_check_ins(api, sqlite_url):
    pid = evaluated_partnership(sqlite_url, ours=OURS, theirs=THEIRS)
    end = date(2027, 12, 15)
    owner = Actor("tg:101", "fr")
    service = Client(Services(make_engine(sqlite_url), clock=lambda: at(SIGNED + DAY)))
    service.followup(owner)
    walk(
        service,
        owner,
        {
            "steering_committee": "Non",
            "end_date": end.strftime("%d/%m/%Y"),
            "keep_rhythm": "Non",
            "first_checkin": "4",
            "review_before_end": "4",
            "yearly_review": "Non",
            "reporting_tools": [1],
            "communication_plan": "Une lettre par trimestre",
            "actions": "skip",
        },
    )
    # Four weeks after signature, not six: the first check-in opens.
    await run_checkins(api, sqlite_url, at(SIGNED + 27 * DAY))
    assert rounds_of(sqlite_url, pid) == []
    await run_checkins(api, sqlite_url, at(SIGNED + 28 * DAY))
    (pulse,) = rounds_of(sqlite_url, pid)
    assert pulse.kind == "pulse" and pulse.due_at == at(SIGNED + 28 * DAY)
    # The full review four weeks before the end, none a year after signature.
    await run_checkins(api, sqlite_url, at(end - 28 * DAY))
    reviews = [r for r in rounds_of(sqlite_url, pid) if r.kind == "review"]
    assert [r.due_at for r in reviews] == [at(end - 28 * DAY)]
