"""Running a questionnaire: start or resume, take an answer or a press, cancel, finish.

The flow (`flows.engine`) decides what to ask next; this layer loads the run from the
database, hands it the input, saves the new state with the answer in the same
transaction, and says what to show.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.callback_data import ButtonData
from bot.services import checklists, producers
from bot.services.access import notice
from bot.services.results import (
    ACTED,
    AnswerRefused,
    AnswerShown,
    QuestionShown,
    Result,
    Say,
    ScreenRef,
    WhyShown,
    question_of,
)
from bot.services.work import Work
from flows.answers import clean, language_named, matching_options, navigation
from flows.engine import DONE, FlowState, Outcome, QuestionnaireFlow
from knowledge import Question, QuestionKind
from storage import repository
from storage.models import FlowSession

DIAGNOSTIC = "diagnostic"


def diagnostic(work: Work) -> Result:
    """/diagnostic: starts the self-diagnosis, or resumes the one in progress."""
    return start_or_resume(work, DIAGNOSTIC, intro="diagnostic_intro")


def start_or_resume(
    work: Work,
    flow_id: str,
    *,
    intro: str | Say,
    partnership_id: int | None = None,
    defaults: dict[str, Any] | None = None,
    flags: list[str] | None = None,
    round_id: int | None = None,
    context: Any = None,
) -> Result:
    """Resumes the user's run of that questionnaire (for that partnership and round), or
    starts one; `defaults` (what earlier steps know) are offered as current answers, and
    `context` is shown before the first question (what Alliance already knows)."""
    previous = repository.active_flow_session(work.db, user_id=work.user.id)
    running = repository.resumable_flow_session(
        work.db,
        user_id=work.user.id,
        flow=flow_id,
        partnership_id=partnership_id,
        round_id=round_id,
    )
    if running is not None:
        repository.resume_flow_session(work.db, flow_session=running)
        result = _ask(work, Say("resume"), running, FlowState.from_dict(running.state))
        if previous is not None and previous.id != running.id:
            result.closes = question_of(previous.id)
        return result
    flow_state = work.core.flows[flow_id].start(defaults)
    flow_state.flags = list(flags or [])
    running = repository.start_flow_session(
        work.db,
        user_id=work.user.id,
        flow=flow_id,
        state=flow_state.to_dict(),
        partnership_id=partnership_id,
        round_id=round_id,
    )
    result = _ask(work, Say(intro) if isinstance(intro, str) else intro, running, flow_state)
    if context is not None:
        result.shown.insert(1, context)
    # The question of a run just replaced loses its buttons too.
    result.closes = question_of(previous.id) if previous else None
    return result


def answer_text(work: Work, text: str) -> Result:
    """A typed answer to the current question (or the label of one of its buttons), a
    language named after /langue, or a hint when nothing is running."""
    text = clean(text)
    running = repository.active_flow_session(work.db, user_id=work.user.id)
    language = language_named(text)
    if running is None:
        if language is not None:
            return checklists.choose_language(work, language)
        return Result(work.language, [Say("no_flow")])
    flow = work.core.flows[running.flow]
    flow_state = FlowState.from_dict(running.state)
    question = flow.current(flow_state)
    if language is not None and _names_a_language(work, question, text, language):
        # The language changes; the question comes again, in it.
        return ask_again(work, checklists.choose_language(work, language))
    if question is not None and question.help is not None and navigation(text) == "why":
        # "Pourquoi ?" typed: the help, as its button gives it; the question stays.
        return Result(work.language, [WhyShown(question)])
    outcome = flow.typed(flow_state, text, today=today(work))
    return _after(work, running, flow_state, outcome, acted=None)


def today(work: Work) -> date:
    """The user's date, in the configured time zone: typed dates are read against it."""
    return work.now.astimezone(work.core.zone).date()


def _names_a_language(work: Work, question: Question | None, text: str, language: str) -> bool:
    """Whether "English" typed at a question means the language, not an answer: always
    where it cannot be an answer (a choice, a number, a date); at a free text question, only
    when it names the other language (the user's own can be an answer)."""
    if question is None:
        return True
    if question.kind != QuestionKind.TEXT:
        return not matching_options(question, text)
    return language != work.language


