"""The steps of a partnership's journey, as a user lives them through the fake Bot API:
type a command, answer the questions the bot asks, press the card's buttons, read the
drafts. Each step waits on what the user would see, never on a quiet moment."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from io import BytesIO

import docx

from flows.questionnaires import SPECS, load
from tests.fake_bot_api import FakeBotApi

# Generous: a busy 2-core machine runs the bot, the fake and the test at once.
WAIT = 60
SKIP, KEEP = "<skip>", "<keep>"
# A question, below the trail of the last answers when it took their message's place.
QUESTION_HEADER = re.compile(r"^(?:[✓↷][^\n]*\n)?Question (\d+)/(\d+)")
TRAIL = re.compile(r"^[✓↷][^\n]*\n")
STEP = re.compile(r"Étape (\d)/7")


@dataclass
class Person:
    """One human on Telegram: their private chat is their user id; Telegram sends their first
    and last names with every message and every press."""

    chat: int
    first_name: str
    last_name: str = ""

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def type(self, api: FakeBotApi, text: str) -> None:
        api.send_text(self.chat, text, first_name=self.first_name, last_name=self.last_name)

    def tap(self, api: FakeBotApi, data: str) -> None:
        api.press(self.chat, data, first_name=self.first_name, last_name=self.last_name)


@dataclass
class FlowRecord:
    """What one run of a questionnaire looked like to the user."""

    questionnaire: str
    # Question ids in the order the bot asked them, and their prompts as sent.
    asked: list[str] = field(default_factory=list)
    prompts: list[str] = field(default_factory=list)
    went_back: bool = False
    # The questions that came with the current answer already offered (a "keep" button).
    offered: list[str] = field(default_factory=list)
    end: str = ""
    # A run stopped (/annuler) and taken up again: the question left unanswered when it
    # stopped, and the first one asked when it was taken up.
    left_at: str | None = None
    resumed_at: str | None = None
    # What the bot said when the run was stopped, and the messages that took it up.
    cancelled: str = ""
    taken_up: list[str] = field(default_factory=list)

    def duplicates(self) -> list[str]:
        """Questions asked twice in this run, when nobody went back."""
        if self.went_back:
            return []
        return sorted({q for q in self.asked if self.asked.count(q) > 1})


# -- reading the chat -----------------------------------------------------------------------


def plain(text: str) -> str:
    """A message as read on screen: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", text or ""))


def texts(api: FakeBotApi, person: Person) -> list[str]:
    """The bot's messages in the person's chat, as they read now."""
    return [plain(t) for t in api.chat_messages(person.chat)]


def last(api: FakeBotApi, person: Person) -> str:
    shown = texts(api, person)
    return shown[-1] if shown else ""


def sent_texts(api: FakeBotApi, person: Person, since: int = 0) -> list[str]:
    """The messages the bot sent to the person (not edits), from its `since`-th on."""
    return [plain(call.text) for call in api.calls_of("sendMessage", person.chat)[since:]]


def keyboard(api: FakeBotApi, person: Person) -> list[tuple[str, str]]:
    """The buttons of the chat's last keyboard, flattened."""
    return [(label, data) for row in api.last_keyboard(person.chat) for label, data in row]


def button(api: FakeBotApi, person: Person, *, label: str = "", data_end: str = "") -> str:
    """The data of the last keyboard's button whose label contains `label` and whose data ends
    with `data_end`."""
    for text, data in keyboard(api, person):
        if label in text and (data or "").endswith(data_end):
            return data
    raise AssertionError(f"no button {label!r} {data_end!r} in {keyboard(api, person)}")


def card_buttons(api: FakeBotApi, person: Person) -> list[tuple[str, str]]:
    return [(label, data) for label, data in keyboard(api, person) if data.startswith("v1:p:")]


def step_of(text: str) -> int | None:
    found = STEP.search(text)
    return int(found[1]) if found else None


def next_line(card: str) -> str:
    """The card's "Prochaine étape" line."""
    return next(line for line in card.splitlines() if line.startswith("Prochaine étape"))


def latest_card(api: FakeBotApi, person: Person) -> str:
    """The last partnership card shown in the chat."""
    cards = [t for t in texts(api, person) if step_of(t) and "Prochaine étape" in t]
    assert cards, f"no card in {texts(api, person)[-3:]}"
    return cards[-1]


