"""Telegram's published Bot API (`../shared/telegram/bot-api.json`) as the fake's rule book:
which methods exist, their parameters' names, types and whether they are required, the
objects those parameters hold, and the limits the descriptions state ("1-64 bytes").

The file is reference data beside the project, not part of it: without it the fake still
refuses what its own rules know, and the test session says the spec was not checked."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from tests.fake_api.errors import ApiError, bad_request
from tests.fake_api.html import visible_text

SPEC_PATH = Path(__file__).resolve().parents[3] / "shared" / "telegram" / "bot-api.json"

# "1-64 bytes", "0-200 characters" in a field's description.
_LIMIT = re.compile(r"\b(\d+)-(\d+) (characters|bytes)\b", re.IGNORECASE)
# "Type of the result, must be article": the tag that tells a union's members apart.
_TAG = re.compile(r"must be (?:“|\")?([a-z_]+)")
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
# The button fields that are not its action (InlineKeyboardButton's own description).
_BUTTON_EXTRAS = frozenset({"text", "icon_custom_emoji_id", "style"})
# Fields whose parse mode makes the limit count the visible text, not the markup.
_PARSED_FIELDS = {"text": "parse_mode", "caption": "parse_mode", "message_text": "parse_mode"}
# Telegram's wording for the refusals the bot could meet, where it has one of its own.
_OWN_WORDS = {
    ("InlineKeyboardButton", "callback_data"): "BUTTON_DATA_INVALID",
    ("BotCommand", "command"): "BOT_COMMAND_INVALID",
    ("BotCommand", "description"): "BOT_COMMAND_DESCRIPTION_INVALID",
    ("answerCallbackQuery", "text"): "MESSAGE_TOO_LONG",
    ("InlineQueryResultArticle", "id"): "RESULT_ID_INVALID",
}
NOT_SCALAR = object()
_MARKUP_UNREADABLE = "can't parse reply keyboard markup JSON object"


@dataclass(frozen=True)
class Field:
    """One parameter of a method, or one field of an object."""

    name: str
    types: tuple[str, ...]
    required: bool
    description: str

    @cached_property
    def limit(self) -> tuple[int, int, str] | None:
        """(least, most, "characters" or "bytes") when the description states one."""
        found = _LIMIT.search(self.description)
        return (int(found[1]), int(found[2]), found[3].lower()) if found else None

    @cached_property
    def tag(self) -> str | None:
        """For a union member's "type" field, the value it must hold."""
        found = _TAG.search(self.description) if self.name == "type" else None
        return found[1] if found else None


def _fields(entry: dict[str, Any]) -> dict[str, Field]:
    return {
        f["name"]: Field(f["name"], tuple(f["types"]), f["required"], f["description"])
        for f in entry.get("fields", [])
    }


def _length(value: str, unit: str) -> int:
    """Bytes in UTF-8, or characters as Telegram counts them (UTF-16 code units)."""
    if unit == "bytes":
        return len(value.encode("utf-8"))
    return len(value.encode("utf-16-le", "surrogatepass")) // 2


class Refusal(Exception):
    """Where a value breaks the spec, in Telegram's words."""


