"""A user at a terminal: a real `alliance console --user NAME` process, its stdin written line by
line and its stdout read as it comes; a question is answered by reading it on screen (its
wording, its numbered choices), as a person at a keyboard does.

No wait is a guess: after each line typed, the driver reads until the console is back waiting
for the next line (blocked reading its stdin, nothing left unread there), so the screen then
holds the whole answer to that line, and nothing of it can spill into the next one.
"""

from __future__ import annotations

import fcntl
import os
import re
import struct
import subprocess
import sys
import termios
import time
from dataclasses import dataclass
from pathlib import Path

from flows.questionnaires import SPECS, load
from tests.journeys.steps import KEEP, SKIP, FlowRecord, plain

# Generous: a busy 2-core machine runs two consoles, cron and the test at once.
WAIT = 60
# The first line of a question's screen: "Question 3/16 · Auto-diagnostic".
HEADER = re.compile(r"^Question (\d+)/(\d+) · .*$", re.M)
CHOICE = re.compile(r"^  (\d+)\. (.*)$", re.M)
ACTION = re.compile(r"^  \[(\*\d+)\] (.*)$", re.M)
STEP = re.compile(r"Étape (\d)/7")
PATH = re.compile(r"^→ (.+)$", re.M)


class Terminal:
    """One `alliance console --user NAME` on the shared database, and what it printed."""

    def __init__(self, name: str, database_url: str, home: Path):
        self.name = name
        # Where its documents go (ALLIANCE_DOCUMENTS_DIR), and where its stderr goes.
        self.folder = home / f"{name}-documents"
        self.log = home / f"{name}-stderr.txt"
        # Started as a French user would, without any Telegram token; the console's language
        # comes from LC_ALL, else LANG.
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "LC_"))}
        env |= {"DATABASE_URL": database_url, "LANG": "fr_FR.UTF-8", "PYTHONIOENCODING": "utf-8"}
        # Every write reaches the pipe at once: once the console waits, all it said is there.
        env |= {"ALLIANCE_DOCUMENTS_DIR": str(self.folder), "PYTHONUNBUFFERED": "1"}
        with self.log.open("wb") as errors:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", "console", "--user", name],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=errors,
                env=env,
            )
        os.set_blocking(self.process.stdout.fileno(), False)
        self._bytes = b""
        self.output = ""
        # Where the screen stood when the last line was typed: what came after is its answer.
        self.mark = 0
        self.settle()
        self.expect("/quitter")

    # -- typing and reading ---------------------------------------------------------------

    def type(self, *lines: str) -> str:
        """Types lines, each ended by Enter; returns the whole answer to them."""
        self.mark = len(self.output)
        os.write(self.process.stdin.fileno(), "".join(f"{line}\n" for line in lines).encode())
        self.settle()
        return self.answer

    def say(self, line: str, expected: str | re.Pattern) -> str:
        """Types a line and checks that `expected` shows in its answer; the answer."""
        self.type(line)
        self.expect(expected)
        return self.answer

    @property
    def answer(self) -> str:
        """What the screen showed since the last line typed."""
        return self.output[self.mark :]

    def expect(self, pattern: str | re.Pattern) -> re.Match:
        """The first match of `pattern` (a text or a regex) in the answer to the last line."""
        regex = pattern if isinstance(pattern, re.Pattern) else re.compile(re.escape(pattern))
        found = regex.search(self.output, self.mark)
        assert found, (
            f"{self.name}: {regex.pattern!r} not on screen; the answer to the last line was:\n"
            f"{self.answer[-4000:]}\n--- exit code {self.process.poll()}; stderr:\n"
            f"{self.stderr()[-2000:]}"
        )
        return found

    def settle(self) -> None:
        """Reads the screen until the console waits for its next line (or has ended)."""
        deadline = time.monotonic() + WAIT
        while not self._waiting():
            self._read()
            if self.process.poll() is not None:
                break
            assert time.monotonic() < deadline, (
                f"{self.name} still busy after {WAIT} s; the screen ends with:\n"
                f"{self.output[-3000:]}\n--- stderr:\n{self.stderr()[-2000:]}"
            )
            time.sleep(0.005)
        self._read()

    def _waiting(self) -> bool:
        """Nothing typed left unread, then blocked reading its stdin (system call 0 on
        descriptor 0): every line typed has been handled and its answer written. In that order:
        a reader just woken by the last line may still show as blocked until it takes the line,
        so the line must be seen taken first."""
        unread = fcntl.ioctl(self.process.stdin.fileno(), termios.FIONREAD, b"\0\0\0\0")
        if struct.unpack("i", unread)[0]:
            return False
        try:
            call = Path(f"/proc/{self.process.pid}/syscall").read_text().split()
        except PermissionError as error:
            raise AssertionError(f"this driver reads /proc/<pid>/syscall: {error}") from error
        except OSError:
            # The process has just ended: settle() sees it.
            return False
        return call[:2] == ["0", "0x0"]

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.process.stdout.fileno(), 65536)
            except BlockingIOError:
                break
            if not chunk:
                break
            self._bytes += chunk
        # A character cut between two reads waits for its end.
        self.output = self._bytes.decode("utf-8", errors="ignore")

    def stderr(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def quit(self) -> None:
        """/quitter: the console leaves by itself, with no error."""
        self.type("/quitter")
        self.process.stdin.close()
        code = self.process.wait(WAIT)
        assert code == 0, f"{self.name} left with {code}:\n{self.stderr()[-2000:]}"

    def stop(self) -> None:
        """Ends the process if the story did not (a failed step); keeps the whole screen
        beside its stderr, to read after a failure."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(WAIT)
        self._read()
        self.log.with_name(f"{self.name}-screen.txt").write_text(self.output, encoding="utf-8")
        for pipe in (self.process.stdin, self.process.stdout):
            if not pipe.closed:
                pipe.close()

    # -- reading a screen -----------------------------------------------------------------

    def key(self, label: str) -> str:
        """The key (`*1`, `*2`…) of the action whose label holds `label`, on the last screen
        of actions (each numbers its actions from *1; earlier screens' keys are gone)."""
        lines = ACTION.findall(self.output)
        first = max((i for i, (key, _) in enumerate(lines) if key == "*1"), default=0)
        keys = [key for key, text in lines[first:] if label in text]
        assert keys, f"{self.name}: no action {label!r} on the last screen:\n{self.answer}"
        return keys[-1]

    def press(self, label: str, expected: str | re.Pattern) -> str:
        """Types the key of the action named `label`; checks that `expected` shows."""
        return self.say(self.key(label), expected)

    def paths(self) -> list[Path]:
        """The files the console said it wrote ("→ /path") in its answer to the last line."""
        return [Path(p) for p in PATH.findall(self.answer)]

    def card(self) -> str:
        """The last partnership card in the answer to the last line."""
        cards = [m.start() for m in STEP.finditer(self.answer)]
        assert cards, f"{self.name}: no card on screen:\n{self.answer}"
        start = max(self.answer.rfind("\n\n", 0, cards[-1]), 0)
        return self.answer[start:].strip("\n")


def step_of(text: str) -> int | None:
    """The step number of the last card in `text`."""
    found = STEP.findall(text)
    return int(found[-1]) if found else None


def next_line(card: str) -> str:
    """The card's "Prochaine étape" line."""
    return next(line for line in card.splitlines() if line.startswith("Prochaine étape"))


# -- answering a questionnaire ------------------------------------------------------------


@dataclass
class Asked:
    """The question at the bottom of the screen."""

    id: str
    kind: str
    multiline: bool
    screen: str
    # Option id → its French label, as the questionnaire declares them.
    options: dict[str, str]

    def number(self, option: str) -> str:
        """The number typed for an option: read on screen, by its label."""
        label = self.options.get(option, option)
        for number, text in CHOICE.findall(self.screen):
            if text.strip() == label:
                return number
        raise AssertionError(f"no choice {label!r} on screen:\n{self.screen}")

    def selected(self) -> set[str]:
        """The options of a multiple choice ticked now, read on its "Sélection :" line."""
        found = re.search(r"^Sélection : (.*)$", self.screen, re.M)
        line = found[1] if found else ""
        ticked = set()
        # The longest labels first: a label may hold a comma, or another label.
        for option, label in sorted(self.options.items(), key=lambda item: -len(item[1])):
            if label in line:
                ticked.add(option)
                line = line.replace(label, "", 1)
        return ticked


def current_question(terminal: Terminal, questionnaire: str, end: str) -> Asked | None:
    """The question the last line brought on screen, or None once `end` shows after it."""
    answer = terminal.answer
    headers = list(HEADER.finditer(answer))
    finished = answer.rfind(end)
    if finished >= 0 and (not headers or finished > headers[-1].start()):
        return None
    assert headers, f"{terminal.name}: neither a question nor {end!r} on screen:\n{answer}"
    screen = answer[headers[-1].start() :]
    body = screen.split("\n", 1)[1] if "\n" in screen else ""
    questions = [(plain(q.prompt.fr), q) for q in load(SPECS[questionnaire]).questions]
    # Several questions share a prompt (one per profile): their choices tell them apart.
    found = [
        q
        for prompt, q in sorted(questions, key=lambda item: -len(item[0]))
        if prompt and prompt in body and all(o.label.fr in body for o in q.options)
    ]
    assert found, f"{terminal.name}: unknown question of {questionnaire}:\n{screen}"
    question = found[0]
    options = {o.id: o.label.fr for o in question.options}
    return Asked(question.id, question.kind.value, question.multiline, screen, options)


def answer_questions(
    terminal: Terminal,
    questionnaire: str,
    answers: dict,
    *,
    end: str,
    default=None,
    until: str | None = None,
) -> FlowRecord:
    """Answers each question on screen from `answers` (question id → option id, option ids,
    text, SKIP or KEEP; `default(asked)` for the others) until `end` shows, or until the
    question `until` is asked (left unanswered)."""
    record = FlowRecord(questionnaire)
    while (asked := current_question(terminal, questionnaire, end)) is not None:
        record.asked.append(asked.id)
        record.prompts.append(asked.screen.splitlines()[1])
        if "[=]" in asked.screen:
            record.offered.append(asked.id)
        if asked.id == until:
            break
        assert len(record.asked) < 80, f"{questionnaire} never ends: {record.asked}"
        if asked.id in answers:
            value = answers[asked.id]
        elif default is not None:
            value = default(asked)
        else:
            raise AssertionError(f"no answer for {asked.id}:\n{asked.screen}")
        lines = lines_for(asked, value)
        if asked.kind == "multiple" and len(lines) == 2:
            # The ticks first: the question shows again with the selection, then "v".
            terminal.say(lines[0], "Sélection :")
            lines = lines[1:]
        terminal.type(*lines)
    record.end = terminal.answer
    return record


def lines_for(asked: Asked, value) -> list[str]:
    """What a person types to give `value`: a key, numbers, or the text itself."""
    if value == SKIP:
        return [">"]
    if value == KEEP:
        return ["="]
    if asked.kind == "multiple":
        # Ticking toggles: only the options whose state must change.
        toggles = set(value) ^ asked.selected()
        numbers = sorted((asked.number(option) for option in toggles), key=int)
        return [",".join(numbers), "v"] if numbers else ["v"]
    if asked.kind in ("single", "scale", "rating") and value in asked.options:
        return [asked.number(value)]
    if asked.multiline:
        # One line each, then an empty line sends them as one answer.
        return [*value.splitlines(), ""]
    return [value]
