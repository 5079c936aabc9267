"""The terminal adapter: the same conversations, read from stdin and printed as plain text."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from bot.callback_data import parse
from bot.conversation import Conversations, Reply, Who
from bot.screens import Screen, plain

# Typed keys for the navigation buttons; everything else is an answer.
NAVIGATION_KEYS = {"back": "<", "keep": "=", "skip": ">", "why": "?", "validate": "v"}
COMMANDS = {
    "/start": "start",
    "/aide": "help",
    "/help": "help",
    "/diagnostic": "diagnostic",
    "/annuler": "cancel",
    "/cancel": "cancel",
    "/nouveau": "new_partnership",
    "/new": "new_partnership",
    "/partenariats": "partnerships",
    "/partnerships": "partnerships",
    "/criteres": "criteria",
    "/criteria": "criteria",
    "/convention": "convention",
    "/suivi": "followup",
    "/followup": "followup",
    "/documents": "documents",
    "/langue": "language_menu",
    "/language": "language_menu",
}
# Commands that take the rest of the line.
WITH_ARGUMENT = {"/checklist": "checklist", "/start": "start"}
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
        if reply.edit is not None and not reply.messages:
            self._print(reply.edit)
        for screen in reply.messages:
            self._print(screen)
        for file_name, content in reply.documents:
            path = Path.cwd() / file_name
            path.write_bytes(content)
            self.out.write(f"→ {path}\n")
        self.out.flush()

    def _print(self, screen: Screen) -> None:
        self.out.write("\n" + plain(screen.text) + "\n")
        self.keys = {}
        number = 0
        navigation = []
        others = 0
        for row in screen.buttons:
            for button in row:
                action = _action_of(button.data)
                key = NAVIGATION_KEYS.get(action)
                if action in ("answer", "toggle"):
                    number += 1
                    self.out.write(f"  {number}. {plain(button.label).lstrip('☐☑ ')}\n")
                    continue
                if key is None:
                    # Menus, cards, partnerships: reachable as *1, *2...
                    others += 1
                    key = f"*{others}"
                    self.out.write(f"  [{key}] {plain(button.label)}\n")
                    self.keys[key] = button.data
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
        word, _, rest = line.partition(" ")
        word = word.lower()
        if word in WITH_ARGUMENT and (rest or word not in COMMANDS):
            self.show(getattr(self.conversations, WITH_ARGUMENT[word])(self.who, rest))
        elif word in COMMANDS:
            self.show(getattr(self.conversations, COMMANDS[word])(self.who))
        elif line in self.keys:
            self.show(self._press(self.keys[line]))
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

    def _press(self, data: str) -> Reply:
        """Routes a button as Telegram's handlers do, by the shape of its data."""
        if data.startswith("v1:p:"):
            return self.conversations.partnership_button(self.who, data, None)
        if data[:5] in ("v1:c:", "v1:m:", "v1:l:"):
            return self.conversations.browse(self.who, data, None)
        return self.conversations.press(self.who, data, None)


def _action_of(data: str) -> str:
    button = parse(data)
    return button.action if button else ""
