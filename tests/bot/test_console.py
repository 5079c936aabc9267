"""`alliance console`: the same self-diagnosis, typed in a terminal, on the same database."""

import os
import subprocess
import sys

from storage import repository
from storage.db import make_engine, session_scope
from tests.bot.checkins import evaluated_partnership

ANSWERS = [
    "/diagnostic",
    "2",  # company
    "Région",
    "3, 4",  # performance, innovation: ticked...
    "v",  # ...then validated, as the screen says
    "2",  # a joint offer passes between the partners
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


def test_a_screen_s_actions_outlive_a_confirmation_but_not_their_own_screen(sqlite_url):
    evaluated_partnership(sqlite_url, ours=(101,), theirs=(201,))
    # The terminal user joins our side and works on that partnership.
    engine = make_engine(sqlite_url)
    with session_scope(engine) as db:
        me = repository.get_or_create_user(db, external_id="console:tester", language="fr")
        repository.add_member(db, partnership_id=1, user=me, role="member")
        me.active_partnership_id = 1
    engine.dispose()
    # *1 starts a pulse; its confirmation has no action, so *1 still answers it from there.
    output = run_console(sqlite_url, ["/evaluation", "*1", "*1", "/quitter"])
    assert "Question 1/10" in output
    # "Keep them" replaces the question in place: its "Erase" action is gone with it.
    output = run_console(sqlite_url, ["/supprimer", "*2", "*1", "/quitter"])
    assert "Rien n’a été effacé" in output and "Vos données sont effacées" not in output
