"""In-process fake of the Telegram Bot API (aiohttp) for end-to-end tests and load benchmarks."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import mimetypes
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fake_api import rules
from tests.fake_api.errors import ApiError, bad_request
from tests.fake_api.html import visible_text
from tests.fake_api.spec import BotApiSpec

# Telegram's published API, when it is beside the project (see tests/fake_api/spec.py).
SPEC = BotApiSpec.load()
# The token the fake answers to; any other gets Telegram's 401.
TOKEN = "123456:TEST"
# Seconds a callback or inline query can be answered after the user sent it.
QUERY_LIFETIME = 15.0
_QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
# The first bytes of the pictures Telegram takes as a photo.
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM")

BOT_USER: dict[str, Any] = {
    "id": 999,
    "is_bot": True,
    "first_name": "Alliance Test",
    "username": "alliance_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": True,
    "can_connect_to_business": False,
    "has_main_web_app": False,
}
REPLY_METHODS = ("sendMessage", "editMessageText", "sendDocument")
TEXT_METHODS = ("sendMessage", "editMessageText")
# Free-text parameters that must stay strings even when they look like JSON ("42", "[x]").
_TEXT_KEYS = frozenset(
    {
        "text",
        "caption",
        "query",
        "data",
        "title",
        "description",
        "short_description",
        "name",
        "question",
        "explanation",
        "payload",
        "start_parameter",
        "switch_pm_text",
        "switch_pm_parameter",
        "next_offset",
        "secret_token",
        "url",
        "callback_query_id",
        "inline_query_id",
        "file_id",
        "emoji",
        "message_effect_id",
    }
)
_DEFAULT_ERRORS = {
    429: "Too Many Requests: retry after {retry_after}",
    403: "Forbidden: bot was blocked by the user",
    400: "Bad Request: chat not found",
    500: "Internal Server Error",
    502: "Bad Gateway",
}
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
_WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
# The heaviest upload Telegram takes from a bot, in bytes (413 past it).
UPLOAD_LIMITS = {"document": 50 * 1024 * 1024, "photo": 10 * 1024 * 1024}
# nginx's code for a request whose client went away; Telegram never sends it, so it marks
# a held call that was dropped instead of executed.
ABANDONED = 499
# How often a held call looks whether its client went away, to wake up waiters.
_CLIENT_CHECK = 0.05

ChatId = int | str
Files = dict[str, tuple[str, bytes]]


@dataclass
class Call:
    """One recorded Bot API request (time: time.monotonic() when executed, at release if held)."""

    method: str
    params: dict[str, Any]
    time: float
    files: Files = field(default_factory=dict)
    result: Any = None
    error_code: int | None = None
    description: str | None = None
    # The error was a fault a test injected, not Telegram refusing the request.
    injected: bool = False

    @property
    def ok(self) -> bool:
        """Whether the fake answered this call successfully."""
        return self.error_code is None

    @property
    def chat_id(self) -> ChatId | None:
        """The call's chat_id parameter, if any."""
        return self.params.get("chat_id")

    @property
    def text(self) -> str | None:
        """The call's text parameter, if any."""
        return self.params.get("text")


def _now() -> int:
    """Current Unix time as Telegram sends it."""
    return int(time.time())


def _chat_key(chat_id: ChatId | None) -> ChatId | None:
    """Normalise a chat id: numeric strings become ints, "@name" stays a string."""
    if isinstance(chat_id, str) and chat_id.lstrip("-").isdigit():
        return int(chat_id)
    return chat_id


def _decode_value(key: str, value: str) -> Any:
    """Decode a form value: JSON numbers, booleans, objects and arrays; text keys stay str."""
    if key in _TEXT_KEYS:
        return value
    try:
        decoded = json.loads(value)
    except ValueError:
        return value
    return decoded if isinstance(decoded, int | float | list | dict) else value


def _utf16_len(text: str) -> int:
    """Length of text in UTF-16 code units, as Telegram measures entities."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _inline_keyboard(markup: Any) -> list[list[dict[str, Any]]] | None:
    """The inline_keyboard of a reply_markup value, or None."""
    return markup.get("inline_keyboard") if isinstance(markup, dict) else None


def _brief(params: dict[str, Any]) -> str:
    """A call's parameters, each cut short, for an error message."""
    return str({key: str(value)[:80] for key, value in params.items()})


def _matches(call: Call, method: str, chat_id: ChatId | None) -> bool:
    """Whether call is of method (any case) and, when chat_id is given, to that chat."""
    same_chat = chat_id is None or _chat_key(call.chat_id) == _chat_key(chat_id)
    return call.method.lower() == method.lower() and same_chat


def _client_gone(request: web.Request) -> bool:
    """Whether the client of a pending request closed its connection (e.g. was killed)."""
    return request.transport is None or request.transport.is_closing()


async def _read_params(request: web.Request) -> tuple[dict[str, Any], Files]:
    """Decode query string, urlencoded/multipart form or JSON body into (params, files)."""
    params: dict[str, Any] = {k: _decode_value(k, v) for k, v in request.query.items()}
    files: Files = {}
    if request.content_type == "application/json":
        params.update(await request.json())
        return params, files
    for key, value in (await request.post()).items():
        if isinstance(value, web.FileField):
            files[key] = (value.filename, value.file.read())
        else:
            params[key] = _decode_value(key, value)
    return params, files


