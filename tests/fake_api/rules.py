"""What Telegram refuses that a parameter's type does not say: the values a few parameters
may take, the addresses buttons may open, and the limits stated in a method's prose.
Checked with or without the spec."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

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
    _button_addresses(params)
    rule = _RULES.get(method)
    if rule is not None:
        rule(params)


def check_in_chat(params: Params, chat_type: str) -> None:
    """What a chat's kind forbids: a Mini App button is "available only in private chats
    between a user and the bot" (InlineKeyboardButton.web_app)."""
    if chat_type != "private" and any("web_app" in b for b in _buttons(params)):
        raise bad_request("BUTTON_TYPE_INVALID")


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


def _buttons(params: Params) -> list[dict[str, Any]]:
    """The inline keyboard's buttons of a call, if it has one."""
    markup = params.get("reply_markup")
    if isinstance(markup, str):
        try:
            markup = json.loads(markup)
        except ValueError:
            return []
    rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
    if not isinstance(rows, list):
        return []
    return [b for row in rows if isinstance(row, list) for b in row if isinstance(b, dict)]


def _button_addresses(params: Params) -> None:
    """A link button opens an HTTP(S) or tg:// address with a host Telegram can resolve (not
    "localhost"); a Mini App and a login button, HTTPS only."""
    for button in _buttons(params):
        if isinstance(button.get("web_app"), dict):
            url = str(button["web_app"].get("url", ""))
            if not _https(url):
                raise bad_request(
                    f"inline keyboard button Web App URL '{url}' is invalid: {_HTTPS}"
                )
        if isinstance(button.get("login_url"), dict):
            url = str(button["login_url"].get("url", ""))
            if not _https(url):
                raise bad_request(f"inline keyboard button login URL '{url}' is invalid: {_HTTPS}")
        if "url" in button and not _link(str(button["url"])):
            raise bad_request(
                f"inline keyboard button URL '{button['url']}' is invalid: Wrong HTTP URL"
            )


def _menu_button(params: Params) -> None:
    """setChatMenuButton: a Mini App menu button opens an HTTPS address (WebAppInfo.url)."""
    button = params.get("menu_button")
    if isinstance(button, str):
        try:
            button = json.loads(button)
        except ValueError:
            return
    if not isinstance(button, dict) or button.get("type") != "web_app":
        return
    url = str((button.get("web_app") or {}).get("url", ""))
    if not _https(url):
        raise bad_request(f"menu button Web App URL '{url}' is invalid: {_HTTPS}")


# Telegram's words for a Mini App or login address that is not HTTPS.
_HTTPS = "Only HTTPS links are allowed"
# What a link button may open ("HTTP or tg:// URL").
_LINK_SCHEMES = frozenset({"http", "https", "tg"})


def _https(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "https" and bool(parts.hostname)


def _link(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme not in _LINK_SCHEMES:
        return False
    return parts.scheme == "tg" or (bool(parts.hostname) and parts.hostname != "localhost")


_RULES: dict[str, Callable[[Params], None]] = {
    "sendChatAction": _chat_action,
    "answerInlineQuery": _inline_results,
    "setMyCommands": _commands,
    "setChatMenuButton": _menu_button,
}
