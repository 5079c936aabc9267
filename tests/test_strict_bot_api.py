"""The fake Bot API refuses what Telegram refuses, in Telegram's words: one test per kind of
refusal, each next to the request Telegram accepts, so that a fake too strict fails too."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest

from tests.fake_api.spec import SPEC_PATH
from tests.fake_bot_api import QUERY_LIFETIME, SPEC, TOKEN, FakeBotApi

USER = 5151
GROUP = -5252
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32

needs_spec = pytest.mark.skipif(
    SPEC is None, reason=f"Telegram's Bot API spec is not at {SPEC_PATH}: nothing to hold to"
)


class Clock:
    """The fake's clock, moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def api():
    """A strict fake (not the shared fixture: these tests make it refuse on purpose), with
    a user who started the bot."""
    clock = Clock()
    async with FakeBotApi(clock=clock) as fake:
        fake.clock_hand = clock
        fake.send_text(USER, "/start")
        yield fake


async def call(api: FakeBotApi, method: str, token: str = TOKEN, **params: Any) -> dict[str, Any]:
    """One request as python-telegram-bot sends it: a form whose nested values are JSON, or
    multipart when a value is bytes (a file). Returns Telegram's answer, with its status."""
    form = aiohttp.FormData()
    for key, value in params.items():
        if isinstance(value, bytes):
            form.add_field(key, value, filename=f"{key}.bin")
        else:
            form.add_field(key, value if isinstance(value, str) else json.dumps(value))
    address = f"{api.base_url}{token}/{method}"
    async with aiohttp.ClientSession() as session, session.post(address, data=form) as answer:
        return {"status": answer.status} | await answer.json()


def refused(answer: dict[str, Any], description: str, status: int = 400) -> bool:
    """Whether the answer is Telegram's refusal with that description ("Bad Request: " first
    for a 400, as Telegram words it)."""
    description = f"Bad Request: {description}" if status == 400 else description
    expected = {"status": status, "ok": False, "error_code": status, "description": description}
    assert answer == expected, answer
    return True


def keyboard(*buttons: dict[str, Any]) -> dict[str, Any]:
    return {"inline_keyboard": [list(buttons)]}


async def send(api: FakeBotApi, **params: Any) -> dict[str, Any]:
    return await call(api, "sendMessage", chat_id=USER, text="Bonjour", **params)


# ------------------------------------------------------------------ the request itself


async def test_a_wrong_token_is_unauthorized(api):
    assert refused(await call(api, "getMe", "1:WRONG"), "Unauthorized", 401)
    assert (await call(api, "getMe"))["ok"]


async def test_an_unknown_method_is_not_found_and_names_are_case_insensitive(api):
    assert refused(await call(api, "sendMesage", chat_id=USER, text="x"), "Not Found", 404)
    assert (await call(api, "SENDMESSAGE", chat_id=USER, text="x"))["ok"]
    assert [c.method for c in api.calls_of("sendMessage")] == ["sendMessage"]


@needs_spec
async def test_a_missing_required_parameter_or_a_wrong_type_is_refused(api):
    assert refused(await call(api, "sendMessage", chat_id=USER), "message text is empty")
    assert refused(await call(api, "sendMessage", text="x"), "chat_id is empty")
    answer = await call(api, "deleteMessage", chat_id=USER, message_id="premier")
    assert refused(answer, "wrong type of a Integer field")


# ------------------------------------------------------------------ keyboards


@needs_spec
async def test_callback_data_is_1_to_64_bytes(api):
    assert (await send(api, reply_markup=keyboard({"text": "a", "callback_data": "é" * 32})))["ok"]
    too_long = await send(api, reply_markup=keyboard({"text": "a", "callback_data": "é" * 33}))
    assert refused(too_long, "BUTTON_DATA_INVALID")
    empty = await send(api, reply_markup=keyboard({"text": "a", "callback_data": ""}))
    assert refused(empty, "BUTTON_DATA_INVALID")