def _check_text(params: dict[str, Any]) -> None:
    """Refuse a message text as Telegram does: bad HTML, empty, or too long."""
    visible = visible_text(params, "text", "entities").strip()
    if not visible:
        raise ApiError(400, "Bad Request: message text is empty")
    if _utf16_len(visible) > TEXT_LIMIT:
        raise ApiError(400, "Bad Request: message is too long")


def _check_caption(params: dict[str, Any]) -> None:
    """Refuse a caption as Telegram does: bad HTML or too long (an empty one is fine)."""
    if _utf16_len(visible_text(params, "caption", "caption_entities").strip()) > CAPTION_LIMIT:
        raise ApiError(400, "Bad Request: message caption is too long")


# --------------------------------------------------------------------- holds and faults


class Gate:
    """Holds calls of one method (optionally to one chat) unanswered until released."""

    def __init__(self, method: str, chat_id: ChatId | None, on_release: Callable[[], None]):
        self.method = method
        self.chat_id = chat_id
        self._released = asyncio.Event()
        self._on_release = on_release

    @property
    def released(self) -> bool:
        """Whether release() was called; a released gate holds nothing any more."""
        return self._released.is_set()

    def holds(self, call: Call) -> bool:
        """Whether this gate holds call."""
        return not self.released and _matches(call, self.method, self.chat_id)

    def release(self) -> None:
        """Let the held calls go on and stop holding new ones."""
        self._released.set()
        self._on_release()

    async def wait(self, timeout: float) -> bool:
        """Wait up to timeout seconds for the release; True once released."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._released.wait(), timeout)
        return self.released


@dataclass(eq=False)
class _Rule:
    """A fault waiting for the next `times` calls of a method (to a chat)."""

    method: str
    chat_id: ChatId | None
    times: int
    value: Any


@dataclass(eq=False)
class _Held:
    """A call waiting at a gate, with the request to see whether its client is still there."""

    call: Call
    request: web.Request
    gone: bool = False


def _take(rules: list[_Rule], call: Call) -> Any:
    """Use up one time of the first rule matching call and return its value (None if none)."""
    for rule in rules:
        if _matches(call, rule.method, rule.chat_id):
            rule.times -= 1
            if rule.times <= 0:
                rules.remove(rule)
            return rule.value
    return None


class FakeBotApi:
    """Fake Bot API server: records calls, serves queued updates, injects failures and delays."""

    def __init__(
        self,
        delay: float = 0.0,
        *,
        max_poll: float = 1.0,
        quiet: float = 0.2,
        first_update_id: int = 1,
        token: str = TOKEN,
        spec: BotApiSpec | None = SPEC,
        clock: Callable[[], float] = time.monotonic,
    ):
        # Seconds between executing a call and answering it: the WAN round trip of the real API.
        self.delay = delay
        self.token = token
        self.spec = spec
        # When queries were sent, for their 15 s; a test moves it to try a late answer.
        self.clock = clock
        self.max_poll = max_poll
        self.quiet = quiet
        self.calls: list[Call] = []
        self.updates: list[dict[str, Any]] = []
        self.webhook: dict[str, Any] | None = None
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        # ("description" or "short_description", language_code) -> text.
        self.descriptions: dict[tuple[str, str], str] = {}
        # The menu button by private chat; None: the default one, for every chat.
        self.menu_buttons: dict[ChatId | None, dict[str, Any]] = {}
        self.files: dict[str, tuple[str, bytes]] = {}
        self.allowed_updates: list[str] | None = None
        # Lowered by tests to try heavy files without sending megabytes.
        self.upload_limits = dict(UPLOAD_LIMITS)
        self._update_ids = itertools.count(first_update_id)
        self._query_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._delivered_id = 0
        self._last_activity = time.monotonic()
        self._chats: dict[ChatId, dict[str, Any]] = {}
        self._messages: dict[ChatId, dict[int, dict[str, Any]]] = {}
        # Query id -> [sent at, delivered at]: answerable once, within QUERY_LIFETIME.
        self._queries: dict[str, list[float | None]] = {}
        self._answered: set[str] = set()
        self._expected_refusals: set[str] = set()
        self._last_message_id: dict[ChatId, int] = {}
        self._failures: list[_Rule] = []
        self._late: list[_Rule] = []
        self._gates: list[Gate] = []
        self._held: list[_Held] = []
        self._answering = 0
        self._cursors: dict[ChatId, int] = {}
        self._file_paths: dict[str, str] = {}
        self._changed = asyncio.Event()
        self._stopping = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._methods = self._method_table()

    # ----------------------------------------------------------------- server lifecycle

    async def __aenter__(self) -> FakeBotApi:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def start(self) -> None:
        """Start listening on 127.0.0.1 with an ephemeral port."""
        app = web.Application(client_max_size=64 * 2**20)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._serve_file)
        self._stopping = asyncio.Event()
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Release pending long polls, drop held calls, cut answer delays and shut down."""
        self._stopping.set()
        self.release_all()
        self._notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def base_url(self) -> str:
        """Value for ApplicationBuilder().base_url(); PTB appends token and "/method"."""
        return f"http://127.0.0.1:{self._port}/bot"

    @property
    def base_file_url(self) -> str:
        """Value for ApplicationBuilder().base_file_url()."""
        return f"http://127.0.0.1:{self._port}/file/bot"

    # ----------------------------------------------------------------- request handling

    def _method_table(self) -> dict[str, tuple[str, Callable[..., Any]]]:
        """Map lower-case method names to (canonical name, handler)."""
        handlers = {
            "getMe": lambda p, f: dict(BOT_USER),
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "getUpdates": self._get_updates,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_reply_markup,
            "deleteMessage": self._delete_message,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "getFile": self._get_file,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "answerCallbackQuery": self._answer_query,
            "answerInlineQuery": self._answer_query,
            "sendChatAction": lambda p, f: bool(self._chat(p.get("chat_id"))),
            "setMyDescription": lambda p, f: self._set_description("description", p),
            "setMyShortDescription": lambda p, f: self._set_description("short_description", p),
            "setChatMenuButton": self._set_menu_button,
            "getChatMenuButton": self._get_menu_button,
        }
        return {name.lower(): (name, handler) for name, handler in handlers.items()}

    async def _handle(self, request: web.Request) -> web.Response:
        """Dispatch one Bot API request: wait at gates, execute and record it, answer it."""
        name = request.match_info["method"]
        params, files = await _read_params(request)
        call = Call(self._canonical(name) or name, params, time.monotonic(), files)
        if not await self._pass_gates(call, request):
            return self._abandon(call)
        late = _take(self._late, call)
        body, status = await self._execute(call, request.match_info["token"])
        await self._delay_answer(self._answer_delay(call, late))
        return web.json_response(body, status=status)

    async def _execute(self, call: Call, token: str) -> tuple[dict[str, Any], int]:
        """Run the method now and record it; return the JSON body and HTTP status to answer."""
        call.time = time.monotonic()
        try:
            self._raise_injected_failure(call)
            handler = self._admit(call, token)
            result = handler(call.params, call.files)
            if asyncio.iscoroutine(result):
                result = await result
        except ApiError as error:
            call.error_code = error.error_code
            call.description = error.description
            self._record(call)
            return error.payload(), error.error_code
        call.result = result
        self._record(call)
        return {"ok": True, "result": result}, 200

    def _canonical(self, name: str) -> str | None:
        """The method's own name, None when Telegram has no such method."""
        if self.spec is not None:
            return self.spec.canonical(name)
        known = self._methods.get(name.lower())
        return known[0] if known else None

    def _admit(self, call: Call, token: str) -> Callable[..., Any]:
        """The method's handler, once the call passed Telegram's checks: the token, the
        method, the parameters (names, types, required, limits), the values."""
        if token != self.token:
            raise ApiError(401, "Unauthorized")
        if self._canonical(call.method) is None:
            raise ApiError(404, "Not Found")
        if self.spec is not None:
            self.spec.check(call.method, call.params, call.files)
        rules.check(call.method, call.params)
        chat = self._chats.get(_chat_key(call.params.get("chat_id")))
        if chat is not None:
            rules.check_in_chat(call.params, chat.get("type", "private"))
        known = self._methods.get(call.method.lower())
        if known is not None:
            return known[1]
        if self.spec is not None and self.spec.returns_true(call.method):
            return lambda p, f: True
        raise ApiError(501, f"Not Implemented: the fake Bot API has no {call.method}")

    def _answer_delay(self, call: Call, late: float | None) -> float:
        """Seconds to wait before answering call (an empty getUpdates already waited)."""
        if late is not None:
            return late
        return 0.0 if call.method == "getUpdates" and not call.result else self.delay

    async def _delay_answer(self, seconds: float) -> None:
        """Keep the answer back `seconds` (cut short by stop); busy for idle() meanwhile."""
        if seconds <= 0:
            return
        self._answering += 1
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), seconds)
        finally:
            self._answering -= 1
            self._last_activity = time.monotonic()
            self._notify()

    async def _pass_gates(self, call: Call, request: web.Request) -> bool:
        """Keep call waiting while a gate holds it; False if it was held and must not run."""
        gate = self._gate_for(call)
        if gate is None:
            return True
        held = _Held(call, request)
        self._held.append(held)
        self._notify()
        try:
            while gate is not None:
                await self._wait_release(held, gate)
                gate = self._gate_for(call)
        finally:
            self._held.remove(held)
            self._notify()
        # Telegram never received a request whose sender died before it got through.
        return not (self._stopping.is_set() or _client_gone(request))

    async def _wait_release(self, held: _Held, gate: Gate) -> None:
        """Wait for gate's release, waking waiters once if the held call's client goes away."""
        while not await gate.wait(_CLIENT_CHECK):
            if not held.gone and _client_gone(held.request):
                held.gone = True
                self._notify()

    def _gate_for(self, call: Call) -> Gate | None:
        """The first unreleased gate holding call, if any."""
        return next((gate for gate in self._gates if gate.holds(call)), None)

    def _abandon(self, call: Call) -> web.Response:
        """Record a held call that was dropped, never executed, and answer it with ABANDONED."""
        call.time = time.monotonic()
        call.error_code = ABANDONED
        self._record(call)
        error = ApiError(ABANDONED, "Client closed the request before it was released")
        return web.json_response(error.payload(), status=ABANDONED)

    async def _serve_file(self, request: web.Request) -> web.Response:
        """Serve the bytes of an uploaded file by its file_path."""
        file_id = self._file_paths.get(request.match_info["path"])
        if file_id is None:
            raise web.HTTPNotFound()
        return web.Response(body=self.files[file_id][1])

    def _record(self, call: Call) -> None:
        """Append a call and wake up waiters."""
        self.calls.append(call)
        if call.method != "getUpdates":
            self._last_activity = time.monotonic()
        self._notify()

    def _notify(self) -> None:
        """Wake every coroutine waiting for a state change."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait_change(self, deadline: float) -> bool:
        """Wait for the next state change until deadline (monotonic); False on timeout."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        try:
            await asyncio.wait_for(self._changed.wait(), remaining)
        except TimeoutError:
            return False
        return True

    # ----------------------------------------------------------------- failure injection

    def fail_next(
        self,
        method: str,
        error_code: int = 429,
        description: str | None = None,
        retry_after: int = 1,
        times: int = 1,
        chat_id: ChatId | None = None,
    ) -> None:
        """Make the next `times` calls of method (to chat_id) fail unexecuted (429: retry_after)."""
        text = description or _DEFAULT_ERRORS.get(error_code, f"Error {error_code}")
        retry = retry_after if error_code == 429 else None
        error = ApiError(error_code, text.format(retry_after=retry_after), retry)
        if times > 0:
            self._failures.append(_Rule(method, chat_id, times, error))

    def _raise_injected_failure(self, call: Call) -> None:
        """Raise the next injected failure matching call, if any."""
        error = _take(self._failures, call)
        if error is not None:
            call.injected = True
            raise error

    def answer_late(
        self, method: str, seconds: float, chat_id: ChatId | None = None, times: int = 1
    ) -> None:
        """Execute the next `times` calls of method (to chat_id) now, answer `seconds` later."""
        # Telegram did it, the client timed out: a retry by the client duplicates the effect.
        if times > 0:
            self._late.append(_Rule(method, chat_id, times, seconds))

    def hold(self, method: str, chat_id: ChatId | None = None) -> Gate:
        """Hold later calls of method (to chat_id) unexecuted and unanswered until released."""
        # A held call whose client left meanwhile is then dropped (recorded as ABANDONED).
        gate = Gate(method, chat_id, self._forget_released)
        self._gates.append(gate)
        return gate

    def release_all(self) -> None:
        """Release every gate: held calls go on and nothing is held any more."""
        for gate in list(self._gates):
            gate.release()

    def held(
        self, method: str, chat_id: ChatId | None = None, *, client_gone: bool | None = None
    ) -> int:
        """How many calls of method (to chat_id) wait at a gate; client_gone filters on senders."""
        return sum(
            1
            for held in self._held
            if _matches(held.call, method, chat_id)
            and (client_gone is None or _client_gone(held.request) == client_gone)
        )

    def _forget_released(self) -> None:
        """Drop released gates and wake the calls they held."""
        self._gates[:] = [gate for gate in self._gates if not gate.released]
        self._notify()

    # ----------------------------------------------------------------- webhook and polling

    def _set_webhook(self, params: dict[str, Any], files: Files) -> bool:
        """Record the webhook configuration."""
        self.webhook = dict(params)
        return True

    def _delete_webhook(self, params: dict[str, Any], files: Files) -> bool:
        """Forget the webhook, optionally dropping pending updates."""
        self.webhook = None
        if params.get("drop_pending_updates"):
            self.updates.clear()
        return True

    def _get_webhook_info(self, params: dict[str, Any], files: Files) -> dict[str, Any]:
        """Describe the current webhook."""
        return {
            "url": (self.webhook or {}).get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self.updates),
        }

    async def _get_updates(self, params: dict[str, Any], files: Files) -> list[dict[str, Any]]:
        """Long polling: confirm updates below offset, wait up to timeout for new ones."""
        if self.webhook:
            raise ApiError(409, _WEBHOOK_CONFLICT)
        if "allowed_updates" in params:
            self.allowed_updates = params["allowed_updates"] or None
        self._confirm(int(params.get("offset", 0)))
        limit = int(params.get("limit", 100))
        deadline = time.monotonic() + min(float(params.get("timeout", 0)), self.max_poll)
        while not (batch := self._pending(limit)) and not self._stopping.is_set():
            if not await self._wait_change(deadline):
                break
        if batch:
            self._delivered_id = max(self._delivered_id, batch[-1]["update_id"])
            self._start_query_clocks(batch)
            self._last_activity = time.monotonic()
        return batch

    def _start_query_clocks(self, batch: list[dict[str, Any]]) -> None:
        """A query's 15 s run from when the bot first received it: in a test, updates queued
        before the bot polls have not waited on a real person's screen."""
        now = self.clock()
        for update in batch:
            for kind in ("callback_query", "inline_query"):
                times = self._queries.get(str(update.get(kind, {}).get("id")))
                if times is not None and times[1] is None:
                    times[1] = now

    def _answer_query(self, params: dict[str, Any], files: Files) -> bool:
        """answerCallbackQuery / answerInlineQuery: once per query, within its lifetime."""
        query_id = str(params.get("callback_query_id") or params.get("inline_query_id"))
        times = self._queries.get(query_id)
        sent = times and (times[1] if times[1] is not None else times[0])
        if not sent or query_id in self._answered or self.clock() - sent > QUERY_LIFETIME:
            raise bad_request(_QUERY_TOO_OLD)
        self._answered.add(query_id)
        return True

    def _set_description(self, kind: str, params: dict[str, Any]) -> bool:
        """setMyDescription / setMyShortDescription: kept per language."""
        self.descriptions[(kind, params.get("language_code", ""))] = params.get(kind, "")
        return True

    def _set_menu_button(self, params: dict[str, Any], files: Files) -> bool:
        """setChatMenuButton: a chat's menu button, or the default one without a chat."""
        chat_id = params.get("chat_id")
        if chat_id not in (None, ""):
            self._chat(chat_id)
        button = params.get("menu_button") or {"type": "default"}
        self.menu_buttons[_chat_key(chat_id) if chat_id not in (None, "") else None] = button
        return True

    def _get_menu_button(self, params: dict[str, Any], files: Files) -> dict[str, Any]:
        """getChatMenuButton: the chat's own button, else the default one (the command list
        until a bot sets another)."""
        chat_id = params.get("chat_id")
        key = _chat_key(chat_id) if chat_id not in (None, "") else None
        found = self.menu_buttons.get(key) or self.menu_buttons.get(None)
        return copy.deepcopy(found) if found else {"type": "commands"}

    def _confirm(self, offset: int) -> None:
        """Forget confirmed updates (negative offset keeps the last -offset ones)."""
        if offset < 0:
            del self.updates[:offset]
        elif offset:
            self.updates[:] = [u for u in self.updates if u["update_id"] >= offset]

    def _pending(self, limit: int) -> list[dict[str, Any]]:
        """Queued updates of an allowed type, at most limit; others are dropped."""
        if self.allowed_updates:
            allowed = set(self.allowed_updates) | {"update_id"}
            self.updates[:] = [u for u in self.updates if set(u) <= allowed]
        return self.updates[:limit]

    # ----------------------------------------------------------------- bot messages

    def _chat(self, chat_id: ChatId | None) -> dict[str, Any]:
        """The chat object for chat_id: a chat the bot was written in. Telegram lets no bot
        write first to a person (403) and knows no chat the bot was never in (400)."""
        if chat_id in (None, ""):
            raise bad_request("chat_id is empty")
        chat = self._chats.get(_chat_key(chat_id))
        if chat is not None:
            return chat
        if isinstance(_chat_key(chat_id), int) and _chat_key(chat_id) > 0:
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        raise bad_request("chat not found")

    def open_chat(self, user_id: int, first_name: str = "Test") -> None:
        """A person who started the bot before the test (a benchmark's respondents)."""
        chat = {"id": user_id, "type": "private", "first_name": first_name}
        self._chats.setdefault(_chat_key(user_id), chat)

    def _store(self, chat_id: ChatId, message: dict[str, Any]) -> dict[str, Any]:
        """Keep a message so that presses and edits can find it; return a copy."""
        self._messages.setdefault(_chat_key(chat_id), {})[message["message_id"]] = message
        return copy.deepcopy(message)

    def _new_message_id(self, chat_id: ChatId) -> int:
        """Next message_id in a chat (shared by user and bot messages, like Telegram)."""
        key = _chat_key(chat_id)
        self._last_message_id[key] = self._last_message_id.get(key, 0) + 1
        return self._last_message_id[key]

    def _bot_message(self, params: dict[str, Any], **content: Any) -> dict[str, Any]:
        """Create, store and return a message sent by the bot."""
        chat = self._chat(params.get("chat_id"))
        message = {
            "message_id": self._new_message_id(params["chat_id"]),
            "from": dict(BOT_USER),
            "chat": chat,
            "date": _now(),
            **content,
        }
        if _inline_keyboard(params.get("reply_markup")):
            message["reply_markup"] = params["reply_markup"]
        reply_to = self._reply_to(params)
        if reply_to:
            message["reply_to_message"] = copy.deepcopy(reply_to)
        return self._store(params["chat_id"], message)

    def _reply_to(self, params: dict[str, Any]) -> dict[str, Any] | None:
        """The stored message the bot replies to, if any."""
        reply = params.get("reply_parameters") or {}
        message_id = reply.get("message_id") or params.get("reply_to_message_id")
        return self._messages.get(_chat_key(params["chat_id"]), {}).get(message_id)

    def _send_message(self, params: dict[str, Any], files: Files) -> dict[str, Any]:
        """sendMessage: a new text message (HTML, emptiness and length checked as Telegram)."""
        self._chat(params.get("chat_id"))
        _check_text(params)
        extra = {"entities": params["entities"]} if params.get("entities") else {}
        return self._bot_message(params, text=params["text"], **extra)

    def _target(self, params: dict[str, Any], verb: str = "edit") -> dict[str, Any]:
        """The stored message an edit (or a deletion) refers to; Telegram's 400 when the
        chat holds no such message."""
        self._chat(params.get("chat_id"))
        messages = self._messages.get(_chat_key(params["chat_id"]), {})
        message = messages.get(int(params.get("message_id") or 0))
        if message is None:
            raise bad_request(f"message to {verb} not found")
        return message

    def _apply_markup(self, message: dict[str, Any], params: dict[str, Any]) -> None:
        """Set or remove the inline keyboard as an edit does."""
        if _inline_keyboard(params.get("reply_markup")):
            message["reply_markup"] = params["reply_markup"]
        else:
            message.pop("reply_markup", None)
        message["edit_date"] = _now()

    def _edit_message_text(self, params: dict[str, Any], files: Files) -> dict[str, Any] | bool:
        """editMessageText: update text and keyboard of a stored message."""
        _check_text(params)
        if "inline_message_id" in params:
            return True
        message = self._target(params)
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        shown, asked = message.get("reply_markup"), params.get("reply_markup")
        same_markup = (_inline_keyboard(shown) or None) == (_inline_keyboard(asked) or None)
        if message.get("text") == params.get("text", "") and same_markup:
            raise ApiError(400, _NOT_MODIFIED)
        message["text"] = params.get("text", "")
        self._apply_markup(message, params)
        return copy.deepcopy(message)

    def _edit_reply_markup(self, params: dict[str, Any], files: Files) -> dict[str, Any] | bool:
        """editMessageReplyMarkup: replace or remove the inline keyboard."""
        if "inline_message_id" in params:
            return True
        message = self._target(params)
        self._apply_markup(message, params)
        return copy.deepcopy(message)

    def _delete_message(self, params: dict[str, Any], files: Files) -> bool:
        """deleteMessage: forget a stored message (400 when there is none)."""
        message = self._target(params, verb="delete")
        del self._messages[_chat_key(params["chat_id"])][message["message_id"]]
        return True

    # ----------------------------------------------------------------- files

    def _send_document(self, params: dict[str, Any], files: Files) -> dict[str, Any]:
        """sendDocument: keep the uploaded bytes, answer with a document message."""
        self._chat(params.get("chat_id"))
        _check_caption(params)
        document = params.get("document")
        if "document" in files:
            file_id = self._keep_file(*files["document"])
        elif isinstance(document, str) and document.startswith("attach://"):
            file_id = self._keep_file(*files[document.removeprefix("attach://")])
        elif document in self.files:
            file_id = document
        else:
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        extra = {"caption": params["caption"]} if params.get("caption") else {}
        return self._bot_message(params, document=self._document(file_id), **extra)

    def _send_photo(self, params: dict[str, Any], files: Files) -> dict[str, Any]:
        """sendPhoto: keep the uploaded picture, answer with a photo message."""
        photo = params.get("photo")
        if "photo" in files:
            upload = files["photo"]
        elif isinstance(photo, str) and photo.startswith("attach://"):
            upload = files[photo.removeprefix("attach://")]
        else:
            raise bad_request("wrong file identifier/HTTP URL specified")
        self._chat(params.get("chat_id"))
        _check_caption(params)
        self._check_upload(upload[1], "photo")
        if not upload[1].startswith(_IMAGE_MAGIC):
            raise bad_request("IMAGE_PROCESS_FAILED")
        file_id = self._keep_file(*upload, kind="photo")
        size = {
            "file_id": file_id,
            "file_unique_id": f"AgAD{file_id[-6:]}",
            "width": 1200,
            "height": 900,
            "file_size": len(self.files[file_id][1]),
        }
        extra = {"caption": params["caption"]} if params.get("caption") else {}
        return self._bot_message(params, photo=[size], **extra)

    def _check_upload(self, data: bytes, kind: str) -> None:
        """Telegram takes no empty file, and none heavier than its limit (413)."""
        if not data:
            raise bad_request("file must be non-empty")
        if len(data) > self.upload_limits[kind]:
            raise ApiError(413, "Request Entity Too Large")

    def _keep_file(self, filename: str, data: bytes, kind: str = "document") -> str:
        """Store an uploaded file and return its new file_id."""
        self._check_upload(data, kind)
        number = next(self._file_ids)
        file_id = f"BQACAgQAAxkBAAI{number:06d}"
        self.files[file_id] = (filename, data)
        suffix = "." + filename.rsplit(".", 1)[1] if "." in filename else ""
        self._file_paths[f"documents/file_{number}{suffix}"] = file_id
        return file_id

    def _document(self, file_id: str) -> dict[str, Any]:
        """The Document object of a stored file."""
        filename, data = self.files[file_id]
        return {
            "file_id": file_id,
            "file_unique_id": f"AgAD{file_id[-6:]}",
            "file_name": filename,
            "mime_type": mimetypes.guess_type(filename)[0] or "application/octet-stream",
            "file_size": len(data),
        }

    def _get_file(self, params: dict[str, Any], files: Files) -> dict[str, Any]:
        """getFile: a File with a file_path served under base_file_url."""
        file_id = params.get("file_id")
        if file_id not in self.files:
            raise ApiError(400, "Bad Request: invalid file_id")
        path = next(p for p, f in self._file_paths.items() if f == file_id)
        document = self._document(file_id)
        return {k: document[k] for k in ("file_id", "file_unique_id", "file_size")} | {
            "file_path": path
        }

    # ----------------------------------------------------------------- commands

    @staticmethod
    def _commands_key(params: dict[str, Any]) -> tuple[str, str]:
        """Storage key of a command list: (scope JSON, language_code)."""
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), params.get("language_code", "")

    def _set_my_commands(self, params: dict[str, Any], files: Files) -> bool:
        """setMyCommands: store the list for its scope and language."""
        self.commands[self._commands_key(params)] = params.get("commands", [])
        return True

    def _get_my_commands(self, params: dict[str, Any], files: Files) -> list[dict[str, Any]]:
        """getMyCommands: the stored list for scope and language."""
        return self.commands.get(self._commands_key(params), [])

    def _delete_my_commands(self, params: dict[str, Any], files: Files) -> bool:
        """deleteMyCommands: forget the list for scope and language."""
        self.commands.pop(self._commands_key(params), None)
        return True

    # ----------------------------------------------------------------- update builders

    @staticmethod
    def _user(
        user_id: int, first_name: str, language_code: str, last_name: str | None = None
    ) -> dict[str, Any]:
        """A human User object (with a last name when given)."""
        user = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
            "language_code": language_code,
        }
        return user | ({"last_name": last_name} if last_name else {})

    def send_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an arbitrary update (update_id is assigned) and return it."""
        update = {"update_id": next(self._update_ids), **copy.deepcopy(update)}
        for kind, value in update.items():
            if not isinstance(value, dict):
                continue
            chat = value.get("chat") or (value.get("message") or {}).get("chat")
            if isinstance(chat, dict):
                self._chats.setdefault(_chat_key(chat["id"]), chat)
            if kind in ("callback_query", "inline_query"):
                self._queries[str(value["id"])] = [self.clock(), None]
        self.updates.append(update)
        self._notify()
        return update

    def send_text(
        self,
        user_id: int,
        text: str,
        *,
        language_code: str = "fr",
        chat_id: int | None = None,
        chat_type: str = "private",
        first_name: str = "Test",
        last_name: str | None = None,
    ) -> dict[str, Any]:
        """Queue a text message from a user (commands get a bot_command entity)."""
        if chat_id is None:
            chat_id = user_id if chat_type == "private" else -abs(user_id)
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        chat |= {"first_name": first_name} if chat_type == "private" else {"title": "Test group"}
        self._chats[_chat_key(chat_id)] = chat
        message = {
            "message_id": self._new_message_id(chat_id),
            "from": self._user(user_id, first_name, language_code, last_name),
            "chat": chat,
            "date": _now(),
            "text": text,
        }
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": _utf16_len(command)}
            ]
        return self.send_update({"message": self._store(chat_id, message)})

    def press(
        self,
        user_id: int,
        data: str,
        *,
        message_id: int | None = None,
        language_code: str = "fr",
        chat_id: int | None = None,
        first_name: str = "Test",
        last_name: str | None = None,
    ) -> dict[str, Any]:
        """Queue a callback_query pressing `data` on a bot message (default: last keyboard)."""
        chat_id = user_id if chat_id is None else chat_id
        message = self._find_message(chat_id, message_id) or self._pressed_elsewhere(
            chat_id, message_id
        )
        query = {
            "id": f"{user_id}{next(self._query_ids):06d}",
            "from": self._user(user_id, first_name, language_code, last_name),
            "message": message,
            "chat_instance": f"-{abs(hash(chat_id)) % 10**18}",
            "data": data,
        }
        return self.send_update({"callback_query": query})

    def _pressed_elsewhere(self, chat_id: ChatId, message_id: int | None) -> dict[str, Any]:
        """A bot message this fake did not send (an earlier bot's, a forged press): kept as
        a text message, as the user's screen shows one."""
        key = _chat_key(chat_id)
        chat = self._chats.setdefault(key, {"id": key, "type": "private", "first_name": "Test"})
        if message_id is None:
            message_id = self._new_message_id(chat_id)
        self._last_message_id[key] = max(self._last_message_id.get(key, 0), message_id)
        message = {
            "message_id": message_id,
            "from": dict(BOT_USER),
            "chat": chat,
            "date": _now(),
            "text": "…",
        }
        return self._store(chat_id, message)

    def inline_query(
        self, user_id: int, query: str, language_code: str = "fr", *, first_name: str = "Test"
    ) -> dict[str, Any]:
        """Queue an inline query typed by a user."""
        inline = {
            "id": f"{user_id}{next(self._query_ids):06d}",
            "from": self._user(user_id, first_name, language_code),
            "query": query,
            "offset": "",
            "chat_type": "sender",
        }
        return self.send_update({"inline_query": inline})

    def _find_message(self, chat_id: ChatId, message_id: int | None) -> dict[str, Any] | None:
        """A stored message by id, or the last bot message with an inline keyboard."""
        messages = self._messages.get(_chat_key(chat_id), {})
        if message_id is not None:
            return messages.get(message_id)
        for message in reversed(messages.values()):
            if message["from"].get("is_bot") and _inline_keyboard(message.get("reply_markup")):
                return message
        return None

    # ----------------------------------------------------------------- assertion helpers

    def sent(self, chat_id: ChatId | None = None, method: str | None = None) -> list[Call]:
        """Recorded calls filtered by chat and method (getUpdates only when asked for)."""
        key = _chat_key(chat_id)
        return [
            call
            for call in self.calls
            if (call.method.lower() == method.lower() if method else call.method != "getUpdates")
            and (chat_id is None or _chat_key(call.chat_id) == key)
        ]

    def calls_of(
        self, method: str, chat_id: ChatId | None = None, ok: bool | None = True
    ) -> list[Call]:
        """Recorded calls of method (to chat_id): successful, failed (ok=False) or all (None)."""
        return [
            call
            for call in self.calls
            if _matches(call, method, chat_id) and (ok is None or call.ok == ok)
        ]

    @property
    def refused(self) -> list[Call]:
        """The calls Telegram would have refused (not the faults a test injected, nor the
        held calls whose client went away)."""
        return [c for c in self.calls if c.error_code not in (None, ABANDONED) and not c.injected]

    def expect_refusals(self, *methods: str) -> None:
        """Say that this test makes Telegram refuse calls of these methods on purpose."""
        self._expected_refusals.update(method.lower() for method in methods)

    def unexpected_refusals(self) -> str:
        """The refused calls no test asked for, one per line ("" when there is none)."""
        return "\n".join(
            f"  {c.method} {_brief(c.params)} -> {c.error_code} {c.description}"
            for c in self.refused
            if c.method.lower() not in self._expected_refusals
        )

    def messages(self, chat_id: ChatId) -> list[str]:
        """Texts successfully sent or edited into a chat, in order."""
        return [c.text or "" for c in self.sent(chat_id) if c.ok and c.method in TEXT_METHODS]

    def chat_messages(self, chat_id: ChatId) -> list[str]:
        """The bot's messages in a chat as the user sees them now: in chat order, each with
        its current text (after edits; a document shows its caption or file name)."""
        messages = self._messages.get(_chat_key(chat_id), {})
        shown = [messages[key] for key in sorted(messages) if messages[key]["from"].get("is_bot")]
        return [
            m.get("text") or m.get("caption") or m.get("document", {}).get("file_name", "")
            for m in shown
        ]

    def last_keyboard(self, chat_id: ChatId) -> list[list[tuple[str, str | None]]]:
        """Rows of (text, callback_data) of the last bot message showing an inline keyboard."""
        message = self._find_message(chat_id, None)
        if message is None:
            return []
        rows = message["reply_markup"]["inline_keyboard"]
        return [[(b["text"], b.get("callback_data")) for b in row] for row in rows]

    def with_keyboard(self, chat_id: ChatId) -> list[int]:
        """Ids of the bot's messages in a chat that still show buttons, in chat order."""
        messages = self._messages.get(_chat_key(chat_id), {})
        return [
            key
            for key in sorted(messages)
            if messages[key]["from"].get("is_bot") and messages[key].get("reply_markup")
        ]

    def message_ids(self, chat_id: ChatId) -> list[int]:
        """Ids of the bot's messages in a chat, in chat order."""
        messages = self._messages.get(_chat_key(chat_id), {})
        return [key for key in sorted(messages) if messages[key]["from"].get("is_bot")]

    def message_state(self, chat_id: ChatId, message_id: int | None) -> tuple[str, str] | None:
        """(text, keyboard) of a bot message as it reads now, to tell when it changes."""
        message = self._messages.get(_chat_key(chat_id), {}).get(message_id)
        if message is None:
            return None
        return message.get("text", ""), json.dumps(message.get("reply_markup"), sort_keys=True)

    def live_message(self, chat_id: ChatId) -> tuple[int, str] | None:
        """(id, text now) of the bot's last message showing buttons in a chat, or None."""
        message = self._find_message(chat_id, None)
        return None if message is None else (message["message_id"], message.get("text", ""))

    def last_edit_has_keyboard(self, chat_id: ChatId) -> bool:
        """Whether the bot's latest successful text edit in the chat left buttons on it."""
        edits = self.calls_of("editMessageText", chat_id)
        if not edits:
            return False
        markup = edits[-1].params.get("reply_markup")
        return isinstance(markup, dict) and bool(markup.get("inline_keyboard"))

    async def wait_for(self, predicate: Callable[[FakeBotApi], Any], timeout: float = 10) -> Any:
        """Wait until predicate(api) is truthy and return its value; AssertionError on timeout."""
        deadline = time.monotonic() + timeout
        while not (result := predicate(self)):
            if not await self._wait_change(deadline) and not (result := predicate(self)):
                name = getattr(predicate, "__name__", "predicate")
                raise AssertionError(f"{name} still false after {timeout}s\n{self._recent()}")
        return result

    async def wait_for_reply(
        self, chat_id: ChatId, count: int = 1, timeout: float = 10
    ) -> list[Call]:
        """Wait for `count` new sendMessage/editMessageText/sendDocument calls to chat_id."""
        key = _chat_key(chat_id)
        start = self._cursors.get(key, 0)

        def replies(api: FakeBotApi) -> list[tuple[int, Call]]:
            found = [
                (index, call)
                for index, call in enumerate(api.calls[start:], start)
                if call.ok and call.method in REPLY_METHODS and _chat_key(call.chat_id) == key
            ]
            return found if len(found) >= count else []

        replies.__name__ = f"{count} replies to chat {chat_id}"
        found = (await self.wait_for(replies, timeout))[:count]
        self._cursors[key] = found[-1][0] + 1
        return [call for _, call in found]

    async def idle(self, timeout: float = 10) -> None:
        """Return once updates are fetched, no call is held or unanswered, and `quiet` s passed."""
        deadline = time.monotonic() + timeout
        while True:
            pending = any(u["update_id"] > self._delivered_id for u in self.updates)
            waiting = bool(self._held) or self._answering > 0
            silent = time.monotonic() - self._last_activity
            if not pending and not waiting and silent >= self.quiet:
                return
            if time.monotonic() >= deadline:
                state = "updates still queued" if pending else "bot still busy"
                state += " (calls held or unanswered)" if waiting else ""
                raise AssertionError(f"not idle after {timeout}s ({state})\n{self._recent()}")
            quiet_end = time.monotonic() + self.quiet - silent
            until = deadline if pending or waiting else min(deadline, quiet_end)
            await self._wait_change(until)

    def _recent(self, count: int = 8) -> str:
        """The last few non-polling calls, one per line, for error messages."""
        calls = self.sent()[-count:]
        lines = [f"  {c.method} {c.params} -> {c.error_code or 'ok'}" for c in calls]
        return "last calls:\n" + ("\n".join(lines) or "  (none)")
