"""Where the terminal writes documents: the code, the README and the screen say the same."""

from __future__ import annotations

import io
from pathlib import Path

from bot.console import Console
from bot.services import Actor, Core, Services
from bot.settings import default_documents_dir
from storage.db import make_engine

README = Path(__file__).resolve().parents[2] / "README.md"


def test_documents_go_to_documents_alliance_or_else_to_alliance(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_documents_dir() == tmp_path / "Alliance"
    (tmp_path / "Documents").mkdir()
    assert default_documents_dir() == tmp_path / "Documents" / "Alliance"


def test_the_readme_says_both_places():
    text = " ".join(README.read_text(encoding="utf-8").split())
    assert (
        "by default `~/Documents/Alliance` when your home has a `Documents` folder, "
        "else `~/Alliance`" in text
    )


def test_the_console_says_at_start_where_documents_go(sqlite_url, tmp_path):
    engine = make_engine(sqlite_url)
    out = io.StringIO()
    folder = tmp_path / "Alliance"
    services = Services(engine, Core("Europe/Paris"))
    Console(services, Actor("console:root", language_code="fr"), out, folder).run(iter(()))
    engine.dispose()
    assert f"Les documents sont écrits dans {folder}." in out.getvalue()
