"""The terminal as a channel of its own, through the real Console class: answers in several
lines, a round's results for every terminal user, texts that speak of keys, `=` with nothing
to keep, and a typed line never dropped silently."""

from __future__ import annotations

import io
from pathlib import Path

from bot.console import Console, waiting_question
from bot.services import Actor, Services
from bot.services.results import AnswerRefused
from bot.views import Presenter
from knowledge import QuestionKind, load_questionnaire
from storage import repository
from storage.db import session_scope
from storage.models import Partnership
from tests.bot.telegram.factories import partnership_ready_for_drafts

PARTNERSHIP = "Rénov 93"


class Terminal:
    """One `alliance console --user NAME`, in this process, on the shared database."""

    def __init__(self, services: Services, name: str, folder: Path):
        self.services = services
        self.actor = Actor(external_id=f"console:{name}", language_code="fr")
        self.folder = folder / name

    def session(self, *lines: str) -> str:
        """Starts the console, types these lines, leaves; what the screen showed."""
        out = io.StringIO()
        Console(self.services, self.actor, out, self.folder).run(iter(lines))
        return out.getvalue()

    def waiting(self):
        return self.services.run(self.actor, waiting_question)


def two_organisations(services: Services) -> int:
    """A partnership in implementation: root's association, and karim, the company's
    contact, who joined by invitation."""
    with session_scope(services.engine) as db:
        root = repository.get_or_create_user(
            db, external_id="console:root", language="fr", name="Nadia"
        )
        partnership = repository.create_partnership(
            db,
            user=root,
            name=PARTNERSHIP,
            our_organisation="Asso Rebond",
            partner_name="ÉnerBat SAS",
        )
        db.flush()
        karim = repository.get_or_create_user(
            db, external_id="console:karim", language="fr", name="Karim"
        )
        repository.add_member(db, partnership_id=partnership.id, user=karim, role="partner")
        karim.active_partnership_id = partnership.id
        partnership.stage = "implementation"
        partnership.followup = {
            "referent_ours": "Nadia",
            "referent_partner": "Karim",
            "frequency": "quarterly",
            "signature_date": "2027-01-15",
        }
        db.add(partnership)
        db.flush()
        return partnership.id


# Half-yearly steering, Alliance's evaluation rhythm kept ("1"), a dashboard, a letter.
FOLLOWUP_TO_ACTIONS = ["/suivi", "Claire", "Marc", "2", ">", ">", "2", "1", "1", "v", "Lettre"]
ACTIONS = [
    "Diagnostic de 40 logements ; Claire ; mars ; 2 techniciens ; 40 visites",
    "Réunions publiques ; Marc ; avril ; salle ; 3 réunions",
    "Chantiers pilotes ; Karim ; juin ; budget ; 5 chantiers",
]


def test_an_answer_of_several_lines_arrives_whole(services, sqlite_url, tmp_path):
    pid, _ = partnership_ready_for_drafts(sqlite_url, external_id="console:root")
    terminal = Terminal(services, "root", tmp_path)
    # Pasted: the three lines come at once, then Enter on an empty line.
    output = terminal.session(*FOLLOWUP_TO_ACTIONS, *ACTIONS, "")
    assert "Plusieurs lignes : tapez-les l’une après l’autre, puis une ligne vide" in output
    assert "Je ne vous pose pas de question" not in output
    with session_scope(services.engine) as db:
        followup = db.get(Partnership, pid).followup
    assert followup["actions"].splitlines() == ACTIONS


def test_a_dot_alone_ends_the_lines_and_the_end_of_input_sends_them(services, sqlite_url, tmp_path):
    pid, _ = partnership_ready_for_drafts(sqlite_url, external_id="console:root")
    terminal = Terminal(services, "root", tmp_path)
    terminal.session(*FOLLOWUP_TO_ACTIONS, *ACTIONS[:2], ".")
    with session_scope(services.engine) as db:
        assert db.get(Partnership, pid).followup["actions"].splitlines() == ACTIONS[:2]
    # Input that stops in the middle (Ctrl-D, the end of a pipe) loses nothing either.
    terminal.session("/suivi", "=", "=", "=", ">", ">", "=", "=", "=", "=", ACTIONS[2])
    with session_scope(services.engine) as db:
        assert db.get(Partnership, pid).followup["actions"] == ACTIONS[2]


