"""Steps 4 and 5: the convention checklist as a short questionnaire, what is still missing,
and the draft to sign, one article per subject.

Pure logic: the checklist comes from `knowledge`, the answers from the caller, and the result
is a `ConventionDraft` value that the document renderer turns into DOCX. A subject's article
holds the user's words when they gave some, else the standard wording marked as a proposal
to discuss, else a placeholder; an optional subject nobody agreed on is left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from knowledge import Question, QuestionKind, Questionnaire, Text
from knowledge.models import Condition, ConventionChecklist, ConventionItem, Option
from knowledge.text import normalise

# How far an item is agreed.
IN_PLACE = "in_place"
PARTIAL = "partial"
MISSING = "missing"
# Only in answers kept from the first version of the checklist.
NOT_APPLICABLE = "not_applicable"
AGREED = (IN_PLACE, PARTIAL)
YES, NO = "yes", "no"
PARTY_FIELDS = ("legal_form", "seat", "identifier", "representative")
ACTION_FIELDS = ("what", "lead", "when", "means", "indicator")


# -- the questionnaire ----------------------------------------------------------------------


def agreed_question_id(section_id: str) -> str:
    return f"c_{section_id}"


def text_question_id(item_id: str, field_id: str | None = None) -> str:
    return f"t_{item_id}" + (f"_{field_id}" if field_id else "")


def yes_no_question_id(item_id: str) -> str:
    return f"y_{item_id}"


def choice_question_id(item_id: str) -> str:
    return f"s_{item_id}"


PARTY_QUESTIONS = {"ours": "p_ours", "partner": "p_partner"}


def checklist_questionnaire(checklist: ConventionChecklist) -> Questionnaire:
    """The checklist as a questionnaire: each party once, then per section one multiple
    choice ("which points are agreed?"), then only what the agreed points need."""
    questions = [_party_question(checklist, side) for side in PARTY_QUESTIONS]
    for section in checklist.sections:
        items = [item for item in checklist.items if item.section == section.id]
        ticked = [item for item in items if not item.asked_with]
        questions.append(_agreed_question(checklist, section, ticked))
        for item in items:
            questions.extend(_item_questions(checklist, section.id, item))
    title = Text(fr="Contenu de la convention", en="Content of the agreement")
    return Questionnaire(
        id="convention", title=title, source=checklist.items[0].source, questions=tuple(questions)
    )


def _party_question(checklist: ConventionChecklist, side: str) -> Question:
    parties = checklist.parties
    return Question(
        id=PARTY_QUESTIONS[side],
        kind=QuestionKind.TEXT,
        prompt=getattr(parties, side),
        help=parties.why,
        source=parties.source,
        # Not known yet? The draft shows each missing detail as a point to complete.
        required=False,
        max_length=600,
        personal=parties.personal,
    )


def _agreed_question(checklist: ConventionChecklist, section, items) -> Question:
    prompt = Text(
        fr=f"{section.title.fr} — {checklist.agreed_prompt.fr}",
        en=f"{section.title.en} — {checklist.agreed_prompt.en}",
    )
    return Question(
        id=agreed_question_id(section.id),
        kind=QuestionKind.MULTIPLE,
        prompt=prompt,
        help=checklist.agreed_help,
        source=items[0].source,
        required=False,
        options=tuple(Option(id=item.id, label=item.title) for item in items),
    )


def _item_questions(checklist: ConventionChecklist, section_id: str, item: ConventionItem):
    """What an agreed item asks: a yes or no, one of its options, or its text (one per
    field). An item asked with another is asked when that one is agreed."""
    ticked = item.asked_with or item.id
    when = (Condition(question=agreed_question_id(section_id), any_of=(ticked,)),)
    if item.answer in ("yes_no", "choice"):
        chosen = item.answer == "choice"
        yield Question(
            id=choice_question_id(item.id) if chosen else yes_no_question_id(item.id),
            kind=QuestionKind.SINGLE,
            prompt=item.question,
            help=item.why,
            source=item.source,
            when=when,
            options=item.options if chosen else checklist.yes_no,
        )
        return
    for item_field in item.fields or (None,):
        yield Question(
            id=text_question_id(item.id, item_field.id if item_field else None),
            kind=QuestionKind.TEXT,
            prompt=item_field.question if item_field else item.question,
            help=item.why,
            source=item.source,
            when=when,
            flag=checklist.partly_flag,
            multiline=item.multiline,
            personal=item.personal,
        )


# -- answers as the partnership keeps them --------------------------------------------------


def answers_by_item(checklist: ConventionChecklist, flow_answers: dict, flags=()) -> dict:
    """From the questionnaire's answers to {item id: {"status", "text" | "yes" | "choice" |
    fields}}, plus the parties under "_parties"."""
    result: dict[str, Any] = {}
    for item in checklist.items:
        ticked = flow_answers.get(agreed_question_id(item.section)) or []
        agreed = (item.asked_with or item.id) in ticked
        record: dict[str, Any] = {"status": IN_PLACE if agreed else MISSING}
        if agreed and item.answer == "yes_no":
            record["yes"] = flow_answers.get(yes_no_question_id(item.id)) == YES
        elif agreed and item.answer == "choice":
            record["choice"] = flow_answers.get(choice_question_id(item.id))
            if chosen_option(item, record) is None:
                record["status"] = MISSING  # ticked, but nothing chosen
        elif agreed:
            ids = [text_question_id(item.id, f.id) for f in item.fields] or [
                text_question_id(item.id)
            ]
            texts = {qid: flow_answers.get(qid) for qid in ids}
            record["text"] = "\n".join(t for t in texts.values() if t) or None
            if item.fields:
                record["fields"] = {
                    f.id: texts[text_question_id(item.id, f.id)] for f in item.fields
                }
            if any(qid in flags for qid in ids):
                record["status"] = PARTIAL
        result[item.id] = record
    result["_parties"] = {
        side: flow_answers.get(question_id) for side, question_id in PARTY_QUESTIONS.items()
    }
    return result


def items_of(answers: dict) -> dict[str, dict]:
    """The items' records, without the parties."""
    return {key: value for key, value in answers.items() if not key.startswith("_")}


