"""Every user-facing text has its French translation, and the catalogues load."""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from bot.i18n import LOCALE_DIR, gettext_for, language_of, render

ROOT = Path(__file__).resolve().parents[2]
PYBABEL = Path(sys.executable).with_name("pybabel")


def _read(path: Path, locale: str | None = None):
    with path.open("rb") as po:
        return read_po(po, locale=locale)


def _extracted(tmp_path: Path):
    """The source strings as `make catalogue` extracts them (same options)."""
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [str(PYBABEL), "extract", "-F", "babel.cfg", "-k", "N_", "-o", str(pot), "."],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return _read(pot)


def test_every_source_text_has_a_french_translation(tmp_path):
    french = _read(LOCALE_DIR / "fr/LC_MESSAGES/messages.po", "fr")
    missing = []
    for message in _extracted(tmp_path):
        if not message.id:
            continue
        entry = french.get(message.id)
        strings = (
            entry.string if entry and isinstance(entry.string, tuple) else [entry and entry.string]
        )
        if not all(strings) or (entry and entry.fuzzy):
            missing.append(message.id)
    assert missing == [], "run `make catalogue` and translate these in messages.po"


def test_the_template_catalogue_is_up_to_date(tmp_path):
    committed = {m.id for m in _read(LOCALE_DIR / "messages.pot") if m.id}
    assert committed == {m.id for m in _extracted(tmp_path) if m.id}, "run `make catalogue`"


def test_french_is_the_default_and_english_follows_telegram():
    assert language_of(None) == "fr"
    assert language_of("de") == "fr"
    assert language_of("en-GB") == "en"
    assert gettext_for("fr")("Skip") == "Passer"
    assert gettext_for("en")("Skip") == "Skip"


def test_user_text_is_escaped_in_templates():
    html = render("answered.j2", "fr", prompt="Nom ?", answer="<script>&</script>", skipped=False)
    assert "&lt;script&gt;&amp;&lt;/script&gt;" in html
