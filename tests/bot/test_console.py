"""`alliance console`: the same self-diagnosis, typed in a terminal, on the same database."""

import os
import subprocess
import sys

ANSWERS = [
    "/diagnostic",
    "2",  # company
    "Région",
    "3, 4",  # performance, innovation
    "1",  # economic fragilities
    "1",  # employment
    "3",  # pooled means
    "Une offre commune d'insertion",
    ">",  # skip the optional contribution
    "1",  # articulation planned
    "1",
    "1",
    "1",  # the strategic test: yes, yes, yes
    "2,6",  # skills, offer
    "20",
    "4",
    ">",  # no start date
    "/quitter",
]


def run_console(database_url, lines, language="fr_FR.UTF-8"):
    env = {**os.environ, "DATABASE_URL": database_url, "LANG": language}
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
    run_console(sqlite_url, ANSWERS[:4] + ["/quitter"])
    output = run_console(sqlite_url, ["/diagnostic", "/quitter"])
    assert "Question 4/" in output