@needs_spec
async def test_a_button_needs_text_and_exactly_one_action(api):
    empty = await send(api, reply_markup=keyboard({"text": " ", "callback_data": "x"}))
    assert refused(empty, "can't parse inline keyboard button: Text must be non-empty")
    idle = await send(api, reply_markup=keyboard({"text": "Rien"}))
    both = await send(
        api, reply_markup=keyboard({"text": "Deux", "callback_data": "x", "url": "https://a.fr"})
    )
    for answer in (idle, both):
        assert refused(
            answer,
            "can't parse inline keyboard button: "
            "InlineKeyboardButton must have exactly one action field",
        )
    link = await send(api, reply_markup=keyboard({"text": "Lien", "url": "https://a.fr"}))
    assert link["ok"]


@needs_spec
async def test_reply_markup_must_be_a_json_keyboard(api):
    for markup in ("{inline_keyboard: [", "42", {"keyboard_inline": []}):
        answer = await send(api, reply_markup=markup)
        assert not answer["ok"] and answer["error_code"] == 400, markup
    assert refused(
        await send(api, reply_markup="{inline_keyboard: ["),
        "can't parse reply keyboard markup JSON object",
    )
    assert (await send(api, reply_markup={"inline_keyboard": []}))["ok"]


async def test_an_unknown_parse_mode_is_refused(api):
    assert refused(await send(api, parse_mode="html5"), "unsupported parse_mode")
    for mode in ("HTML", "MarkdownV2", "markdown"):
        assert (await send(api, parse_mode=mode))["ok"], mode


# ------------------------------------------------------------------ Mini Apps and links

APP = "https://alliance.example.org/app"


async def test_a_mini_app_button_needs_https(api):
    plain = await send(
        api,
        reply_markup=keyboard(
            {"text": "Tableau", "web_app": {"url": "http://alliance.example.org/app"}}
        ),
    )
    message = "inline keyboard button Web App URL 'http://alliance.example.org/app' is invalid"
    assert refused(plain, f"{message}: Only HTTPS links are allowed")
    assert (await send(api, reply_markup=keyboard({"text": "Tableau", "web_app": {"url": APP}})))[
        "ok"
    ]


async def test_a_mini_app_button_only_in_a_private_chat(api):
    api.send_text(USER, "/aide", chat_type="group")
    group = -USER
    mini_app = keyboard({"text": "Tableau", "web_app": {"url": APP}})
    answer = await call(api, "sendMessage", chat_id=group, text="Bonjour", reply_markup=mini_app)
    assert refused(answer, "BUTTON_TYPE_INVALID")
    link = keyboard({"text": "Tableau", "url": APP})
    assert (await call(api, "sendMessage", chat_id=group, text="Bonjour", reply_markup=link))["ok"]
    sent = await call(api, "sendMessage", chat_id=group, text="Bonjour")
    edit = await call(
        api,
        "editMessageReplyMarkup",
        chat_id=group,
        message_id=sent["result"]["message_id"],
        reply_markup=mini_app,
    )
    assert refused(edit, "BUTTON_TYPE_INVALID")


