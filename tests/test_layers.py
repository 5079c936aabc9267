"""The layers, drawn from the imports: knowledge <- flows <- bot (use cases, then adapters);
storage is used by bot only, and the use cases never reach Telegram's adapter."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# (files, packages they must not import, why)
RULES = [
    (
        ["bot/services", "bot/scheduler.py", "bot/checkins_cli.py", "bot/delivery.py"],
        ["bot.telegram", "telegram"],
        "use cases, the dispatcher and delivery know no channel",
    ),
    (
        ["flows"],
        ["bot", "storage", "sqlalchemy", "sqlmodel", "telegram"],
        "flows are pure rules: no SQL, no Telegram, no use case",
    ),
    (["knowledge"], ["flows", "bot", "storage"], "knowledge is validated data"),
    (["storage"], ["bot", "flows", "telegram"], "storage is used by bot, and uses nothing of it"),
    (
        ["bot/web"],
        ["storage", "sqlmodel", "sqlalchemy"],
        "the dashboard's pages call use cases, never the database",
    ),
]
# The command-line command that sends what it recorded exits on Telegram's own errors.
ALLOWED = {("bot/checkins_cli.py", "telegram.error")}


def python_files(entries: list[str]) -> list[Path]:
    found: list[Path] = []
    for entry in entries:
        path = ROOT / entry
        found.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return [p for p in found if "migrations" not in p.parts]


def imported(path: Path) -> set[str]:
    """Every module a file imports, at any depth (inside functions too)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def breaks(module: str, forbidden: str) -> bool:
    return module == forbidden or module.startswith(forbidden + ".")


@pytest.mark.parametrize("files,forbidden,why", RULES, ids=[r[0][0] for r in RULES])
def test_no_layer_imports_what_it_must_not(files, forbidden, why):
    offending = []
    for path in python_files(files):
        where = str(path.relative_to(ROOT))
        for module in sorted(imported(path)):
            allowed = any(p == where and breaks(module, a) for p, a in ALLOWED)
            if any(breaks(module, f) for f in forbidden) and not allowed:
                offending.append(f"{where} imports {module}")
    assert offending == [], why


def test_the_walk_sees_imports_at_any_depth(tmp_path):
    """A crafted file: the walk finds a forbidden import hidden in a function."""
    source = tmp_path / "crafted.py"
    source.write_text("def f():\n    from bot.telegram.outbox import Sender\n    import sqlmodel\n")
    assert {"bot.telegram.outbox", "bot.telegram.outbox.Sender", "sqlmodel"} <= imported(source)
    assert breaks("bot.telegram.outbox", "bot.telegram") and not breaks(
        "bot.telegramx", "bot.telegram"
    )