def missing_items(checklist: ConventionChecklist, answers: dict) -> list[ConventionItem]:
    """Required items not yet agreed in full: missing, partly agreed, or never answered."""
    return [
        item
        for item in checklist.items
        if item.required and answers.get(item.id, {}).get("status") not in (IN_PLACE,)
    ]


def stands_as_proposal(item: ConventionItem, answers: dict) -> bool:
    """Whether the draft writes our standard wording for an item nobody agreed on: a default
    clause the parties discuss on the draft, which settles the point for now."""
    status = answers.get(item.id, {}).get("status", MISSING)
    return status == MISSING and bool(item.standard) and item.proposed


def unsettled_items(checklist: ConventionChecklist, answers: dict) -> list[ConventionItem]:
    """What step 4 still needs before the drafts: the required items neither agreed in full
    nor covered by a standard clause of ours. The one definition the lifecycle's move, the
    convention's summary and the card use."""
    return [
        item for item in missing_items(checklist, answers) if not stands_as_proposal(item, answers)
    ]


def proposed_items(checklist: ConventionChecklist, answers: dict) -> list[ConventionItem]:
    """Required items the draft covers with our standard clause, as proposals to discuss."""
    return [item for item in missing_items(checklist, answers) if stands_as_proposal(item, answers)]


def agreed_points(checklist: ConventionChecklist, answers: dict) -> tuple[int, int]:
    """How many of the checklist's points are agreed (in full or in part), of how many: how
    complete the convention is, as an export shows it ("12/18")."""
    statuses = [answers.get(item.id, {}).get("status") for item in checklist.items]
    return sum(status in AGREED for status in statuses), len(statuses)