def count(api: FakeBotApi, person: Person, method: str = "sendMessage") -> int:
    return len(api.calls_of(method, person.chat))


# -- acting ---------------------------------------------------------------------------------


async def say(api: FakeBotApi, person: Person, text: str, *, until=None) -> None:
    """Types a text; waits for a reply, or for `until(api)`."""
    before = count(api, person)
    person.type(api, text)
    await api.wait_for(until or (lambda a: count(a, person) > before), timeout=WAIT)


def _pressed(api: FakeBotApi, person: Person) -> tuple[int | None, object]:
    """The message a tap presses (the last with buttons) and how it reads now."""
    live = api.live_message(person.chat)
    message_id = live[0] if live else None
    return message_id, api.message_state(person.chat, message_id)


async def press(api: FakeBotApi, person: Person, data: str, *, until=None) -> None:
    """Presses a button; waits for the pressed message to change or a new message in the
    chat, or for `until(api)`. (A late edit of another message is not taken for it.)"""
    sends = count(api, person)
    message_id, before = _pressed(api, person)
    person.tap(api, data)

    def done(a):
        return count(a, person) > sends or a.message_state(person.chat, message_id) != before

    await api.wait_for(until or done, timeout=WAIT)


async def command(api: FakeBotApi, person: Person, text: str) -> None:
    """A command that opens a questionnaire: waits for its first question."""
    before = count(api, person)
    person.type(api, text)
    await api.wait_for(
        lambda a: any(QUESTION_HEADER.match(t) for t in sent_texts(a, person, before)),
        timeout=WAIT,
    )


# -- answering a questionnaire --------------------------------------------------------------


def _prompts(questionnaire: str) -> list[tuple[str, str, str]]:
    """(prompt in French, question id, kind) of every question, the longest prompt first."""
    spec = SPECS[questionnaire]
    found = [(plain(q.prompt.fr), q.id, q.kind.value) for q in load(spec).questions]
    return sorted(found, key=lambda item: -len(item[0]))


def current_question(api: FakeBotApi, person: Person, questionnaire: str):
    """(question id, kind, text) of the question at the bottom of the chat, or None."""
    text = TRAIL.sub("", last(api, person), count=1)
    if not QUESTION_HEADER.match(text):
        return None
    body = text.split("\n", 1)[1] if "\n" in text else text
    matches = [(q, kind) for prompt, q, kind in _prompts(questionnaire) if prompt in body]
    assert matches, f"unknown question in {questionnaire}: {text}"
    # Several questions share a prompt (one per profile): the buttons name the one asked.
    shown = {data.split(":")[3] for _, data in keyboard(api, person) if data.count(":") >= 3}
    question_id, kind = next(((q, k) for q, k in matches if q in shown), matches[0])
    return question_id, kind, text


async def answer_questions(
    api: FakeBotApi,
    person: Person,
    questionnaire: str,
    answers: dict,
    *,
    default=None,
    record: FlowRecord | None = None,
    stop_after: int | None = None,
) -> FlowRecord:
    """Answers every question the bot asks, from `answers` (question id → option id, list of
    option ids, text, SKIP or KEEP; `default(question_id, kind)` for the others), until the
    flow ends, or until `stop_after` questions are answered (the question then asked is kept
    as `left_at`). A `record` of a run stopped before goes on: the questions asked once the
    run is taken up count with those asked before. Returns what was asked."""
    resuming = record is not None
    record = record or FlowRecord(questionnaire)
    while (current := current_question(api, person, questionnaire)) is not None:
        question_id, kind, text = current
        if stop_after is not None and len(record.asked) >= stop_after:
            record.left_at = question_id
            return record
        if resuming and record.resumed_at is None:
            record.resumed_at = question_id
        record.asked.append(question_id)
        record.prompts.append(text.split("\n", 1)[-1].split("\n")[0])
        buttons = keyboard(api, person)
        if any(data.startswith("v1:k:") for _, data in buttons):
            record.offered.append(question_id)
        if question_id in answers:
            value = answers[question_id]
        elif default is not None:
            value = default(question_id, kind, buttons)
        else:
            raise AssertionError(f"no answer for {question_id}: {text}")
        await _give(api, person, question_id, kind, value, buttons)
    record.end = last(api, person)
    return record


