"""Every button format is parsed in bot.callback_data: typed values, or None when forged."""

from bot.callback_data import (
    CARD_BUTTONS,
    DELETION_BUTTONS,
    PARTNERSHIP_BUTTONS,
    QUESTION_BUTTONS,
    ROUND_BUTTONS,
    ButtonData,
    PartnershipButton,
    deletion_button,
    format_of,
    parse_deletion,
    parse_partnership,
    parse_round,
    partnership_button,
    round_button,
    simple,
)
from bot.commands import BUTTON_ROUTES, QUESTION_BUTTON, button_route


def test_each_format_is_routed_by_its_own_prefix():
    assert format_of(simple("c", "convention")) is CARD_BUTTONS
    assert format_of(partnership_button(3, 1, "open")) is PARTNERSHIP_BUTTONS
    assert format_of(round_button(9)) is ROUND_BUTTONS
    assert format_of(deletion_button(True)) is DELETION_BUTTONS
    assert format_of(ButtonData("answer", 4, "q", "o").encode()) is QUESTION_BUTTONS
    assert format_of(None) is QUESTION_BUTTONS
    assert {route.format for route in BUTTON_ROUTES} | {QUESTION_BUTTON.format} == {
        CARD_BUTTONS,
        PARTNERSHIP_BUTTONS,
        ROUND_BUTTONS,
        DELETION_BUTTONS,
        QUESTION_BUTTONS,
    }
    assert button_route("garbage") is QUESTION_BUTTON


def test_ids_come_as_numbers_and_words_stay_words():
    assert parse_partnership(partnership_button(3, 1, "doc", 12)) == PartnershipButton(
        3, 1, "doc", 12
    )
    assert parse_partnership(partnership_button(3, 1, "choose", 0)).arg == 0
    assert parse_partnership(partnership_button(3, 1, "respondent", 7)).arg == 7
    assert parse_partnership(partnership_button(3, 1, "round", "pulse")).arg == "pulse"
    assert parse_partnership(partnership_button(3, 1, "open")).arg is None
    assert parse_round(round_button(42)) == 42
    assert parse_deletion(deletion_button(True)) is True
    assert parse_deletion(deletion_button(False)) is False


def test_forged_data_parses_to_nothing():
    assert parse_partnership("v1:p:3:1:doc:abc") is None
    assert parse_partnership("v1:p:3:1:respondent:1234567890123") is None
    assert parse_partnership("v1:p:x:1:open") is None
    assert parse_partnership("v1:p:3:1:open:" + "a" * 60) is None
    assert parse_round("v1:e:abc") is None and parse_round("v1:e:99999999999999") is None
    assert parse_round(None) is None and parse_round("v1:e:1:2") is None
    assert parse_deletion("v1:x:maybe") is None and parse_deletion(3) is None
