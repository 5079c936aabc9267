"""Regenerates bot/locale/fr/LC_MESSAGES/messages.po from the sources, keeping translations.

Run: .venv/bin/python tools/fr_catalogue.py  (new strings appear untranslated; the
test tests/bot/test_i18n.py fails until each has its French text).
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}


def extracted() -> list[tuple[str | tuple[str, str], tuple[str, int]]]:
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = []
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        found.append((message, (filename, lineno)))
    return found


def main() -> None:
    po_path = ROOT / "bot/locale/fr/LC_MESSAGES/messages.po"
    old = read_po(po_path.open("rb"), locale="fr") if po_path.exists() else Catalog(locale="fr")
    catalog = Catalog(locale="fr", project="alliance", charset="utf-8")
    for message, location in extracted():
        key = message if isinstance(message, str) else message[0]
        previous = old.get(key)
        string = previous.string if previous else ("", "") if isinstance(message, tuple) else ""
        catalog.add(message, string, locations=[location])
    with po_path.open("wb") as out:
        write_po(out, catalog, width=100, omit_header=False)


if __name__ == "__main__":
    main()