async def _give(api, person, question_id, kind, value, buttons) -> None:
    if value in (SKIP, KEEP):
        verb = "s" if value == SKIP else "k"
        await _next_question(api, person, lambda: person.tap(api, _data(buttons, verb)))
        return
    if kind == "multiple":
        wanted = set(value)
        for label, data in buttons:
            if data.startswith("v1:t:"):
                option = data.rsplit(":", 1)[1]
                ticked = label.startswith(("☑", "✅", "✓"))
                if (option in wanted) != ticked:
                    await press(api, person, data)
                    buttons = keyboard(api, person)
        await _next_question(api, person, lambda: person.tap(api, _data(buttons, "v")))
        return
    option = f"v1:a:{_session(buttons)}:{question_id}:{value}" if buttons else None
    if kind in ("single", "scale", "rating") and any(d == option for _, d in buttons):
        await _next_question(api, person, lambda: person.tap(api, option))
        return
    await _next_question(api, person, lambda: person.type(api, value))


def _session(buttons) -> str:
    return next(data.split(":")[2] for _, data in buttons if data.startswith("v1:"))


def _data(buttons, verb: str) -> str:
    found = [data for _, data in buttons if data.startswith(f"v1:{verb}:")]
    assert found, f"no {verb} button in {buttons}"
    return found[0]


async def _next_question(api: FakeBotApi, person: Person, act) -> None:
    """Acts, then waits for what comes next: the live message edited into the next question,
    or a new message (the question after a typed answer, the explanation of a refusal, the
    flow's summary)."""
    sends = count(api, person)
    message_id, before = _pressed(api, person)

    def moved(a) -> bool:
        if count(a, person) > sends:
            return True
        # The live message, turned into the next question (it keeps buttons); once it has
        # none left, what comes next is a new message.
        now = a.message_state(person.chat, message_id)
        return now != before and now is not None and now[1] != "null"

    act()
    await api.wait_for(moved, timeout=WAIT)


# -- documents ------------------------------------------------------------------------------


def documents(api: FakeBotApi, person: Person, since: int = 0) -> list[tuple[str, str]]:
    """(file name, text) of the DOCX files sent to the person, from the `since`-th file on."""
    found = []
    for call in api.calls_of("sendDocument", person.chat)[since:]:
        name, content = call.files["document"]
        if name.endswith(".docx"):
            found.append((name, docx_text(content)))
    return found


def docx_text(content: bytes) -> str:
    """Every paragraph and table cell of a Word file, one per line."""
    document = docx.Document(BytesIO(content))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.extend(cell.text for cell in row.cells)
    return "\n".join(lines)


# -- the steps of a journey -----------------------------------------------------------------


async def run_diagnostic(api: FakeBotApi, person: Person, answers: dict) -> FlowRecord:
    """Step 1: /diagnostic, answered to the end; the result is the diagnosis summary."""
    await command(api, person, "/diagnostic")
    record = await answer_questions(api, person, "diagnostic", answers)
    assert "Votre auto-diagnostic" in record.end, record.end
    return record


async def wait_card(api: FakeBotApi, person: Person, since: int) -> str:
    """The next partnership card the bot sends or redraws in the chat, after message `since`."""

    def card(a):
        shown = texts(a, person)[since:]
        found = [t for t in shown if step_of(t) and "Prochaine étape" in t]
        return found[-1] if found else None

    return await api.wait_for(card, timeout=WAIT)


async def create_partnership(api: FakeBotApi, person: Person, answers: dict) -> str:
    """/nouveau, answered; returns the new partnership's card."""
    await command(api, person, "/nouveau")
    before = len(texts(api, person))
    record = await answer_questions(api, person, "new_partnership", answers)
    assert not record.duplicates(), record.asked
    return await wait_card(api, person, before - 1)


async def open_card(api: FakeBotApi, person: Person, name: str) -> str:
    """/partenariats, then the partnership's button: its card, as the person sees it."""
    await say(api, person, "/partenariats")
    before = len(texts(api, person))
    await press(api, person, button(api, person, label=name[:60], data_end=":open"))
    return await wait_card(api, person, before - 1)


