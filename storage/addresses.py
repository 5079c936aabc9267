"""Where a person is reached: a user's external id is a channel and an address in it
("tg:<Telegram id>", "console:<login>"). Read and written here only."""

from __future__ import annotations

from dataclasses import dataclass

TELEGRAM, TERMINAL = "tg", "console"


@dataclass(frozen=True)
class Address:
    """A channel and the address of a person in it."""

    channel: str
    address: str

    @classmethod
    def parse(cls, external_id: str) -> Address:
        channel, _, address = external_id.partition(":")
        return cls(channel, address)

    @classmethod
    def telegram(cls, user_id: int) -> Address:
        return cls(TELEGRAM, str(user_id))

    @classmethod
    def terminal(cls, login: str) -> Address:
        return cls(TERMINAL, login)

    def __str__(self) -> str:
        """The external id stored on the user."""
        return f"{self.channel}:{self.address}"

    @property
    def chat_id(self) -> int | None:
        """The person's private Telegram chat (its id is theirs); None on other channels."""
        if self.channel == TELEGRAM and self.address.lstrip("-").isdigit():
            return int(self.address)
        return None


def chat_of(external_id: str) -> int | None:
    """The Telegram chat of a user ("tg:<id>"), None for users of other channels."""
    return Address.parse(external_id).chat_id
