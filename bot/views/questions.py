"""Screens of questionnaires: a question, an answer given, a refusal, the why, the diagnosis."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from babel.dates import format_date

from bot.callback_data import ButtonData
from bot.i18n import gettext_for, render
from bot.services.results import (
    AnswerRefused,
    AnswerShown,
    DiagnosisShown,
    QuestionShown,
    WhyShown,
)
from bot.views.screens import Button, Screen
from flows.diagnostic import (
    MIN_HOURS_PER_MONTH,
    RESOURCES_QUESTION,
    RoleRecommendation,
    TypeRecommendation,
)
from knowledge import Method, Question, QuestionKind
from knowledge.models import Source

# Labels longer than this get a row of their own, so they stay readable on a phone.
SHORT_LABEL = 18
# An answer recalled above the next question is cut past this many characters: the trail
# stays one or two lines on a phone (ours).
TRAIL_LABEL = 32


def answer_label(question: Question, value: Any, language: str) -> str:
    """How an answer reads back to the user ("Association ou fondation", "12", ...)."""
    if value is None or value == []:
        return ""
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        values = value if isinstance(value, list) else [value]
        labels = [question.option(v).label.in_(language) for v in values if question.option(v)]
        return ", ".join(labels)
    if question.kind == QuestionKind.RATING and isinstance(value, dict):
        comment = value.get("comment")
        return f"{value.get('score')} — {comment}" if comment else str(value.get("score"))
    if question.kind == QuestionKind.DATE and isinstance(value, str):
        # Kept as ISO; read back as people write it ("15 janvier 2027").
        return format_date(date.fromisoformat(value), format="long", locale=language)
    return str(value)


def trail_label(answer: AnswerShown, language: str) -> str | None:
    """An earlier answer as the trail recalls it, shortened; None for a question skipped."""
    label = answer_label(answer.question, answer.value, language)
    if not label:
        return None
    label = " ".join(label.split())
    return label if len(label) <= TRAIL_LABEL else label[: TRAIL_LABEL - 1].rstrip() + "…"


def question_screen(shown: QuestionShown, language: str) -> Screen:
    question = shown.question
    text = render(
        "question.j2",
        language,
        trail=[trail_label(answer, language) for answer in shown.trail],
        # "Pourquoi ?" pressed: the rationale under the question, as why.j2 writes it.
        help=question.help.in_(language) if shown.why else None,
        source_file=question.source.title,
        source_section=question.source.section,
        position=shown.position,
        total=shown.total,
        title=shown.title.in_(language),
        prompt=question.prompt.in_(language),
        kind=question.kind.value,
        max_choices=question.max_choices,
        minimum=question.minimum,
        maximum=question.maximum,
        scale_in_prompt=names_its_scale(question, language),
        current=answer_label(question, shown.current, language),
        selected=answer_label(question, list(shown.draft), language),
    )
    rows = _choice_rows(shown, language)
    if question.flag is not None:
        # A flag of its own row, ticked before typing ("only partly agreed").
        box = "☑ " if shown.flagged else "☐ "
        data = ButtonData("flag", shown.session_id, question.id).encode()
        rows.append((Button(box + question.flag.in_(language), data),))
    rows.append(_navigation_row(shown, language))
    return Screen(text, tuple(row for row in rows if row))


def names_its_scale(question: Question, language: str) -> bool:
    """A 1-5 question whose prompt already says what both ends mean ("1: hardly any, 5: all")."""
    if question.kind not in (QuestionKind.SCALE, QuestionKind.RATING):
        return False
    prompt = question.prompt.in_(language)
    ends = (int(question.minimum or 1), int(question.maximum or 5))
    return all(re.search(rf"(?<!\d){end}(?!\d)", prompt) for end in ends)


def _choice_rows(shown: QuestionShown, language: str) -> list[tuple[Button, ...]]:
    question = shown.question

    def data(action: str, option: str | None = None) -> str:
        return ButtonData(action, shown.session_id, question.id, option).encode()

    if question.kind in (QuestionKind.SCALE, QuestionKind.RATING):
        low, high = int(question.minimum or 1), int(question.maximum or 5)
        return [tuple(Button(str(v), data("answer", str(v))) for v in range(low, high + 1))]
    if question.kind == QuestionKind.SINGLE:
        buttons = [Button(o.label.in_(language), data("answer", o.id)) for o in question.options]
        return _pack(buttons)
    if question.kind == QuestionKind.MULTIPLE:
        buttons = [
            Button(
                ("☑ " if o.id in shown.draft else "☐ ") + o.label.in_(language),
                data("toggle", o.id),
            )
            for o in question.options
        ]
        _ = gettext_for(language)
        return [*_pack(buttons), (Button(_("Validate ✓"), data("validate")),)]
    return []


def _navigation_row(shown: QuestionShown, language: str) -> tuple[Button, ...]:
    _ = gettext_for(language)
    question = shown.question

    def data(action: str) -> str:
        return ButtonData(action, shown.session_id, question.id).encode()

    row = []
    if shown.can_go_back:
        row.append(Button(_("← Back"), data("back")))
    if shown.answered:
        row.append(Button(_("Keep"), data("keep")))
    if not question.required:
        row.append(Button(_("Skip"), data("skip")))
    if question.help is not None and not shown.why:
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


def answered_screen(shown: AnswerShown, language: str) -> Screen:
    """The question's message once answered: the answer shown, no buttons left."""
    return Screen(
        render(
            "answered.j2",
            language,
            prompt=shown.question.prompt.in_(language),
            answer=answer_label(shown.question, shown.value, language),
            skipped=shown.value is None,
        )
    )


