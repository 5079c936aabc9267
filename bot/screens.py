"""Screens: what one message shows (HTML text and buttons), built from a flow's state.

A screen is a value; building it has no side effects, so the Telegram and the
terminal adapters show the same thing.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from bot.callback_data import ButtonData
from bot.i18n import gettext_for, render
from flows.answers import Invalid
from flows.diagnostic import Diagnosis
from flows.engine import FlowState, QuestionnaireFlow
from knowledge import Method, Question, QuestionKind

# Labels longer than this get a row of their own, so they stay readable on a phone.
SHORT_LABEL = 18


@dataclass(frozen=True)
class Button:
    label: str
    data: str


@dataclass(frozen=True)
class Screen:
    text: str
    buttons: tuple[tuple[Button, ...], ...] = field(default_factory=tuple)


def plain(text: str) -> str:
    """HTML screen text as plain text (toasts, terminal)."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def answer_label(question: Question, value: Any, language: str) -> str:
    """How an answer reads back to the user ("Association ou fondation", "12", ...)."""
    if value is None:
        return ""
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        values = value if isinstance(value, list) else [value]
        labels = [question.option(v).label.in_(language) for v in values if question.option(v)]
        return ", ".join(labels)
    return str(value)


def question_screen(
    flow: QuestionnaireFlow, flow_state: FlowState, session_id: int, language: str
) -> Screen:
    question = flow.current(flow_state)
    position, total = flow.progress(flow_state)
    current = flow_state.answers.get(question.id)
    text = render(
        "question.j2",
        language,
        position=position,
        total=total,
        title=flow.questionnaire.title.in_(language),
        prompt=question.prompt.in_(language),
        kind=question.kind.value,
        max_choices=question.max_choices,
        minimum=question.minimum,
        maximum=question.maximum,
        current=answer_label(question, current, language),
        selected=answer_label(question, flow_state.draft, language),
    )
    rows = _choice_rows(question, flow_state, session_id, language)
    rows.append(_navigation_row(flow, flow_state, question, session_id, language))
    return Screen(text, tuple(row for row in rows if row))


def _choice_rows(
    question: Question, flow_state: FlowState, session_id: int, language: str
) -> list[tuple[Button, ...]]:
    def data(action: str, option: str | None = None) -> str:
        return ButtonData(action, session_id, question.id, option).encode()

    if question.kind == QuestionKind.SCALE:
        low, high = int(question.minimum or 1), int(question.maximum or 5)
        return [tuple(Button(str(v), data("answer", str(v))) for v in range(low, high + 1))]
    if question.kind == QuestionKind.SINGLE:
        buttons = [Button(o.label.in_(language), data("answer", o.id)) for o in question.options]
        return _pack(buttons)
    if question.kind == QuestionKind.MULTIPLE:
        buttons = [
            Button(
                ("☑ " if o.id in flow_state.draft else "☐ ") + o.label.in_(language),
                data("toggle", o.id),
            )
            for o in question.options
        ]
        _ = gettext_for(language)
        return [*_pack(buttons), (Button(_("Validate ✓"), data("validate")),)]
    return []


def _navigation_row(
    flow: QuestionnaireFlow,
    flow_state: FlowState,
    question: Question,
    session_id: int,
    language: str,
) -> tuple[Button, ...]:
    _ = gettext_for(language)

    def data(action: str) -> str:
        return ButtonData(action, session_id, question.id).encode()

    row = []
    if flow.progress(flow_state)[0] > 1:
        row.append(Button(_("← Back"), data("back")))
    if question.id in flow_state.answers:
        row.append(Button(_("Keep"), data("keep")))
    if not question.required:
        row.append(Button(_("Skip"), data("skip")))
    if question.help is not None:
        row.append(Button(_("Why?"), data("why")))
    return tuple(row)


def _pack(buttons: list[Button]) -> list[tuple[Button, ...]]:
    """Two short buttons a row, long ones alone."""
    rows: list[tuple[Button, ...]] = []
    pending: list[Button] = []
    for button in buttons:
        if len(button.label) > SHORT_LABEL:
            # Keep the questionnaire's order: typed numbers refer to it.
            if pending:
                rows.append(tuple(pending))
                pending = []
            rows.append((button,))
            continue
        pending.append(button)
        if len(pending) == 2:
            rows.append(tuple(pending))
            pending = []
    if pending:
        rows.append(tuple(pending))
    return rows


def answered_screen(
    flow: QuestionnaireFlow, flow_state: FlowState, question: Question, language: str
) -> Screen:
    """The question's message once answered: the answer shown, no buttons left."""
    value = flow_state.answers.get(question.id)
    return Screen(
        render(
            "answered.j2",
            language,
            prompt=question.prompt.in_(language),
            answer=answer_label(question, value, language),
            skipped=value is None,
        )
    )


def invalid_screen(question: Question, invalid: Invalid, language: str) -> Screen:
    return Screen(render("invalid.j2", language, reason=invalid.reason, **invalid.params))


def why_screen(question: Question, language: str) -> Screen:
    return Screen(
        render(
            "why.j2",
            language,
            prompt=question.prompt.in_(language),
            help=question.help.in_(language) if question.help else "",
            source_file=question.source.title,
            source_section=question.source.section,
        )
    )


def diagnosis_screen(
    flow: QuestionnaireFlow, method: Method, diagnosis: Diagnosis, answers: dict, language: str
) -> Screen:
    questionnaire = flow.questionnaire

    def label(question_id: str) -> str:
        question = questionnaire.question(question_id)
        return answer_label(question, answers.get(question_id), language) if question else ""

    recommended = [
        {
            "name": method.partnership_type(score.type_id).name.in_(language),
            "definition": method.partnership_type(score.type_id).definition.in_(language),
            "reasons": _reason_labels(score.reasons, language),
        }
        for score in diagnosis.recommended
    ]
    brakes = {brake.id: brake for brake in method.brakes}
    return Screen(
        render(
            "diagnosis.j2",
            language,
            profile=label("profile"),
            territory=label("territory"),
            recommended=recommended,
            readiness=diagnosis.readiness,
            readiness_reasons=diagnosis.readiness_reasons,
            risk_groups=[
                {"name": g.name.in_(language), "risks": [r.text.in_(language) for r in g.risks]}
                for g in diagnosis.risk_groups
            ],
            brakes=[
                {"name": brakes[brake_id].name.in_(language), "reason": reason}
                for brake_id, reason in diagnosis.brakes
            ],
        )
    )


def _reason_labels(reasons, language: str, limit: int = 3) -> list[str]:
    labels: list[str] = []
    for reason in reasons:
        option = reason.question.option(reason.option_id)
        text = option.label.in_(language)
        if text not in labels:
            labels.append(text)
    return labels[:limit]


def simple_screen(template: str, language: str, **context) -> Screen:
    return Screen(render(template, language, **context))
