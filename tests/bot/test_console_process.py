"""Two `alliance console --user` processes on one database: a full review closed by the
partner's contact in a real console process shows its results there, with the report's DOCX
and PDF written to the documents folder, and no library log line in the conversation."""

from __future__ import annotations

import os
import subprocess
import sys

from flows.engine import FlowState
from knowledge import QuestionKind
from storage import repository
from tests.bot.test_console_channel import Terminal, two_organisations

# A typed answer for each kind of question.
ANSWERS = {
    QuestionKind.RATING: ["3 les réunions sont trop rares"],
    QuestionKind.SCALE: ["3"],
    QuestionKind.SINGLE: ["1"],
    QuestionKind.MULTIPLE: ["1", "v"],
    QuestionKind.NUMBER: ["5"],
    QuestionKind.DATE: ["15/03/2030"],
    QuestionKind.TEXT: ["Un chantier pilote a réuni 12 ménages."],
}


def _position(work) -> tuple[int, int] | None:
    running = repository.active_flow_session(work.db, user_id=work.user.id)
    if running is None:
        return None
    return work.core.flows[running.flow].progress(FlowState.from_dict(running.state))


def answer_until(terminal: Terminal, *, last: bool) -> None:
    """Answers the questionnaire under way, question by question, in the right way for each
    kind; stops before its last question unless `last`."""
    while (question := terminal.waiting()) is not None:
        position, total = terminal.services.run(terminal.actor, _position)
        if position == total and not last:
            return
        lines = ANSWERS[question.kind] + ([""] if question.multiline else [])
        terminal.session(*lines)


def alliance_console(database_url: str, user: str, lines: list[str], documents) -> tuple:
    """`alliance console --user USER`, its input piped: (stdout, stderr)."""
    env = {**os.environ, "DATABASE_URL": database_url, "LANG": "fr_FR.UTF-8"}
    env["ALLIANCE_DOCUMENTS_DIR"] = str(documents)
    env.pop("TELEGRAM_BOT_TOKEN", None)
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "console", "--user", user],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        check=True,
    )
    return done.stdout, done.stderr


def test_a_full_review_closed_in_a_console_process(services, sqlite_url, tmp_path):
    two_organisations(services)
    root, karim = Terminal(services, "root", tmp_path), Terminal(services, "karim", tmp_path)
    root.session("/evaluation", "*2", "*1")
    answer_until(root, last=True)
    karim.session("*1")
    answer_until(karim, last=False)
    question = karim.waiting()
    assert question is not None
    # The last answer, typed in a real console process: the round closes there.
    folder = tmp_path / "karim-process"
    out, err = alliance_console(sqlite_url, "karim", ANSWERS[question.kind], folder)
    results = out.split("Les résultats reviennent à tous")[1]
    assert "Résultats du bilan complet — Rénov 93" in results
    assert "Les deux organisations proposent de : renouveler." in results
    written = sorted(path.name for path in folder.iterdir())
    assert any(name.endswith(".pdf") for name in written), written
    assert any(name.endswith(".docx") for name in written), written
    for name in written:
        assert f"→ {folder / name}" in out
    # No library's log line among the bot's messages, on either stream.
    for stream in (out, err):
        assert " INFO " not in stream and "fontTools" not in stream, stream[-2000:]
    # The other console, at its next start, shows the same results and writes the files.
    out, err = alliance_console(sqlite_url, "root", [], tmp_path / "root-process")
    assert any(line.startswith("→ ") and line.endswith(".pdf") for line in out.splitlines())
    assert " INFO " not in out + err
