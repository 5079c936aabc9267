"""Names of the generated files: what each is, in its reader's language, cut between words.

A file's name starts with its kind in the language it was built in ("bilan-…", "review-…"),
so the language of a stored file is read back from its name: the two languages never share
a kind's name.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from bot.i18n import N_, gettext_for
from knowledge import LANGUAGES

# Longest part of a name taken from the partnership's name.
MAX_SLUG = 40

# The start of each kind's file name, in English; the catalogue gives the French.
PREFIXES = {
    "convention": N_("draft-agreement"),
    "action_plan": N_("action-plan"),
    "pulse_chart": N_("check-in-chart"),
    "review_chart": N_("review-chart"),
    "review_report": N_("review-report"),
    "review_report_pdf": N_("review-report"),
}
EXTENSIONS = {"pulse_chart": "png", "review_chart": "png", "review_report_pdf": "pdf"}


def prefix(kind: str, language: str) -> str:
    return gettext_for(language)(PREFIXES[kind])


def series(kind: str, language: str) -> str:
    """How the names of one kind in one language start: their versions are counted together."""
    return prefix(kind, language) + "-"


def slug(name: str, limit: int = MAX_SLUG) -> str:
    """Words of any alphabet joined by hyphens, accents kept, cut between two words."""
    # Composed accents: "é" is one letter, never an "e" cut from its accent.
    words = re.split(r"[\W_]+", unicodedata.normalize("NFC", name))
    kept: list[str] = []
    for word in filter(None, words):
        if len("-".join([*kept, word])) > limit:
            break
        kept.append(word)
    if not kept and any(words):
        # One word longer than the limit: its beginning.
        kept = [next(filter(None, words))[:limit]]
    return "-".join(kept)


def draft_file_name(kind: str, partnership_name: str, language: str) -> str:
    """A draft's name: its kind in the user's language, then the partnership's name."""
    return f"{series(kind, language)}{slug(partnership_name) or 'partenariat'}.docx"


def round_file_name(kind: str, partnership_name: str, on: date, language: str) -> str:
    """A round's chart or report: its kind in the reader's language, the partnership's name
    (two partnerships' reviews of one day are two files), then the round's date."""
    name = slug(partnership_name) or "partenariat"
    return f"{series(kind, language)}{name}-{on.isoformat()}.{EXTENSIONS.get(kind, 'docx')}"


def language_of(kind: str, file_name: str) -> str | None:
    """The language a stored file was built in, read from its name (None: not known)."""
    if kind not in PREFIXES:
        return None
    found = [lang for lang in LANGUAGES if file_name.startswith(series(kind, lang))]
    return found[0] if len(found) == 1 else None
