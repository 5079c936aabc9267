"""The conversation service: load the user's run, hand the input to the flow, save, render.

Shared by the Telegram handlers and the terminal. Every method is one unit of
work against the database and returns a `Reply` to show; nothing about a user is
kept in memory between calls.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import wraps

from sqlalchemy.engine import Engine

from bot import card_screens, screens
from bot.callback_data import ButtonData, parse, parse_simple
from bot.card_screens import InlineCard
from bot.i18n import language_of
from bot.partnerships import PartnershipDesk
from bot.replies import Reply, Who
from bot.screens import Screen
from flows.convention import checklist_questionnaire
from flows.diagnostic import diagnose
from flows.engine import DONE, FlowState, Outcome, QuestionnaireFlow
from knowledge import load_method, load_questionnaire
from knowledge.loader import load_convention_checklist, load_knowledge_base
from knowledge.search import CardIndex
from storage import repository
from storage.db import session_scope
from storage.models import FlowSession, User, utcnow

DIAGNOSTIC = "diagnostic"
# Questionnaires read from knowledge/data; the convention's is built from its checklist.
QUESTIONNAIRES = ("diagnostic", "new_partnership", "criteria", "followup", "note")
LANGUAGES = ("fr", "en")
# What inline mode offers before anything is typed.
DEFAULT_INLINE_CARDS = (
    "steps_overview",
    "convention_duration",
    "criteria_general_interest",
    "risks_economic",
    "evaluation_path",
)


def one_unit_of_work(method: Callable) -> Callable:
    """Runs a service method in one transaction, with the user loaded; duplicates do nothing."""

    @wraps(method)
    def wrapper(self: Conversations, who: Who, *args) -> Reply:
        with session_scope(self.engine) as db:
            user = repository.get_or_create_user(
                db, external_id=who.external_id, language=language_of(who.language_code)
            )
            if not repository.claim_update(db, user=user, update_id=who.update_id):
                return Reply(language=user.language)
            return method(self, db, user, *args)

    return wrapper


class Conversations:
    """Runs the questionnaires for everyone, from the database, one input at a time."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime] = utcnow):
        self.engine = engine
        # One machine per questionnaire for the whole process.
        self.flows = {name: QuestionnaireFlow(load_questionnaire(name)) for name in QUESTIONNAIRES}
        checklist = load_convention_checklist()
        self.flows["convention"] = QuestionnaireFlow(checklist_questionnaire(checklist))
        self.method = load_method()
        self.desk = PartnershipDesk(self, checklist, clock)
        # Loaded and indexed once per process: a lookup then costs a few dictionary reads.
        self.cards = CardIndex(load_knowledge_base())

    # -- commands ----------------------------------------------------------------------

    @one_unit_of_work
    def start(self, db, user: User, payload: str = "") -> Reply:
        """/start, or /start <invitation token> from an invitation link."""
        if payload:
            return self.desk.join(db, user, payload.strip()[:64])
        running = repository.active_flow_session(db, user_id=user.id, flow=DIAGNOSTIC)
        welcome = screens.simple_screen("welcome.j2", user.language, resume=bool(running))
        return Reply([welcome], language=user.language)

    @one_unit_of_work
    def help(self, db, user: User) -> Reply:
        return Reply([screens.simple_screen("help.j2", user.language)], language=user.language)

    @one_unit_of_work
    def diagnostic(self, db, user: User) -> Reply:
        """Starts the self-diagnosis, or resumes the one in progress where it stopped."""
        return self.start_or_resume(db, user, DIAGNOSTIC, intro="diagnostic_intro.j2")

    def start_or_resume(
        self,
        db,
        user: User,
        flow_id: str,
        *,
        intro: str,
        partnership_id: int | None = None,
        prefill: dict | None = None,
    ) -> Reply:
        """Resumes the user's run of that questionnaire (for that partnership), or starts one."""
        running = repository.active_flow_session(db, user_id=user.id, flow=flow_id)
        if running is not None and running.partnership_id == partnership_id:
            flow_state = FlowState.from_dict(running.state)
            resume = screens.simple_screen("resume.j2", user.language)
            return self._ask(resume, running, flow_state, user.language)
        flow = self.flows[flow_id]
        flow_state = flow.start()
        if prefill:
            # Answers already known are not asked again: the flow skips to the first gap.
            flow_state.answers.update(prefill)
            if flow.current(flow_state).id in prefill:
                flow.keep(flow_state)
        running = repository.start_flow_session(
            db,
            user_id=user.id,
            flow=flow_id,
            state=flow_state.to_dict(),
            partnership_id=partnership_id,
        )
        opening = screens.simple_screen(intro, user.language)
        return self._ask(opening, running, flow_state, user.language)

    @one_unit_of_work
    def cancel(self, db, user: User) -> Reply:
        running = repository.active_flow_session(db, user_id=user.id)
        if running is None:
            screen = screens.simple_screen("nothing_to_cancel.j2", user.language)
            return Reply([screen], language=user.language)
        flow_state = FlowState.from_dict(running.state)
        self.flows[running.flow].cancel(flow_state)
        repository.save_flow_state(
            db, flow_session=running, state=flow_state.to_dict(), status="cancelled"
        )
        reply = Reply([screens.simple_screen("cancelled.j2", user.language)])
        reply.language = user.language
        reply.close_message_id = running.question_message_id
        return reply

    # -- partnerships ------------------------------------------------------------------

    @one_unit_of_work
    def new_partnership(self, db, user: User) -> Reply:
        """/nouveau: name, organisations, theme and territory of a new partnership."""
        return self.desk.new(db, user)

    @one_unit_of_work
    def partnerships(self, db, user: User) -> Reply:
        """/partenariats: the user's partnerships, to open and make active."""
        return self.desk.list(db, user)

    @one_unit_of_work
    def criteria(self, db, user: User) -> Reply:
        """/criteres: score a candidate partner of the active partnership."""
        return self.desk.step(db, user, "criteria")

    @one_unit_of_work
    def convention(self, db, user: User) -> Reply:
        """/convention: the convention checklist of the active partnership."""
        return self.desk.convention(db, user)

    @one_unit_of_work
    def followup(self, db, user: User) -> Reply:
        """/suivi: referents, steering committee, cadence, tools."""
        return self.desk.step(db, user, "followup")

    @one_unit_of_work
    def documents(self, db, user: User) -> Reply:
        """/documents: the generated documents, every version."""
        return self.desk.documents(db, user)

    @one_unit_of_work
    def partnership_button(self, db, user: User, data: object, message_id: int | None) -> Reply:
        """A button on a partnership; the user must belong to it."""
        return self.desk.act(db, user, data, message_id)

    # -- inputs ------------------------------------------------------------------------

    @one_unit_of_work
    def text(self, db, user: User, text: str) -> Reply:
        """A typed answer to the current question, or a hint when nothing is running."""
        running = repository.active_flow_session(db, user_id=user.id)
        if running is None:
            screen = screens.simple_screen("no_flow.j2", user.language)
            return Reply([screen], language=user.language)
        flow_state = FlowState.from_dict(running.state)
        outcome = self.flows[running.flow].answer(flow_state, text)
        return self._after(db, user, running, flow_state, outcome, None)

    @one_unit_of_work
    def press(self, db, user: User, data: object, message_id: int | None) -> Reply:
        """A button press; anything stale, foreign or forged changes nothing."""
        button = parse(data)
        running = None
        if button is not None:
            running = repository.owned_flow_session(
                db, session_id=button.session_id, user_id=user.id
            )
        if running is None:
            return self.notice("stale_button.j2", user.language)
        flow_state = FlowState.from_dict(running.state)
        if running.status != "active" or flow_state.state != button.question_id:
            return self.notice("stale_button.j2", user.language)
        flow = self.flows[running.flow]
        if button.action == "why":
            # Help leaves the question as it is.
            question = flow.current(flow_state)
            return Reply([screens.why_screen(question, user.language)], language=user.language)
        outcome = self._apply(flow, flow_state, button)
        if outcome is None:
            return self.notice("stale_button.j2", user.language)
        redraw = button.action == "toggle" and outcome.kind == "question"
        return self._after(db, user, running, flow_state, outcome, message_id, redraw)

    @one_unit_of_work
    def unsupported(self, db, user: User) -> Reply:
        """Stickers, photos, voice: say what the bot understands, and ask again."""
        reply = Reply([screens.simple_screen("unsupported.j2", user.language)])
        reply.language = user.language
        running = repository.active_flow_session(db, user_id=user.id)
        if running is not None:
            flow_state = FlowState.from_dict(running.state)
            reply.close_message_id = running.question_message_id
            self._append_question(reply, running, flow_state, user.language)
        return reply

    # -- checklists and language ---------------------------------------------------------

    @one_unit_of_work
    def checklist(self, db, user: User, query: str) -> Reply:
        """/checklist: the topic menu, or the card that best matches the words given."""
        language, base = user.language, self.cards.base
        query = " ".join(query.split())[:200]
        if not query:
            return Reply([card_screens.topics_screen(base, language)], language=language)
        hits = self.cards.search(query, limit=1)
        if not hits:
            screen = card_screens.no_result_screen(query, base, language)
            return Reply([screen], language=language)
        return Reply([card_screens.card_screen(hits[0].card, base, language)], language=language)

    @one_unit_of_work
    def browse(self, db, user: User, data: object, message_id: int | None) -> Reply:
        """A card, topic or language button; the message shows what was chosen."""
        parsed = parse_simple(data)
        kind, value = parsed if parsed else ("", "")
        base = self.cards.base
        if kind == "l" and value in LANGUAGES:
            repository.set_language(db, user=user, language=value)
            screen = screens.simple_screen("language_set.j2", value)
            return Reply(edit=screen, edit_message_id=message_id, language=value)
        screen = None
        if kind == "c" and base.card(value) is not None:
            screen = card_screens.card_screen(base.card(value), base, user.language)
        elif kind == "m" and value == "all":
            screen = card_screens.topics_screen(base, user.language)
        elif kind == "m" and base.topic(value) is not None:
            screen = card_screens.topic_screen(base.topic(value), user.language)
        if screen is None:
            return self.notice("stale_button.j2", user.language)
        if message_id is None:
            return Reply([screen], language=user.language)
        return Reply(edit=screen, edit_message_id=message_id, language=user.language)

    @one_unit_of_work
    def inline(self, db, user: User, query: str) -> list[InlineCard]:
        """Inline mode: the cards matching the query, in the user's language."""
        query = " ".join(query.split())[:200]
        if query:
            cards = [hit.card for hit in self.cards.search(query, limit=10)]
        else:
            cards = [self.cards.base.card(card_id) for card_id in DEFAULT_INLINE_CARDS]
        return [card_screens.inline_card(card, user.language) for card in cards if card]

    @one_unit_of_work
    def language_menu(self, db, user: User) -> Reply:
        """/langue: the two languages as buttons."""
        return Reply([card_screens.language_screen(user.language)], language=user.language)

    def remember_question_message(self, who: Who, session_id: int, message_id: int) -> None:
        with session_scope(self.engine) as db:
            user = repository.get_or_create_user(
                db, external_id=who.external_id, language=language_of(who.language_code)
            )
            repository.remember_question_message(
                db, session_id=session_id, user_id=user.id, message_id=message_id
            )

    # -- helpers -----------------------------------------------------------------------

    def _apply(
        self, flow: QuestionnaireFlow, flow_state: FlowState, button: ButtonData
    ) -> Outcome | None:
        question = flow.current(flow_state)
        if button.action in ("answer", "toggle") and (button.option_id is None or question is None):
            return None
        if button.action == "answer":
            return flow.answer(flow_state, button.option_id)
        if button.action == "toggle":
            return flow.toggle(flow_state, button.option_id)
        actions = {
            "validate": flow.validate_draft,
            "back": flow.back,
            "skip": flow.skip,
            "keep": flow.keep,
        }
        action = actions.get(button.action)
        return action(flow_state) if action else None

    def _after(
        self,
        db,
        user: User,
        running: FlowSession,
        flow_state: FlowState,
        outcome: Outcome,
        message_id: int | None,
        redraw: bool = False,
    ) -> Reply:
        """Saves the new state, then says what changed.

        `message_id` is the message whose button was pressed, None for typed input;
        `redraw` asks to show the same question again in that message (a toggle).
        """
        language, flow = user.language, self.flows[running.flow]
        answered = None
        if outcome.answered is not None:
            answered = (outcome.answered.id, flow_state.answers.get(outcome.answered.id))
        status = "done" if flow_state.state == DONE else "active"
        repository.save_flow_state(
            db, flow_session=running, state=flow_state.to_dict(), status=status, answered=answered
        )
        reply = Reply(language=language)
        acted_on = message_id or running.question_message_id
        if outcome.kind in ("invalid", "required", "first_question") and message_id is not None:
            # A refused press keeps its message; a toast says why.
            reply.notice = self._refusal(outcome, language)
            return reply
        if outcome.kind == "invalid":
            reply.messages.append(
                screens.invalid_screen(outcome.question, outcome.invalid, language)
            )
            reply.close_message_id = acted_on
            self._append_question(reply, running, flow_state, language)
            return reply
        if outcome.answered is not None:
            reply.edit = screens.answered_screen(flow, flow_state, outcome.answered, language)
            reply.edit_message_id = acted_on
        elif redraw:
            # A toggle: the same question, redrawn with its boxes ticked.
            reply.edit = screens.question_screen(flow, flow_state, running.id, language)
            reply.edit_message_id = message_id
            return reply
        else:
            reply.close_message_id = acted_on
        if outcome.kind == "done":
            self._finish(db, user, running, flow_state, reply)
        else:
            self._append_question(reply, running, flow_state, language)
        return reply

    def _refusal(self, outcome: Outcome, language: str) -> str:
        if outcome.kind == "invalid":
            return screens.invalid_screen(outcome.question, outcome.invalid, language).text
        return screens.simple_screen(f"{outcome.kind}.j2", language).text

    def _finish(
        self, db, user: User, running: FlowSession, flow_state: FlowState, reply: Reply
    ) -> None:
        """What a finished questionnaire gives back: a summary, or a partnership's record."""
        if running.flow == DIAGNOSTIC:
            flow = self.flows[DIAGNOSTIC]
            diagnosis = diagnose(flow.questionnaire, self.method, flow_state.answers)
            reply.messages.append(
                screens.diagnosis_screen(
                    flow, self.method, diagnosis, flow_state.answers, user.language
                )
            )
            return
        self.desk.finish(db, user, running, flow_state.answers, reply)

    def _ask(
        self, intro: Screen, running: FlowSession, flow_state: FlowState, language: str
    ) -> Reply:
        reply = Reply([intro], language=language)
        reply.close_message_id = running.question_message_id
        self._append_question(reply, running, flow_state, language)
        return reply

    def _append_question(
        self, reply: Reply, running: FlowSession, flow_state: FlowState, language: str
    ) -> None:
        flow = self.flows[running.flow]
        reply.messages.append(screens.question_screen(flow, flow_state, running.id, language))
        reply.question_session_id = running.id

    def notice(self, template: str, language: str) -> Reply:
        """A short answer to a press that changes nothing."""
        return Reply(notice=screens.simple_screen(template, language).text, language=language)