def test_a_line_typed_when_nothing_is_asked_is_said_to_be_kept_nowhere(services, tmp_path):
    output = Terminal(services, "root", tmp_path).session("Réunions publiques ; Marc")
    assert "Ce texte n’est enregistré nulle part : « Réunions publiques ; Marc »." in output


def test_both_terminals_see_the_round_s_results_and_chart(services, tmp_path):
    two_organisations(services)
    # One score per rated dimension of the pulse, whatever their number.
    rated = sum(q.kind == QuestionKind.RATING for q in load_questionnaire("pulse").questions)
    root, karim = Terminal(services, "root", tmp_path), Terminal(services, "karim", tmp_path)
    # Root starts a check-in from the evaluation screen and answers it.
    root.session("/evaluation", "*1", "*1", *["4"] * rated, "Rien à signaler")
    # Karim, in the other terminal, finds the invitation waiting when the console starts.
    output = karim.session("*1", *["3"] * rated, ">")
    assert output.index("Point d’étape — Rénov 93") < output.index("[*1] Commencer")
    # The last answer closes the round: the results and the chart, in karim's terminal...
    report = output.split("Les résultats reviennent à tous")[1]
    assert "Résultats du point d’étape — Rénov 93" in report
    assert "Difficulté (Asso Rebond) : Rien à signaler" in report
    written = list(karim.folder.glob("v1-*.png"))
    assert len(written) == 1 and f"→ {written[0]}" in report
    # ...and in root's, at its next start, with the chart written to root's folder.
    output = root.session()
    assert "Résultats du point d’étape — Rénov 93" in output
    charts = list(root.folder.glob("v1-*.png"))
    assert len(charts) == 1 and f"→ {charts[0]}" in output
    assert charts[0].read_bytes().startswith(b"\x89PNG")
    # Shown once.
    assert "Résultats du point d’étape" not in root.session()


def test_terminal_texts_speak_of_keys_not_buttons(services, tmp_path):
    terminal = Terminal(services, "root", tmp_path)
    # A choice that is not one, then a multiple choice validated with nothing ticked.
    output = terminal.session("/diagnostic", "peut-être", "2", "Région", "v")
    assert "tapez le numéro d’un choix, ou son libellé" in output
    assert "puis v pour valider" in output
    assert "Choisissez au moins une réponse (tapez son numéro), puis tapez v" in output
    for telegram_word in ("bouton", "Touchez", "appuyez"):
        assert telegram_word not in output


def test_telegram_keeps_its_buttons(services):
    question = services.core.flows["diagnostic"].questionnaire.questions[0]
    refused = AnswerRefused(question, "unknown_option")
    on_telegram = Presenter(services.core.zone, lambda t: t).screen(refused, "fr").text
    in_terminal = Presenter(services.core.zone, lambda t: t, "terminal").screen(refused, "fr").text
    assert "utilisez les boutons" in on_telegram
    assert "boutons" not in in_terminal and "numéro" in in_terminal


def test_equals_with_no_current_answer_keeps_nothing_and_asks_again(services, sqlite_url, tmp_path):
    pid, _ = partnership_ready_for_drafts(sqlite_url, external_id="console:root")
    terminal = Terminal(services, "root", tmp_path)
    output = terminal.session("/suivi", "=")
    assert "Il n’y a pas de réponse actuelle à garder ici : tapez votre réponse." in output
    # The question is shown again, and still waits.
    assert output.count("Qui est le référent de votre côté ?") == 2
    assert terminal.waiting().id == "referent_ours"
    with session_scope(services.engine) as db:
        assert "referent_ours" not in (db.get(Partnership, pid).followup or {})


def test_every_question_of_several_lines_is_a_text(services):
    """The flag is declared on the question; only free texts carry it."""
    multiline = [
        (flow_id, question.id)
        for flow_id, flow in services.core.flows.items()
        for question in flow.questionnaire.questions
        if question.multiline
    ]
    assert ("followup", "actions") in multiline
    kinds = {services.core.flows[f].questionnaire.question(q).kind for f, q in multiline}
    assert kinds == {QuestionKind.TEXT}