def press(work: Work, button: ButtonData | None, acted: ScreenRef | None) -> Result:
    """A button of a question; anything stale, foreign or forged changes nothing."""
    running = None
    if button is not None:
        running = repository.owned_flow_session(
            work.db, session_id=button.session_id, user_id=work.user.id
        )
    if running is None or not _is_live(running, button, acted):
        return notice(work)
    flow = work.core.flows[running.flow]
    flow_state = FlowState.from_dict(running.state)
    if button.action == "why":
        # The question stays, its rationale under it, in the same message.
        result = Result(work.language)
        result.in_place = question_shown(work, running, flow_state, in_place=True, why=True)
        result.replaces = _screen(acted, running)
        return result
    outcome = _apply(flow, flow_state, button)
    if outcome is None:
        return notice(work)
    return _after(work, running, flow_state, outcome, acted)


def _is_live(running: FlowSession, button: ButtonData, acted: ScreenRef | None) -> bool:
    """A button acts only on the run's current question, from the message known to show it
    (the adapter says which question a pressed message shows; while the message is not known
    yet, any copy of the question): a copy sent twice (after a time-out Telegram had in fact
    received) no longer acts."""
    if running.status != "active" or running.state.get("state") != button.question_id:
        return False
    return acted is None or acted == question_of(running.id)


def cancel(work: Work) -> Result:
    """/annuler: stops the questionnaire in progress and keeps its place; the same command (or
    a check-in's button) takes it up at the question where it stopped."""
    running = repository.active_flow_session(work.db, user_id=work.user.id)
    if running is None:
        return Result(work.language, [Say("nothing_to_cancel")])
    repository.pause_active(work.db, user_id=work.user.id)
    title = work.core.flows[running.flow].questionnaire.title.in_(work.language)
    said = {"flow": running.flow, "title": title, "paused": running.round_id is not None}
    result = Result(work.language, [Say("cancelled", said)])
    result.closes = question_of(running.id)
    return result


def ask_again(work: Work, result: Result) -> Result:
    """Adds the current question, if a questionnaire is running (after an unreadable input)."""
    running = repository.active_flow_session(work.db, user_id=work.user.id)
    if running is not None:
        result.closes = question_of(running.id)
        _append_question(work, result, running, FlowState.from_dict(running.state))
    return result


# -- helpers ----------------------------------------------------------------------------------


def _apply(flow: QuestionnaireFlow, flow_state: FlowState, button: ButtonData) -> Outcome | None:
    if button.action in ("answer", "toggle"):
        if button.option_id is None or flow.current(flow_state) is None:
            return None
        move = flow.answer if button.action == "answer" else flow.toggle
        return move(flow_state, button.option_id)
    actions = {
        "flag": flow.toggle_flag,
        "validate": flow.validate_draft,
        "back": flow.back,
        "skip": flow.skip,
        "keep": flow.keep,
    }
    action = actions.get(button.action)
    return action(flow_state) if action else None


