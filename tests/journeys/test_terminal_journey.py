"""Persona A in the terminal: Rénov'Solidaire 93's president (`alliance console --user root`)
and ÉnerBat SAS's director (`--user karim`), each at a console of their own on one database,
walk the chain from the self-diagnosis to a pulse round answered by both, with answers of
several lines; cron moves time with `alliance checkins run --at`."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import timedelta

import pytest

from knowledge.loader import load_dialogue
from tests.bot.checkins import at
from tests.journeys.personas import RENOVATION
from tests.journeys.steps import KEEP, docx_text
from tests.journeys.story import _both_points_of_view as both_points_of_view
from tests.journeys.terminal import (
    Asked,
    Terminal,
    answer_questions,
    next_line,
    step_of,
)

PERSONA = RENOVATION
NAME = PERSONA.name
# The convention is left at this question by /annuler, and must resume there.
STOPPED_AT = "c_means"


@pytest.fixture
def consoles(sqlite_url, tmp_path):
    """Starts `alliance console --user NAME` processes on one SQLite file; all ended after."""
    started: list[Terminal] = []

    def start(name: str) -> Terminal:
        started.append(Terminal(name, sqlite_url, tmp_path))
        return started[-1]

    yield start
    for terminal in started:
        terminal.stop()


def no_repeats(record) -> None:
    assert not record.duplicates(), f"asked twice in {record.questionnaire}: {record.asked}"


def test_two_consoles_on_one_database_walk_the_chain(consoles, sqlite_url):
    """The story, chapter by chapter; each chapter checks what the person at the keyboard
    reads: the step on the card, no question asked twice, the files written."""
    root = consoles("root")
    chapter_1_the_association_diagnoses_itself_and_invites_the_company(root)
    karim = chapter_2_the_company_joins_by_invitation(consoles, root)
    chapter_3_dialogue_with_a_three_line_meeting_note(root)
    chapter_4_the_partner_chosen(root)
    chapter_5_the_convention_stopped_then_resumed(root)
    chapter_6_the_drafts_written_to_the_documents_folder(root)
    chapter_7_signed_then_implemented(root)
    chapter_8_cron_opens_the_pulse_both_answer_both_see_the_results(root, karim, sqlite_url)
    root.quit()
    karim.quit()
    for terminal in (root, karim):
        # Library logs stay out of the conversation, on both streams.
        for stream in (terminal.output, terminal.stderr()):
            assert " INFO " not in stream and "fontTools" not in stream, stream[-2000:]


def chapter_1_the_association_diagnoses_itself_and_invites_the_company(root: Terminal) -> None:
    """/diagnostic with varied answers, /nouveau, then an invitation for the company."""
    root.say("/diagnostic", "Question 1/")
    record = answer_questions(root, "diagnostic", PERSONA.diagnostic, end="Votre auto-diagnostic")
    no_repeats(record)
    assert "Association ou fondation · Département" in record.end, record.end

    root.say("/nouveau", "Question 1/")
    record = answer_questions(root, "new_partnership", PERSONA.partnership, end="Prochaine étape")
    no_repeats(record)
    card = root.card()
    # The diagnosis is done: the new partnership starts at the dialogue.
    assert step_of(card) == 2, card
    assert PERSONA.organisation in card and PERSONA.territory in card, card

    root.press("Inviter", "Qui invitez-vous")
    root.press("Un contact chez le partenaire", "/start ")


def chapter_2_the_company_joins_by_invitation(consoles, root: Terminal) -> Terminal:
    """Karim, at his own console, types the /start line root's screen showed."""
    token = root.expect(re.compile(r"^/start (\S+)$", re.M))[1]
    karim = consoles("karim")
    karim.say(f"/start {token}", "Vous avez rejoint le partenariat")
    card = karim.card()
    assert NAME in card and step_of(card) == 2, card
    assert "votre rôle : contact partenaire" in card, card
    return karim


