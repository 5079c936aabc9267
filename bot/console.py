"""The terminal adapter: the same use cases, read from stdin and printed as plain text.

A terminal is a channel of its own: what others' actions or the check-in dispatcher record
for its user (a round to answer, a round's report and chart) is shown at the next line
typed, and at start; a question answered in several lines gathers them until an empty one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from bot import commands, terminal
from bot.callback_data import parse
from bot.delivery import DOCUMENT, file_name, record_deliveries
from bot.i18n import render
from bot.services import Actor, Services, Work, questionnaires
from bot.services.results import QuestionShown, Result, Say
from bot.views import Reply, Screen, plain
from bot.views.screens import CALLBACK, Button
from flows.engine import FlowState
from knowledge import Question
from storage import delivery, repository
from storage.db import session_scope
from storage.models import GeneratedDocument

log = logging.getLogger(__name__)

# Typed keys for the navigation buttons; everything else is an answer.
NAVIGATION_KEYS = {"back": "<", "keep": "=", "skip": ">", "why": "?", "validate": "v"}
QUIT = {"/quitter", "/quit", "/exit"}
# Ends an answer of several lines, besides an empty line.
END_OF_LINES = "."


class Console:
    """Reads lines, prints screens; the last screen's buttons are reachable by key."""

    def __init__(self, services: Services, actor: Actor, out: TextIO, folder: Path):
        self.services = services
        self.actor = actor
        self.out = out
        # Documents go to a folder of their own, never into the working directory.
        self.folder = folder
        self.presenter = terminal.presenter(services.core.zone)
        self.keys: dict[str, str] = {}
        # The lines of an answer in several lines, while they are typed.
        self.lines: list[str] | None = None
        # The last question shown, to show again when a key does not apply to it.
        self.question: Screen | None = None
        self.language = "fr"

    # -- running use cases ------------------------------------------------------------------

    def run_use_case(self, use_case, *args) -> Result:
        result: Result = self.services.run(self.actor, use_case, *args, then=self._record)
        self.language = result.language
        self.show(self.presenter.reply(result))
        asked = _asked(result)
        if asked is not None and asked.multiline:
            self._say("multiline_hint.j2")
        return result

    def _record(self, db, _user, result: Result) -> None:
        """Messages for other people (Telegram chats, other terminals, this one's own report
        of a round it closed) are kept in the same transaction as the change."""
        if not result.duplicate:
            record_deliveries(db, self.presenter, result.deliveries, at=self.services.clock())

    def show_waiting(self) -> int:
        """Prints what was recorded for this user since the last look; each message once."""
        with session_scope(self.services.engine) as db:
            waiting = delivery.for_terminal(db, external_id=self.actor.external_id)
            for row in waiting:
                if row.kind == DOCUMENT:
                    path = self._save(row.payload["document_id"], row.payload["file_name"])
                    self.out.write(f"→ {path}\n")
                    continue
                buttons = tuple(
                    tuple(Button(*button) for button in line)
                    for line in row.payload.get("buttons") or []
                )
                self._print(Screen(row.payload["text"], buttons))
            self.out.flush()
            delivery.mark_shown(db, ids=[row.id for row in waiting], at=self.services.clock())
        return len(waiting)

    # -- printing -----------------------------------------------------------------------------

    def show(self, reply: Reply) -> None:
        if reply.notice:
            self.out.write(f"! {plain(reply.notice)}\n")
        if reply.edit is not None:
            # It takes the place of the screen acted upon, and of that screen's actions.
            self.keys = {}
            self._print(reply.edit)
        for screen in reply.messages:
            self._print(screen)
        if reply.question_session_id is not None:
            self.question = (reply.messages or [reply.edit])[-1]
        elif reply.edit_session_id is not None:
            self.question = reply.edit
        for document in reply.documents:
            path = self._save(document.id, file_name(document))
            self.out.write(f"→ {path}\n")
        self.out.flush()

    def _say(self, template: str, **params) -> None:
        self.out.write(plain(render(template, self.language, **params)) + "\n")
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
                if button.kind != CALLBACK:
                    # A link or a Mini App: nothing to press here, the address to open.
                    self.out.write(f"  {plain(button.label)}: {button.data}\n")
                    continue
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

    # -- reading ------------------------------------------------------------------------------

    def handle(self, line: str) -> bool:
        """One typed line; False once the user wants to leave."""
        line = line.rstrip("\r\n")
        if self.lines is not None:
            return self._gather(line)
        self.show_waiting()
        line = line.strip()
        if not line:
            # Enter alone: what is new, if anything.
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
        elif line in NAVIGATION_KEYS.values():
            # A key the question on screen does not offer ("=" with no answer to keep): said,
            # never saved as the answer itself; the question is asked again.
            self._say("key_unavailable.j2", key=line)
            if self.question is not None and self.services.run(self.actor, waiting_question):
                self._print(self.question)
        else:
            self._answer(line)
        self.show_waiting()
        return True

    def _answer(self, line: str) -> None:
        question = self.services.run(self.actor, waiting_question)
        if question is not None and question.multiline:
            # The first line of several: more follow until an empty line.
            self.lines = [line]
            return
        result = self.run_use_case(questionnaires.answer_text, line)
        if _says(result, "no_flow"):
            # Nothing asked: the text is said to be kept nowhere, never dropped silently.
            self._say("not_kept.j2", text=line)

    def _gather(self, line: str) -> bool:
        """A line of an answer in several lines; an empty one or "." alone sends them."""
        if line.strip() in ("", END_OF_LINES):
            self.finish_lines()
            self.show_waiting()
            return True
        self.lines.append(line)
        return True

    def finish_lines(self) -> None:
        """Sends the lines gathered so far, as one answer."""
        lines, self.lines = self.lines, None
        if lines:
            self.run_use_case(questionnaires.answer_text, "\n".join(lines))

    def run(self, lines: Iterable[str]) -> None:
        self.run_use_case(commands.find("start").use_case)
        self.show_waiting()
        self.out.write("\n")
        self._say("console_start.j2", folder=str(self.folder))
        for line in lines:
            try:
                if not self.handle(line):
                    break
            except Exception:
                # Said, logged (in the log file, not on screen), and the conversation goes on.
                log.exception("the terminal could not handle a line")
                self._say("error.j2")
        else:
            # The input ended in the middle of an answer of several lines: it is sent.
            if self.lines is not None:
                self.finish_lines()

    def _press(self, data: str) -> None:
        """Routes a button as Telegram does, by the table of routes."""
        route = commands.button_route(data)
        self.run_use_case(route.use_case, route.parse(data), None)


def waiting_question(work: Work) -> Question | None:
    """The question the user's running questionnaire waits on, if any."""
    running = repository.active_flow_session(work.db, user_id=work.user.id)
    if running is None:
        return None
    return work.core.flows[running.flow].current(FlowState.from_dict(running.state))


def _asked(result: Result) -> Question | None:
    """The question a result ends on."""
    if result.asking is None:
        return None
    views = [*result.shown, result.in_place]
    shown = [view for view in views if isinstance(view, QuestionShown)]
    return shown[-1].question if shown else None


def _says(result: Result, what: str) -> bool:
    return any(isinstance(view, Say) and view.what == what for view in result.shown)


def _action_of(data: str) -> str:
    button = parse(data)
    return button.action if button else ""
