"""Button data: short, versioned, parsed strictly, and never trusted.

Every format a button's data takes is built and parsed here, and listed in FORMATS (the
handlers route by it): a use case receives the parsed value, with ids as numbers, or None
for anything malformed, unknown or oversized (it then changes nothing). At most 64 bytes.

- a question's button: `v1:<verb>:<session id>[:<question id>[:<option id>]]`
- a card, a topic of cards, a language: `v1:<c|m|l>:<id>`
- a partnership's: `v1:p:<partnership id>:<revision>:<action>[:<argument>]`
- a check-in round's invitation: `v1:e:<round id>`
- /supprimer's question: `v1:x:<yes|no>`
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

VERSION = "v1"
VERBS = {
    "a": "answer",  # a single choice or a scale value
    "t": "toggle",  # an option of a multiple choice
    "v": "validate",  # submit a multiple choice
    "b": "back",
    "s": "skip",
    "k": "keep",  # keep the answer already given (after going back)
    "w": "why",  # the guide's rationale for a question
    "f": "flag",  # mark a text question with its flag ("only partly agreed")
}
PATTERN = re.compile(
    r"^v1:(?P<verb>[a-z]):(?P<session>\d{1,12})(?::(?P<question>[a-z0-9_]{1,24}))?"
    r"(?::(?P<option>[a-z0-9_]{1,20}))?$"
)


@dataclass(frozen=True)
class ButtonData:
    action: str
    session_id: int
    question_id: str | None = None
    option_id: str | None = None

    def encode(self) -> str:
        verb = next(key for key, name in VERBS.items() if name == self.action)
        parts = [VERSION, verb, str(self.session_id), self.question_id, self.option_id]
        return ":".join(part for part in parts if part is not None)


def parse(data: object) -> ButtonData | None:
    """The button's meaning, or None for anything malformed, unknown or oversized."""
    if not isinstance(data, str) or len(data.encode()) > 64:
        return None
    found = PATTERN.match(data)
    if found is None or found["verb"] not in VERBS:
        return None
    return ButtonData(
        action=VERBS[found["verb"]],
        session_id=int(found["session"]),
        question_id=found["question"],
        option_id=found["option"],
    )


# Buttons outside questionnaires: a card, a topic of cards, a language.
CARD = "c"
TOPIC = "m"
LANGUAGE = "l"
SIMPLE_PATTERN = re.compile(r"^v1:(?P<kind>[cml]):(?P<value>[a-z0-9_]{2,40})$")


def simple(kind: str, value: str) -> str:
    return f"{VERSION}:{kind}:{value}"


def parse_simple(data: object) -> tuple[str, str] | None:
    """(kind, value) of a card, topic or language button, or None."""
    if not isinstance(data, str) or len(data.encode()) > 64:
        return None
    found = SIMPLE_PATTERN.match(data)
    return (found["kind"], found["value"]) if found else None


# Buttons on a partnership: v1:p:<partnership id>:<revision>:<action>[:<argument>]. The
# revision is the one the button was drawn for: an acting button whose partnership has
# changed since is stale, so a double press acts once.
PARTNERSHIP_PATTERN = re.compile(
    r"^v1:p:(?P<partnership>\d{1,12}):(?P<revision>\d{1,9}):(?P<action>[a-z_]{1,12})"
    r"(?::(?P<arg>[a-z0-9_]{1,20}))?$"
)


# The partnership actions whose argument is a number (an id, an index); any other action's
# argument is a word. A number action whose argument is not one parses to None.
NUMBER_ARGS = {"doc", "choose", "respondent"}


@dataclass(frozen=True)
class PartnershipButton:
    partnership_id: int
    revision: int
    action: str
    arg: int | str | None = None


def partnership_button(
    partnership_id: int, revision: int, action: str, arg: str | int | None = None
) -> str:
    parts = [VERSION, "p", str(partnership_id), str(revision), action]
    return ":".join(parts + ([str(arg)] if arg is not None else []))


def parse_partnership(data: object) -> PartnershipButton | None:
    """The meaning of a partnership button, or None for anything malformed."""
    if not isinstance(data, str) or len(data.encode()) > 64:
        return None
    found = PARTNERSHIP_PATTERN.match(data)
    if found is None:
        return None
    arg: int | str | None = found["arg"]
    if arg is not None and found["action"] in NUMBER_ARGS:
        if not arg.isdigit() or len(arg) > 12:
            return None
        arg = int(arg)
    return PartnershipButton(
        int(found["partnership"]), int(found["revision"]), found["action"], arg
    )


# A check-in round's invitation: starts answering it (checked against the user's invite).
ROUND_PATTERN = re.compile(r"^v1:e:(?P<round>\d{1,12})$")


def round_button(round_id: int) -> str:
    return f"{VERSION}:e:{round_id}"


def parse_round(data: object) -> int | None:
    """The round an invitation's button names, or None."""
    if not isinstance(data, str):
        return None
    found = ROUND_PATTERN.match(data)
    return int(found["round"]) if found else None


# /supprimer's question: erase everything, or keep it.
DELETION_ANSWERS = {"yes": True, "no": False}


def deletion_button(confirm: bool) -> str:
    return f"{VERSION}:x:{'yes' if confirm else 'no'}"


def parse_deletion(data: object) -> bool | None:
    """True to erase, False to keep, None for anything else."""
    if not isinstance(data, str) or not data.startswith(f"{VERSION}:x:"):
        return None
    return DELETION_ANSWERS.get(data.removeprefix(f"{VERSION}:x:"))


# -- the table of formats ------------------------------------------------------------------


@dataclass(frozen=True)
class Format:
    """A kind of button data: the start that routes a press to its use case, and the parser
    that gives the use case its typed value (None when the data is not well formed)."""

    prefix: str  # a regular expression matching the start of the data
    parse: Callable[[object], Any]


CARD_BUTTONS = Format(r"^v1:[cml]:", parse_simple)
PARTNERSHIP_BUTTONS = Format(r"^v1:p:", parse_partnership)
ROUND_BUTTONS = Format(r"^v1:e:", parse_round)
DELETION_BUTTONS = Format(r"^v1:x:", parse_deletion)
# Any other data is read as a question's button (and reaches nothing when it is not one).
QUESTION_BUTTONS = Format(r"^", parse)
FORMATS = (CARD_BUTTONS, PARTNERSHIP_BUTTONS, ROUND_BUTTONS, DELETION_BUTTONS)


def format_of(data: object) -> Format:
    """The format a button's data claims to have (its parser may still refuse it)."""
    text = data if isinstance(data, str) else ""
    return next((f for f in FORMATS if re.match(f.prefix, text)), QUESTION_BUTTONS)