async def card_action(api: FakeBotApi, person: Person, action: str, name: str) -> None:
    """Presses one of the card's buttons (opening the card first)."""
    await open_card(api, person, name)
    await press(api, person, button(api, person, data_end=f":{action}"))


async def advance(api: FakeBotApi, person: Person, name: str, move: str = "advance") -> str:
    """The card's "Étape suivante →" (or another of its moves: "renew", "modify", "end");
    returns the card (or the refusal, then the card)."""
    await open_card(api, person, name)
    before = len(texts(api, person))
    await press(api, person, button(api, person, data_end=f":{move}"))
    return await wait_card(api, person, before - 1)


def moves_offered(api: FakeBotApi, person: Person) -> list[str]:
    """The labels of the stage moves on the card last shown (the buttons of its first rows)."""
    moves = (":advance", ":end", ":renew", ":modify", ":back")
    return [label for label, data in card_buttons(api, person) if data.endswith(moves)]


async def invite_partner_contact(api: FakeBotApi, person: Person, name: str) -> str:
    """The card's invite button, for a contact at the partner; returns the /start token."""
    return await invite(api, person, name, "partner")


async def invite(api: FakeBotApi, person: Person, name: str, role: str) -> str:
    """The card's invite button, for someone of that role; returns the /start token."""
    await card_action(api, person, "invite", name)
    await press(
        api,
        person,
        button(api, person, data_end=f":role:{role}"),
        until=lambda a: "start=" in last(a, person),
    )
    link = last(api, person).split("start=")[1].split()[0]
    return link


async def open_evaluation(api: FakeBotApi, person: Person, name: str) -> str:
    """The card's "Évaluation" button: the evaluation screen, shown in place of the card."""
    await card_action(api, person, "evaluation", name)
    return await api.wait_for(
        lambda a: next((t for t in texts(a, person)[-2:] if t.startswith("Évaluation")), None),
        timeout=WAIT,
    )


def everything_received(api: FakeBotApi) -> list[str]:
    """Every text any chat received: messages and their edits, captions, buttons, the short
    answers to presses, and the text of the Word files."""
    found = []
    for call in api.sent():
        params = call.params
        found += [str(params[key]) for key in ("text", "caption") if params.get(key)]
        markup = params.get("reply_markup")
        if isinstance(markup, dict):
            found += [b.get("text", "") for row in markup.get("inline_keyboard", []) for b in row]
        for name, content in call.files.values():
            if name.endswith(".docx"):
                found.append(docx_text(content))
    return found


def files_sent(api: FakeBotApi, person: Person, since: int = 0) -> list[str]:
    """The names of the files sent to the person as documents, from the `since`-th on."""
    return [call.files["document"][0] for call in api.calls_of("sendDocument", person.chat)[since:]]


async def join_by_invitation(api: FakeBotApi, person: Person, token: str) -> str:
    """The invited person opens the link (/start <token>); returns the card they are shown."""
    before = len(texts(api, person))
    person.type(api, f"/start {token}")
    return await wait_card(api, person, before)


async def tick_dialogue(api: FakeBotApi, person: Person, name: str, points: list[str]) -> str:
    """Step 2: the card's Dialogue, ticking the points agreed; returns the checklist."""
    await card_action(api, person, "dialogue", name)
    for point in points:
        await press(api, person, button(api, person, data_end=f":tick:{point}"))
    return last(api, person)


async def add_meeting_note(api: FakeBotApi, person: Person, name: str, note: str) -> FlowRecord:
    """Step 2: a meeting note, from the dialogue's button."""
    await card_action(api, person, "dialogue", name)
    before = count(api, person)
    person.tap(api, button(api, person, data_end=":note"))
    await api.wait_for(
        lambda a: count(a, person) > before and QUESTION_HEADER.match(last(a, person)),
        timeout=WAIT,
    )
    return await answer_questions(api, person, "note", {"text": note})


@dataclass
class Candidate:
    name: str
    answers: dict


