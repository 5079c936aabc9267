"""Every user-facing text has its French translation, and the catalogues load."""

import importlib.util
from pathlib import Path

from babel.messages.pofile import read_po

from bot.i18n import LOCALE_DIR, gettext_for, language_of, render

ROOT = Path(__file__).resolve().parents[2]


def _extracted():
    spec = importlib.util.spec_from_file_location("fr_catalogue", ROOT / "tools/fr_catalogue.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.extracted()


def test_every_source_text_has_a_french_translation():
    with (LOCALE_DIR / "fr/LC_MESSAGES/messages.po").open("rb") as po:
        catalog = read_po(po, locale="fr")
    missing = []
    for message, location in _extracted():
        entry = catalog.get(message if isinstance(message, str) else message[0])
        strings = (
            [entry.string]
            if entry and isinstance(entry.string, str)
            else (list(entry.string) if entry else [""])
        )
        if not all(strings):
            missing.append((message, location))
    assert missing == [], "run tools/fr_catalogue.py and translate these"


def test_french_is_the_default_and_english_follows_telegram():
    assert language_of(None) == "fr"
    assert language_of("de") == "fr"
    assert language_of("en-GB") == "en"
    assert gettext_for("fr")("Skip") == "Passer"
    assert gettext_for("en")("Skip") == "Skip"


def test_user_text_is_escaped_in_templates():
    html = render("answered.j2", "fr", prompt="Nom ?", answer="<script>&</script>", skipped=False)
    assert "&lt;script&gt;&amp;&lt;/script&gt;" in html
