"""Validated models of the method's data: bilingual texts, sources, questionnaires."""

from __future__ import annotations

from enum import StrEnum
from functools import cached_property
from typing import Any, Literal

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
# The four sides of the "carré magique" an objective aims at (guide 001, part 2).
DIMENSIONS = ("processes", "socio_economic_model", "value_proposition", "positioning")
# What a local authority can be in partnerships, from facilitator to active participant.
AUTHORITY_ROLES = ("facilitator", "catalyst", "partner")
# What passes between the partners: a gift (mécénat) or a joint offer (coopération économique).
EXCHANGE_FORMS = ("gift", "joint_offer")


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

    @property
    def short_title(self) -> str:
        """The title once the full one has been read on the same screen."""
        return SEED_SHORT_TITLES[self.seed]


class QuestionKind(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    SCALE = "scale"
    # A score on a scale, with an optional comment typed after it ("4 meetings too rare").
    RATING = "rating"
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
    # An objective's side of the carré magique: it alone decides the partnership type.
    dimension: str | None = None
    # The local-authority role this answer points to (our own rule, not the guide's).
    role: str | None = None
    # The type an objective leads to when no side of the carré decides it (a general-interest
    # actor's or a local authority's objective), and the one it leads to instead when what
    # passes between the partners is a joint offer rather than a gift.
    leads_to: str | None = None
    as_joint_offer: str | None = None
    # What passes between the partners, said by this answer (the exchange question) or read
    # from it (a resource that is one of mécénat's forms, or a joint offer).
    forms: tuple[Literal["gift", "joint_offer"], ...] = ()
    # Where the guide ties this answer to its type, when not the question's own source.
    source: Source | None = None
    # The tie to a type is our reading of the guide, not something it states.
    ours: bool = False
    # A choice of ours this answer brings, told to the user with the result.
    our_choice: Text | None = None

    @model_validator(mode="after")
    def _known_types(self) -> Option:
        named = set(self.signals) | {t for t in (self.leads_to, self.as_joint_offer) if t}
        unknown = named - set(PARTNERSHIP_TYPES)
        if unknown:
            raise ValueError(f"option {self.id}: unknown partnership types {sorted(unknown)}")
        if self.dimension is not None and self.leads_to is not None:
            raise ValueError(f"option {self.id}: a dimension or leads_to, not both")
        if self.dimension is not None and self.dimension not in DIMENSIONS:
            raise ValueError(f"option {self.id}: unknown dimension {self.dimension!r}")
        if self.role is not None and self.role not in AUTHORITY_ROLES:
            raise ValueError(f"option {self.id}: unknown local-authority role {self.role!r}")
        return self


class Question(Strict):
    id: str = Field(pattern=r"^[a-z0-9_]{1,24}$")
    kind: QuestionKind
    prompt: Text
    # A short name for summaries ("Confiance"), where the prompt is too long.
    label: Text | None = None
    # The part of the questionnaire it belongs to (the full review's four analyses).
    part: Text | None = None
    help: Text | None = None
    source: Source
    required: bool = True
    when: tuple[Condition, ...] = ()
    options: tuple[Option, ...] = ()
    max_choices: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    max_length: int = 1000
    # A text longer than max_length is never lost: "cut" keeps the first part as the answer
    # and gives the rest back to the user; "split" keeps it all, to be stored in parts (notes).
    overflow: Literal["cut", "split"] = "cut"
    # A date about something to come ("when would you like to start?") cannot be in the past.
    not_before: Literal["today"] | None = None
    # A text question may carry a flag the user ticks before typing ("only partly agreed").
    flag: Text | None = None
    # A text answered in several lines (one action per line, a meeting note): the terminal
    # gathers lines until an empty one instead of sending at the first Enter.
    multiline: bool = False
    # Its answer names or reaches a person (a referent, a phone number): `alliance export`
    # leaves it out unless names are asked.
    personal: bool = False

    @model_validator(mode="after")
    def _shape(self) -> Question:
        has_options = self.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
        if has_options and len(self.options) < 2:
            raise ValueError(f"question {self.id}: a choice needs at least two options")
        if not has_options and self.options:
            raise ValueError(f"question {self.id}: only choices have options")
        if self.flag is not None and self.kind != QuestionKind.TEXT:
            raise ValueError(f"question {self.id}: only text questions carry a flag")
        if self.multiline and self.kind != QuestionKind.TEXT:
            raise ValueError(f"question {self.id}: only text questions take several lines")
        if self.not_before is not None and self.kind != QuestionKind.DATE:
            raise ValueError(f"question {self.id}: only dates have a not_before")
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


class Dimension(Strict):
    """A side of the carré magique and the partnership type that serves it."""

    id: str
    name: Text
    partnership_type: str
    source: Source

    @model_validator(mode="after")
    def _known(self) -> Dimension:
        if self.id not in DIMENSIONS:
            raise ValueError(f"unknown dimension {self.id!r}")
        if self.partnership_type not in PARTNERSHIP_TYPES:
            raise ValueError(f"dimension {self.id}: unknown type {self.partnership_type!r}")
        return self


class ExchangeForm(Strict):
    """A form of what passes between partners, and the type it is (typologie des partenariats)."""

    id: Literal["gift", "joint_offer"]
    name: Text
    partnership_type: str
    source: Source

    @model_validator(mode="after")
    def _known(self) -> ExchangeForm:
        if self.partnership_type not in PARTNERSHIP_TYPES:
            raise ValueError(f"unknown partnership type {self.partnership_type!r}")
        return self


class AuthorityRole(Strict):
    """A part a local authority plays in partnerships: facilitator, catalyst or partner."""

    id: str
    name: Text
    description: Text
    # When Alliance suggests this role: our advice, since the guide gives no rule to choose.
    our_advice: Text
    sources: tuple[Source, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _known(self) -> AuthorityRole:
        if self.id not in AUTHORITY_ROLES:
            raise ValueError(f"unknown local-authority role {self.id!r}")
        return self


class Method(Strict):
    """What the diagnosis draws on besides its questions."""

    partnership_types: tuple[PartnershipType, ...] = Field(min_length=4, max_length=4)
    dimensions: tuple[Dimension, ...] = Field(min_length=4, max_length=4)
    exchange_forms: tuple[ExchangeForm, ...] = Field(min_length=2, max_length=2)
    authority_roles: tuple[AuthorityRole, ...] = Field(min_length=3, max_length=3)
    risk_groups: tuple[RiskGroup, ...] = Field(min_length=1)
    brakes: tuple[Brake, ...] = Field(min_length=4, max_length=4)

    @model_validator(mode="after")
    def _one_type_per_dimension(self) -> Method:
        # The typology pairs each dimension with its own type: no type twice, none left out.
        if {d.id for d in self.dimensions} != set(DIMENSIONS):
            raise ValueError(f"dimensions must be exactly {', '.join(DIMENSIONS)}")
        if {d.partnership_type for d in self.dimensions} != set(PARTNERSHIP_TYPES):
            raise ValueError("each partnership type must serve exactly one dimension")
        if {f.id for f in self.exchange_forms} != set(EXCHANGE_FORMS):
            raise ValueError(f"exchange forms must be exactly {', '.join(EXCHANGE_FORMS)}")
        if {r.id for r in self.authority_roles} != set(AUTHORITY_ROLES):
            raise ValueError(f"local-authority roles must be exactly {', '.join(AUTHORITY_ROLES)}")
        return self

    def partnership_type(self, type_id: str) -> PartnershipType:
        return next(t for t in self.partnership_types if t.id == type_id)

    def dimension(self, dimension_id: str) -> Dimension:
        return next(d for d in self.dimensions if d.id == dimension_id)

    def exchange_form(self, form_id: str) -> ExchangeForm:
        return next(f for f in self.exchange_forms if f.id == form_id)

    def authority_role(self, role_id: str) -> AuthorityRole:
        return next(r for r in self.authority_roles if r.id == role_id)

    def risks_for(self, profile: str) -> tuple[RiskGroup, ...]:
        return tuple(group for group in self.risk_groups if profile in group.profiles)


class Keywords(Strict):
    """Words people type for a card, beyond its title and text, in each language."""

    fr: tuple[str, ...] = ()
    en: tuple[str, ...] = ()


class OverviewItem(Strict):
    """One card as its topic's overview lists it: the card, its title, its intro if short."""

    card_id: str
    title: Text
    gist: Text | None = None


class Card(Strict):
    """A short checklist card: a title, a line of context, the points to check."""

    id: str = Field(pattern=r"^[a-z0-9_]{2,40}$")
    title: Text
    intro: Text | None = None
    # What the card covers, in a few words, beside its title in its topic's overview (so the
    # overview names every item of the checklist); a short intro stands in when it is absent.
    gist: Text | None = None
    points: tuple[Text, ...] = Field(min_length=1)
    # Points of our own, not the guide's: shown apart, under "Alliance's advice", unsourced.
    our_advice: tuple[Text, ...] = ()
    keywords: Keywords = Keywords()
    related: tuple[str, ...] = ()
    sources: tuple[Source, ...] = Field(min_length=1)
    # Set on a topic's overview only: the cards it lists, each opened by a button.
    items: tuple[OverviewItem, ...] = ()

    @property
    def is_overview(self) -> bool:
        return bool(self.items)


OVERVIEW_PREFIX = "overview_"
# An intro this short (in both languages) is shown beside its card's title in the overview.
GIST_MAX = 90


class Topic(Strict):
    """A family of cards (the steps, the convention, the risks...), one file each."""

    id: str = Field(pattern=r"^[a-z0-9_]{2,24}$")
    title: Text
    order: int
    # The words that name the topic as a whole ("contrat", "risques"): a query made of
    # them lands on the topic's overview rather than on one of its cards.
    keywords: Keywords
    cards: tuple[Card, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _shape(self) -> Topic:
        if not (self.keywords.fr and self.keywords.en):
            raise ValueError(f"topic {self.id}: keywords naming it are needed in fr and en")
        for card in self.cards:
            if card.id.startswith(OVERVIEW_PREFIX) or card.is_overview:
                raise ValueError(f"card {card.id}: overviews are built, not written")
        return self

    @cached_property
    def overview(self) -> Card:
        """The whole topic on one card, built from its cards: nothing new to source."""
        items = tuple(_overview_item(card) for card in self.cards)
        return Card(
            id=OVERVIEW_PREFIX + self.id,
            title=self.title,
            points=tuple(item.title for item in items),
            keywords=self.keywords,
            sources=self._chapters(),
            items=items,
        )

    def _chapters(self) -> tuple[Source, ...]:
        """The parts of the seeds the topic's cards cite ("Étape 4"); the cards name sections."""
        chapters = (
            Source(seed=source.seed, section=part.split(" – ")[0].strip())
            for card in self.cards
            for source in card.sources
            for part in source.section.split(";")
        )
        return tuple(dict.fromkeys(chapters))

    @property
    def every_card(self) -> tuple[Card, ...]:
        """The overview first, then the cards it lists."""
        return (self.overview, *self.cards)


def _overview_item(card: Card) -> OverviewItem:
    if card.gist is not None:
        return OverviewItem(card_id=card.id, title=card.title, gist=card.gist)
    intro = card.intro
    short = intro is not None and max(len(intro.fr), len(intro.en)) <= GIST_MAX
    return OverviewItem(card_id=card.id, title=card.title, gist=intro if short else None)


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
        """Every card, overviews included, topic by topic."""
        ordered = sorted(self.topics, key=lambda t: t.order)
        return [card for topic in ordered for card in topic.every_card]

    def card(self, card_id: str) -> Card | None:
        return next((card for card in self.cards() if card.id == card_id), None)

    def topic(self, topic_id: str) -> Topic | None:
        return next((topic for topic in self.topics if topic.id == topic_id), None)

    def topic_of(self, card_id: str) -> Topic | None:
        return next((t for t in self.topics if any(c.id == card_id for c in t.every_card)), None)


# How a source reads to a user; file names are for the knowledge check.
SEED_TITLES = {
    "000": "Article « partenariats RSE durables »",
    "001": "Guide « Coopérer efficacement » (ORSE / Le RAMEAU, 2023)",
    "002": "Guide ORSE / Le RAMEAU sur les partenariats ONG–entreprises (2012)",
    "003": "Atelier Convergences sur les partenariats multi-acteurs",
    "004": "Article « L'art et la science des partenariats… » (mai 2025)",
}
SEED_SHORT_TITLES = {
    "000": "article RSE",
    "001": "guide 2023",
    "002": "guide 2012",
    "003": "atelier Convergences",
    "004": "article 2025",
}


class ConventionSection(Strict):
    """A group of items asked together ("which of these are agreed?")."""

    id: str = Field(pattern=r"^[a-z0-9_]{2,20}$")
    title: Text


class ConventionArticle(Strict):
    """An article of the draft convention: one subject, whatever section asked it."""

    id: str = Field(pattern=r"^[a-z0-9_]{2,20}$")
    title: Text


class ItemField(Strict):
    """One of several texts an item asks for (the referent of each party)."""

    id: str = Field(pattern=r"^[a-z0-9_]{2,10}$")
    question: Text


class ConventionItem(Strict):
    """One thing a convention must settle (step 4) or state (step 5)."""

    id: str = Field(pattern=r"^[a-z0-9_]{2,20}$")
    section: str
    # The article it belongs to in the draft; None when it is not an article of its own.
    article: str | None = None
    title: Text
    # The clause's title in the draft, when the checklist's label is not one.
    clause: Text | None = None
    question: Text
    why: Text
    required: bool = True
    # How it is answered: a text, a yes or no, a place (the place of signature), or one of
    # its `options` (who evaluates), each written in the draft by the wording
    # `<standard>_<option id>`.
    answer: Literal["text", "yes_no", "place", "choice"] = "text"
    options: tuple[Option, ...] = ()
    # Asked with another item of its section (who evaluates, with the evaluation terms): not
    # a point of its own to tick, agreed when that one is, still counted by the checklist.
    asked_with: str | None = None
    fields: tuple[ItemField, ...] = ()
    # Its text is typed in several lines (one action per line).
    multiline: bool = False
    # Wording key of the standard clause (for a yes, and for a no), used when the user
    # writes nothing: a proposal to discuss.
    standard: str | None = None
    standard_no: str | None = None
    # Whether the standard wording stands as our proposal while nothing is agreed (not for a
    # point only the parties can decide, such as the conditions of payment).
    proposed: bool = True
    # Offered from earlier steps: "territory", "theme", "objectives", "resources_money"...
    prefill: str | None = None
    # Its answer names people (referents, committee members): left out of an export without names.
    personal: bool = False
    source: Source

    @model_validator(mode="after")
    def _choices(self) -> ConventionItem:
        if (self.answer == "choice") != bool(self.options):
            raise ValueError(f"item {self.id}: options go with a choice answer, and only there")
        if self.options and not self.standard:
            raise ValueError(f"item {self.id}: a choice names its clauses after `standard`")
        return self


class PartiesQuestions(Strict):
    """The two parties' details, asked once each."""

    ours: Text
    partner: Text
    why: Text
    # The details name each party's representative: left out of an export without names.
    personal: bool = False
    source: Source


class OurArticle(Strict):
    """An article the draft adds of our own accord: no seed speaks of it, so it cites none and
    says why we add it, as our advice."""

    title: Text
    our_advice: Text


class ConventionChecklist(Strict):
    agreed_prompt: Text
    agreed_help: Text
    partly_flag: Text
    yes_no: tuple[Option, ...] = Field(min_length=2, max_length=2)
    parties: PartiesQuestions
    sections: tuple[ConventionSection, ...] = Field(min_length=1)
    articles: tuple[ConventionArticle, ...] = Field(min_length=1)
    # Added when the answers speak of personal data (our advice, not the guide's).
    personal_data: OurArticle
    items: tuple[ConventionItem, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _references(self) -> ConventionChecklist:
        sections = {section.id for section in self.sections}
        articles = {article.id for article in self.articles}
        ids = [item.id for item in self.items]
        if len(ids) != len(set(ids)):
            raise ValueError("duplicate convention item ids")
        for item in self.items:
            if item.section not in sections:
                raise ValueError(f"item {item.id}: unknown section {item.section!r}")
            if item.article is not None and item.article not in articles:
                raise ValueError(f"item {item.id}: unknown article {item.article!r}")
            host = self.item(item.asked_with) if item.asked_with else None
            if item.asked_with and (
                host is None
                or host.asked_with
                or ids.index(host.id) > ids.index(item.id)
                or host.section != item.section
            ):
                raise ValueError(f"item {item.id}: asked with an earlier item of its section")
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


class GlossaryTerm(Strict):
    """A French term of the method and the one English rendering used for it everywhere."""

    fr: str = Field(min_length=1)
    en: str = Field(min_length=1)
    # Other English renderings of the term, never to be used; other French wordings likewise.
    avoid: tuple[str, ...] = ()
    avoid_fr: tuple[str, ...] = ()
    # The French word has everyday senses too ("modifier une réponse"): its English is not
    # required wherever it appears, only the avoid lists hold.
    everyday_word: bool = False
    note: str | None = None

    def in_(self, language: str) -> str:
        return self.en if language == "en" else self.fr


class Glossary(Strict):
    """French term → English term (glossary.yaml), held to by every text the user reads."""

    terms: tuple[GlossaryTerm, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_rendering_each(self) -> Glossary:
        french = [term.fr.lower() for term in self.terms]
        twice = sorted({fr for fr in french if french.count(fr) > 1})
        if twice:
            raise ValueError(f"terms given twice: {', '.join(twice)}")
        for term in self.terms:
            chosen = {other.en.lower() for other in self.terms}
            wrong = [variant for variant in term.avoid if variant.lower() in chosen]
            if wrong:
                raise ValueError(f"{term.fr}: avoids {wrong}, the rendering of a glossary term")
            if term.fr.lower() in (variant.lower() for variant in term.avoid_fr):
                raise ValueError(f"{term.fr}: avoids its own French term")
        return self

    def term(self, fr: str, language: str) -> str:
        """The term in a language, as it reads inside a sentence; KeyError for an unknown one."""
        found = next((term for term in self.terms if term.fr == fr), None)
        if found is None:
            raise KeyError(f"no glossary term {fr!r}")
        return found.in_(language)

    def heading(self, fr: str, language: str) -> str:
        """The term as a heading or a label: its first letter in capitals."""
        text = self.term(fr, language)
        return text[:1].upper() + text[1:]


class HealthThreshold(Strict):
    """One threshold of the health rules: its value and unit, what it says, and where it
    comes from; one that is ours (`ours: true`) is Alliance's choice, not the guide's."""

    id: str = Field(pattern=r"^[a-z_]{2,32}$")
    value: float = Field(gt=0)
    unit: Literal["days", "months", "points", "rounds", "times"]
    text: Text
    source: Source | None = None
    ours: bool = False

    @model_validator(mode="after")
    def _sourced_or_ours(self) -> HealthThreshold:
        if not self.ours and self.source is None:
            raise ValueError("a threshold that is not ours cites its source")
        return self


class HealthSignal(Strict):
    """A signal of the method that a partnership may drift: how serious it is, what to do
    next, and the card of the guide to read for it."""

    id: str = Field(pattern=r"^[a-z_]{2,32}$")
    level: Literal["amber", "red"]
    title: Text
    next: Text
    card: str
    source: Source


class HealthRules(Strict):
    """health.yaml: the thresholds and signals of a partnership's health (issue 19)."""

    id: Literal["health"]
    thresholds: tuple[HealthThreshold, ...] = Field(min_length=1)
    signals: tuple[HealthSignal, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> HealthRules:
        for kind, entries in (("thresholds", self.thresholds), ("signals", self.signals)):
            ids = [entry.id for entry in entries]
            twice = sorted({i for i in ids if ids.count(i) > 1})
            if twice:
                raise ValueError(f"{kind} given twice: {', '.join(twice)}")
        return self

    def signal(self, signal_id: str) -> HealthSignal:
        found = next((s for s in self.signals if s.id == signal_id), None)
        if found is None:
            raise KeyError(f"no health signal {signal_id!r}")
        return found

    def value(self, name: str) -> float:
        """A threshold's value; KeyError for an unknown one."""
        found = next((t for t in self.thresholds if t.id == name), None)
        if found is None:
            raise KeyError(f"no health threshold {name!r}")
        return found.value
