"""`alliance console`: the same self-diagnosis, typed in a terminal, on the same database."""

import os
import subprocess
import sys

ANSWERS = [
    "/diagnostic",
    "2",  # company
    "Région",
    "3, 4",  # performance, innovation: ticked...
    "v",  # ...then validated, as the screen says
    "1",  # economic fragilities
    "v",
    "1",  # employment
    "v",
    "3",  # pooled means
    "v",
    "Une offre commune d'insertion",
    ">",  # skip the optional contribution
    "1",  # articulation planned
    "1",
    "1",
    "1",  # the strategic test: yes, yes, yes
    "2,6",  # skills, offer
    "v",
    "20",
    "4",
    ">",  # no start date
    "/quitter",
]


def run_console(database_url, lines, language="fr_FR.UTF-8", documents="/nonexistent"):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "LANG": language,
        "ALLIANCE_DOCUMENTS_DIR": str(documents),
    }
    env.pop("TELEGRAM_BOT_TOKEN", None)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "console", "--user", "tester"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    ).stdout


def test_a_whole_diagnosis_in_the_terminal(sqlite_url):
    output = run_console(sqlite_url, ANSWERS)
    assert "Question 1/" in output
    assert "1. Association ou fondation" in output
    assert "Votre auto-diagnostic" in output
    assert "Coopération économique" in output


def test_the_terminal_resumes_where_it_stopped(sqlite_url):
    run_console(sqlite_url, ANSWERS[:5] + ["/quitter"])
    output = run_console(sqlite_url, ["/diagnostic", "/quitter"])
    assert "Question 4/" in output


def test_the_terminal_writes_documents_into_their_own_folder(sqlite_url, tmp_path):
    from tests.bot.telegram.factories import partnership_ready_for_drafts

    partnership_ready_for_drafts(sqlite_url, external_id="console:tester", name="Énergie & Co")
    folder = tmp_path / "documents"
    output = run_console(sqlite_url, ["/convention", "*1", "/quitter"], documents=folder)
    names = sorted(path.name for path in folder.iterdir())
    # The accented name is kept; nothing lands in the working directory.
    assert names == ["v1-convention-Énergie-Co.docx", "v1-plan-action-Énergie-Co.docx"]
    assert str(folder) in output


def test_the_terminal_help_speaks_of_keys_not_buttons(sqlite_url):
    output = run_console(sqlite_url, ["/aide", "/quitter"])
    help_text = output.split("Ce que je sais faire")[1]
    assert "< " in help_text and "/quitter" in help_text
    assert "boutons" not in help_text and "@" not in help_text