async def test_a_link_button_opens_a_web_or_tg_address(api):
    for url in ("ftp://alliance.example.org/", "http://localhost:8080/login/x", "alliance"):
        answer = await send(api, reply_markup=keyboard({"text": "Lien", "url": url}))
        assert refused(answer, f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
    for url in (
        "https://alliance.example.org/login/x",
        "http://alliance.example.org/",
        "tg://user?id=1",
    ):
        assert (await send(api, reply_markup=keyboard({"text": "Lien", "url": url})))["ok"], url


async def test_the_menu_button_opens_an_https_mini_app(api):
    button = {"type": "web_app", "text": "Tableau de bord", "web_app": {"url": APP}}
    plain = button | {"web_app": {"url": "http://alliance.example.org/app"}}
    answer = await call(api, "setChatMenuButton", menu_button=plain)
    message = "menu button Web App URL 'http://alliance.example.org/app' is invalid"
    assert refused(answer, f"{message}: Only HTTPS links are allowed")
    assert (await call(api, "getChatMenuButton"))["result"] == {"type": "commands"}
    assert (await call(api, "setChatMenuButton", menu_button=button))["ok"]
    assert (await call(api, "getChatMenuButton", chat_id=USER))["result"] == button


# ------------------------------------------------------------------ commands and settings


@needs_spec
async def test_command_menus_follow_telegrams_rules(api):
    good = [{"command": "suivi", "description": "Suivre un partenariat"}]
    assert (await call(api, "setMyCommands", commands=good, language_code="en"))["ok"]
    for name in ("Suivi", "sui-vi", "s" * 33, ""):
        answer = await call(api, "setMyCommands", commands=[{"command": name, "description": "d"}])
        assert refused(answer, "BOT_COMMAND_INVALID"), name
    answer = await call(api, "setMyCommands", commands=[{"command": "aide", "description": ""}])
    assert refused(answer, "BOT_COMMAND_DESCRIPTION_INVALID")
    for code in ("fra", "FR", "f"):
        answer = await call(api, "setMyCommands", commands=good, language_code=code)
        assert refused(answer, "invalid language code specified"), code
    many = [{"command": f"c{i}", "description": "d"} for i in range(101)]
    assert refused(await call(api, "setMyCommands", commands=many), "too many commands specified")
    answer = await call(api, "setMyCommands", commands=good, scope={"type": "all_chats"})
    assert not answer["ok"] and "scope" in answer["description"]


@needs_spec
async def test_descriptions_are_limited(api):
    assert (await call(api, "setMyShortDescription", short_description="é" * 120))["ok"]
    answer = await call(api, "setMyShortDescription", short_description="é" * 121)
    assert refused(answer, "short_description must be 0-120 characters long")
    assert api.descriptions[("short_description", "")] == "é" * 120


async def test_a_chat_action_must_be_one_of_telegrams(api):
    answer = await call(api, "sendChatAction", chat_id=USER, action="thinking")
    assert refused(answer, "wrong parameter action in request")
    assert (await call(api, "sendChatAction", chat_id=USER, action="upload_document"))["ok"]


# ------------------------------------------------------------------ queries


async def pressed(api: FakeBotApi) -> str:
    """A press the bot received (its 15 s start then)."""
    await send(api, reply_markup=keyboard({"text": "Oui", "callback_data": "yes"}))
    update = api.press(USER, "yes")
    await call(api, "getUpdates", offset=0)
    return update["callback_query"]["id"]


async def test_a_callback_query_is_answered_once_within_15_seconds(api):
    query = await pressed(api)
    too_old = "query is too old and response timeout expired or query ID is invalid"
    assert refused(await call(api, "answerCallbackQuery", callback_query_id="424242"), too_old)
    api.clock_hand.now += QUERY_LIFETIME - 0.5
    assert (await call(api, "answerCallbackQuery", callback_query_id=query, text="Noté"))["ok"]
    assert refused(await call(api, "answerCallbackQuery", callback_query_id=query), too_old)
    late = await pressed(api)
    api.clock_hand.now += QUERY_LIFETIME + 0.5
    assert refused(await call(api, "answerCallbackQuery", callback_query_id=late), too_old)


@needs_spec
async def test_a_callback_answer_is_at_most_200_characters(api):
    query = await pressed(api)
    answer = await call(api, "answerCallbackQuery", callback_query_id=query, text="x" * 201)
    assert refused(answer, "MESSAGE_TOO_LONG")
    assert (await call(api, "answerCallbackQuery", callback_query_id=query, text="x" * 200))["ok"]


def article(number: int | str, text: str = "Fiche") -> dict[str, Any]:
    return {
        "type": "article",
        "id": str(number),
        "title": "Fiche",
        "input_message_content": {"message_text": text, "parse_mode": "HTML"},
    }


async def inline(api: FakeBotApi) -> str:
    update = api.inline_query(USER, "convention")
    await call(api, "getUpdates", offset=0)
    return update["inline_query"]["id"]


async def test_inline_answers_have_at_most_50_distinct_results(api):
    query = await inline(api)
    many = [article(i) for i in range(51)]
    assert refused(
        await call(api, "answerInlineQuery", inline_query_id=query, results=many),
        "RESULTS_TOO_MUCH",
    )
    twice = [article(1), article(1)]
    assert refused(
        await call(api, "answerInlineQuery", inline_query_id=query, results=twice),
        "RESULT_ID_DUPLICATE",
    )
    fine = [article(i) for i in range(50)]
    assert (await call(api, "answerInlineQuery", inline_query_id=query, results=fine))["ok"]


@needs_spec
async def test_inline_results_are_checked_like_messages(api):
    query = await inline(api)
    for results, reason in (
        ([article("x" * 65)], "RESULT_ID_INVALID"),
        (
            [article(1, "<b>gras")],
            "can't parse entities: Can't find end tag corresponding to start tag \"b\"",
        ),
        ([article(1, "x" * 4097)], "message_text must be 1-4096 characters long"),
        (
            [{"type": "nothing", "id": "1"}],
            "wrong type of results: 'nothing' is not a InlineQueryResult",
        ),
    ):
        answer = await call(api, "answerInlineQuery", inline_query_id=query, results=results)
        assert refused(answer, reason)


# ------------------------------------------------------------------ messages as Telegram keeps them


async def test_a_person_who_never_started_the_bot_cannot_be_written_to(api):
    stranger = 6161
    answer = await call(api, "sendMessage", chat_id=stranger, text="Bonjour")
    assert refused(answer, "Forbidden: bot can't initiate conversation with a user", 403)
    assert refused(await call(api, "sendMessage", chat_id=GROUP, text="x"), "chat not found")
    api.send_text(stranger, "/start")
    assert (await call(api, "sendMessage", chat_id=stranger, text="Bonjour"))["ok"]


async def test_edits_and_deletions_need_the_message(api):
    sent = (await send(api))["result"]["message_id"]
    missing = sent + 40
    answer = await call(api, "editMessageText", chat_id=USER, message_id=missing, text="x")
    assert refused(answer, "message to edit not found")
    answer = await call(api, "editMessageReplyMarkup", chat_id=USER, message_id=missing)
    assert refused(answer, "message to edit not found")
    assert (await call(api, "deleteMessage", chat_id=USER, message_id=sent))["ok"]
    answer = await call(api, "deleteMessage", chat_id=USER, message_id=sent)
    assert refused(answer, "message to delete not found")


async def test_a_document_has_no_text_to_edit(api):
    document = await call(api, "sendDocument", chat_id=USER, document=b"%PDF-1.7")
    message_id = document["result"]["message_id"]
    answer = await call(api, "editMessageText", chat_id=USER, message_id=message_id, text="x")
    assert refused(answer, "there is no text in the message to edit")


async def test_files_telegram_refuses(api):
    assert refused(
        await call(api, "sendDocument", chat_id=USER, document=b""), "file must be non-empty"
    )
    answer = await call(api, "sendPhoto", chat_id=USER, photo=b"%PDF-1.7 not a picture")
    assert refused(answer, "IMAGE_PROCESS_FAILED")
    answer = await call(api, "sendPhoto", chat_id=USER, photo=PNG, caption="c" * 1025)
    assert refused(answer, "message caption is too long")
    assert (await call(api, "sendPhoto", chat_id=USER, photo=PNG, caption="Radar"))["ok"]


# ------------------------------------------------------------------ what the tests are told


async def test_refusals_are_counted_apart_from_injected_faults(api):
    api.fail_next("sendMessage", 403)
    await send(api)
    assert api.unexpected_refusals() == ""
    await call(api, "sendMessage", chat_id=USER, text="")
    assert "sendMessage" in api.unexpected_refusals()
    assert "message text is empty" in api.unexpected_refusals()
    api.expect_refusals("sendMessage")
    assert api.unexpected_refusals() == ""


def test_the_spec_in_use_is_telegrams_published_one():
    """Said in pytest's header; here, what is loaded when it is there."""
    if SPEC is None:
        pytest.skip(f"Telegram's Bot API spec is not at {SPEC_PATH}")
    assert SPEC.version.startswith("Bot API")
    assert {"sendMessage", "editMessageText", "answerCallbackQuery"} <= set(SPEC.returns)
