"""Who a Mini App's init data says the user is, believed only when Telegram signed it.

Telegram's rule (core.telegram.org/bots/webapps, "Validating data received via the Mini
App"): the secret key is HMAC-SHA256 of the bot's token keyed with "WebAppData"; the hash is
the hex HMAC-SHA256, with that key, of every received field but `hash`, URL-decoded, sorted by
name and written "name=value", one per line. `sign_init_data` is the same rule run the other
way, for tests and local development: nothing else in the project spells the algorithm."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode

MAX_AGE = timedelta(hours=1)
# A client's clock a little ahead of ours is not an attack.
CLOCK_SKEW = timedelta(minutes=1)
# Real init data is well under this (a user, a chat, a signature); more is not Telegram's.
MAX_LENGTH = 8192


@dataclass(frozen=True)
class TelegramUser:
    """The user a valid init data names (Telegram's WebAppUser, the fields we use)."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None

    @property
    def full_name(self) -> str:
        """The name shown to the other members, as the bot takes it from Telegram."""
        return " ".join(part for part in (self.first_name, self.last_name) if part)


def check_init_data(
    init_data: str, bot_token: str, now: datetime, max_age: timedelta = MAX_AGE
) -> TelegramUser | None:
    """The user of init data signed with this bot's token less than `max_age` ago; None for
    anything else (a changed field, another bot's data, stale or future data, a field twice,
    no hash, no user, not a query string at all)."""
    fields = _fields(init_data)
    if not bot_token or fields is None or "hash" not in fields:
        return None
    received = fields.pop("hash")
    if not hmac.compare_digest(received.encode(), _hash(fields, bot_token).encode()):
        return None
    signed_at = _moment(fields.get("auth_date"))
    if signed_at is None or now - signed_at > max_age or signed_at - now > CLOCK_SKEW:
        return None
    return _user(fields.get("user"))


def sign_init_data(
    bot_token: str, user: dict | None, auth_date: datetime | None, **extra: str
) -> str:
    """Init data as Telegram would sign it for this bot (tests and local development): the
    user as JSON, `auth_date`, any extra fields (`query_id`, `chat_type`...), and the hash.
    A user or date of None is left out, for tests of signed data that lacks one."""
    fields = dict(extra)
    if user is not None:
        fields["user"] = json.dumps(user, separators=(",", ":"))
    if auth_date is not None:
        fields["auth_date"] = str(int(auth_date.timestamp()))
    return urlencode({**fields, "hash": _hash(fields, bot_token)})


def _fields(init_data: str) -> dict[str, str] | None:
    """The query string's fields, URL-decoded; None when it is not one or names a field twice
    (which of the two would be signed is anyone's guess)."""
    if not isinstance(init_data, str) or not init_data or len(init_data) > MAX_LENGTH:
        return None
    try:
        pairs = parse_qsl(init_data, keep_blank_values=True, strict_parsing=True, errors="strict")
    except (ValueError, UnicodeDecodeError):
        return None
    fields = dict(pairs)
    return fields if len(fields) == len(pairs) else None


def _hash(fields: dict[str, str], bot_token: str) -> str:
    secret_key = hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()
    data_check_string = "\n".join(f"{key}={fields[key]}" for key in sorted(fields))
    return hmac.new(secret_key, data_check_string.encode(), hashlib.sha256).hexdigest()


def _moment(auth_date: str | None) -> datetime | None:
    if auth_date is None or not auth_date.isdigit() or len(auth_date) > 12:
        return None
    return datetime.fromtimestamp(int(auth_date), UTC)


def _user(text: str | None) -> TelegramUser | None:
    """Telegram's user object (an id and a first name at least); None when there is none or
    it is not one: a signature proves who sent the data, not that it names a person."""
    try:
        user = json.loads(text) if text else None
    except ValueError:
        return None
    if not isinstance(user, dict):
        return None
    user_id, first_name = user.get("id"), user.get("first_name")
    if type(user_id) is not int or user_id <= 0 or not isinstance(first_name, str):
        return None
    optional = {key: user.get(key) for key in ("last_name", "username", "language_code")}
    optional = {key: value for key, value in optional.items() if isinstance(value, str)}
    return TelegramUser(user_id, first_name, **optional)
