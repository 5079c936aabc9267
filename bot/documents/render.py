"""The draft convention and its operational action plan, laid out on the styled template.

Pure functions: a `ConventionDraft` in, the bytes of a .docx out. The look (A4 page, fonts,
the draft header, page numbers) lives in `template.docx`; every word shown lives in
`wording/<language>.yaml`. Code only names styles; python-docx writes plain text, so nothing
is escaped; missing items become visible placeholders (bold, highlighted in yellow).
"""

from __future__ import annotations

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

from flows.convention import (
    IN_PLACE,
    PARTIAL,
    ActionRow,
    Clause,
    ConventionDraft,
    Party,
    actions_from_text,
)
from knowledge.loader import load_glossary

TEMPLATE = Path(__file__).with_name("template.docx")
WORDING_DIR = Path(__file__).with_name("wording")
DEFAULT_LANGUAGE = "fr"
# The header paragraph of the template that receives the language's draft wording.
HEADER_PLACEHOLDER = "{draft_header}"
# Character style for labels and names; the template decides what it looks like.
STRONG = "Strong"
ACTION_COLUMNS = ("col_action", "col_lead", "col_calendar", "col_means", "col_indicator")
PLACEHOLDER_ACTIONS = 3

Wording = dict[str, str]
# Wording that names a term of the method comes from knowledge/data/glossary.yaml, so the
# documents name it as the bot and the cards do.
GLOSSARY_WORDING = {
    "convention_title": "convention de partenariat",
    "plan_title": "plan d’action opérationnel",
    "committee_title": "comité de pilotage",
    "referent_title": "référent",
    "decision_renew": "renouveler",
    "decision_modify": "modifier",
    "decision_end": "arrêter",
}


@cache
def _wording(language: str, document: str = "") -> Wording:
    """The wording of a document (`evaluation_` for the evaluation report) in a language
    (French when there is no file for it), with its titles that are glossary terms."""
    path = WORDING_DIR / f"{document}{language}.yaml"
    if not path.exists():
        language = DEFAULT_LANGUAGE
        path = WORDING_DIR / f"{document}{language}.yaml"
    glossary = load_glossary()
    terms = {key: glossary.heading(term, language) for key, term in GLOSSARY_WORDING.items()}
    return {**yaml.safe_load(path.read_text(encoding="utf-8")), **terms}


@cache
def _template() -> bytes:
    """The styled template, read once; each document opens its own copy."""
    return TEMPLATE.read_bytes()


def build_convention(draft: ConventionDraft) -> bytes:
    """The draft partnership agreement: a review note, the parties, the preamble, one
    numbered article per subject, the signatures of each party."""
    w = _wording(draft.language)
    doc = _new_document(w, w["convention_title"], draft.title)
    _review_note(doc, w, draft)
    _parties(doc, w, draft)
    _preamble(doc, w, draft)
    doc.add_heading(w["agreed_heading"], level=1)
    for number, article in enumerate(draft.articles, start=1):
        doc.add_heading(w["article"].format(number=number, title=article.title), level=2)
        alone = len(article.clauses) == 1
        for index, clause in enumerate(article.clauses, start=1):
            if not alone:
                title = w["clause"].format(number=number, index=index, title=clause.title)
                doc.add_heading(title, level=3)
            _clause(doc, w, draft, clause)
    _signatures(doc, w, draft)
    return _save(doc)


def build_action_plan(draft: ConventionDraft) -> bytes:
    """The draft operational action plan: parties, the convention's frame, objectives, the
    actions table, steering, monitoring and communication as /suivi set them."""
    w = _wording(draft.language)
    doc = _new_document(w, w["plan_title"], draft.title)
    doc.add_heading(w["plan_parties_heading"], level=1)
    for party in (draft.ours, draft.partner):
        _name_or_placeholder(doc.add_paragraph(style="List Bullet"), party, w)
    doc.add_heading(w["plan_frame_heading"], level=1)
    doc.add_paragraph(w["plan_frame_intro"])
    for clause in draft.frame:
        doc.add_paragraph().add_run(clause.title, STRONG)
        _clause(doc, w, draft, clause)
    doc.add_heading(w["plan_objectives_heading"], level=1)
    _objectives(doc, w, draft)
    doc.add_heading(w["plan_actions_heading"], level=1)
    doc.add_paragraph(w["plan_actions_intro"])
    _actions_table(doc, w, draft.actions)
    _steering(doc, w, draft)
    return _save(doc)


# -- the convention's parts -------------------------------------------------------------------


def _review_note(doc: DocxDocument, w: Wording, draft: ConventionDraft) -> None:
    """What a lawyer should check, ahead of everything (removed before signing)."""
    if not draft.lawyer_notes:
        return
    doc.add_heading(w["review_heading"], level=1)
    doc.add_paragraph(w["review_intro"])
    for key in draft.lawyer_notes:
        doc.add_paragraph(w[f"note_{key}"], style="List Bullet")


