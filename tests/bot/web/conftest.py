"""The dashboard's test fixtures (tests/bot/web/browser.py), and where the screenshots went."""

from __future__ import annotations

from tests.bot.web.browser import (  # noqa: F401  (fixtures)
    ARTEFACTS,
    artefacts,
    browser_context,
    dashboard,
    page,
    phone,
    seeded_database,
)


def pytest_terminal_summary(terminalreporter) -> None:
    """Said at the end, where it is read: the screenshots are for a person to look at."""
    for folder in ARTEFACTS:
        shots = sorted(folder.glob("*.png"))
        if shots:
            terminalreporter.write_line(f"browser screenshots ({len(shots)}): {folder}")
