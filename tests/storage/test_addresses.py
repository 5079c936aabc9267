"""A user's external id read as a channel and an address, in one place."""

from storage.addresses import TELEGRAM, TERMINAL, Address, chat_of


def test_a_telegram_id_is_its_chat():
    assert Address.parse("tg:123") == Address(TELEGRAM, "123")
    assert chat_of("tg:123") == 123 and chat_of("tg:-100200") == -100200
    assert str(Address.telegram(42)) == "tg:42"


def test_other_channels_have_no_telegram_chat():
    assert Address.parse("console:marie") == Address.terminal("marie") == Address(TERMINAL, "marie")
    assert str(Address.terminal("marie")) == "console:marie"
    assert chat_of("console:123") is None
    assert chat_of("erased:7") is None
    assert chat_of("tg:abc") is None and chat_of("tg") is None
