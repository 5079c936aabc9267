"""The draft convention and its operational action plan, laid out on the styled template.

Pure functions: a `ConventionDraft` in, the bytes of a .docx out. The look (A4 page, fonts,
the draft header, page numbers) lives in `template.docx`; every word shown lives in
`wording/<language>.yaml`. Code only names styles; python-docx writes plain text, so nothing
is escaped; missing items become visible placeholders (bold, highlighted in yellow).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from io import BytesIO
from pathlib import Path

import yaml
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.table import _Cell, _Row
from docx.text.paragraph import Paragraph

from flows.convention import NOT_APPLICABLE, Clause, ConventionDraft

TEMPLATE = Path(__file__).with_name("template.docx")
WORDING_DIR = Path(__file__).with_name("wording")
DEFAULT_LANGUAGE = "fr"
# The header paragraph of the template that receives the language's draft wording.
HEADER_PLACEHOLDER = "{draft_header}"
# Character style for labels and names; the template decides what it looks like.
STRONG = "Strong"
ACTION_COLUMNS = ("col_action", "col_lead", "col_calendar", "col_means", "col_indicator")
PLACEHOLDER_ACTIONS = 3
PLACEHOLDER_SIGNATORIES = 2
DISPUTE_STEPS = ("disputes_alert", "disputes_amicable", "disputes_court")

Wording = dict[str, str]


@cache
def _wording(language: str) -> Wording:
    """The document wording for a language (French when there is no file for it)."""
    path = WORDING_DIR / f"{language}.yaml"
    if not path.exists():
        path = WORDING_DIR / f"{DEFAULT_LANGUAGE}.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@cache
def _template() -> bytes:
    """The styled template, read once; each document opens its own copy."""
    return TEMPLATE.read_bytes()


def build_convention(draft: ConventionDraft) -> bytes:
    """The draft partnership agreement: parties, preamble, numbered articles, signatures."""
    w = _wording(draft.language)
    doc = _new_document(w, w["convention_title"], draft.title)
    _parties(doc, w, draft)
    _preamble(doc, w, draft)
    doc.add_heading(w["agreed_heading"], level=1)
    for number, section in enumerate(draft.sections, start=1):
        _article(doc, w, number, section.title)
        for index, clause in enumerate(section.clauses, start=1):
            doc.add_heading(w["clause"].format(number=number, index=index, title=clause.title), 3)
            _clause_text(doc, w, clause)
        if not section.clauses:
            _placeholder(doc.add_paragraph(), _missing(w, section.title))
    for number, key in enumerate(_standard_articles(draft), start=len(draft.sections) + 1):
        _article(doc, w, number, w[f"{key}_title"])
        doc.add_paragraph(w[f"{key}_text"])
        if key == "disputes":
            for step in DISPUTE_STEPS:
                doc.add_paragraph(w[step], style="List Number")
    _signatures(doc, w, draft)
    return _save(doc)


def build_action_plan(draft: ConventionDraft) -> bytes:
    """The draft operational action plan: parties, objectives, actions table, steering."""
    w = _wording(draft.language)
    doc = _new_document(w, w["plan_title"], draft.title)
    doc.add_heading(w["plan_parties_heading"], level=1)
    doc.add_paragraph(draft.our_organisation, style="List Bullet")
    _value_or_placeholder(doc.add_paragraph(style="List Bullet"), draft.partner, w, "partner")
    _frame(doc, w, draft)
    doc.add_heading(w["plan_objectives_heading"], level=1)
    _objectives(doc, w, draft)
    doc.add_heading(w["plan_actions_heading"], level=1)
    doc.add_paragraph(w["plan_actions_intro"])
    _actions_table(doc, w, draft.actions)
    _steering(doc, w, draft)
    for key in ("reporting", "plan_communication"):
        doc.add_heading(w[f"{key}_heading"], level=1)
        doc.add_paragraph(w[f"{key}_text"])
        _field(doc, w[f"{key}_label"], None, _missing(w, *_titled(w, key)))
    return _save(doc)


# -- building blocks ------------------------------------------------------------------------


def _new_document(w: Wording, kind: str, name: str) -> DocxDocument:
    """The template with its header filled in and an empty body, then the title block."""
    doc = Document(BytesIO(_template()))
    _clear_body(doc)
    _fill_header(doc, w["draft_header"])
    properties = doc.core_properties
    properties.title = f"{kind} – {name}" if name else kind
    properties.language = w["language_tag"]
    # Word writes its user's name into a template it saves; never pass it on to a partner.
    properties.author = properties.last_modified_by = properties.comments = ""
    doc.add_heading(kind, level=0)
    if name:
        doc.add_paragraph(name, style="Subtitle")
    doc.add_paragraph(w["draft_notice"], style="Draft Notice")
    return doc


def _clear_body(doc: DocxDocument) -> None:
    """Empty the body, keeping its section properties (page size, header, footer)."""
    # Word always saves at least one paragraph, which would come before the title.
    body = doc.element.body
    for element in list(body):
        if element.tag != qn("w:sectPr"):
            body.remove(element)


def _fill_header(doc: DocxDocument, text: str) -> None:
    """Put the draft wording where the template's header holds its placeholder."""
    for section in doc.sections:
        # A linked header has no part of its own; reading it would add an empty one.
        if section.header.is_linked_to_previous:
            continue
        for paragraph in section.header.paragraphs:
            runs = [run for run in paragraph.runs if HEADER_PLACEHOLDER in run.text]
            for run in runs:
                run.text = run.text.replace(HEADER_PLACEHOLDER, text)
            # Word may split the placeholder across runs: rewrite the paragraph in its style.
            if not runs and HEADER_PLACEHOLDER in paragraph.text:
                paragraph.text = paragraph.text.replace(HEADER_PLACEHOLDER, text)