def refused_screen(refused: AnswerRefused, language: str) -> Screen:
    params = dict(refused.params)
    if "choices" in params:
        # The close options a typed answer could mean, by their labels.
        options = (refused.question.option(choice) for choice in params["choices"])
        params["choices"] = [o.label.in_(language) for o in options if o is not None]
    return Screen(render("invalid.j2", language, reason=refused.reason, **params))


def why_screen(shown: WhyShown, language: str) -> Screen:
    question = shown.question
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


def diagnosis_screen(shown: DiagnosisShown, language: str) -> Screen:
    """The diagnosis in one message: types (and roles), why, readiness, risks, brakes."""
    questionnaire, method, diagnosis = shown.questionnaire, shown.method, shown.diagnosis

    def label(question_id: str) -> str:
        question = questionnaire.question(question_id)
        value = shown.answers.get(question_id)
        return answer_label(question, value, language) if question else ""

    brakes = {brake.id: brake for brake in method.brakes}
    # A source's full title once per screen, its short one after: the message stays short.
    seen: set[str] = set()
    return Screen(
        render(
            "diagnosis.j2",
            language,
            profile=label("profile"),
            territory=label("territory"),
            recommended=[_type_item(method, r, language, seen) for r in diagnosis.recommended],
            roles=[_role_item(method, r, language, seen) for r in diagnosis.roles],
            our_choices=[text.in_(language) for text in diagnosis.our_choices],
            readiness=diagnosis.readiness,
            readiness_reasons=diagnosis.readiness_reasons,
            # Our minimum, not the guide's: the screen says so where it states it.
            min_hours=MIN_HOURS_PER_MONTH,
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


def _type_item(
    method: Method, recommended: TypeRecommendation, language: str, seen: set[str]
) -> dict:
    """A recommended type as the screen shows it: what it is, the answers that lead there
    (objective, exchange, refinements), whether a tie is our reading, the sources."""
    partnership_type = method.partnership_type(recommended.type_id)
    dimension, exchange, form = recommended.dimension, recommended.exchange, recommended.form
    return {
        "name": partnership_type.name.in_(language),
        "definition": partnership_type.definition.in_(language),
        "objectives": _reason_labels(recommended.objectives, language),
        "dimension": dimension.name.in_(language).lower() if dimension else "",
        "form": method.exchange_form(form).name.in_(language) if form else "",
        # The exchange was read from the resources when the user left the question open.
        "committed": _reason_labels(exchange, language)
        if exchange and exchange[0].question.id == RESOURCES_QUESTION
        else [],
        "refinements": _reason_labels(recommended.refinements, language, limit=2),
        "ours": recommended.ours,
        "citation": _citation(recommended.sources, seen),
    }


def _role_item(
    method: Method, recommended: RoleRecommendation, language: str, seen: set[str]
) -> dict:
    """A local authority's role as the screen shows it, with our advice kept apart."""
    role = method.authority_role(recommended.role_id)
    return {
        "name": role.name.in_(language),
        "description": role.description.in_(language),
        "advice": role.our_advice.in_(language),
        "answers": _reason_labels(recommended.reasons, language),
        "citation": _citation(role.sources, seen),
    }


def _reason_labels(reasons, language: str, limit: int = 3) -> list[str]:
    labels: list[str] = []
    for reason in reasons:
        text = reason.question.option(reason.option_id).label.in_(language)
        if text not in labels:
            labels.append(text)
    return labels[:limit]


def _citation(sources: tuple[Source, ...], seen: set[str] | None = None) -> dict[str, str]:
    """One "title, section ; section" per seed: the sources of one recommendation are short.
    A title already in `seen` (cited earlier on the screen) is given short."""
    sections: dict[str, list[str]] = {}
    for source in sources:
        title = source.short_title if seen is not None and source.seed in seen else source.title
        sections.setdefault(title, []).append(source.section)
    if seen is not None:
        seen.update(source.seed for source in sources)
    return {title: " ; ".join(parts) for title, parts in sections.items()}