def open_card(terminal: Terminal) -> str:
    """/partenariats, then the partnership's key: its card."""
    terminal.say("/partenariats", NAME)
    terminal.press(NAME, "Prochaine étape")
    return terminal.card()


def chapter_3_dialogue_with_a_three_line_meeting_note(root: Terminal) -> None:
    """Points ticked by their keys; a meeting note typed as three lines, sent by an empty one."""
    open_card(root)
    root.press("Dialogue", "Points convenus : 0/9")
    points = {point.id: point.text.fr for point in load_dialogue().points}
    for done, point in enumerate(PERSONA.dialogue_points, start=1):
        root.press(points[point], f"Points convenus : {done}/9")
        assert f"☑ {points[point]}" in root.answer, root.answer

    root.press("Ajouter une note de réunion", "Question 1/1")
    assert "une ligne vide" in root.answer, "the screen does not say how to end several lines"
    lines = PERSONA.meeting_note.splitlines()
    assert len(lines) == 3
    # Each line typed: nothing answers until the empty line that sends the three as one note.
    for line in lines:
        assert root.type(line) == "", f"{line!r} was answered on its own: {root.answer}"
    root.type("")
    # Back on the dialogue, the note kept whole among the latest notes.
    notes = root.answer[root.answer.index("Dernières notes") :]
    for line in lines:
        assert line in notes, f"{line!r} lost from the note:\n{root.answer}"
    assert "Je ne vous pose pas de question" not in root.answer, root.answer

    open_card(root)
    root.press("Étape suivante", "Prochaine étape")
    card = root.card()
    assert step_of(card) == 3 and "/criteres" in next_line(card), card


def chapter_4_the_partner_chosen(root: Terminal) -> None:
    """Two candidates scored with /criteres; the better one chosen from the ranking."""
    for candidate in PERSONA.candidates:
        root.say("/criteres", "Question 1/")
        answers = {"candidate_name": candidate.name} | candidate.answers
        no_repeats(answer_questions(root, "criteria", answers, end="Comparaison des candidats"))
    ranking = root.answer[root.answer.index("Comparaison des candidats") :]
    best, other = PERSONA.partner_organisation, "Isol'Est"
    assert ranking.index(best) < ranking.index(other), ranking
    root.press(best, "passe à l’étape 4/7")
    card = open_card(root)
    assert step_of(card) == 4 and best in card and "/convention" in next_line(card), card


def convention_default(asked: Asked):
    """A question the persona has no answer for: the answer already offered, else a plain one."""
    if "[=]" in asked.screen:
        return KEEP
    if asked.kind == "multiple":
        return list(asked.options)
    if asked.kind == "single":
        return "yes"
    return f"À préciser ({asked.id})"


def chapter_5_the_convention_stopped_then_resumed(root: Terminal) -> None:
    """/convention, stopped by /annuler after the actions (three lines), then taken up again
    where it stopped, to the end."""
    answers = PERSONA.convention
    root.say("/convention", "Question 1/")
    first = answer_questions(
        root,
        "convention",
        answers,
        end="Points de la convention",
        default=convention_default,
        until=STOPPED_AT,
    )
    assert first.asked[-1] == STOPPED_AT and "t_actions" in first.asked, first.asked
    root.say("/annuler", "vos réponses sont conservées")

    # /convention again: the same question, nothing asked afresh.
    root.say("/convention", "Question ")
    second = answer_questions(
        root, "convention", answers, end="Points de la convention", default=convention_default
    )
    assert second.asked[0] == STOPPED_AT, (first.asked, second.asked)
    asked_twice = set(first.asked[:-1]) & set(second.asked)
    assert not asked_twice, f"asked again after /annuler: {sorted(asked_twice)}"
    no_repeats(second)
    summary = root.answer
    assert "Tous les points indispensables sont convenus" in summary, summary
    # A complete convention moves the partnership to step 5, formalisation, by itself.
    assert "passe à l’étape 5/7" in summary, summary