def _article(doc: DocxDocument, w: Wording, number: int, title: str) -> Paragraph:
    return doc.add_heading(w["article"].format(number=number, title=title), level=2)


def _placeholder(paragraph: Paragraph | _Cell, text: str) -> None:
    """A bold, yellow-highlighted run the reader cannot miss."""
    if isinstance(paragraph, _Cell):
        paragraph = paragraph.paragraphs[0]
    run = paragraph.add_run(text)
    run.bold = True
    run.font.highlight_color = WD_COLOR_INDEX.YELLOW


def _missing(w: Wording, title: str, hint: str = "") -> str:
    if hint.strip():
        return w["placeholder"].format(title=title, hint=hint.strip())
    return w["placeholder_short"].format(title=title)


def _titled(w: Wording, key: str) -> tuple[str, str]:
    """The placeholder title and hint stored under `<key>_title` and `<key>_hint`."""
    return w[f"{key}_title"], w[f"{key}_hint"]


def _value_or_placeholder(paragraph: Paragraph, value: str | None, w: Wording, key: str) -> None:
    if value and value.strip():
        paragraph.add_run(value.strip(), STRONG)
    else:
        _placeholder(paragraph, _missing(w, *_titled(w, key)))


def _field(doc: DocxDocument, label: str, value: str | None, placeholder: str) -> None:
    """`Label: value` on one line, the label bold; the placeholder when there is no value."""
    paragraph = doc.add_paragraph()
    paragraph.add_run(f"{label} ", STRONG)
    if value and value.strip():
        paragraph.add_run(value.strip())
    else:
        _placeholder(paragraph, placeholder)


def _paragraphs(doc: DocxDocument, text: str) -> None:
    """The user's words, one Word paragraph per non-empty line."""
    for line in text.splitlines():
        if line.strip():
            doc.add_paragraph(line.strip())


def _clause_text(doc: DocxDocument, w: Wording, clause: Clause) -> None:
    if clause.status == NOT_APPLICABLE:
        doc.add_paragraph(w["not_applicable"])
    elif clause.text and clause.text.strip():
        _paragraphs(doc, clause.text)
    else:
        _placeholder(doc.add_paragraph(), _missing(w, clause.title, clause.hint))


# The convention's sections that the action plan recalls, so it can be read on its own.
FRAME_SECTIONS = ("scope", "duration")


def _frame(doc: DocxDocument, w: Wording, draft: ConventionDraft) -> None:
    """The scope and the duration, renewal and termination terms of the convention."""
    doc.add_heading(w["plan_frame_heading"], level=1)
    doc.add_paragraph(w["plan_frame_intro"])
    for section in draft.sections:
        if section.section_id not in FRAME_SECTIONS:
            continue
        for clause in section.clauses:
            doc.add_paragraph().add_run(clause.title, STRONG)
            _clause_text(doc, w, clause)