def _after(
    work: Work,
    running: FlowSession,
    flow_state: FlowState,
    outcome: Outcome,
    acted: ScreenRef | None,
) -> Result:
    """Saves the new state with the answer just given, then says what changed.

    `acted` is the message whose button was pressed, None for typed input: a press turns
    that message into what comes next."""
    answered = None
    if outcome.answered is not None:
        answered = (outcome.answered.id, flow_state.answers.get(outcome.answered.id))
    status = "done" if flow_state.state == DONE else "active"
    repository.save_flow_state(
        work.db, flow_session=running, state=flow_state.to_dict(), status=status, answered=answered
    )
    result = Result(work.language)
    acted_on = _screen(acted, running)
    if outcome.kind == "toggled":
        return _redraw_typed_choice(work, running, flow_state, result)
    if outcome.kind in ("invalid", "required", "first_question") and acted is not None:
        # A refused press keeps its message; a short notice says why.
        result.notice = _refusal(outcome)
        return result
    if outcome.kind == "invalid":
        result.shown.append(
            AnswerRefused(outcome.question, outcome.invalid.reason, dict(outcome.invalid.params))
        )
        result.closes = acted_on
        _append_question(work, result, running, flow_state)
        return result
    if acted is not None and outcome.kind == "question":
        # A press turns the live message into what comes next (the next question, the one
        # before, the same one ticked), the last answers recalled above it.
        result.in_place = question_shown(work, running, flow_state, in_place=True)
        result.replaces = acted_on
        return result
    if outcome.answered is not None:
        result.in_place = AnswerShown(outcome.answered, answered[1])
        result.replaces = acted_on
        _say_overflow(result, outcome)
    else:
        result.closes = acted_on
        if outcome.kind in ("required", "first_question"):
            # A typed "Passer" or "Retour" that cannot act here: why, then the question.
            result.shown.append(_refusal(outcome))
    if outcome.kind == "done":
        producers.produce(work, running, flow_state, result)
    else:
        _append_question(work, result, running, flow_state)
    return result


def _screen(acted: ScreenRef | None, running: FlowSession) -> ScreenRef:
    """The screen a reply replaces: the pressed message, or (typed input) the one showing
    the run's question."""
    return ACTED if acted is not None else question_of(running.id)


def _redraw_typed_choice(
    work: Work, running: FlowSession, flow_state: FlowState, result: Result
) -> Result:
    """Typed choices are ticked on the question itself, which waits for Validate."""
    if not repository.question_on_screen(running):
        _append_question(work, result, running, flow_state)
    else:
        result.in_place = question_shown(work, running, flow_state, in_place=True)
        result.replaces = question_of(running.id)
    return result


def _say_overflow(result: Result, outcome: Outcome) -> None:
    """A text longer than its question allows was kept: say how, and give back the part not
    kept, alone in its message so it can be copied and sent again."""
    overflow = outcome.overflow
    if overflow is None:
        return
    said = {
        "length": overflow.length,
        "maximum": overflow.maximum,
        "parts": overflow.parts,
        "cut": bool(overflow.rest),
    }
    result.shown.append(Say("long_text_kept", said))
    if overflow.rest:
        result.shown.append(Say("long_text_rest", {"rest": overflow.rest}))


def _refusal(outcome: Outcome) -> Say:
    if outcome.kind == "invalid":
        return Say("invalid", {"reason": outcome.invalid.reason, **outcome.invalid.params})
    return Say(outcome.kind)


def question_shown(
    work: Work,
    running: FlowSession,
    flow_state: FlowState,
    *,
    in_place: bool = False,
    why: bool = False,
) -> QuestionShown:
    """The current question; `in_place`: it takes the place of the message that showed the
    last answers, recalled above it (a new message comes below them, no need)."""
    flow = work.core.flows[running.flow]
    question = flow.current(flow_state)
    position, total = flow.progress(flow_state)
    answered, current = flow.offered(flow_state, question)
    trail = tuple(AnswerShown(q, value) for q, value in flow.trail(flow_state)) if in_place else ()
    return QuestionShown(
        session_id=running.id,
        title=flow.questionnaire.title,
        question=question,
        position=position,
        total=total,
        current=current,
        answered=answered,
        draft=tuple(flow_state.draft),
        can_go_back=position > 1,
        flagged=question.id in flow_state.flags,
        trail=trail,
        why=why and question.help is not None,
    )


def _ask(work: Work, intro: Say, running: FlowSession, flow_state: FlowState) -> Result:
    result = Result(work.language, [intro])
    result.closes = question_of(running.id)
    _append_question(work, result, running, flow_state)
    return result


def _append_question(
    work: Work, result: Result, running: FlowSession, flow_state: FlowState
) -> None:
    result.shown.append(question_shown(work, running, flow_state))
    # Which message shows it is known once it is sent (the adapter forgets the message of
    # the one asked before); until then any copy may answer.
    result.asking = running.id
