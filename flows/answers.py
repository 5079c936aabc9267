"""Turns what a user typed or pressed into a valid answer for a question, or says why not."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from knowledge import Question, QuestionKind
from knowledge.text import normalise


@dataclass(frozen=True)
class Invalid:
    """Why an answer was refused: a catalogue key and the values its message needs."""

    reason: str
    params: dict[str, Any] = field(default_factory=dict)


# Control characters (NUL, ESC...) break documents and some databases; tabs and line breaks
# are kept.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\u2028\u2029\ufeff]")
# Typed words that validate a multiple choice, as its Validate button does.
VALIDATE_WORDS = frozenset({"valider", "validate", "ok", "v", "fini", "done"})


def clean(text: str) -> str:
    """Typed text as kept: control characters removed, line ends made plain."""
    return CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def is_validation(text: str) -> bool:
    return normalise(text.strip()) in VALIDATE_WORDS


def parse_answer(question: Question, raw: Any) -> Any | Invalid:
    """Validates `raw` (typed text, or option ids from buttons) for `question`."""
    parser = PARSERS[question.kind]
    return parser(question, raw)


def _match_option(question: Question, token: str) -> str | None:
    token = token.strip()
    if not token:
        return None
    if question.option(token):
        return token
    if token.isdigit() and 1 <= int(token) <= len(question.options):
        return question.options[int(token) - 1].id
    wanted = normalise(token)
    for option in question.options:
        if wanted in (normalise(option.label.fr), normalise(option.label.en)):
            return option.id
    return None


def _single(question: Question, raw: Any) -> str | Invalid:
    option_id = _match_option(question, str(raw))
    return option_id or Invalid("unknown_option")


def _multiple(question: Question, raw: Any) -> list[str] | Invalid:
    if isinstance(raw, str):
        if _match_option(question, raw):
            tokens = [raw]
        else:
            tokens = [t for t in re.split(r"[,;/\s]+", raw) if t]
    else:
        tokens = list(raw)
    chosen: list[str] = []
    for token in tokens:
        option_id = _match_option(question, str(token))
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


def _number(question: Question, raw: Any) -> float | int | Invalid:
    text = str(raw).strip().replace("\u202f", "").replace(" ", "").replace(",", ".")
    try:
        value = float(text)
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
        return Invalid("text_too_long", {"maximum": question.max_length, "length": len(comment)})
    return {"score": score, "comment": comment or None}


def _text(question: Question, raw: Any) -> str | Invalid:
    text = str(raw).strip()
    if not text:
        return Invalid("empty_text")
    if len(text) > question.max_length:
        return Invalid("text_too_long", {"maximum": question.max_length, "length": len(text)})
    return text


DATE_PATTERNS = (
    re.compile(r"^(?P<d>\d{1,2})[/.\-](?P<m>\d{1,2})[/.\-](?P<y>\d{4})$"),
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$"),
)


def _date(question: Question, raw: Any) -> str | Invalid:
    text = str(raw).strip()
    for pattern in DATE_PATTERNS:
        found = pattern.match(text)
        if found:
            try:
                return date(int(found["y"]), int(found["m"]), int(found["d"])).isoformat()
            except ValueError:
                break
    return Invalid("not_a_date")


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
    QuestionKind.DATE: _date,
}
