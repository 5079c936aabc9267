"""Validated models of the method's data: bilingual texts, sources, questionnaires."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

LANGUAGES = ("fr", "en")
SEED_FILES = {
    "000": "000_ce7344c466e9271c.txt",
    "001": "001_8412cfd13dfa6c23.txt",
    "002": "002_b99682a45336662d.txt",
    "003": "003_a18962d7484e45f0.txt",
    "004": "004_31086e87727dd1a6.txt",
}
PARTNERSHIP_TYPES = (
    "pratiques_responsables",
    "cooperation_economique",
    "innovation_societale",
    "mecenat",
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """A text in French and English; French is the reference."""

    fr: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def in_(self, language: str) -> str:
        return self.en if language == "en" else self.fr


class Source(Strict):
    """Where a fact comes from: a seed file (by its number) and a section of it."""

    seed: str
    section: str = Field(min_length=1)

    @model_validator(mode="after")
    def _seed_exists(self) -> Source:
        if self.seed not in SEED_FILES:
            raise ValueError(f"unknown seed {self.seed!r}; known: {', '.join(SEED_FILES)}")
        return self

    @property
    def file_name(self) -> str:
        return SEED_FILES[self.seed]

    @property
    def title(self) -> str:
        return SEED_TITLES[self.seed]


class QuestionKind(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    SCALE = "scale"
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"


class Condition(Strict):
    """Asks a question only when an earlier answer matches.

    `any_of` holds for a single choice whose value is listed, or a multiple
    choice that contains one of the listed options.
    """

    question: str
    any_of: tuple[str, ...] = Field(min_length=1)

    def holds(self, answers: dict[str, Any]) -> bool:
        value = answers.get(self.question)
        if value is None:
            return False
        chosen = value if isinstance(value, list) else [value]
        return any(str(option) in self.any_of for option in chosen)


class Option(Strict):
    # Short ids keep callback data ("v1:t:<session>:<question>:<option>") under 64 bytes.
    id: str = Field(pattern=r"^[a-z0-9_]{1,20}$")
    label: Text
    # Weights this choice gives to partnership types, used by the diagnosis.
    signals: dict[str, int] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _known_types(self) -> Option:
        unknown = set(self.signals) - set(PARTNERSHIP_TYPES)
        if unknown:
            raise ValueError(f"option {self.id}: unknown partnership types {sorted(unknown)}")
        return self


class Question(Strict):
    id: str = Field(pattern=r"^[a-z0-9_]{1,24}$")
    kind: QuestionKind
    prompt: Text
    help: Text | None = None
    source: Source
    required: bool = True
    when: tuple[Condition, ...] = ()
    options: tuple[Option, ...] = ()
    max_choices: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    max_length: int = 1000

    @model_validator(mode="after")
    def _shape(self) -> Question:
        has_options = self.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
        if has_options and len(self.options) < 2:
            raise ValueError(f"question {self.id}: a choice needs at least two options")
        if not has_options and self.options:
            raise ValueError(f"question {self.id}: only choices have options")
        ids = [option.id for option in self.options]
        if len(ids) != len(set(ids)):
            raise ValueError(f"question {self.id}: duplicate option ids")
        return self

    def applies(self, answers: dict[str, Any]) -> bool:
        return all(condition.holds(answers) for condition in self.when)

    def option(self, option_id: str) -> Option | None:
        return next((option for option in self.options if option.id == option_id), None)


class Questionnaire(Strict):
    id: str = Field(pattern=r"^[a-z0-9_]{1,16}$")
    title: Text
    source: Source
    questions: tuple[Question, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _references(self) -> Questionnaire:
        seen: dict[str, Question] = {}
        for question in self.questions:
            if question.id in seen:
                raise ValueError(f"duplicate question id {question.id!r}")
            for condition in question.when:
                earlier = seen.get(condition.question)
                if earlier is None:
                    raise ValueError(
                        f"question {question.id}: condition on {condition.question!r}, "
                        "which is not an earlier question"
                    )
                missing = set(condition.any_of) - {option.id for option in earlier.options}
                if missing:
                    raise ValueError(
                        f"question {question.id}: condition names unknown options {sorted(missing)}"
                    )
            seen[question.id] = question
        return self

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)


class PartnershipType(Strict):
    """One of the four partnership types (typologie des partenariats)."""

    id: str
    name: Text
    definition: Text
    brings: Text
    examples: Text
    source: Source

    @model_validator(mode="after")
    def _known(self) -> PartnershipType:
        if self.id not in PARTNERSHIP_TYPES:
            raise ValueError(f"unknown partnership type {self.id!r}")
        return self


class Risk(Strict):
    id: str
    text: Text
    source: Source


class RiskGroup(Strict):
    """Risks that weigh on one family of actors; `profiles` are diagnosis profile ids."""

    id: str
    name: Text
    profiles: tuple[str, ...]
    risks: tuple[Risk, ...] = Field(min_length=1)


class Brake(Strict):
    """One of the four brakes (freins): means, method, mutual knowledge, trust."""

    id: str
    name: Text
    description: Text
    source: Source


class Method(Strict):
    """What the diagnosis draws on besides its questions."""

    partnership_types: tuple[PartnershipType, ...] = Field(min_length=4, max_length=4)
    risk_groups: tuple[RiskGroup, ...] = Field(min_length=1)
    brakes: tuple[Brake, ...] = Field(min_length=4, max_length=4)

    def partnership_type(self, type_id: str) -> PartnershipType:
        return next(t for t in self.partnership_types if t.id == type_id)

    def risks_for(self, profile: str) -> tuple[RiskGroup, ...]:
        return tuple(group for group in self.risk_groups if profile in group.profiles)


class Keywords(Strict):
    """Words people type for a card, beyond its title and text, in each language."""

    fr: tuple[str, ...] = ()
    en: tuple[str, ...] = ()


class Card(Strict):
    """A short checklist card: a title, a line of context, the points to check."""

    id: str = Field(pattern=r"^[a-z0-9_]{2,40}$")
    title: Text
    intro: Text | None = None
    points: tuple[Text, ...] = Field(min_length=1)
    keywords: Keywords = Keywords()
    related: tuple[str, ...] = ()
    sources: tuple[Source, ...] = Field(min_length=1)


class Topic(Strict):
    """A family of cards (the steps, the convention, the risks...), one file each."""

    id: str = Field(pattern=r"^[a-z0-9_]{2,24}$")
    title: Text
    order: int
    cards: tuple[Card, ...] = Field(min_length=1)


class KnowledgeBase(Strict):
    """All topics; card ids are unique and every related card exists."""

    topics: tuple[Topic, ...]
    synonyms: tuple[tuple[str, ...], ...] = ()

    @model_validator(mode="after")
    def _references(self) -> KnowledgeBase:
        seen: set[str] = set()
        for card in self.cards():
            if card.id in seen:
                raise ValueError(f"card id {card.id!r} is used twice")
            seen.add(card.id)
        for card in self.cards():
            unknown = [ref for ref in card.related if ref not in seen]
            if unknown:
                raise ValueError(f"card {card.id}: related cards not found: {unknown}")
        return self

    def cards(self) -> list[Card]:
        return [
            card for topic in sorted(self.topics, key=lambda t: t.order) for card in topic.cards
        ]

    def card(self, card_id: str) -> Card | None:
        return next((card for card in self.cards() if card.id == card_id), None)

    def topic(self, topic_id: str) -> Topic | None:
        return next((topic for topic in self.topics if topic.id == topic_id), None)

    def topic_of(self, card_id: str) -> Topic | None:
        return next((t for t in self.topics if any(c.id == card_id for c in t.cards)), None)


# How a source reads to a user; file names are for the knowledge check.
SEED_TITLES = {
    "000": "Article « partenariats RSE durables »",
    "001": "Guide « Coopérer efficacement » (ORSE / Le RAMEAU, 2023)",
    "002": "Guide ORSE / Le RAMEAU sur les partenariats ONG–entreprises (2012)",
    "003": "Atelier Convergences sur les partenariats multi-acteurs",
    "004": "Article « L'art et la science des partenariats… » (mai 2025)",
}


class ConventionSection(Strict):
    id: str = Field(pattern=r"^[a-z0-9_]{2,20}$")
    title: Text


class ConventionItem(Strict):
    """One thing a convention must settle (step 4) or state (step 5)."""

    id: str = Field(pattern=r"^[a-z0-9_]{2,20}$")
    section: str
    title: Text
    question: Text
    why: Text
    required: bool = True
    # Filled from earlier steps instead of asked: "territory", "theme", "objectives"...
    prefill: str | None = None
    source: Source


class ConventionChecklist(Strict):
    statuses: tuple[Option, ...] = Field(min_length=4, max_length=4)
    sections: tuple[ConventionSection, ...] = Field(min_length=1)
    items: tuple[ConventionItem, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _references(self) -> ConventionChecklist:
        sections = {section.id for section in self.sections}
        ids = [item.id for item in self.items]
        if len(ids) != len(set(ids)):
            raise ValueError("duplicate convention item ids")
        for item in self.items:
            if item.section not in sections:
                raise ValueError(f"item {item.id}: unknown section {item.section!r}")
        return self

    def item(self, item_id: str) -> ConventionItem | None:
        return next((item for item in self.items if item.id == item_id), None)


class DialoguePoint(Strict):
    id: str = Field(pattern=r"^[a-z0-9_]{2,20}$")
    phase: str = Field(pattern=r"^(before|during|after)$")
    text: Text


class Dialogue(Strict):
    """Step 2: the points to agree on before, during and after setting up."""

    points: tuple[DialoguePoint, ...] = Field(min_length=1)
    source: Source
