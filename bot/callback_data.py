"""Button data: short, versioned, parsed strictly, and never trusted.

Format: `v1:<verb>:<session id>[:<question id>[:<option id>]]`, at most 64 bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
    if not isinstance(data, str):
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


@dataclass(frozen=True)
class PartnershipButton:
    partnership_id: int
    revision: int
    action: str
    arg: str | None = None


def partnership_button(
    partnership_id: int, revision: int, action: str, arg: str | int | None = None
) -> str:
    parts = [VERSION, "p", str(partnership_id), str(revision), action]
    return ":".join(parts + ([str(arg)] if arg is not None else []))


def parse_partnership(data: object) -> PartnershipButton | None:
    """The meaning of a partnership button, or None for anything malformed."""
    if not isinstance(data, str):
        return None
    found = PARTNERSHIP_PATTERN.match(data)
    if found is None:
        return None
    return PartnershipButton(
        int(found["partnership"]), int(found["revision"]), found["action"], found["arg"]
    )
