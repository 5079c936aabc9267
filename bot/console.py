"""The terminal adapter: the same use cases, read from stdin and printed as plain text."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from bot import commands
from bot.callback_data import parse
from bot.services import Actor, Services, questionnaires
from bot.services.results import Result
from bot.views import Presenter, Reply, Screen, plain
from storage.db import session_scope
from storage.models import GeneratedDocument

# Typed keys for the navigation buttons; everything else is an answer.
NAVIGATION_KEYS = {"back": "<", "keep": "=", "skip": ">", "why": "?", "validate": "v"}
QUIT = {"/quitter", "/quit", "/exit"}


class Console:
    """Reads lines, prints screens; the last screen's buttons are reachable by key."""

    def __init__(self, services: Services, actor: Actor, out: TextIO, folder: Path):
        self.services = services
        self.actor = actor
        self.out = out
        # Documents go to a folder of their own, never into the working directory.
        self.folder = folder
        self.presenter = Presenter(
            services.core.zone, invitation_link=lambda t: f"/start {t}", channel="terminal"
        )
        self.keys: dict[str, str] = {}

    def run_use_case(self, use_case, *args) -> None:
        result: Result = self.services.run(self.actor, use_case, *args)
        self.show(self.presenter.reply(result))

    def show(self, reply: Reply) -> None:
        if reply.notice:
            self.out.write(f"! {plain(reply.notice)}\n")
        if reply.edit is not None:
            # It takes the place of the screen acted upon, and of that screen's actions.
            self.keys = {}
            self._print(reply.edit)
        for screen in reply.messages:
            self._print(screen)
        for document in reply.documents:
            path = self._save(document.id, f"v{document.version}-{document.file_name}")
            self.out.write(f"→ {path}\n")
        self.out.flush()

    def _save(self, document_id: int, file_name: str) -> Path:
        with session_scope(self.services.engine) as db:
            content = db.get(GeneratedDocument, document_id).content
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / file_name
        path.write_bytes(content)
        return path

    def _print(self, screen: Screen) -> None:
        self.out.write("\n" + plain(screen.text) + "\n")
        if screen.buttons:
            # A screen without buttons (a confirmation) leaves the last screen's actions usable.
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
        command = commands.find(word) if word.startswith("/") else None
        if command is not None:
            words = (rest,) if command.takes_words else ()
            self.run_use_case(command.use_case, *words)
        elif line in self.keys:
            self._press(self.keys[line])
        else:
            self.run_use_case(questionnaires.answer_text, line)
        return True

    def run(self, lines: TextIO) -> None:
        self.run_use_case(commands.find("start").use_case)
        self.out.write("\n(/quitter pour sortir · /quit to leave)\n")
        self.out.flush()
        for line in lines:
            if not self.handle(line):
                break

    def _press(self, data: str) -> None:
        """Routes a button as Telegram does, by the table of routes."""
        self.run_use_case(commands.button_use_case(data), data, None)


def _action_of(data: str) -> str:
    button = parse(data)
    return button.action if button else ""