def chapter_6_the_drafts_written_to_the_documents_folder(root: Terminal) -> None:
    """The drafts, written where the console said, read back as Word files."""
    root.press("projet", "→ ")
    written = root.paths()
    docx = [path for path in written if path.suffix == ".docx"]
    assert len(docx) >= 2, root.answer
    for path in written:
        assert path.exists() and path.parent == root.folder, path
    drafts = {path.name: docx_text(path.read_bytes()) for path in docx}
    convention = next(text for name, text in drafts.items() if "convention" in name.lower())
    plan = next(text for name, text in drafts.items() if "plan" in name.lower())
    for words in PERSONA.in_convention:
        assert words in convention, f"{words!r} not in the draft convention"
    # Typed before /annuler, kept: the association's details.
    assert "RNA W931234567" in convention, "the answers given before /annuler were lost"
    # The three actions typed on three lines: all three in the action plan, each with its
    # pilot, date, means and indicator.
    for action in PERSONA.convention["t_actions"].splitlines():
        for part in action.split(" ; "):
            assert part in plan, f"{part!r} of {action!r} not in the draft action plan"
    card = open_card(root)
    assert step_of(card) == 5, card


def chapter_7_signed_then_implemented(root: Terminal) -> None:
    """The drafts signed: step 6; /suivi says when the first check-in falls."""
    root.press("Étape suivante", "Prochaine étape")
    card = root.card()
    assert step_of(card) == 6 and "/suivi" in next_line(card), card
    root.say("/suivi", "Question 1/")
    record = answer_questions(
        root, "followup", PERSONA.followup, end="Prochain", default=convention_default
    )
    no_repeats(record)
    first_pulse = PERSONA.signed + timedelta(weeks=6)
    assert first_pulse.strftime("%d/%m/%Y") in root.answer, root.answer


def checkins_run(database_url: str, moment) -> str:
    """`alliance checkins run --at <moment>`, as cron runs it, with no Telegram token: what it
    records for terminal users waits for their next line."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    env["DATABASE_URL"] = database_url
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "checkins", "run", "--at", moment.isoformat()],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def chapter_8_cron_opens_the_pulse_both_answer_both_see_the_results(
    root: Terminal, karim: Terminal, database_url: str
) -> None:
    """Cron at the first pulse's due date; each console sees the invitation at its next line,
    each answers with its own scores, each reads the results from its own side."""
    printed = checkins_run(database_url, at(PERSONA.signed + timedelta(weeks=6)))
    assert "1 partnership(s) with a new round" in printed, printed
    for terminal in (root, karim):
        # Enter alone: what waits for them shows.
        terminal.say("", "Point d’étape")
        assert NAME in terminal.answer, terminal.answer

    for terminal, answers in ((root, PERSONA.pulse_ours), (karim, PERSONA.pulse_partner)):
        terminal.press("Commencer", "Question 1/")
        no_repeats(answer_questions(terminal, "pulse", answers, end="Merci"))
    # The last answer closed the round: karim sees the results at once, root at its next line.
    assert "Résultats du point d’étape" in karim.answer, karim.answer
    root.type("")
    us, them = PERSONA.organisation, PERSONA.partner_organisation
    reports = {}
    for terminal, first, second in ((karim, them, us), (root, us, them)):
        screen = terminal.answer
        assert screen.count("Résultats du point d’étape") == 1, screen
        report = screen[screen.index("Résultats du point d’étape") : screen.index("\n→ ")]
        assert f"Notes de 1 à 5 : {first} / {second}" in report, report
        assert any(light in report for light in "🟢🟠🔴"), report
        charts = [path for path in terminal.paths() if path.suffix == ".png"]
        assert len(charts) == 1 and charts[0].parent == terminal.folder, screen
        assert charts[0].read_bytes().startswith(b"\x89PNG"), charts[0]
        reports[terminal.name] = report
    # Each reads its own organisation and its own scores first; the gaps on both sides.
    both_points_of_view(PERSONA, reports["root"], reports["karim"])
    # The company's contact sees the same partnership at the same step.
    card = open_card(karim)
    assert step_of(card) == 6 and "votre rôle : contact partenaire" in card, card