def _parties(doc: DocxDocument, w: Wording, draft: ConventionDraft) -> None:
    doc.add_heading(w["parties_heading"], level=1)
    _party_block(doc.add_paragraph(), w, draft.ours, w["party_one_suffix"])
    doc.add_paragraph(w["parties_and"])
    _party_block(doc.add_paragraph(), w, draft.partner, w["party_two_suffix"])
    doc.add_paragraph(w["parties_together"])


def _party_block(paragraph: Paragraph, w: Wording, party: Party, suffix: str) -> None:
    """ "Name, legal form, seat, number, represented by…": each missing part a placeholder;
    a legal form the name already says is not repeated."""
    values = {
        "name": party.name,
        "legal_form": party.legal_form,
        "seat": party.seat,
        "identifier": party.identifier,
        "representative": party.representative,
    }
    template = w["party_block_form_in_name" if party.form_in_name else "party_block"]
    for literal, key in _template_parts(template):
        if literal:
            paragraph.add_run(literal)
        if key is None:
            continue
        value = values[key]
        if value:
            paragraph.add_run(value, STRONG if key == "name" else None)
        elif key == "name":
            _placeholder(paragraph, _missing(w, *_titled(w, "partner")))
        else:
            _placeholder(paragraph, _missing(w, w[f"{key}_title"], w.get(f"{key}_hint", "")))
    paragraph.add_run(suffix)


def _template_parts(template: str) -> list[tuple[str, str | None]]:
    """ "a {x} b {y}" as [("a ", "x"), (" b ", "y")]: literal text, then a field."""
    parts = []
    for chunk in template.split("{"):
        if "}" in chunk:
            key, literal = chunk.split("}", 1)
            parts.append(("", key))
            parts.append((literal, None))
        else:
            parts.append((chunk, None))
    return parts


def _preamble(doc: DocxDocument, w: Wording, draft: ConventionDraft) -> None:
    doc.add_heading(w["preamble_heading"], level=1)
    doc.add_paragraph(w["preamble_text"])
    for key, value in (("theme", draft.theme), ("territory", draft.territory)):
        _field(doc, w[f"{key}_label"], value, _missing(w, *_titled(w, key)))
    doc.add_paragraph().add_run(w["objectives_label"], STRONG)
    _objectives(doc, w, draft)


def _clause(doc: DocxDocument, w: Wording, draft: ConventionDraft, clause: Clause) -> None:
    """The user's words, framed by their yes or no wording when they answered one; else the
    standard wording, marked as our proposal unless agreed; else a placeholder. Partly agreed
    points say so."""
    if clause.wording:
        doc.add_paragraph(_framed(w, clause))
    elif clause.text and clause.text.strip() and clause.item_id == "actions":
        for line in _action_lines(w, clause.text):
            doc.add_paragraph(line, style="List Bullet")
    elif clause.text and clause.text.strip():
        _paragraphs(doc, clause.text)
    elif clause.standard:
        if clause.status != IN_PLACE and clause.status != PARTIAL:
            _marker(doc.add_paragraph(), w["proposal_marker"])
        doc.add_paragraph(_standard(w, clause.standard, draft.signature_place))
    else:
        _placeholder(doc.add_paragraph(), _missing(w, clause.title, clause.hint))
    if clause.status == PARTIAL:
        doc.add_paragraph(w["partial_marker"], style="Draft Notice")


def _action_lines(w: Wording, text: str) -> list[str]:
    """Actions typed as the action plan's rows ("what ; lead ; when ; means ; indicator") read
    in the convention as sentences: the action, then each detail named."""
    lines = []
    for row in actions_from_text(text):
        details = [
            w["action_detail"].format(label=w[f"action_{key}_label"], value=value)
            for key, value in (
                ("lead", row.lead),
                ("when", row.when),
                ("means", row.means),
                ("indicator", row.indicator),
            )
            if value
        ]
        lines.append(row.what + (f" ({' ; '.join(details)})" if details else ""))
    return lines


def _framed(w: Wording, clause: Clause) -> str:
    """ "Oui : la présidente…" as "Un comité de pilotage est constitué. Il réunit : la
    présidente…": the user's words, one sentence, in the wording of their yes or no."""
    lines = [line.strip(" •-\t") for line in (clause.text or "").splitlines()]
    words = w["list_separator"].join(line for line in lines if line)
    if not words:
        return w[f"{clause.wording}_alone_text"]
    if words[-1] not in ".!?…":
        words += "."
    return w[f"{clause.wording}_text"].format(text=words)


def _standard(w: Wording, key: str, place: str | None) -> str:
    """A standard clause; the one naming the place of signature when it is known."""
    if place and f"{key}_place_text" in w:
        return w[f"{key}_place_text"].format(place=place)
    return w[f"{key}_text"]


def _signatures(doc: DocxDocument, w: Wording, draft: ConventionDraft) -> None:
    """Where it is signed, then one block per party: who signs for it, and room to sign."""
    doc.add_heading(w["signatures_heading"], level=1)
    place = draft.signature_place or w["signed_at_unknown"]
    doc.add_paragraph(w["signed_at"].format(place=place), style="Signed At")
    table = doc.add_table(rows=1, cols=2)
    for cell, party in zip(table.rows[0].cells, (draft.ours, draft.partner), strict=True):
        name = party.name or w["partner_fallback"]
        cell.paragraphs[0].add_run(w["signature_for"].format(party=name), STRONG)
        signatory = cell.add_paragraph(style="Signatory")
        if party.representative:
            signatory.add_run(party.representative)
        else:
            _placeholder(
                signatory, _missing(w, w["representative_title"], w["representative_hint"])
            )
        cell.add_paragraph(w["signature_line"], style="Signature Line")
    _keep_on_one_page(table.rows[0])