class BotApiSpec:
    """The published API, read once; `check` refuses a call as Telegram would."""

    def __init__(self, data: dict[str, Any]):
        self.version = data.get("version", "?")
        self.methods = {name.lower(): (name, _fields(m)) for name, m in data["methods"].items()}
        self.types = {name: _fields(t) for name, t in data["types"].items()}
        self.returns = {name: tuple(m["returns"]) for name, m in data["methods"].items()}
        self.unions = {
            name: tuple(t["subtypes"]) for name, t in data["types"].items() if t.get("subtypes")
        }

    @classmethod
    def load(cls, path: Path = SPEC_PATH) -> BotApiSpec | None:
        """The spec beside the project, or None when it is not there."""
        return cls(json.loads(path.read_text(encoding="utf-8"))) if path.exists() else None

    def canonical(self, method: str) -> str | None:
        """The method's own name (Telegram's methods are case-insensitive), None if unknown."""
        known = self.methods.get(method.lower())
        return known[0] if known else None

    def returns_true(self, method: str) -> bool:
        """Whether the method answers only True (a setting), so a fake may just say so."""
        return self.returns.get(method, ()) in (("Boolean",), ("True",))

    def check(self, method: str, params: dict[str, Any], files: dict[str, Any]) -> None:
        """Raise ApiError(400) where the call breaks the published API."""
        name, fields = self.methods[method.lower()]
        try:
            self._fields(params, fields, name, files)
        except Refusal as refusal:
            raise bad_request(str(refusal)) from None

    # ------------------------------------------------------------------ values

    def _value(
        self,
        value: Any,
        field: Field,
        owner: str,
        files: dict[str, Any],
        *,
        measured: bool = True,
    ) -> None:
        """Refuse a value that fits none of the field's types, or breaks its limit (unless it
        is measured after its parse mode, elsewhere)."""
        problems = [
            problem
            for kind in field.types
            if (problem := self._kind(value, kind, field, owner, files)) is not None
        ]
        if len(problems) == len(field.types):
            raise Refusal(problems[0])
        if measured and isinstance(value, str) and field.limit:
            self._limit(value, field, owner)

    def _kind(
        self, value: Any, kind: str, field: Field, owner: str, files: dict[str, Any]
    ) -> str | None:
        """None when value is of kind, else what is wrong."""
        if kind.startswith("Array of "):
            return self._array(value, kind.removeprefix("Array of "), field, owner, files)
        scalar = _scalar(value, kind)
        if scalar is not NOT_SCALAR:
            return scalar
        if kind == "InputFile":
            attached = isinstance(value, str) and value.removeprefix("attach://") in files
            return None if attached else f"wrong file identifier in {field.name}"
        return self._object(value, kind, field.name)

    def _array(
        self, value: Any, item: str, field: Field, owner: str, files: dict[str, Any]
    ) -> str | None:
        if isinstance(value, str):
            value = _json(value)
        if not isinstance(value, list):
            return f'field "{field.name}" must be an Array'
        inner = Field(field.name, (item,), True, field.description)
        for element in value:
            try:
                self._value(element, inner, owner, files)
            except Refusal as refusal:
                return str(refusal)
        return None

    def _object(self, value: Any, kind: str, name: str) -> str | None:
        """An object of the spec, checked field by field; a union's member is the one its
        "type" names."""
        if isinstance(value, str):
            value = _json(value)
        if not isinstance(value, dict):
            return _MARKUP_UNREADABLE if name == "reply_markup" else f"can't parse {name}"
        if kind in self.unions:
            return self._union(value, kind, name)
        fields = self.types.get(kind)
        if fields is None:
            return None  # a type the spec names without describing it: nothing to hold to
        try:
            self._fields(value, fields, kind, {})
            self._object_rules(value, kind)
        except Refusal as refusal:
            return str(refusal)
        return None

    def _union(self, value: dict[str, Any], union: str, name: str) -> str | None:
        """A union's member is the one its "type" names; untagged unions take any member."""
        members = self.unions[union]
        tagged = self._member(value, union)
        if tagged is not None:
            return self._object(value, tagged, name)
        if any(self._tag_of(member) for member in members):
            return f"wrong type of {name}: {value.get('type')!r} is not a {union}"
        problems = [self._object(value, member, name) for member in members]
        return None if None in problems else problems[0]

    def _member(self, value: dict[str, Any], union: str) -> str | None:
        """The union's member whose "type" tag value holds."""
        return next(
            (m for m in self.unions[union] if (t := self._tag_of(m)) and t == value.get("type")),
            None,
        )

    def _tag_of(self, member: str) -> str | None:
        tag = self.types.get(member, {}).get("type")
        return tag.tag if tag is not None else None

    def _fields(
        self, value: dict[str, Any], fields: dict[str, Field], owner: str, files: dict[str, Any]
    ) -> None:
        """Required fields present, each present one of its types; a text with a parse
        mode measured as it shows."""
        parsed = {name for name, mode in _PARSED_FIELDS.items() if {name, mode} <= set(fields)}
        for name, field in fields.items():
            if field.required and name not in value and name not in files:
                raise Refusal(
                    _missing(name) if owner[0].islower() else f"{owner}: {name} is required"
                )
            if name in value and value[name] is not None:
                self._value(value[name], field, owner, files, measured=name not in parsed)
        if owner[0].isupper():
            self._parsed_lengths(value, fields, parsed, owner)

    def _object_rules(self, value: dict[str, Any], kind: str) -> None:
        """What the descriptions say in words: a command's name is made of lowercase letters,
        digits and underscores; a button has text and exactly one action."""
        if kind == "BotCommand" and not _COMMAND.fullmatch(str(value.get("command", ""))):
            raise Refusal("BOT_COMMAND_INVALID")
        if kind != "InlineKeyboardButton":
            return
        if not str(value.get("text", "")).strip():
            raise Refusal("can't parse inline keyboard button: Text must be non-empty")
        actions = [k for k in value if k not in _BUTTON_EXTRAS and value[k] is not None]
        if len(actions) != 1:
            raise Refusal(
                "can't parse inline keyboard button: "
                "InlineKeyboardButton must have exactly one action field"
            )

    def _parsed_lengths(
        self, value: dict[str, Any], fields: dict[str, Field], parsed: set[str], kind: str
    ) -> None:
        """A nested text with a parse mode (an inline result's message) counts what shows;
        a method's own text and caption are the fake's to measure, with its own words."""
        for name in parsed:
            field = fields[name]
            if not isinstance(value.get(name), str):
                continue
            try:
                shown = visible_text(value, name, "entities")
            except ApiError as error:
                raise Refusal(error.description.removeprefix("Bad Request: ")) from None
            if field.limit:
                self._limit(shown.strip(), field, kind)

    def _limit(self, value: str, field: Field, owner: str) -> None:
        least, most, unit = field.limit or (0, 0, "")
        if not least <= _length(value, unit) <= most:
            words = _OWN_WORDS.get((owner, field.name))
            raise Refusal(words or f"{field.name} must be {least}-{most} {unit} long")


def _scalar(value: Any, kind: str) -> str | None | object:
    """For a scalar kind: None when value is one, else what is wrong; NOT_SCALAR for others.
    A form-encoded request cannot tell "42" from 42, and neither can Telegram."""
    if kind == "String":
        ok = isinstance(value, str | int | float) and not isinstance(value, bool)
    elif kind == "Integer":
        ok = (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, str) and value.lstrip("-").isdigit()
        )
    elif kind == "Float":
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    elif kind in ("Boolean", "True"):
        ok = isinstance(value, bool) or value in ("true", "false", "True", "False", 0, 1)
    else:
        return NOT_SCALAR
    return None if ok else f"wrong type of a {kind} field"


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def _missing(name: str) -> str:
    """Telegram's words for a missing parameter."""
    if name == "text":
        return "message text is empty"
    return f"{name} is empty" if name.endswith("_id") else f'parameter "{name}" is required'