def flow_defaults(
    checklist: ConventionChecklist, answers: dict, known: dict[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """What the questionnaire offers as current answers, and the questions already flagged:
    the previous run's answers, then what earlier steps know (`known`: territory, theme,
    objectives, resources, referents...). A party's details are its organisation's when
    known (`party_ours`, `party_partner`): corrected once, they are the truth everywhere."""
    defaults: dict[str, Any] = {}
    flags: list[str] = []
    parties = answers.get("_parties") or {}
    for side, question_id in PARTY_QUESTIONS.items():
        defaults[question_id] = known.get(f"party_{side}") or parties.get(side)
    agreed: dict[str, list[str]] = {section.id: [] for section in checklist.sections}
    for item in checklist.items:
        record = answers.get(item.id) or {}
        offered = _offered(item, record, known)
        if offered is None:
            continue
        if not item.asked_with:
            agreed[item.section].append(item.id)
        defaults.update(offered)
        if record.get("status") == PARTIAL:
            flags.extend(qid for qid in offered if qid.startswith("t_"))
    for section_id, item_ids in agreed.items():
        if item_ids:
            defaults[agreed_question_id(section_id)] = item_ids
    return {k: v for k, v in defaults.items() if v not in (None, "")}, flags


def _offered(item: ConventionItem, record: dict, known: dict[str, Any]) -> dict | None:
    """The answers an item offers: the ones given before, else what earlier steps know."""
    if record.get("status") in AGREED:
        if item.answer == "yes_no":
            return {yes_no_question_id(item.id): YES if record.get("yes") else NO}
        if item.answer == "choice":
            return {choice_question_id(item.id): chosen_option(item, record)}
        if item.fields:
            fields = record.get("fields") or {}
            return {text_question_id(item.id, f.id): fields.get(f.id) for f in item.fields}
        return {text_question_id(item.id): record.get("text")}
    if item.prefill is None or not known.get(item.prefill):
        return None
    value = known[item.prefill]
    if item.fields:
        return {text_question_id(item.id, f.id): (value or {}).get(f.id) for f in item.fields}
    # A resource committed in the diagnosis ticks the item, with nothing to say yet.
    return {text_question_id(item.id): value if isinstance(value, str) else None}


# -- the draft ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Party:
    """A party's block: name, legal form, seat, identifier, who represents it."""

    name: str | None
    legal_form: str | None = None
    seat: str | None = None
    identifier: str | None = None
    representative: str | None = None
    # What kind of actor it is, when a step asked: "company", "association",
    # "local_authority", "academic", "general_interest"; None when only free text is known.
    kind: str | None = None

    @property
    def form_in_name(self) -> bool:
        """Whether the name already says the legal form ("ÉnerBat SAS" and "SAS"), so the
        party's block does not repeat it."""
        if not self.name or not self.legal_form:
            return False
        name, form = normalise(self.name).split(), normalise(self.legal_form).split()
        return bool(form) and any(
            name[i : i + len(form)] == form for i in range(len(name) - len(form) + 1)
        )

    @property
    def is_company(self) -> bool:
        """Whether it is a company, as far as we can tell; unsure counts as no (a clause
        that only merchants may agree on is then not proposed)."""
        said = _kind_in_text(self.legal_form) or _kind_in_text(self.name)
        if self.kind is not None and self.kind not in COMPANY_KINDS:
            return False
        if said == "other":
            return False
        return self.kind in COMPANY_KINDS or said == "company"


# Kinds of actor that trade as merchants: a company (diagnosis), an economic actor (criteria).
COMPANY_KINDS = ("company", "economic")
# Words of a legal form or name (normalised) that tell a commercial company from the rest.
COMPANY_FORMS = frozenset(
    "sa sas sasu sarl eurl snc sca scs selarl selas societe company ltd limited plc inc".split()
)
OTHER_FORMS = frozenset(
    """association associations fondation foundation fonds dotation cooperative scic scop
    commune mairie ville departement region collectivite metropole agglomeration
    communaute intercommunalite etablissement public universite university ecole school
    college lycee institut gip syndicat mutuelle charity council""".split()
)


def _kind_in_text(text: str | None) -> str | None:
    """ "company", "other" or None: what a legal form or a name says of the actor's kind."""
    words = set(normalise(text or "").split())
    if words & OTHER_FORMS:
        return "other"
    if words & COMPANY_FORMS:
        return "company"
    return None


@dataclass(frozen=True)
class Clause:
    """One subject within an article."""

    item_id: str
    title: str
    # The user's words; None when the standard wording or a placeholder stands instead.
    text: str | None
    status: str = MISSING
    # What to write there, shown in the placeholder when the text is missing.
    hint: str = ""
    # Wording key of the standard clause used when the user gave no text (our proposal).
    standard: str | None = None
    # Wording key that frames the user's words as a clause ("committee_yes": "A steering
    # committee is set up. It brings together: {text}"), for an answer typed as "Yes: …".
    wording: str | None = None


@dataclass(frozen=True)
class Article:
    article_id: str
    title: str
    clauses: tuple[Clause, ...]


@dataclass(frozen=True)
class ActionRow:
    what: str
    lead: str | None = None
    when: str | None = None
    means: str | None = None
    indicator: str | None = None


@dataclass(frozen=True)
class Steering:
    """The steering set-up the action plan states (step 6), from /suivi and the convention."""

    referent_ours: str | None = None
    referent_partner: str | None = None
    committee: str | None = None  # who sits on it, or None
    has_committee: bool | None = None
    frequency: str | None = None  # "quarterly", "half_yearly" or None
    tools: tuple[str, ...] = ()
    communication: str | None = None


@dataclass(frozen=True)
class ConventionDraft:
    """Everything a draft convention and its operational action plan are built from."""

    language: str  # "fr" or "en"
    title: str  # the partnership's name
    ours: Party
    partner: Party
    territory: str | None
    theme: str | None
    objectives: tuple[str, ...]
    articles: tuple[Article, ...]
    signature_place: str | None = None
    # Things a lawyer should check, as wording keys ("jurisdiction", "vat"...).
    lawyer_notes: tuple[str, ...] = ()
    actions: tuple[ActionRow, ...] = field(default_factory=tuple)
    steering: Steering = field(default_factory=Steering)
    # Frame of the action plan: the scope and duration clauses, recalled.
    frame: tuple[Clause, ...] = ()

    @property
    def partner_name(self) -> str | None:
        return self.partner.name


# Words that show personal data is at stake (normalised, accents removed).
PERSONAL_DATA_WORDS = (
    "donnee personnelle",
    "donnees personnelles",
    "caractere personnel",
    "rgpd",
    "personal data",
    "gdpr",
    "fichier",
    "coordonnees",
    "nominatif",
    "nominative",
    "contact details",
    "e-mail",
    "email",
    "adresses",
    "telephone",
)
# The articles every convention has in this order; those marked optional appear only when
# something fills them.
FRAME_ARTICLES = ("purpose", "duration")
# Words that show the actions involve the public or premises (homes, visits, events,
# volunteers), normalised: then who is liable and who insures what should be written down.
PREMISES_WORDS = frozenset(
    """domicile domiciles logement logements chantier chantiers public publics visite visites
    evenement evenements manifestation manifestations benevole benevoles habitant habitants
    locaux foyers home homes housing premises worksite visit visits event events volunteer
    volunteers resident residents""".split()
)
# The items whose words say what the actions involve.
PREMISES_ITEMS = (
    "beneficiaries",
    "objectives",
    "actions",
    "human_means",
    "material_means",
    "implementation",
)
# Items asked as "Is there…? Who…?": a typed answer is framed by the wording `<key>_yes` or
# `<key>_no`, so "Oui : la présidente…" reads as a clause, not as a pasted answer.
FRAMED_ANSWERS = {"steering_committee": "committee", "mediation": "mediation"}
# A leading yes or no typed before the words ("Oui : …", "No, …"), with its punctuation.
_YES_NO = re.compile(
    r"^\s*(?:(?P<yes>oui|yes)|(?P<no>non|no))(?=$|[\s,:;.!–—-])(?![-–—]\w)[\s,:;.!–—-]*",
    re.IGNORECASE,
)


def build_draft(
    checklist: ConventionChecklist,
    answers: dict,
    *,
    language: str,
    title: str,
    ours: Party,
    partner: Party,
    territory: str | None,
    theme: str | None,
    steering: Steering | None = None,
    actions: Iterable[ActionRow] = (),
) -> ConventionDraft:
    """The draft's content: one article per subject, in the checklist's order of articles."""
    items = items_of(answers)
    actions = tuple(actions)
    names = {"ours": ours.name, "partner": partner.name}
    # One territory and one theme, the same in the preamble and in article 1: the
    # convention's agreed words, else the partnership's.
    territory = agreed_text(items.get("geography")) or territory
    theme = agreed_text(items.get("theme")) or theme
    known = {"geography": territory, "theme": theme}
    premises = mentions_premises(
        [agreed_text(items.get(item_id)) or "" for item_id in PREMISES_ITEMS]
        + [theme or "", *(a.what for a in actions)]
    )
    unproposed = set()
    if not premises:
        unproposed.add("insurance")
    # A clause that names the competent court binds in principle only merchants.
    if not (ours.is_company and partner.is_company):
        unproposed.add("signature_place")
    articles = []
    for article in checklist.articles:
        clauses = tuple(
            clause
            for item in checklist.items
            if item.article == article.id
            for clause in _clauses(
                item,
                _with_fields(items.get(item.id, {}), names, language),
                language,
                known=known.get(item.id),
                proposed=item.id not in unproposed,
            )
        )
        if clauses:
            articles.append(Article(article.id, article.title.in_(language), clauses))
    texts = [record.get("text") or "" for record in items.values()]
    personal = mentions_personal_data(texts + [theme or "", *(a.what for a in actions)])
    articles = _with_personal_data(checklist, articles, personal, language)
    objectives = tuple(_lines((items.get("objectives") or {}).get("text")))
    # The convention's actions, typed as the plan's rows or not, fill the plan until /suivi.
    actions = actions or actions_from_text((items.get("actions") or {}).get("text"))
    return ConventionDraft(
        language=language,
        title=title,
        ours=ours,
        partner=partner,
        territory=territory,
        theme=theme,
        objectives=objectives,
        articles=tuple(articles),
        signature_place=_place(checklist, items),
        lawyer_notes=lawyer_notes(articles, ours, partner),
        actions=actions,
        steering=_steering(steering or Steering()),
        frame=tuple(c for a in articles if a.article_id in FRAME_ARTICLES for c in a.clauses),
    )


def agreed_text(record: dict | None) -> str | None:
    """An item's agreed words, None when it is not agreed or nothing was written."""
    if not record or record.get("status") not in AGREED:
        return None
    text = (record.get("text") or "").strip()
    return text or None


def split_yes_no(text: str | None) -> tuple[str | None, str]:
    """A typed answer's leading yes or no, and the words after it: ("yes", "un médiateur")
    for "Oui, un médiateur"; (None, text) when it starts otherwise."""
    text = (text or "").strip()
    found = _YES_NO.match(text)
    if not found:
        return None, text
    return (YES if found.group("yes") else NO), text[found.end() :].strip()


def _clauses(
    item: ConventionItem,
    record: dict,
    language: str,
    *,
    known: str | None = None,
    proposed: bool = True,
) -> list[Clause]:
    """The item's clause in the draft; nothing when it does not apply. `known`: what an
    earlier step says when the item is not agreed (the partnership's territory); `proposed`:
    whether its standard wording may stand as our proposal."""
    status = record.get("status", MISSING)
    if status == NOT_APPLICABLE:
        return []
    title, hint = (item.clause or item.title).in_(language), item.question.in_(language)
    agreed = status in AGREED
    if item.answer == "yes_no":
        return _yes_no_clause(item, record, status, title, hint)
    if item.answer == "choice":
        return _choice_clause(item, record, status, title, hint, proposed=proposed)
    if item.answer == "place":
        # The place fills the standard wording (the court of the place of signature); the
        # place itself is written in the signature block in any case.
        if not proposed:
            return []
        return [Clause(item.id, title, None, status if agreed else MISSING, hint, item.standard)]
    text = agreed_text(record) if agreed else None
    if text:
        return [_typed_clause(item, text, status, title, hint)]
    if known:
        return [Clause(item.id, title, known, MISSING, hint)]
    if item.standard and proposed:
        return [Clause(item.id, title, None, MISSING, hint, item.standard)]
    return _placeholder_if_required(item, title, hint)


def _typed_clause(item: ConventionItem, text: str, status: str, title: str, hint: str) -> Clause:
    """The user's words as a clause: a leading "Oui"/"Yes" is not pasted into the draft; an
    item asked as "Is there…?" frames the words in its yes or no wording."""
    said, words = split_yes_no(text)
    framing = FRAMED_ANSWERS.get(item.id)
    if framing:
        return Clause(
            item.id, title, words or None, status, hint, wording=f"{framing}_{said or YES}"
        )
    if said != YES:
        return Clause(item.id, title, text, status, hint)
    if words:
        return Clause(item.id, title, words[0].upper() + words[1:], status, hint)
    # A bare "Oui": our standard wording, agreed; else the point is still to write.
    return Clause(item.id, title, None, status, hint, item.standard)


def _steering(steering: Steering) -> Steering:
    """The committee as the action plan states it: "Non" is no committee, "Oui : …" is a
    committee with those members."""
    said, words = split_yes_no(steering.committee)
    if said == NO:
        return replace(steering, committee=None, has_committee=False)
    if said == YES:
        return replace(steering, committee=words or None, has_committee=True)
    return steering


def _with_fields(record: dict, names: dict[str, str | None], language: str) -> dict:
    """An item answered in several fields (a referent per party) reads as one line each,
    named after its party."""
    fields = record.get("fields")
    if not fields or record.get("status") not in AGREED:
        return record
    colon = " : " if language == "fr" else ": "
    lines = [f"{names.get(key) or key}{colon}{value}" for key, value in fields.items() if value]
    return {**record, "text": "\n".join(lines) or None}


def _yes_no_clause(item: ConventionItem, record: dict, status: str, title: str, hint: str):
    """Agreed: the clause of the answer given (none for a plain no); not agreed yet: the
    standard clause as a proposal when the subject is required."""
    if status in AGREED:
        wording = item.standard if record.get("yes") else item.standard_no
        return [Clause(item.id, title, None, status, hint, wording)] if wording else []
    if item.required and item.standard and item.proposed:
        return [Clause(item.id, title, None, MISSING, hint, item.standard)]
    return _placeholder_if_required(item, title, hint)


def chosen_option(item: ConventionItem, record: dict | None) -> str | None:
    """The option an agreed choice item holds; None when not agreed or not one of its own."""
    if not record or record.get("status") not in AGREED:
        return None
    choice = record.get("choice")
    return choice if any(option.id == choice for option in item.options) else None


def _choice_clause(
    item: ConventionItem, record: dict, status: str, title: str, hint: str, *, proposed: bool
) -> list[Clause]:
    """Agreed: the wording of the option chosen (`<standard>_<option>`); not agreed yet, our
    standard wording as a proposal, else a placeholder."""
    choice = chosen_option(item, record)
    if choice is not None:
        return [Clause(item.id, title, None, status, hint, f"{item.standard}_{choice}")]
    if item.standard and item.proposed and proposed:
        return [Clause(item.id, title, None, MISSING, hint, item.standard)]
    return _placeholder_if_required(item, title, hint)


def _place(checklist: ConventionChecklist, items: dict[str, dict]) -> str | None:
    """Where the convention is signed (written above the signatures)."""
    for item in checklist.items:
        record = items.get(item.id) or {}
        if item.answer == "place" and record.get("status") in AGREED:
            return agreed_text(record)
    return None


def _placeholder_if_required(item: ConventionItem, title: str, hint: str) -> list[Clause]:
    """A required subject nobody agreed on shows as a placeholder; an optional one is left out."""
    return [Clause(item.id, title, None, MISSING, hint)] if item.required else []


def mentions_personal_data(texts: Iterable[str]) -> bool:
    """Whether what the users wrote speaks of personal data (contact lists, files...)."""
    words = " ".join(normalise(text) for text in texts)
    return any(word in words for word in PERSONAL_DATA_WORDS)


def mentions_premises(texts: Iterable[str]) -> bool:
    """Whether the actions involve the public or premises (homes, visits, events,
    volunteers): then liability and insurance should be settled."""
    return any(word in PREMISES_WORDS for text in texts for word in normalise(text).split())


def _with_personal_data(checklist, articles: list[Article], personal: bool, language: str):
    """Adds the personal-data article (our proposal) before the disputes article."""
    if not personal:
        return articles
    spec = checklist.personal_data
    clause = Clause(
        "personal_data", spec.title.in_(language), None, MISSING, standard="personal_data"
    )
    article = Article("personal_data", spec.title.in_(language), (clause,))
    before = next((i for i, a in enumerate(articles) if a.article_id == "disputes"), len(articles))
    return [*articles[:before], article, *articles[before:]]


def lawyer_notes(articles: list[Article], ours: Party, partner: Party) -> tuple[str, ...]:
    """The clauses a lawyer should check, by what the draft holds."""
    present = {c.item_id for a in articles for c in a.clauses}
    proposals = any(
        c.standard and not c.text and c.status != IN_PLACE for a in articles for c in a.clauses
    )
    # What the guide says of the place of signature, and our note on the law: with the
    # court clause between companies, or saying why there is none.
    notes = ["jurisdiction_clause" if "signature_place" in present else "jurisdiction"]
    notes += [key for key in ("vat", "non_compete", "personal_data", "insurance") if key in present]
    if "financial_means" in present:
        notes.append("tax_receipt")
    if proposals:
        notes.append("proposals")
    return tuple(notes)


# -- parties, actions, steering from typed text ---------------------------------------------


def party_from_text(name: str | None, text: str | None, kind: str | None = None) -> Party:
    """A party from its typed details: "legal form ; seat ; identifier ; representative", one
    part per line or after a semicolon; what is not given stays empty. `kind`: what kind of
    actor a step said it is, when one did."""
    parts = _parts(text)
    values = dict(zip(PARTY_FIELDS, parts + [None] * len(PARTY_FIELDS), strict=False))
    values = {key: _without_label(key, value) for key, value in values.items()}
    return Party(name=name, kind=kind, **values)


# The words people type before a detail that the party's block already writes ("représentée
# par Samira Benali" would read "représentée par représentée par...").
PARTY_LABELS = {
    "seat": re.compile(r"^(siège( social)?|registered office|head office)\s*[:：-]?\s*", re.I),
    "representative": re.compile(r"^(représenté(e)?( par)?|represented by)\s*[:：-]?\s*", re.I),
}


def _without_label(key: str, value: str | None) -> str | None:
    label = PARTY_LABELS.get(key)
    if value is None or label is None:
        return value
    return label.sub("", value, count=1).strip() or None


def chosen_kind(candidates: Iterable[dict[str, Any]]) -> str | None:
    """The chosen partner's kind as step 3 scored it ("general_interest" or "economic")."""
    return next((c.get("profile") or None for c in candidates if c.get("chosen")), None)


def actions_from_text(text: str | None) -> tuple[ActionRow, ...]:
    """Action rows typed one per line: "what ; who ; when ; means ; indicator"."""
    rows = []
    for line in _lines(text):
        parts = [p.strip() or None for p in line.split(";")]
        last = len(ACTION_FIELDS) - 1
        if len(parts) > len(ACTION_FIELDS):
            # More parts than columns: the rest stays, in the last column.
            parts = parts[:last] + ["; ".join(p for p in parts[last:] if p) or None]
        values = dict(zip(ACTION_FIELDS, parts + [None] * len(ACTION_FIELDS), strict=False))
        if values["what"]:
            rows.append(ActionRow(**values))
    return tuple(rows)


def _parts(text: str | None) -> list[str | None]:
    if not text or not text.strip():
        return []
    separator = ";" if ";" in text else "\n"
    return [part.strip() or None for part in text.split(separator)][: len(PARTY_FIELDS)]


def _lines(text: str | None) -> list[str]:
    return [line.strip(" •-\t") for line in (text or "").splitlines() if line.strip(" •-\t")]


def says_yes(record: dict | None) -> bool | None:
    """A yes/no item's agreed answer, None when not agreed yet."""
    if not record or record.get("status") not in AGREED:
        return None
    return bool(record.get("yes"))