async def score_candidate(api: FakeBotApi, person: Person, candidate: Candidate) -> FlowRecord:
    """Step 3: /criteres for one candidate; the end shows the candidates ranked."""
    await command(api, person, "/criteres")
    record = await answer_questions(
        api, person, "criteria", {"candidate_name": candidate.name} | candidate.answers
    )
    assert not record.duplicates(), record.asked
    await api.wait_for(lambda a: "Comparaison des candidats" in last(a, person), timeout=WAIT)
    return record


async def choose_candidate(api: FakeBotApi, person: Person, name: str) -> str:
    """Chooses a candidate from the ranking; returns the news of the stage it moved to."""
    before = len(texts(api, person))
    data = next(d for label, d in keyboard(api, person) if name in label and ":choose:" in d)
    person.tap(api, data)
    return await api.wait_for(
        lambda a: next((t for t in texts(a, person)[before:] if "passe à l’étape" in t), None),
        timeout=WAIT,
    )


async def fill_convention(
    api: FakeBotApi, person: Person, answers: dict, *, stop_after: int | None = None
) -> FlowRecord:
    """Steps 4-5: /convention, answered from `answers`: each section's agreed points (c_…),
    yes or no (y_…), texts (t_…) and the parties' details (p_…); with `stop_after`, stopped
    by /annuler after that many answers, then taken up again by /convention."""
    await command(api, person, "/convention")
    record = await answer_questions(
        api, person, "convention", answers, default=_convention_default, stop_after=stop_after
    )
    if stop_after is None:
        return record
    record.cancelled = await cancel(api, person)
    before = count(api, person)
    await command(api, person, "/convention")
    record.taken_up = sent_texts(api, person, before)
    return await answer_questions(
        api, person, "convention", answers, default=_convention_default, record=record
    )


async def cancel(api: FakeBotApi, person: Person) -> str:
    """/annuler: returns what the bot answers."""
    before = count(api, person)
    await say(api, person, "/annuler")
    return "\n".join(sent_texts(api, person, before))


def _convention_default(question_id: str, kind: str, buttons) -> object:
    """A question the persona has no answer for (one added to the checklist since): the
    answer already offered, else a plain one."""
    if any(data.startswith("v1:k:") for _, data in buttons):
        return KEEP
    if kind == "multiple":
        return [d.rsplit(":", 1)[1] for _, d in buttons if d.startswith("v1:t:")]
    if kind == "single":
        return "yes"
    return f"À préciser ({question_id})"


async def generate_drafts(api: FakeBotApi, person: Person) -> list[tuple[str, str]]:
    """The convention summary's button that builds the drafts: (file name, text) of each."""
    before = count(api, person, "sendDocument")
    data = next(d for _, d in keyboard(api, person) if d.endswith(":generate"))
    person.tap(api, data)
    await api.wait_for(lambda a: count(a, person, "sendDocument") >= before + 2, timeout=WAIT)
    return documents(api, person, before)


async def fill_followup(api: FakeBotApi, person: Person, answers: dict) -> FlowRecord:
    """Step 6: /suivi, answered."""
    await command(api, person, "/suivi")
    return await answer_questions(api, person, "followup", answers, default=_convention_default)


def invitation_button(api: FakeBotApi, person: Person) -> str:
    """The start button of the latest invitation: an alert raised in the same run (a
    round late, no steering meeting, issue 19) may have come after it."""
    for call in reversed(api.calls_of("sendMessage", person.chat)):
        rows = (call.params.get("reply_markup") or {}).get("inline_keyboard") or []
        for row in rows:
            for button in row:
                if str(button.get("callback_data", "")).startswith("v1:e:"):
                    return button["callback_data"]
    raise AssertionError(f"no invitation to a check-in for {person.chat}")


async def answer_checkin(
    api: FakeBotApi, person: Person, kind: str, answers: dict, *, start: str | None = None
) -> FlowRecord:
    """Presses the invitation's start button (or `start`), then answers the round."""
    data = start or invitation_button(api, person)
    before = count(api, person)
    person.tap(api, data)
    await api.wait_for(
        lambda a: count(a, person) > before and QUESTION_HEADER.match(last(a, person)),
        timeout=WAIT,
    )
    return await answer_questions(api, person, kind, answers)
