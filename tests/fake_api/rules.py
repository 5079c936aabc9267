"""What Telegram refuses that a parameter's type does not say: the values a few parameters
may take and the limits stated in a method's prose. Checked with or without the spec."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tests.fake_api.errors import bad_request

PARSE_MODES = frozenset({"html", "markdown", "markdownv2"})
# sendChatAction's actions, as its description lists them.
CHAT_ACTIONS = frozenset(
    "typing upload_photo record_video upload_video record_voice upload_voice upload_document "
    "choose_sticker find_location record_video_note upload_video_note".split()
)
INLINE_RESULTS_LIMIT = 50
COMMANDS_LIMIT = 100
_LANGUAGE = re.compile(r"[a-z]{2}")

Params = dict[str, Any]


def check(method: str, params: Params) -> None:
    """Raise ApiError(400) where Telegram refuses the call's values."""
    _parse_mode(params)
    _language_code(params)
    rule = _RULES.get(method)
    if rule is not None:
        rule(params)


def _parse_mode(params: Params) -> None:
    mode = params.get("parse_mode")
    if mode not in (None, "") and str(mode).lower() not in PARSE_MODES:
        raise bad_request("unsupported parse_mode")


def _language_code(params: Params) -> None:
    code = params.get("language_code")
    if code not in (None, "") and not _LANGUAGE.fullmatch(str(code)):
        raise bad_request("invalid language code specified")


def _chat_action(params: Params) -> None:
    if params.get("action") not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")


def _inline_results(params: Params) -> None:
    results = params.get("results")
    if not isinstance(results, list):
        return
    if len(results) > INLINE_RESULTS_LIMIT:
        raise bad_request("RESULTS_TOO_MUCH")
    ids = [r.get("id") for r in results if isinstance(r, dict)]
    if len(ids) != len(set(ids)):
        raise bad_request("RESULT_ID_DUPLICATE")


def _commands(params: Params) -> None:
    commands = params.get("commands")
    if isinstance(commands, list) and len(commands) > COMMANDS_LIMIT:
        raise bad_request("too many commands specified")


_RULES: dict[str, Callable[[Params], None]] = {
    "sendChatAction": _chat_action,
    "answerInlineQuery": _inline_results,
    "setMyCommands": _commands,
}