def _parties(doc: DocxDocument, w: Wording, draft: ConventionDraft) -> None:
    doc.add_heading(w["parties_heading"], level=1)
    ours = doc.add_paragraph()
    ours.add_run(draft.our_organisation, STRONG)
    ours.add_run(w["party_one_suffix"])
    doc.add_paragraph(w["parties_and"])
    theirs = doc.add_paragraph()
    _value_or_placeholder(theirs, draft.partner, w, "partner")
    theirs.add_run(w["party_two_suffix"])
    doc.add_paragraph(w["parties_together"])


def _preamble(doc: DocxDocument, w: Wording, draft: ConventionDraft) -> None:
    doc.add_heading(w["preamble_heading"], level=1)
    doc.add_paragraph(w["preamble_text"])
    for key, value in (("theme", draft.theme), ("territory", draft.territory)):
        _field(doc, w[f"{key}_label"], value, _missing(w, *_titled(w, key)))
    doc.add_paragraph().add_run(w["objectives_label"], STRONG)
    _objectives(doc, w, draft)


def _objectives(doc: DocxDocument, w: Wording, draft: ConventionDraft) -> None:
    objectives = [objective for objective in draft.objectives if objective.strip()]
    for objective in objectives:
        doc.add_paragraph(objective.strip(), style="List Bullet")
    if not objectives:
        _placeholder(doc.add_paragraph(style="List Bullet"), _missing(w, *_titled(w, "objectives")))


def _steering(doc: DocxDocument, w: Wording, draft: ConventionDraft) -> None:
    """The steering committee, its rhythm, and one referent per party."""
    doc.add_heading(w["steering_heading"], level=1)
    doc.add_paragraph(w["steering_text"])
    doc.add_paragraph(w["steering_frequency"])
    _field(doc, w["steering_members_label"], None, _missing(w, *_titled(w, "steering_members")))
    referent = _missing(w, *_titled(w, "referent"))
    for party in (draft.our_organisation, draft.partner or w["partner_fallback"]):
        _field(doc, w["referent_label"].format(party=party), None, referent)


def _standard_articles(draft: ConventionDraft) -> Iterable[str]:
    """The wording keys of the articles every convention ends with, in order."""
    yield from ("renewal", "non_renewal", "termination")
    if draft.confidentiality:
        yield "confidentiality"
    if draft.non_compete:
        yield "non_compete"
    yield from ("communication", "disputes")


def _signatures(doc: DocxDocument, w: Wording, draft: ConventionDraft) -> None:
    doc.add_heading(w["signatures_heading"], level=1)
    doc.add_paragraph(w["signed_at"], style="Signed At")
    signatories = [name.strip() for name in draft.signatories if name.strip()]
    for name in signatories:
        doc.add_paragraph(style="Signatory").add_run(name, STRONG)
        doc.add_paragraph(w["signature_line"], style="Signature Line")
    for _ in range(0 if signatories else PLACEHOLDER_SIGNATORIES):
        _placeholder(doc.add_paragraph(style="Signatory"), _missing(w, *_titled(w, "signatory")))
        doc.add_paragraph(w["signature_line"], style="Signature Line")


def _actions_table(doc: DocxDocument, w: Wording, actions: tuple[str, ...]) -> None:
    """A header row, then one row per action; the cells nobody filled in are placeholders."""
    table = doc.add_table(rows=1, cols=len(ACTION_COLUMNS))
    table.style = "Table Grid"
    for cell, key in zip(table.rows[0].cells, ACTION_COLUMNS, strict=True):
        cell.paragraphs[0].add_run(w[key], STRONG)
    rows = [action.strip() for action in actions if action.strip()]
    for action in rows or [None] * PLACEHOLDER_ACTIONS:
        first, *others = table.add_row().cells
        if action:
            first.paragraphs[0].add_run(action)
        else:
            _placeholder(first, _missing(w, *_titled(w, "action")))
        for cell in others:
            _placeholder(cell, w["cell_placeholder"])
    for row in table.rows:
        _keep_on_one_page(row)


def _keep_on_one_page(row: _Row) -> None:
    """Forbid a page break inside a table row."""
    # The template's table style says so too, but LibreOffice only reads it on the row.
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _save(doc: DocxDocument) -> bytes:
    buffer = BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