# -- the action plan's parts ----------------------------------------------------------------


def _actions_table(doc: DocxDocument, w: Wording, actions: tuple[ActionRow, ...]) -> None:
    """A header row, then one row per action; a cell nobody filled in is a placeholder."""
    table = doc.add_table(rows=1, cols=len(ACTION_COLUMNS))
    table.style = "Table Grid"
    for cell, key in zip(table.rows[0].cells, ACTION_COLUMNS, strict=True):
        cell.paragraphs[0].add_run(w[key], STRONG)
    for action in actions or [None] * PLACEHOLDER_ACTIONS:
        cells = table.add_row().cells
        if action is None:
            _placeholder(cells[0], _missing(w, *_titled(w, "action")))
            values = [None] * (len(ACTION_COLUMNS) - 1)
        else:
            cells[0].paragraphs[0].add_run(action.what)
            values = [action.lead, action.when, action.means, action.indicator]
        for cell, value in zip(cells[1:], values, strict=True):
            if value:
                cell.paragraphs[0].add_run(value)
            else:
                _placeholder(cell, w["cell_placeholder"])
    for row in table.rows:
        _keep_on_one_page(row)


def _steering(doc: DocxDocument, w: Wording, draft: ConventionDraft) -> None:
    """Referents, committee and rhythm, monitoring tools, communication plan."""
    steering = draft.steering
    doc.add_heading(w["steering_heading"], level=1)
    referent = _missing(w, *_titled(w, "referent"))
    sides = ((draft.ours, steering.referent_ours), (draft.partner, steering.referent_partner))
    for party, name in sides:
        label = w["referent_label"].format(party=party.name or w["partner_fallback"])
        _field(doc, label, name, referent)
    if steering.has_committee is False:
        _field(doc, w["committee_label"], w["committee_none"], "")
    else:
        if steering.has_committee:
            doc.add_paragraph(w["committee_text"])
        _field(doc, w["committee_label"], steering.committee, _missing(w, *_titled(w, "committee")))
    frequency = w.get(f"frequency_{steering.frequency}") or w["frequency_default"]
    _field(doc, w["frequency_label"], frequency, "")
    doc.add_heading(w["reporting_heading"], level=1)
    tools = ", ".join(steering.tools) if steering.tools else None
    _field(doc, w["reporting_label"], tools, _missing(w, *_titled(w, "reporting")))
    doc.add_heading(w["plan_communication_heading"], level=1)
    _field(
        doc,
        w["plan_communication_label"],
        steering.communication,
        _missing(w, *_titled(w, "plan_communication")),
    )


# -- building blocks ------------------------------------------------------------------------


def _missing(w: Wording, title: str, hint: str = "") -> str:
    if hint.strip():
        return w["placeholder"].format(title=title, hint=hint.strip())
    return w["placeholder_short"].format(title=title)


def _titled(w: Wording, key: str) -> tuple[str, str]:
    """The placeholder title and hint stored under `<key>_title` and `<key>_hint`."""
    return w[f"{key}_title"], w[f"{key}_hint"]


def _name_or_placeholder(paragraph: Paragraph, party: Party, w: Wording) -> None:
    if party.name and party.name.strip():
        paragraph.add_run(party.name.strip(), STRONG)
    else:
        _placeholder(paragraph, _missing(w, *_titled(w, "partner")))


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


def _objectives(doc: DocxDocument, w: Wording, draft: ConventionDraft) -> None:
    objectives = [objective for objective in draft.objectives if objective.strip()]
    for objective in objectives:
        doc.add_paragraph(objective.strip(), style="List Bullet")
    if not objectives:
        _placeholder(doc.add_paragraph(style="List Bullet"), _missing(w, *_titled(w, "objectives")))


def _marker(paragraph: Paragraph, text: str) -> None:
    """Our proposal's mark: bold on turquoise, unlike a placeholder's yellow."""
    run = paragraph.add_run(text)
    run.bold = True
    run.font.highlight_color = WD_COLOR_INDEX.TURQUOISE


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


def _placeholder(paragraph: Paragraph | _Cell, text: str) -> None:
    """A bold, yellow-highlighted run the reader cannot miss."""
    if isinstance(paragraph, _Cell):
        paragraph = paragraph.paragraphs[0]
    run = paragraph.add_run(text)
    run.bold = True
    run.font.highlight_color = WD_COLOR_INDEX.YELLOW


def _keep_on_one_page(row: _Row) -> None:
    """Forbid a page break inside a table row."""
    # The template's table style says so too, but LibreOffice only reads it on the row.
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _save(doc: DocxDocument) -> bytes:
    buffer = BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
