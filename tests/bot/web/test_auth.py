"""A Mini App's init data is believed only when this bot's token signed it, less than an hour
ago, as Telegram's documented rule says; anything else names nobody."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode

import pytest

from bot.web.auth import TelegramUser, check_init_data, sign_init_data

TOKEN = "123456:ABC-signing-test"
NOW = datetime(2027, 3, 1, 9, tzinfo=UTC)
CAMILLE = {
    "id": 279058397,
    "first_name": "Camille",
    "last_name": "Durand & Fils",
    "username": "camille_d",
    "language_code": "en",
    "allows_write_to_pm": True,
}


def signed(user=CAMILLE, at=NOW, **extra) -> str:
    return sign_init_data(TOKEN, user, at, **extra)


def with_field(init_data: str, name: str, value: str) -> str:
    """The same init data, its hash kept, one field changed as an attacker would."""
    fields = dict(parse_qsl(init_data))
    fields[name] = value
    return urlencode(fields)


def test_init_data_signed_by_the_bot_names_its_user():
    user = check_init_data(signed(query_id="AAHdF6IQ", chat_type="private"), TOKEN, NOW)
    assert user == TelegramUser(279058397, "Camille", "Durand & Fils", "camille_d", "en")
    assert user.full_name == "Camille Durand & Fils"


def test_init_data_signed_elsewhere_is_checked_the_same_way():
    # A vector published by aiogram's tests (token "42:TEST"), signed by another library:
    # sign_init_data and the check could share one mistake, this string cannot.
    published = (
        "auth_date=1650385342&user=%7B%22id%22%3A42%2C%22first_name%22%3A%22Test%22%7D"
        "&query_id=test&hash=46d2ea5e32911ec8d30999b56247654460c0d20949b6277af519e76271182803"
    )
    at = datetime.fromtimestamp(1650385342, UTC)
    later = at + timedelta(minutes=5)
    assert check_init_data(published, "42:TEST", later) == TelegramUser(42, "Test")
    assert check_init_data(published, "42:INVALID", later) is None
    ours = sign_init_data("42:TEST", {"id": 42, "first_name": "Test"}, at, query_id="test")
    assert dict(parse_qsl(ours)) == dict(parse_qsl(published))


def test_telegram_s_encoding_of_spaces_and_accents_is_read_as_signed():
    # Telegram writes %20 where urlencode writes "+": both decode to the signed value.
    name = {"id": 5, "first_name": "Émilie Noël"}
    init_data = signed(user=name).replace("+", "%20")
    assert check_init_data(init_data, TOKEN, NOW).first_name == "Émilie Noël"


def test_a_changed_field_is_refused():
    genuine = signed()
    other_user = '{"id":1,"first_name":"Mallory"}'
    assert check_init_data(with_field(genuine, "user", other_user), TOKEN, NOW) is None
    later = str(int((NOW + timedelta(minutes=5)).timestamp()))
    assert check_init_data(with_field(genuine, "auth_date", later), TOKEN, NOW) is None
    added = genuine + "&chat_type=group"
    assert check_init_data(added, TOKEN, NOW) is None


def test_another_bot_s_init_data_is_refused():
    theirs = sign_init_data("654321:ANOTHER-bot", CAMILLE, NOW)
    assert check_init_data(theirs, TOKEN, NOW) is None


@pytest.mark.parametrize(
    ("signed_at", "accepted"),
    [
        (NOW - timedelta(minutes=59), True),
        (NOW - timedelta(hours=1, seconds=1), False),
        (NOW - timedelta(days=30), False),
        (NOW + timedelta(seconds=30), True),  # a phone's clock a little ahead
        (NOW + timedelta(minutes=2), False),
    ],
)
def test_init_data_older_than_an_hour_or_from_the_future_is_refused(signed_at, accepted):
    user = check_init_data(signed(at=signed_at), TOKEN, NOW)
    assert (user is not None) is accepted


def test_a_shorter_maximum_age_is_respected():
    init_data = signed(at=NOW - timedelta(minutes=10))
    assert check_init_data(init_data, TOKEN, NOW, max_age=timedelta(minutes=5)) is None


def test_init_data_without_a_hash_is_refused():
    without = urlencode([(k, v) for k, v in parse_qsl(signed()) if k != "hash"])
    assert check_init_data(without, TOKEN, NOW) is None
    assert check_init_data(signed() + "&hash=", TOKEN, NOW) is None


def test_without_a_bot_token_nothing_is_believed():
    """Anyone can sign with an empty key: a process started without a token believes no one."""
    forged = sign_init_data("", CAMILLE, NOW)
    assert check_init_data(forged, "", NOW) is None


def test_signed_init_data_without_a_user_or_a_date_names_nobody():
    assert check_init_data(signed(user=None), TOKEN, NOW) is None
    assert check_init_data(signed(at=None), TOKEN, NOW) is None


@pytest.mark.parametrize(
    "user",
    [
        {"first_name": "No id"},
        {"id": "279058397", "first_name": "Id as text"},
        {"id": True, "first_name": "Id as a boolean"},
        {"id": -5, "first_name": "A chat's id"},
        {"id": 7},
        [7, "Camille"],
    ],
)
def test_a_signed_user_that_is_not_a_telegram_user_names_nobody(user):
    assert check_init_data(signed(user=user), TOKEN, NOW) is None


def test_a_field_given_twice_is_refused():
    genuine = signed()
    user = dict(parse_qsl(genuine))["user"]
    assert check_init_data(genuine + "&" + urlencode({"user": user}), TOKEN, NOW) is None
    hash_ = dict(parse_qsl(genuine))["hash"]
    assert check_init_data(genuine + "&hash=" + hash_, TOKEN, NOW) is None


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "hash",
        "not a query string",
        "user=%E9&auth_date=1&hash=00",  # not UTF-8
        "a=1&&hash=00",
        "x=" + "a" * 10_000,
        "user=%7B&auth_date=soon&hash=" + "0" * 64,
    ],
)
def test_garbage_names_nobody(garbage):
    assert check_init_data(garbage, TOKEN, NOW) is None
