"""The terminal adapter: the same conversations, read from stdin and printed as plain text."""

from __future__ import annotations

from typing import TextIO

from bot.callback_data import parse
from bot.conversation import Conversations, Reply, Who
from bot.screens import Screen, plain

# Typed keys for the navigation buttons; everything else is an answer.
NAVIGATION_KEYS = {"back": "<", "keep": "=", "skip": ">", "why": "?"}
COMMANDS = {
    "/start": "start",
    "/aide": "help",
    "/help": "help",
    "/diagnostic": "diagnostic",
    "/annuler": "cancel",
    "/cancel": "cancel",
}
QUIT = {"/quitter", "/quit", "/exit"}


class Console:
    """Reads lines, prints screens; the last screen's buttons are reachable by key."""

    def __init__(self, conversations: Conversations, who: Who, out: TextIO):
        self.conversations = conversations
        self.who = who
        self.out = out
        self.keys: dict[str, str] = {}

    def show(self, reply: Reply) -> None:
        if reply.notice:
            self.out.write(f"! {plain(reply.notice)}\n")
        for screen in reply.messages:
            self._print(screen)
        self.out.flush()

    def _print(self, screen: Screen) -> None:
        self.out.write("\n" + plain(screen.text) + "\n")
        self.keys = {}
        number = 0
        navigation = []
        for row in screen.buttons:
            for button in row:
                action = _action_of(button.data)
                key = NAVIGATION_KEYS.get(action)
                if key is None:
                    number += 1
                    if action in ("answer", "toggle"):
                        self.out.write(f"  {number}. {plain(button.label).lstrip('☐☑ ')}\n")
                    continue
                self.keys[key] = button.data
                navigation.append(f"[{key}] {plain(button.label)}")
        if navigation:
            self.out.write("  " + "   ".join(navigation) + "\n")

    def handle(self, line: str) -> bool:
        """One typed line; False once the user wants to leave."""
        line = line.strip()
        if not line:
            return True
        if line.lower() in QUIT:
            return False
        command = COMMANDS.get(line.split()[0].lower())
        if command is not None:
            self.show(getattr(self.conversations, command)(self.who))
        elif line in self.keys:
            self.show(self.conversations.press(self.who, self.keys[line], None))
        else:
            self.show(self.conversations.text(self.who, line))
        return True

    def run(self, lines: TextIO) -> None:
        self.show(self.conversations.start(self.who))
        self.out.write("\n(/quitter pour sortir · /quit to leave)\n")
        self.out.flush()
        for line in lines:
            if not self.handle(line):
                break


def _action_of(data: str) -> str:
    button = parse(data)
    return button.action if button else ""
