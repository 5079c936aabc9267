"""The questionnaire engine: a questionnaire's data becomes one `transitions` machine.

One machine per questionnaire per process; the state of a user's run lives in a
`FlowState` (plain JSON) that the caller stores. Each call adds a throwaway model
to the machine at the stored state, triggers, and removes it again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from transitions import Machine, MachineError

from flows.answers import (
    Invalid,
    Overflow,
    answer_value,
    is_validation,
    matching_options,
    navigation,
    parse_answer,
)
from knowledge import Question, QuestionKind, Questionnaire

DONE = "done"
CANCELLED = "cancelled"
FINAL_STATES = (DONE, CANCELLED)
# Answers recalled above a question asked in place of the last one (ours: two fit on one
# line of a phone, "✓ Association · ✓ Département").
TRAIL = 2


@dataclass
class FlowState:
    """Where a user stands in a questionnaire; survives a JSON round trip."""

    questionnaire: str
    state: str
    answers: dict[str, Any] = field(default_factory=dict)
    draft: list[str] = field(default_factory=list)
    # What earlier steps or runs know: offered as the current answer, kept with one tap.
    defaults: dict[str, Any] = field(default_factory=dict)
    # Text questions marked with their flag ("only partly agreed").
    flags: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FlowState:
        return cls(
            questionnaire=data["questionnaire"],
            state=data["state"],
            answers=dict(data.get("answers") or {}),
            draft=list(data.get("draft") or []),
            defaults=dict(data.get("defaults") or {}),
            flags=list(data.get("flags") or []),
        )

    @property
    def finished(self) -> bool:
        return self.state in FINAL_STATES


@dataclass(frozen=True)
class Outcome:
    """What the engine says after an input: ask a question, refuse, or end."""

    # "question", "toggled" (a typed choice ticked, waiting for Validate), "invalid", "done",
    # "cancelled", "first_question", "required"
    kind: str
    question: Question | None = None
    invalid: Invalid | None = None
    answered: Question | None = None
    # A text answer longer than its question allows, kept: what was done with it.
    overflow: Overflow | None = None


class _Run:
    """The model `transitions` moves; it lives for one call only."""

    def __init__(self, flow_state: FlowState):
        self.flow_state = flow_state
        self.state = flow_state.state


class QuestionnaireFlow:
    """Asks a questionnaire's applicable questions in order, with back, skip and cancel."""

    def __init__(self, questionnaire: Questionnaire):
        self.questionnaire = questionnaire
        self.questions = questionnaire.questions
        self.machine = Machine(
            model=None,
            states=[q.id for q in self.questions] + list(FINAL_STATES),
            transitions=self._transitions(),
            initial=self.questions[0].id,
            auto_transitions=False,
            send_event=True,
        )

    # -- the graph -----------------------------------------------------------------

    def _transitions(self) -> list[dict[str, Any]]:
        """`next`/`skip` go to the first later question that applies and is unanswered,
        `back` to the nearest earlier one that applies; transitions tries them in order."""
        graph: list[dict[str, Any]] = []
        for index, question in enumerate(self.questions):
            later = self.questions[index + 1 :]
            for trigger, extra in (("next", []), ("skip", [self._is_optional(question)])):
                for target in later:
                    graph.append(
                        {
                            "trigger": trigger,
                            "source": question.id,
                            "dest": target.id,
                            "conditions": extra + [self._is_pending(target)],
                        }
                    )
                graph.append(
                    {"trigger": trigger, "source": question.id, "dest": DONE, "conditions": extra}
                )
            for target in reversed(self.questions[:index]):
                graph.append(
                    {
                        "trigger": "back",
                        "source": question.id,
                        "dest": target.id,
                        "conditions": [self._applies(target)],
                    }
                )
            graph.append({"trigger": "cancel", "source": question.id, "dest": CANCELLED})
        return graph

    @staticmethod
    def _applies(question: Question) -> Callable:
        return lambda event: question.applies(event.model.flow_state.answers)

    @staticmethod
    def _is_pending(question: Question) -> Callable:
        def pending(event) -> bool:
            answers = event.model.flow_state.answers
            return question.applies(answers) and question.id not in answers

        return pending

    @staticmethod
    def _is_optional(question: Question) -> Callable:
        return lambda event: not question.required

    def _trigger(self, flow_state: FlowState, trigger: str) -> bool:
        run = _Run(flow_state)
        self.machine.add_model(run, initial=flow_state.state)
        try:
            moved = getattr(run, trigger)()
        except MachineError:
            moved = False
        finally:
            self.machine.remove_model(run)
        flow_state.state = run.state
        return bool(moved)

    # -- reading ---------------------------------------------------------------------

    def start(self, defaults: dict[str, Any] | None = None) -> FlowState:
        """A new run; `defaults` are offered as current answers, each kept with one tap."""
        flow_state = FlowState(questionnaire=self.questionnaire.id, state=self.questions[0].id)
        flow_state.defaults = {k: v for k, v in (defaults or {}).items() if v not in (None, "")}
        flow_state.draft = self._draft_for(flow_state, self.questions[0])
        return flow_state

    def offered(self, flow_state: FlowState, question: Question) -> tuple[bool, Any]:
        """(whether the question has an answer to keep, that answer): given, else offered."""
        if question.id in flow_state.answers:
            return True, flow_state.answers[question.id]
        if question.id in flow_state.defaults:
            return True, flow_state.defaults[question.id]
        return False, None

    def trail(self, flow_state: FlowState, count: int = TRAIL) -> list[tuple[Question, Any]]:
        """The last `count` answers given before the current question, in the order asked
        (None for a question skipped): what the question recalls when it replaces them."""
        given: list[tuple[Question, Any]] = []
        for question in self.applicable(flow_state.answers):
            if question.id == flow_state.state:
                break
            if question.id in flow_state.answers:
                given.append((question, flow_state.answers[question.id]))
        return given[-count:] if count > 0 else []

    def current(self, flow_state: FlowState) -> Question | None:
        return self.questionnaire.question(flow_state.state)

    def applicable(self, answers: dict[str, Any]) -> list[Question]:
        return [q for q in self.questions if q.applies(answers)]

    def progress(self, flow_state: FlowState) -> tuple[int, int]:
        """(position of the current question, expected number of questions)."""
        applicable = [q.id for q in self.applicable(flow_state.answers)]
        total = self.expected_count(flow_state.answers)
        if flow_state.state in applicable:
            return applicable.index(flow_state.state) + 1, total
        return total, total

    def expected_count(self, answers: dict[str, Any]) -> int:
        """Questions that apply, counting once each run of questions still waiting on the
        same unanswered question (one of "the objectives for your profile" will apply)."""
        count, waiting_on = 0, None
        for question in self.questions:
            unknown = tuple(c.question for c in question.when if c.question not in answers)
            if unknown:
                count += unknown != waiting_on
                waiting_on = unknown
                continue
            waiting_on = None
            count += question.applies(answers)
        return count

    def ask(self, flow_state: FlowState) -> Outcome:
        """What to show now, without changing anything (used to resume)."""
        if flow_state.state == DONE:
            return Outcome("done")
        if flow_state.state == CANCELLED:
            return Outcome("cancelled")
        return Outcome("question", question=self.current(flow_state))

    # -- moving ----------------------------------------------------------------------

    def typed(self, flow_state: FlowState, text: str, *, today: date | None = None) -> Outcome:
        """What a user typed at the current question: the label of a navigation button acts
        as that button ("✓ Garder", "Passer", "← Retour"); anything else is an answer."""
        question = self.current(flow_state)
        if question is None:
            return self.ask(flow_state)
        if not text.strip():
            return Outcome("invalid", question=question, invalid=Invalid("empty_message"))
        move = navigation(text)
        if move in (None, "why") or matching_options(question, text):
            # "Pourquoi ?" shows the help, which the caller does (it changes nothing here).
            return self.answer(flow_state, text, today=today)
        if move == "keep":
            if not self.offered(flow_state, question)[0]:
                return Outcome("invalid", question=question, invalid=Invalid("nothing_to_keep"))
            return self.keep(flow_state, today=today)
        return self.skip(flow_state) if move == "skip" else self.back(flow_state)

    def answer(self, flow_state: FlowState, raw: Any, *, today: date | None = None) -> Outcome:
        """Validates and stores an answer to the current question, then moves on; `today`
        (the user's date) checks and completes typed dates."""
        question = self.current(flow_state)
        if question is None:
            return self.ask(flow_state)
        if question.kind == QuestionKind.MULTIPLE and isinstance(raw, str):
            return self._typed_choice(flow_state, raw)
        value = parse_answer(question, raw, today=today)
        if isinstance(value, Invalid):
            return Outcome("invalid", question=question, invalid=value)
        flow_state.answers[question.id] = answer_value(value)
        flow_state.draft = []
        self._drop_answers_that_no_longer_apply(flow_state)
        self._trigger(flow_state, "next")
        overflow = value if isinstance(value, Overflow) else None
        return self._after(flow_state, answered=question, overflow=overflow)

    def keep(self, flow_state: FlowState, *, today: date | None = None) -> Outcome:
        """Moves on with the current answer: the one given before (after `back`), or the one
        an earlier step offered."""
        question = self.current(flow_state)
        has_answer, value = self.offered(flow_state, question) if question else (False, None)
        if not has_answer:
            return self.ask(flow_state)
        if question.id not in flow_state.answers:
            # An offered answer comes from elsewhere: it must still fit this question.
            value = answer_value(parse_answer(question, value, today=today))
            if isinstance(value, Invalid):
                return Outcome("invalid", question=question, invalid=value)
        flow_state.answers[question.id] = value
        flow_state.draft = []
        self._drop_answers_that_no_longer_apply(flow_state)
        self._trigger(flow_state, "next")
        return self._after(flow_state, answered=question)

    def toggle(self, flow_state: FlowState, option_id: str) -> Outcome:
        """Adds or removes an option of the current multiple choice, before validation."""
        question = self.current(flow_state)
        if question is None or question.kind != QuestionKind.MULTIPLE:
            return self.ask(flow_state)
        if question.option(option_id) is None:
            return Outcome("invalid", question=question, invalid=Invalid("unknown_option"))
        draft = list(flow_state.draft)
        if option_id in draft:
            draft.remove(option_id)
        elif question.max_choices and len(draft) >= question.max_choices:
            limit = {"maximum": question.max_choices}
            return Outcome("invalid", question=question, invalid=Invalid("too_many_choices", limit))
        else:
            draft.append(option_id)
        flow_state.draft = draft
        return Outcome("question", question=question)

    def _typed_choice(self, flow_state: FlowState, raw: str) -> Outcome:
        """Typed numbers or labels tick their options, as the buttons do; "valider" submits.
        The screen says "several answers, then Validate": typing follows the same rule."""
        if is_validation(raw):
            return self.validate_draft(flow_state)
        question = self.current(flow_state)
        chosen = parse_answer(question, raw)
        if isinstance(chosen, Invalid):
            return Outcome("invalid", question=question, invalid=chosen)
        for option_id in chosen:
            outcome = self.toggle(flow_state, option_id)
            if outcome.kind == "invalid":
                return outcome
        return Outcome("toggled", question=question)

    def validate_draft(self, flow_state: FlowState) -> Outcome:
        """Submits the options toggled so far as the answer to a multiple choice."""
        question = self.current(flow_state)
        if question is None:
            return self.ask(flow_state)
        if not flow_state.draft:
            if not question.required:
                return self.skip(flow_state)
            return Outcome("invalid", question=question, invalid=Invalid("choose_at_least_one"))
        return self.answer(flow_state, list(flow_state.draft))

    def skip(self, flow_state: FlowState) -> Outcome:
        question = self.current(flow_state)
        if question is None:
            return self.ask(flow_state)
        if question.required:
            return Outcome("required", question=question)
        # None records "skipped on purpose", so `next` will not ask it again.
        flow_state.answers[question.id] = None
        flow_state.draft = []
        self._trigger(flow_state, "skip")
        return self._after(flow_state, answered=question)

    def back(self, flow_state: FlowState) -> Outcome:
        if not self._trigger(flow_state, "back"):
            return Outcome("first_question", question=self.current(flow_state))
        flow_state.draft = self._draft_for(flow_state, self.current(flow_state))
        return Outcome("question", question=self.current(flow_state))

    def toggle_flag(self, flow_state: FlowState) -> Outcome:
        """Marks or unmarks the current question with its flag ("only partly agreed")."""
        question = self.current(flow_state)
        if question is None or question.flag is None:
            return self.ask(flow_state)
        flags = [f for f in flow_state.flags if f != question.id]
        if question.id not in flow_state.flags:
            flags.append(question.id)
        flow_state.flags = flags
        return Outcome("question", question=question)

    def cancel(self, flow_state: FlowState) -> Outcome:
        self._trigger(flow_state, "cancel")
        return Outcome("cancelled")

    def _after(
        self, flow_state: FlowState, answered: Question, overflow: Overflow | None = None
    ) -> Outcome:
        if flow_state.state == DONE:
            return Outcome("done", answered=answered, overflow=overflow)
        current = self.current(flow_state)
        flow_state.draft = self._draft_for(flow_state, current) if current else []
        return Outcome("question", question=current, answered=answered, overflow=overflow)

    def _draft_for(self, flow_state: FlowState, question: Question) -> list[str]:
        """A multiple choice comes pre-ticked with its current answer."""
        return _as_list(self.offered(flow_state, question)[1])

    def _drop_answers_that_no_longer_apply(self, flow_state: FlowState) -> None:
        # Dropping one answer can make a later question stop applying: repeat until stable.
        while True:
            applicable = {q.id for q in self.applicable(flow_state.answers)}
            stale = [q for q in flow_state.answers if q not in applicable]
            if not stale:
                return
            for question_id in stale:
                del flow_state.answers[question_id]
            flow_state.flags = [f for f in flow_state.flags if f in applicable]


def _as_list(value: Any) -> list[str]:
    return list(value) if isinstance(value, list) else []
