"""Steps 4 and 5: the convention checklist, what is still missing, and the draft to sign.

Pure logic: the checklist comes from `knowledge`, the answers from the caller, and
the result is a `ConventionDraft` value that the document builder turns into DOCX.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from knowledge import Question, QuestionKind, Questionnaire, Text
from knowledge.models import Condition

# How far a convention item is in place (rubric of step 4).
IN_PLACE = "in_place"
PARTIAL = "partial"
MISSING = "missing"
NOT_APPLICABLE = "not_applicable"
STATUSES = (IN_PLACE, PARTIAL, MISSING, NOT_APPLICABLE)


@dataclass(frozen=True)
class Clause:
    """One article's content: the text typed for it, or None for a visible placeholder."""

    item_id: str
    title: str
    text: str | None
    status: str = MISSING
    # What to write there, shown in the placeholder when the text is missing.
    hint: str = ""


@dataclass(frozen=True)
class DraftSection:
    section_id: str
    title: str
    clauses: tuple[Clause, ...]


@dataclass(frozen=True)
class ConventionDraft:
    """Everything a draft convention and its operational action plan are built from."""

    language: str  # "fr" or "en"
    title: str  # the partnership's name
    our_organisation: str
    partner: str | None
    territory: str | None
    theme: str | None
    objectives: tuple[str, ...]
    sections: tuple[DraftSection, ...]
    confidentiality: bool = True
    non_compete: bool = False
    signatories: tuple[str, ...] = ()
    actions: tuple[str, ...] = field(default_factory=tuple)


def missing_items(checklist, answers: dict[str, dict]) -> list:
    """Required items not yet in place: missing, partly in place, or never answered."""
    return [
        item
        for item in checklist.items
        if item.required and answers.get(item.id, {}).get("status") in (None, MISSING, PARTIAL)
    ]


def build_draft(
    checklist,
    answers: dict[str, dict],
    *,
    language: str,
    title: str,
    our_organisation: str,
    partner: str | None,
    territory: str | None,
    theme: str | None,
) -> ConventionDraft:
    """The draft's content: every section with its clauses, placeholders where missing."""
    sections = []
    for section in checklist.sections:
        clauses = tuple(
            _clause(item, answers.get(item.id, {}), language)
            for item in checklist.items
            if item.section == section.id
        )
        sections.append(DraftSection(section.id, section.title.in_(language), clauses))
    text = {item_id: answer.get("text") for item_id, answer in answers.items()}
    return ConventionDraft(
        language=language,
        title=title,
        our_organisation=our_organisation,
        partner=partner,
        territory=territory,
        theme=theme,
        objectives=tuple(_lines(text.get("objectives"))),
        sections=tuple(sections),
        confidentiality=_says_yes(answers.get("confidentiality"), default=True),
        non_compete=_says_yes(answers.get("non_compete"), default=False),
        signatories=tuple(_lines(text.get("signatories"))),
        actions=tuple(_lines(text.get("actions"))),
    )


def _clause(item, answer: dict, language: str) -> Clause:
    status = answer.get("status", MISSING)
    text = answer.get("text") if status in (IN_PLACE, PARTIAL) else None
    return Clause(
        item.id, item.title.in_(language), text or None, status, item.question.in_(language)
    )


def _lines(text: str | None) -> list[str]:
    return [line.strip(" •-\t") for line in (text or "").splitlines() if line.strip(" •-\t")]


def _says_yes(answer: dict | None, *, default: bool) -> bool:
    """A yes/no clause (confidentiality, non-compete): not applicable means no."""
    if not answer:
        return default
    if answer.get("status") == NOT_APPLICABLE:
        return False
    words = (answer.get("text") or "").lower().replace(",", " ").split()
    return not (words and words[0] in ("non", "no"))


def status_question_id(item_id: str) -> str:
    return f"s_{item_id}"


def text_question_id(item_id: str) -> str:
    return f"t_{item_id}"


def checklist_questionnaire(checklist) -> Questionnaire:
    """The checklist as a questionnaire: for each item, how far it is, then its text."""
    questions = []
    for item in checklist.items:
        status_id = status_question_id(item.id)
        prompt = Text(
            fr=f"{item.title.fr} — {item.question.fr}", en=f"{item.title.en} — {item.question.en}"
        )
        questions.append(
            Question(
                id=status_id,
                kind=QuestionKind.SINGLE,
                prompt=prompt,
                help=item.why,
                source=item.source,
                options=checklist.statuses,
            )
        )
        questions.append(
            Question(
                id=text_question_id(item.id),
                kind=QuestionKind.TEXT,
                prompt=item.question,
                source=item.source,
                when=(Condition(question=status_id, any_of=(IN_PLACE, PARTIAL)),),
            )
        )
    first = checklist.items[0].source
    title = Text(fr="Contenu de la convention", en="Content of the agreement")
    return Questionnaire(id="convention", title=title, source=first, questions=tuple(questions))


def answers_by_item(checklist, flow_answers: dict) -> dict[str, dict]:
    """From the questionnaire's answers to {item id: {"status", "text"}}."""
    result = {}
    for item in checklist.items:
        status = flow_answers.get(status_question_id(item.id))
        if status is not None:
            result[item.id] = {
                "status": status,
                "text": flow_answers.get(text_question_id(item.id)),
            }
    return result


def prefilled_answers(checklist, known: dict[str, str | None]) -> dict:
    """What earlier steps already know, as answers the questionnaire will not ask again."""
    answers = {}
    for item in checklist.items:
        value = known.get(item.prefill) if item.prefill else None
        if value:
            answers[status_question_id(item.id)] = IN_PLACE
            answers[text_question_id(item.id)] = value
    return answers
