"""The PDF's fonts: matplotlib's DejaVu, cut down once per process to the Latin script.

fpdf2 parses each font it is given for every document: for the full DejaVu (6,000 glyphs) that
was a fifth of a report's PDF. A copy holding the Latin alphabets, punctuation, currency and the
common symbols parses several times faster and gives fpdf2 less to subset when it writes the
file. A document with a character outside it (a name in Cyrillic, Greek, Arabic) takes the full
fonts, so nothing a user typed ever goes missing.
"""

from __future__ import annotations

import tempfile
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import matplotlib
from fontTools import subset
from fontTools.ttLib import TTFont

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
# Emphasis as fpdf2 names it -> file. Regular and bold only: each costs a parse per document.
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
# Latin with its extensions and combining accents, punctuation (’ « » — … •), currency (€),
# letter-like symbols (№, ™), and a few signs: arrows, − ≠ ≤ ≥, ■ □ ● ○, ⚠, ✓ ✗.
LATIN = (
    (0x0020, 0x024F),
    (0x0300, 0x036F),
    (0x2000, 0x206F),
    (0x20A0, 0x20CF),
    (0x2100, 0x214F),
    (0x2190, 0x2193),
    (0x2212, 0x2212),
    (0x2260, 0x2260),
    (0x2264, 0x2265),
    (0x25A0, 0x25A1),
    (0x25CB, 0x25CB),
    (0x25CF, 0x25CF),
    (0x26A0, 0x26A0),
    (0x2713, 0x2713),
    (0x2717, 0x2717),
)


@dataclass(frozen=True)
class FontSet:
    files: dict[str, Path]  # emphasis -> file
    covered: frozenset[str] | None  # the characters it holds; None for the full fonts


FULL = FontSet({emphasis: FONT_DIR / name for emphasis, name in FONT_FILES.items()}, None)
_building = threading.Lock()


def fonts_for(text: str) -> FontSet:
    """The cut-down fonts when they hold every character of `text`, else the full ones."""
    latin = _latin()
    characters = set(text) - {"\n", "\t"}
    return latin if characters <= latin.covered else FULL


# What stands for a character no font of the PDF holds (an emoji, a CJK name): a visible
# box, never a blank that would hide that something was typed there.
MISSING_GLYPH = "\u25a1"


def printable(text: str) -> str:
    """`text` with every character the full fonts lack replaced by a visible box."""
    covered = _full_cover()
    return "".join(c if c in covered or c in "\n\t" else MISSING_GLYPH for c in text)


@cache
def _full_cover() -> frozenset[str]:
    """The characters every full font holds (regular and bold)."""
    cover = None
    for path in FULL.files.values():
        kept = frozenset(chr(code) for code in TTFont(path).getBestCmap())
        cover = kept if cover is None else cover & kept
    return cover or frozenset()


def _latin() -> FontSet:
    with _building:  # two reports closing at once build the fonts once
        fonts = _built()
        if not all(path.exists() for path in fonts.files.values()):
            # Something emptied the temporary folder while we ran: build them again.
            _built.cache_clear()
            fonts = _built()
        return fonts


@cache
def _built() -> FontSet:
    # The folder lives as long as the process: fpdf2 reads the files for every document.
    folder = Path(tempfile.mkdtemp(prefix="alliance-fonts-"))
    files, covered = {}, None
    for emphasis, name in FONT_FILES.items():
        font = TTFont(FONT_DIR / name)
        subsetter = subset.Subsetter(_options())
        subsetter.populate(unicodes=[c for low, high in LATIN for c in range(low, high + 1)])
        subsetter.subset(font)
        files[emphasis] = folder / name
        font.save(files[emphasis])
        kept = frozenset(chr(code) for code in font.getBestCmap())
        covered = kept if covered is None else covered & kept
    return FontSet(files, covered)


def _options() -> subset.Options:
    options = subset.Options()
    # Plain text: no kerning or ligature tables (fpdf2 does not shape text unless asked), and
    # no hinting (PDF viewers draw outlines their own way).
    options.layout_features = []
    options.hinting = False
    options.notdef_outline = True
    options.drop_tables += ["FFTM"]
    return options
