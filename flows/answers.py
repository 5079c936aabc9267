"""Turns what a user typed or pressed into a valid answer for a question, or says why not."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from rapidfuzz import fuzz

from knowledge import Question, QuestionKind
from knowledge.text import normalise, terms


@dataclass(frozen=True)
class Invalid:
    """Why an answer was refused: a catalogue key and the values its message needs."""

    reason: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Overflow:
    """A text longer than its question allows, kept all the same: `value` is the answer
    stored, `rest` what did not fit and goes back to the user ("" when nothing was cut),
    `parts` how many pieces a text kept whole is stored as (a long meeting note)."""

    value: Any
    rest: str
    length: int
    maximum: int
    parts: int = 1


# Control characters (NUL, ESC...) break documents and some databases; tabs and line breaks
# are kept.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\u2028\u2029\ufeff]")
# Typed words that validate a multiple choice, as its Validate button does.
VALIDATE_WORDS = frozenset({"valider", "validate", "ok", "v", "fini", "done"})


def clean(text: str) -> str:
    """Typed text as kept: control characters removed, line ends made plain."""
    return CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


# Typed labels of the navigation buttons ("✓ Garder", "⏭ Passer", "← Retour"), in both
# languages, compared once normalised (no emoji, no accents); and the terminal's keys.
NAVIGATION_WORDS = {
    "keep": frozenset({"garder", "keep", "conserver", "garder la reponse", "keep it", "="}),
    "skip": frozenset({"passer", "skip", "je passe", "sauter", ">"}),
    "back": frozenset({"retour", "back", "precedent", "previous", "revenir", "<", "←"}),
    "why": frozenset({"pourquoi", "why", "?"}),
}
# Typed names of the two languages (/langue English).
LANGUAGE_WORDS = {
    "fr": frozenset({"fr", "francais", "french", "en francais", "in french"}),
    "en": frozenset({"en", "english", "anglais", "en anglais", "in english"}),
}
# Words that tell no choice apart ("tous les semestres" for "Chaque semestre").
FILLER = frozenset({"tou", "tout", "toute", "chaque", "every", "each", "all", "par", "per"})
# How close a typed word must be to a label's word to count as a small typo (rapidfuzz, 0-100).
TYPO_SCORE = 85
# Typed text shorter than this only matches a choice exactly (number, id or whole label).
SHORTEST_CLOSE_MATCH = 3


def is_validation(text: str) -> bool:
    return normalise(text.strip()) in VALIDATE_WORDS


def navigation(text: str) -> str | None:
    """The navigation button a typed text names ("keep", "skip", "back", "why"), if any."""
    bare = text.strip()
    words = normalise(bare) or bare
    return next((move for move, names in NAVIGATION_WORDS.items() if words in names), None)


def language_named(text: str) -> str | None:
    """The language a typed text names ("English", "français", "fr"), if any."""
    words = normalise(text)
    return next((code for code, names in LANGUAGE_WORDS.items() if words in names), None)


def parse_answer(question: Question, raw: Any, *, today: date | None = None) -> Any | Invalid:
    """Validates `raw` (typed text, or option ids from buttons) for `question`.

    `today` (the user's date, never read here) completes a date typed without its year and
    refuses a past date where the question declares `not_before: today`. A text too long is
    returned as an `Overflow`: kept, never lost."""
    if question.kind == QuestionKind.DATE:
        return _date(question, raw, today)
    return PARSERS[question.kind](question, raw)


def answer_value(parsed: Any) -> Any:
    """The value to store, whether or not the text overflowed."""
    return parsed.value if isinstance(parsed, Overflow) else parsed


# -- choices ------------------------------------------------------------------------------


def matching_options(question: Question, token: str) -> list[str]:
    """The options a typed token names: one, several (ambiguous) or none.

    Exact first (an id, a number, a whole label); then close (the label without its
    parentheses, its beginning, or all the typed words among the label's); then a small
    typo. Both languages count."""
    token = token.strip()
    if not token:
        return []
    if question.option(token):
        return [token]
    if token.isdigit():
        found = 1 <= int(token) <= len(question.options)
        return [question.options[int(token) - 1].id] if found else []
    wanted = normalise(token)
    exact = [o.id for o in question.options if wanted in _forms(o)[:2]]
    if exact or len(wanted) < SHORTEST_CLOSE_MATCH:
        return exact
    close = [o.id for o in question.options if _close(wanted, _forms(o))]
    if close:
        return close
    return [o.id for o in question.options if _typo(wanted, _forms(o))]


def _forms(option) -> tuple[str, ...]:
    """The option's labels as typed text is compared to them: whole, then without the
    parentheses ("Acteur économique (entreprise…)" → "acteur economique")."""
    labels = (option.label.fr, option.label.en)
    whole = tuple(normalise(label) for label in labels)
    short = tuple(normalise(re.sub(r"\([^)]*\)?", " ", label)) for label in labels)
    return whole + short


def _words(text: str) -> set[str]:
    return set(terms(text)) - FILLER


def _close(wanted: str, forms: tuple[str, ...]) -> bool:
    typed = _words(wanted)
    for form in forms:
        if form == wanted or form.startswith(wanted + " "):
            return True
        if typed and typed <= _words(form):
            return True
    return False


def _typo(wanted: str, forms: tuple[str, ...]) -> bool:
    typed = _words(wanted)
    for form in forms:
        if fuzz.ratio(wanted, form) >= TYPO_SCORE:
            return True
        label_words = list(_words(form))
        if typed and label_words and all(_near(word, label_words) for word in typed):
            return True
    return False


def _near(word: str, words: list[str]) -> bool:
    return max(fuzz.ratio(word, other) for other in words) >= TYPO_SCORE


def _match_option(question: Question, token: str) -> str | Invalid | None:
    """One option's id, an `Invalid` naming the close options when several fit, or None."""
    found = matching_options(question, token)
    if len(found) > 1:
        return Invalid("ambiguous_option", {"choices": tuple(found)})
    return found[0] if found else None


def _single(question: Question, raw: Any) -> str | Invalid:
    option_id = _match_option(question, str(raw))
    return option_id or Invalid("unknown_option")


def _tokens(question: Question, raw: str) -> list[str]:
    """A typed multiple choice in pieces: by commas, semicolons, slashes or lines; numbers
    by spaces too ("1 3 5"); a piece that names nothing is tried word by word."""
    if _match_option(question, raw):
        return [raw]
    tokens: list[str] = []
    for piece in (p.strip() for p in re.split(r"[,;/\n]+", raw)):
        if not piece:
            continue
        if re.fullmatch(r"[\d\s]+", piece) or _match_option(question, piece) is None:
            tokens.extend(piece.split())
        else:
            tokens.append(piece)
    return tokens


def _multiple(question: Question, raw: Any) -> list[str] | Invalid:
    tokens = _tokens(question, raw) if isinstance(raw, str) else list(raw)
    chosen: list[str] = []
    for token in tokens:
        option_id = _match_option(question, str(token))
        if isinstance(option_id, Invalid):
            return option_id
        if option_id is None:
            return Invalid("unknown_option")
        if option_id not in chosen:
            chosen.append(option_id)
    if not chosen:
        return Invalid("choose_at_least_one")
    if question.max_choices and len(chosen) > question.max_choices:
        return Invalid("too_many_choices", {"maximum": question.max_choices})
    # Keep the questionnaire's order so answers read the same whatever the click order.
    order = [option.id for option in question.options]
    return sorted(chosen, key=order.index)


# A number as people type it: "10", "10 h", "10h30", "environ 12 heures par mois", "1 500 €",
# "20 %", "3 jours". The unit is not checked against the question: only the number counts.
NUMBER = re.compile(
    r"^(?:environ|env\.?|about|around|approx\.?|approximately|~|≈|\+/-)?\s*"
    r"(?P<number>[+-]?\d[\d \u00a0\u202f]*(?:[.,]\d+)?)\s*"
    r"(?:(?:h|hr?s?|heures?|hours?)\s*(?P<minutes>\d{2})?(?:\s*min)?|€|eur|euros?|%|pour ?cent"
    r"|percent|jours?|j|days?|semaines?|weeks?|mois|months?|ans?|years?|personnes?|people"
    r"|etp|fte)?\.?"
    r"(?:\s*(?:par|per|a|an|/)\s*(?:mois|month|semaine|week|an|year|jour|day))?\s*$",
    re.IGNORECASE,
)


def _number(question: Question, raw: Any) -> float | int | Invalid:
    found = NUMBER.match(str(raw).strip())
    if found is None:
        return Invalid("not_a_number")
    text = re.sub(r"[ \u00a0\u202f]", "", found["number"]).replace(",", ".")
    try:
        value = float(text) + (int(found["minutes"]) / 60 if found["minutes"] else 0)
    except ValueError:
        return Invalid("not_a_number")
    if value != value or value in (float("inf"), float("-inf")):
        return Invalid("not_a_number")
    low, high = question.minimum, question.maximum
    if (low is not None and value < low) or (high is not None and value > high):
        return Invalid("out_of_range", {"minimum": _plain(low), "maximum": _plain(high)})
    return _plain(value)


def _scale(question: Question, raw: Any) -> int | Invalid:
    low = int(question.minimum if question.minimum is not None else 1)
    high = int(question.maximum if question.maximum is not None else 5)
    text = str(raw).strip()
    if not text.isdigit() or not low <= int(text) <= high:
        return Invalid("out_of_scale", {"minimum": low, "maximum": high})
    return int(text)


RATING = re.compile(r"^\s*(?P<score>\d+)\s*(?:[-–—:,.;/)]\s*)?(?P<comment>.*)$", re.DOTALL)


def _rating(question: Question, raw: Any) -> dict[str, Any] | Invalid:
    """A score, and what the user typed after it as a comment: {"score", "comment"}."""
    found = RATING.match(str(raw))
    score = _scale(question, found["score"] if found else raw)
    if isinstance(score, Invalid):
        return score
    comment = found["comment"].strip() if found else ""
    if len(comment) > question.max_length:
        kept, rest = _cut(comment, question.max_length)
        rated = {"score": score, "comment": kept}
        return Overflow(rated, rest, length=len(comment), maximum=question.max_length)
    return {"score": score, "comment": comment or None}


def _text(question: Question, raw: Any) -> str | Overflow | Invalid:
    """Free text; too long, it is kept all the same (see `Question.overflow`)."""
    text = str(raw).strip()
    if not text:
        return Invalid("empty_text")
    if len(text) <= question.max_length:
        return text
    if question.overflow == "split":
        parts = len(split_text(text, question.max_length))
        return Overflow(text, "", length=len(text), maximum=question.max_length, parts=parts)
    kept, rest = _cut(text, question.max_length)
    return Overflow(kept, rest, length=len(text), maximum=question.max_length)


def split_text(text: str, limit: int) -> list[str]:
    """A long text in pieces of at most `limit` characters, each ended where a reader would
    pause: a blank line, a line break, a sentence's end, else a space."""
    pieces: list[str] = []
    text = text.strip()
    while len(text) > limit:
        piece, text = _cut(text, limit)
        pieces.append(piece)
    if text:
        pieces.append(text)
    return pieces


def _cut(text: str, limit: int) -> tuple[str, str]:
    """(the first part of `text`, at most `limit` long, ended at a pause; the rest)."""
    window = text[: limit + 1]
    for pause in ("\n\n", "\n", ". ", "! ", "? ", "; ", " "):
        end = window.rfind(pause, 0, limit + 1 - len(pause.rstrip()))
        # A pause too early would keep too little: then look for a shorter one.
        if end >= limit // 2:
            end += len(pause.rstrip())
            return text[:end].rstrip(), text[end:].strip()
    return text[:limit], text[limit:].strip()


# -- dates ----------------------------------------------------------------------------------

MONTHS = {
    **dict.fromkeys(("janvier", "janv", "january", "jan"), 1),
    **dict.fromkeys(("fevrier", "fevr", "fev", "february", "feb"), 2),
    **dict.fromkeys(("mars", "march", "mar"), 3),
    **dict.fromkeys(("avril", "avr", "april", "apr"), 4),
    **dict.fromkeys(("mai", "may"), 5),
    **dict.fromkeys(("juin", "june", "jun"), 6),
    **dict.fromkeys(("juillet", "juil", "july", "jul"), 7),
    **dict.fromkeys(("aout", "august", "aug"), 8),
    **dict.fromkeys(("septembre", "sept", "sep", "september"), 9),
    **dict.fromkeys(("octobre", "october", "oct"), 10),
    **dict.fromkeys(("novembre", "november", "nov"), 11),
    **dict.fromkeys(("decembre", "december", "dec"), 12),
}
NUMERIC_DATES = (
    # 15/03/2027, 15.3.27, 15-03-2027, and 15/03 (this year)
    re.compile(r"^(?P<d>\d{1,2})[/.\-](?P<m>\d{1,2})(?:[/.\-](?P<y>\d{4}|\d{2}))?$"),
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$"),
)
# Once normalised: "1er septembre 2026", "le 3 mars 2027", "septembre 2026", "September 1,
# 2026", "1st September 2026", "sept 26".
WORDED_DATES = (
    re.compile(
        r"^(?:le )?(?P<d>\d{1,2})(?:er|st|nd|rd|th)? (?:of )?(?P<month>[a-z]+)"
        r"(?: (?P<y>\d{4}|\d{2}))?$"
    ),
    re.compile(r"^(?P<month>[a-z]+)(?: (?P<y>\d{4}))?$"),
    re.compile(r"^(?P<month>[a-z]+) (?P<d>\d{1,2})(?:st|nd|rd|th)?(?: (?P<y>\d{4}))?$"),
)


def _date(question: Question, raw: Any, today: date | None) -> str | Invalid:
    """A date as people type it, kept as ISO; a month alone means its first day."""
    parts = _date_parts(str(raw).strip())
    if parts is None:
        return Invalid("not_a_date")
    day, month, year = parts
    if year is None:
        if today is None:
            return Invalid("not_a_date")
        year = today.year
    elif year < 100:
        year += 2000
    try:
        value = date(year, month, day)
        if parts[2] is None and question.not_before and today and value < today:
            # "15/01" typed in December, for something to come: next January.
            value = date(year + 1, month, day)
    except ValueError:
        return Invalid("not_a_date")
    if question.not_before == "today" and today is not None and value < today:
        return Invalid("date_in_past")
    return value.isoformat()


def _date_parts(text: str) -> tuple[int, int, int | None] | None:
    """(day, month, year or None) of a typed date, or None."""
    for pattern in NUMERIC_DATES:
        found = pattern.match(text)
        if found:
            year = found["y"]
            return int(found["d"]), int(found["m"]), int(year) if year else None
    words = normalise(text)
    for pattern in WORDED_DATES:
        found = pattern.match(words)
        if found and found["month"] in MONTHS:
            day, year = found.groupdict().get("d"), found["y"]
            return int(day) if day else 1, MONTHS[found["month"]], int(year) if year else None
    return None


def _plain(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


PARSERS = {
    QuestionKind.SINGLE: _single,
    QuestionKind.MULTIPLE: _multiple,
    QuestionKind.NUMBER: _number,
    QuestionKind.SCALE: _scale,
    QuestionKind.RATING: _rating,
    QuestionKind.TEXT: _text,
}
