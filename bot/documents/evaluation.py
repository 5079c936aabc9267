"""The evaluation report of a check-in round as a chart (PNG), a Word file and a PDF.

Pure functions, safe in worker threads: an `EvaluationReport`, the partnership's and the two
organisations' names, the round's date and a language in, bytes out. The content is decided once,
as blocks (headings, paragraphs, tables, the chart), then laid out twice: on the convention's
Word template, by style name only, and with fpdf2 in the same styles. Every word shown lives in
`wording/evaluation_<language>.yaml`. matplotlib is used through `Figure` only, never pyplot.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from io import BytesIO
from itertools import zip_longest

import matplotlib
from babel.dates import format_date
from babel.numbers import format_decimal
from docx.document import Document as DocxDocument
from docx.shared import Emu
from fpdf import FPDF, image_parsing
from fpdf.enums import CellBordersLayout, MethodReturnValue
from fpdf.fonts import FontFace
from fpdf.table import Table
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.legend_handler import HandlerBase
from matplotlib.lines import Line2D
from matplotlib.text import Text
from PIL import Image

from bot.documents.pdf_fonts import FontSet, fonts_for, printable
from bot.documents.render import (
    DEFAULT_LANGUAGE,
    STRONG,
    Wording,
    _keep_on_one_page,
    _new_document,
    _save,
    _wording,
)
from flows.evaluation import (
    AMBER,
    DECISIONS,
    DIVERGENCE,
    GREEN,
    OURS,
    PARTNER,
    SIDES,
    DimensionResult,
    EvaluationReport,
    Section,
    TextAnswers,
)
from knowledge.models import LANGUAGES

# Glyphs drawn as designed, not snapped to the pixel grid: as readable at these sizes, and a
# tenth of the chart's time less. (matplotlib reads it when drawing; only this module draws.)
matplotlib.rcParams["text.hinting"] = "no_hinting"
# The chart: about a phone screen's width in pixels, with fonts large enough to read there.
CHART_WIDTH, CHART_HEIGHT, CHART_DPI = 1200, 900, 100
TITLE_SIZE, TEXT_SIZE, SMALL_SIZE = 24, 18, 15
BAR_HEIGHT = 0.38
# Longer names are cut at a word, so that the bars keep their room and the title one line.
LABEL_CHARS, NAME_CHARS, TITLE_CHARS = 28, 40, 50
# Okabe–Ito colours: told apart with the common colour-vision deficiencies.
OURS_COLOUR, PARTNER_COLOUR, DIVERGING_COLOUR = "#0072B2", "#E69F00", "#D55E00"
MUTED = "#555555"
# The traffic-light bands behind the bars, shaded lightly: (from, to, light, colour).
BANDS = (
    (1.0, AMBER, "red", "#D55E00"),
    (AMBER, GREEN, "amber", "#F0E442"),
    (GREEN, 5.0, "green", "#009E73"),
)
BAND_ALPHA = 0.16
DIVERGING_MARK = "⚠"
# One colour and marker per trend line; beyond that many lines, the mean of all is drawn.
TREND_STYLES = (("#0072B2", "o"), ("#D55E00", "s"), ("#009E73", "^"), ("#CC79A7", "D"))

# The Word file: paragraph styles of the template, which the PDF imitates.
BULLET = "List Bullet"
DIMENSION_WIDTHS = (37, 21, 21, 21)
TEXT_WIDTHS = (1, 1)
VOTE_WIDTHS = (34, 22, 22, 22)

# The PDF: matplotlib's DejaVu (see pdf_fonts), regular and bold: notes are grey, not italic.
FONT = "DejaVu"
NAVY, GREY, INK = (0x1F, 0x38, 0x64), (0x6E, 0x6E, 0x6E), (0x26, 0x26, 0x26)
# (size in pt, emphasis, colour) per style, after the Word template's.
PDF_STYLES = {
    "Title": (22, "B", NAVY),
    "Subtitle": (13, "", GREY),
    "Draft Notice": (9.5, "", GREY),
    "Heading 1": (14, "B", NAVY),
    "Heading 2": (12, "B", NAVY),
    "Header": (8.5, "", GREY),
    BULLET: (10.5, "", INK),
    None: (10.5, "", INK),
}
PDF_MARGIN = 25  # mm, as the template's 2.5 cm
# fpdf2 decodes the chart and compresses its pixels again: at zlib's default level that was a
# tenth of the PDF's time, for a file a few kilobytes smaller. (A setting of fpdf2's module.)
image_parsing.SETTINGS.compression_level = 1
TABLE_HEADINGS = FontFace(emphasis="BOLD", fill_color=(0xE4, 0xE9, 0xF2))
CELL_PADDING = 1.5  # mm
HEADING_SPACE, PARAGRAPH_SPACE = 3, 1.5  # mm above a heading, below a paragraph
# A part under a heading up to this tall (mm) is kept on one page; a longer one may break.
SHORT_PART = 70
# The tallest table row (mm), under the page's header and the table's repeated headings.
TALLEST_ROW = 200
# Fewer characters than this never fill a line of a text column: a cheap bound on height.
MIN_LINE_CHARS = 20
# A row too tall for a page goes on as rows of this many lines: little room lost at a break.
CHUNK_LINES = 4


@dataclass(frozen=True)
class _Context:
    """What every renderer needs besides the report: names, the date, the words."""

    partnership: str
    names: dict[str, str]  # side -> organisation name
    day: str
    language: str
    locale: str  # Babel's name of the wording's language tag: "fr_FR", "en_GB"
    w: Wording

    def number(self, value: float | None) -> str:
        """A score with one decimal, rounded half up, written the language's way ("3,5")."""
        if value is None:
            return self.w["no_answer"]
        rounded = Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        return format_decimal(rounded, format="0.0", locale=self.locale)

    def threshold(self, value: float) -> str:
        return format_decimal(value, format="0.#", locale=self.locale)


def evaluation_chart(
    report: EvaluationReport,
    *,
    partnership: str | None,
    ours: str | None,
    partner: str | None,
    round_date: date,
    language: str = DEFAULT_LANGUAGE,
) -> bytes:
    """Both organisations' averages per dimension, and their trend, as a PNG for a phone."""
    return _chart(report, _context(partnership, ours, partner, round_date, language))


def evaluation_docx(
    report: EvaluationReport,
    *,
    partnership: str | None,
    ours: str | None,
    partner: str | None,
    round_date: date,
    language: str = DEFAULT_LANGUAGE,
    chart: bytes | None = None,
) -> bytes:
    """The report as a Word file on the convention's template; `chart` when already drawn."""
    ctx = _context(partnership, ours, partner, round_date, language)
    doc = _new_document(ctx.w, ctx.w["report_title"], ctx.partnership)
    width = _text_width(doc)
    blocks = _blocks(report, ctx, chart or _chart(report, ctx))
    for block, following in zip_longest(blocks, blocks[1:]):
        _docx_block(doc, block, width)
        if isinstance(block, _Paragraph) and isinstance(following, _Table):
            # The words that introduce a table stay on its page (headings do by their style).
            doc.paragraphs[-1].paragraph_format.keep_with_next = True
    return _save(doc)


def evaluation_pdf(
    report: EvaluationReport,
    *,
    partnership: str | None,
    ours: str | None,
    partner: str | None,
    round_date: date,
    language: str = DEFAULT_LANGUAGE,
    chart: bytes | None = None,
) -> bytes:
    """The report as an A4 PDF, page numbers in the footer; `chart` when already drawn."""
    ctx = _context(partnership, ours, partner, round_date, language)
    blocks = [*_title_blocks(ctx), *_blocks(report, ctx, chart or _chart(report, ctx))]
    blocks = [_printable(block) for block in blocks]
    pdf = _ReportPdf(ctx.w, fonts_for(_all_text(blocks, ctx.w)))
    pdf.set_title(f"{ctx.w['report_title']} – {ctx.partnership}".strip(" –"))
    pdf.set_lang(ctx.w["language_tag"])
    pdf.add_page()
    for index, block in enumerate(blocks):
        if isinstance(block, _Heading):
            _keep_with_next(pdf, blocks[index:])
        _pdf_block(pdf, block)
    return bytes(pdf.output())


def _context(
    partnership: str | None, ours: str | None, partner: str | None, day: date, language: str
) -> _Context:
    """The names as shown (a generic one for a side not yet named), the date, the words."""
    language = language if language in LANGUAGES else DEFAULT_LANGUAGE
    w = _wording(language, "evaluation_")
    names = {
        OURS: (ours or "").strip() or w["ours_fallback"],
        PARTNER: (partner or "").strip() or w["partner_fallback"],
    }
    locale = w["language_tag"].replace("-", "_")
    when = format_date(day, format="long", locale=locale)
    return _Context((partnership or "").strip(), names, when, language, locale, w)


# -- the content, once for both documents ---------------------------------------------------


@dataclass(frozen=True)
class _Heading:
    text: str
    level: int


@dataclass(frozen=True)
class _Paragraph:
    text: str
    style: str | None = None  # a paragraph style of the template
    strong: bool = False


@dataclass(frozen=True)
class _Table:
    rows: tuple[tuple[str, ...], ...]  # the first row holds the column headings
    widths: tuple[int, ...]  # relative
    # Rows of free text may run onto the next page; other rows stay whole.
    breakable: bool = False


@dataclass(frozen=True)
class _Picture:
    png: bytes


_Block = _Heading | _Paragraph | _Table | _Picture


def _title_blocks(ctx: _Context) -> list[_Block]:
    """The title block the Word template's `_new_document` writes, for the PDF."""
    blocks: list[_Block] = [_Paragraph(ctx.w["report_title"], "Title")]
    if ctx.partnership:
        blocks.append(_Paragraph(ctx.partnership, "Subtitle"))
    return [*blocks, _Paragraph(ctx.w["draft_notice"], "Draft Notice")]


def _blocks(report: EvaluationReport, ctx: _Context, chart: bytes) -> list[_Block]:
    """The report in reading order: who answered, the chart, the four analyses, the decision."""
    w = ctx.w
    title = report.title.in_(ctx.language)
    blocks: list[_Block] = [
        _Paragraph(w["round_line"].format(title=title, date=ctx.day), strong=True),
        _Heading(w["answered_heading"], 1),
        *(_Paragraph(_answered(report, side, ctx), BULLET) for side in SIDES),
        _Heading(w["overview_heading"], 1),
        _Picture(chart),
        _Paragraph(_thresholds(ctx), "Draft Notice"),
    ]
    for section in report.sections:
        # Questions outside any part (the decision) make a part named after the questionnaire:
        # it has nothing to show when none of them is rated or answered in words.
        if section.dimensions or section.texts or section.title != report.title:
            blocks += _section_blocks(section, ctx)
    return blocks + _decision_blocks(report, ctx)


def _answered(report: EvaluationReport, side: str, ctx: _Context) -> str:
    answered, invited = report.answered.get(side, (0, 0))
    # "1 sur 1 a répondu", "2 sur 3 ont répondu": the verb agrees where the language needs it.
    one = answered <= 1 and "answered_line_one" in ctx.w
    line = ctx.w["answered_line_one" if one else "answered_line"]
    return line.format(organisation=ctx.names[side], answered=answered, invited=invited)


def _thresholds(ctx: _Context) -> str:
    """The thresholds in one line, from the flow's own constants so they cannot drift."""
    return ctx.w["thresholds"].format(
        green=ctx.threshold(GREEN), amber=ctx.threshold(AMBER), gap=ctx.threshold(DIVERGENCE)
    )


def _section_blocks(section: Section, ctx: _Context) -> list[_Block]:
    """One analysis: its ratings table, the gaps to discuss, the comments, the text answers."""
    w = ctx.w
    blocks: list[_Block] = [_Heading(section.title.in_(ctx.language), 1)]
    if section.dimensions:
        blocks.append(_dimension_table(section.dimensions, ctx))
    gaps = [_diverging(d, ctx) for d in section.dimensions if d.diverging]
    blocks += _listed(w["diverging_heading"], gaps)
    comments = [
        _comment(d, side, text, ctx) for d in section.dimensions for side, text in d.comments
    ]
    blocks += _listed(w["comments_heading"], comments)
    for answers in section.texts:
        blocks += [
            _Heading(answers.question.prompt.in_(ctx.language), 2),
            _side_by_side(answers, ctx),
        ]
    if not section.dimensions and not section.texts:
        blocks.append(_Paragraph(w["section_empty"]))
    return blocks


def _listed(heading: str, items: list[str]) -> list[_Block]:
    return [_Heading(heading, 2), *(_Paragraph(item, BULLET) for item in items)] if items else []


def _dimension_table(dimensions: tuple[DimensionResult, ...], ctx: _Context) -> _Table:
    """Dimension | ours | partner | light, a diverging dimension flagged in its name."""
    w = ctx.w
    head = (w["col_dimension"], ctx.names[OURS], ctx.names[PARTNER], w["col_light"])
    rows = tuple(
        (_flagged(d, ctx), ctx.number(d.ours), ctx.number(d.partner), _light(d, ctx))
        for d in dimensions
    )
    return _Table((head, *rows), DIMENSION_WIDTHS)


def _name(dimension: DimensionResult, ctx: _Context) -> str:
    """The dimension's short name, else its whole prompt: a document has room for it."""
    question = dimension.question
    return (question.label or question.prompt).in_(ctx.language)


def _flagged(dimension: DimensionResult, ctx: _Context) -> str:
    name = _name(dimension, ctx)
    return ctx.w["diverging_cell"].format(dimension=name) if dimension.diverging else name


def _light(dimension: DimensionResult, ctx: _Context) -> str:
    """The light in words, never by colour alone, with the average it comes from."""
    if dimension.light is None:
        return ctx.w["no_answer"]
    light = ctx.w[f"light_{dimension.light}"]
    return ctx.w["light_score"].format(light=light, score=ctx.number(dimension.overall))


def _diverging(dimension: DimensionResult, ctx: _Context) -> str:
    return ctx.w["diverging_item"].format(
        dimension=_name(dimension, ctx),
        ours=ctx.names[OURS],
        ours_score=ctx.number(dimension.ours),
        partner=ctx.names[PARTNER],
        partner_score=ctx.number(dimension.partner),
        question=dimension.question.prompt.in_(ctx.language),
    )


def _comment(dimension: DimensionResult, side: str, text: str, ctx: _Context) -> str:
    return ctx.w["comment_item"].format(
        dimension=_name(dimension, ctx), organisation=ctx.names[side], comment=text.strip()
    )


def _side_by_side(answers: TextAnswers, ctx: _Context) -> _Table:
    """What each organisation said, in two columns headed by its name, a row per answer."""
    said = [
        [text.strip() for s, text in answers.answers if s == side] or [ctx.w["no_answer"]]
        for side in SIDES
    ]
    rows = tuple(zip_longest(*said, fillvalue=""))
    return _Table(((ctx.names[OURS], ctx.names[PARTNER]), *rows), TEXT_WIDTHS, breakable=True)


def _decision_blocks(report: EvaluationReport, ctx: _Context) -> list[_Block]:
    """Each side's votes, then the decision both chose, or that they must decide together."""
    w = ctx.w
    if not report.votes:
        return [_Heading(w["decision_heading"], 1), _Paragraph(w["no_votes"], strong=True)]
    head = (w["col_organisation"], *(w[f"decision_{choice}"] for choice in DECISIONS))
    rows = tuple(
        (ctx.names[side], *(str(report.votes.get(side, {}).get(c, 0)) for c in DECISIONS))
        for side in SIDES
    )
    outcome = w[f"agreed_{report.decision}"] if report.decision else w["decision_split"]
    return [
        _Heading(w["decision_heading"], 1),
        _Paragraph(w["votes_intro"]),
        _Table((head, *rows), VOTE_WIDTHS),
        _Paragraph(outcome, strong=True),
    ]


# -- the Word file ----------------------------------------------------------------------------


def _text_width(doc: DocxDocument) -> Emu:
    section = doc.sections[-1]
    return Emu(section.page_width - section.left_margin - section.right_margin)


def _docx_block(doc: DocxDocument, block: _Block, width: Emu) -> None:
    """One block on the template, by style name only."""
    match block:
        case _Heading(text=text, level=level):
            doc.add_heading(text, level=level)
        case _Paragraph(text=text, style=style, strong=strong):
            doc.add_paragraph(style=style).add_run(text, STRONG if strong else None)
        case _Table():
            _docx_table(doc, block, width)
        case _Picture(png=png):
            doc.add_picture(BytesIO(png), width=width)


def _docx_table(doc: DocxDocument, block: _Table, width: Emu) -> None:
    """A grid with its headings in bold; a line break in a cell starts a new paragraph."""
    table = doc.add_table(rows=0, cols=len(block.widths))
    table.style = "Table Grid"
    total = sum(block.widths)
    widths = [Emu(width * share // total) for share in block.widths]
    # LibreOffice reads the grid's widths, Word each cell's: set both.
    for column, column_width in zip(table.columns, widths, strict=True):
        column.width = column_width
    for index, values in enumerate(block.rows):
        row = table.add_row()
        for cell, value, cell_width in zip(row.cells, values, widths, strict=True):
            cell.width = cell_width
            first, *rest = value.split("\n")
            cell.paragraphs[0].add_run(first, STRONG if index == 0 else None)
            for line in rest:
                cell.add_paragraph(line)
        if not block.breakable:
            _keep_on_one_page(row)


# -- the PDF ----------------------------------------------------------------------------------


class _ReportPdf(FPDF):
    """A4 pages with the shared-review header on top and the page number at the bottom."""

    def __init__(self, wording: Wording, fonts: FontSet) -> None:
        super().__init__(format="A4")
        self.wording = wording
        # Heights measured to keep headings with what follows, by (text, style, width).
        self.heights: dict[tuple, float] = {}
        for emphasis, path in fonts.files.items():
            self.add_font(FONT, emphasis, path)
        self.set_margins(PDF_MARGIN, 20, PDF_MARGIN)
        self.set_auto_page_break(True, margin=20)

    def header(self) -> None:
        _use(self, "Header")
        self.cell(0, 5, self.wording["draft_header"], align="C", new_x="LMARGIN", new_y="NEXT")
        self.ln(6)

    def footer(self) -> None:
        self.set_y(-14)
        _use(self, "Header")
        # "{nb}" is fpdf2's alias, replaced by the page count once the document is complete.
        text = self.wording["page_number"].format(page=self.page_no(), pages="{nb}")
        self.cell(0, 5, text, align="C")


def _printable(block: _Block) -> _Block:
    """The block with what no font holds (emoji, other scripts) replaced visibly."""
    match block:
        case _Heading() | _Paragraph():
            return replace(block, text=printable(block.text))
        case _Table(rows=rows):
            return replace(block, rows=tuple(tuple(printable(c) for c in row) for row in rows))
    return block


def _all_text(blocks: list[_Block], w: Wording) -> str:
    """Every character the PDF will draw: the blocks, its header and footer."""
    texts = [w["draft_header"], w["page_number"], "•0123456789"]
    for block in blocks:
        match block:
            case _Heading(text=text) | _Paragraph(text=text):
                texts.append(text)
            case _Table(rows=rows):
                texts += (cell for row in rows for cell in row)
    return "".join(texts)


def _use(pdf: _ReportPdf, style: str | None, strong: bool = False) -> float:
    """Set the font of a template style; returns its line height in mm."""
    size, emphasis, colour = PDF_STYLES[style]
    pdf.set_font(FONT, "B" if strong else emphasis, size)
    pdf.set_text_color(*colour)
    return size * 0.3528 * 1.35  # pt to mm, with the leading of the Word template


def _pdf_block(pdf: _ReportPdf, block: _Block) -> None:
    match block:
        case _Heading(text=text, level=level):
            pdf.ln(HEADING_SPACE)
            _pdf_paragraph(pdf, text, f"Heading {level}")
        case _Paragraph(text=text, style=style, strong=strong):
            _pdf_paragraph(pdf, text, style, strong)
        case _Table():
            _pdf_table(pdf, block)
        case _Picture(png=png):
            _pdf_picture(pdf, png)


def _pdf_paragraph(pdf: _ReportPdf, text: str, style: str | None, strong: bool = False) -> None:
    height = _use(pdf, style, strong)
    if style == BULLET:
        pdf.cell(6, height, "•", align="C")
    # multi_cell wraps at the right margin and keeps every line under the first one.
    pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(PARAGRAPH_SPACE)


def _pdf_table(pdf: _ReportPdf, block: _Table) -> None:
    height = _use(pdf, None)
    with pdf.table(
        col_widths=block.widths,
        text_align="LEFT",
        v_align="TOP",
        line_height=height,
        padding=CELL_PADDING,
        headings_style=TABLE_HEADINGS,
    ) as table:
        for index, values in enumerate(block.rows):
            pieces = _fitting(pdf, values, block.widths) if block.breakable and index else [values]
            for number, piece in enumerate(pieces):
                _pdf_row(table, piece, first=number == 0, last=number == len(pieces) - 1)
    pdf.ln(3)


def _pdf_row(table: Table, values: tuple[str, ...], first: bool, last: bool) -> None:
    """A row, or a piece of a row cut in several: no line and no padding where pieces join."""
    if first and last:
        table.row(values)
        return
    edges = CellBordersLayout.LEFT | CellBordersLayout.RIGHT
    edges |= (CellBordersLayout.TOP if first else 0) | (CellBordersLayout.BOTTOM if last else 0)
    top, bottom = (CELL_PADDING if first else 0), (CELL_PADDING if last else 0)
    row = table.row()
    for text in values:
        row.cell(text, border=edges, padding=(top, CELL_PADDING, bottom, CELL_PADDING))


def _fitting(
    pdf: _ReportPdf, row: tuple[str, ...], widths: tuple[int, ...]
) -> list[tuple[str, ...]]:
    """A row of free text too tall for a page, cut into rows of a few lines each: fpdf2 will
    not break a row across pages, and moves a whole row to the next page when it must."""
    height = _use(pdf, None)
    longest = max(len(text) + MIN_LINE_CHARS * text.count("\n") for text in row)
    if longest < MIN_LINE_CHARS * TALLEST_ROW / height:
        return [row]
    if _row_height(pdf, row, widths, head=False) <= TALLEST_ROW:
        return [row]
    lines = [
        pdf.multi_cell(
            _cell_width(pdf, widths, i), height, text, dry_run=True, output=MethodReturnValue.LINES
        )
        for i, text in enumerate(row)
    ]
    count = max(len(cell) for cell in lines)
    return [
        tuple("\n".join(cell[start : start + CHUNK_LINES]) for cell in lines)
        for start in range(0, count, CHUNK_LINES)
    ]


def _pdf_picture(pdf: _ReportPdf, png: bytes) -> None:
    if pdf.will_page_break(_picture_height(pdf)):
        pdf.add_page()
    pdf.image(BytesIO(png), w=pdf.epw, h=_picture_height(pdf))
    pdf.ln(2)


def _picture_height(pdf: _ReportPdf) -> float:
    return pdf.epw * CHART_HEIGHT / CHART_WIDTH


def _keep_with_next(pdf: _ReportPdf, blocks: list[_Block]) -> None:
    """Start a new page rather than leave a heading alone at the bottom of one, or split a
    short part such as the decision."""
    if pdf.will_page_break(_part_height(pdf, blocks)):
        pdf.add_page()


def _part_height(pdf: _ReportPdf, blocks: list[_Block]) -> float:
    """The height of the part a heading opens when it is short, else of its opening lines."""
    heading, height = blocks[0], 0.0
    for block in blocks:
        if block is not heading and isinstance(block, _Heading) and block.level <= heading.level:
            break
        # A table is measured row by row: past SHORT_PART, the rest need not be laid out.
        parts = (
            (_row_height(pdf, row, block.widths, i == 0) for i, row in enumerate(block.rows))
            if isinstance(block, _Table)
            else (_height(pdf, block),)
        )
        for part in parts:
            height += part
            if height > SHORT_PART:
                return _opening_height(pdf, blocks)
    return height


def _opening_height(pdf: _ReportPdf, blocks: list[_Block]) -> float:
    """How tall the headings in a row are, with the first lines of what follows them."""
    height = 0.0
    for block in blocks:
        height += _height(pdf, block, rows=2)
        if not isinstance(block, _Heading):
            break
    return height


def _height(pdf: _ReportPdf, block: _Block, rows: int | None = None) -> float:
    """How tall a block will be, or a table's first `rows`, spacing included."""
    match block:
        case _Heading(text=text, level=level):
            return HEADING_SPACE + _text_height(pdf, text, f"Heading {level}") + PARAGRAPH_SPACE
        case _Paragraph(text=text, style=style, strong=strong):
            return _text_height(pdf, text, style, strong) + PARAGRAPH_SPACE
        case _Table(rows=all_rows, widths=widths):
            shown = all_rows[:rows]
            return sum(_row_height(pdf, row, widths, i == 0) for i, row in enumerate(shown))
        case _Picture():
            return _picture_height(pdf)
    return 0.0


def _text_height(
    pdf: _ReportPdf, text: str, style: str | None, strong: bool = False, width: float = 0
) -> float:
    """Measured once per document: a part's blocks are measured again for each heading."""
    key = (text, style, strong, width)
    if key not in pdf.heights:
        line = _use(pdf, style, strong)
        output = MethodReturnValue.HEIGHT
        pdf.heights[key] = pdf.multi_cell(width, line, text, dry_run=True, output=output)
    return pdf.heights[key]


def _row_height(
    pdf: _ReportPdf, row: tuple[str, ...], widths: tuple[int, ...], head: bool
) -> float:
    cells = (
        _text_height(pdf, text, None, head, _cell_width(pdf, widths, index))
        for index, text in enumerate(row)
    )
    return max(cells) + 2 * CELL_PADDING


def _cell_width(pdf: _ReportPdf, widths: tuple[int, ...], index: int) -> float:
    """The width of a column's text, inside its padding."""
    return pdf.epw * widths[index] / sum(widths) - 2 * CELL_PADDING


# -- the chart --------------------------------------------------------------------------------


def _chart(report: EvaluationReport, ctx: _Context) -> bytes:
    """Draw on a figure of its own: pyplot's shared state is not safe in worker threads."""
    trend = _trend_lines(report.dimensions, ctx)
    figure = Figure(
        figsize=(CHART_WIDTH / CHART_DPI, CHART_HEIGHT / CHART_DPI),
        dpi=CHART_DPI,
        layout="constrained",
    )
    canvas = FigureCanvasAgg(figure)
    axes = figure.subplots(2, 1, height_ratios=(3, 2)) if trend else (figure.subplots(),)
    figure.suptitle(_plain(_title(ctx)), fontsize=TITLE_SIZE, fontweight="bold")
    _draw_scores(axes[0], report.dimensions, ctx)
    if trend:
        _draw_trend(axes[1], trend, ctx)
    return _png(figure, canvas)


def _png(figure: Figure, canvas: FigureCanvasAgg) -> bytes:
    """Lay out and draw once (savefig would draw twice), then keep 256 colours, opaque."""
    figure.get_layout_engine().execute(figure)
    figure.set_layout_engine("none")
    canvas.draw()
    image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba())
    # A chart of flat colours looks the same in 256 (its anti-aliased edges included): the
    # file is 2.5 times smaller, so quicker to upload, and a PDF embeds it 3 times faster.
    # Light compression: at zlib's default level, encoding took a sixth of the chart's time.
    paletted = image.convert("RGB").quantize(colors=256, method=Image.Quantize.FASTOCTREE)
    buffer = BytesIO()
    paletted.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def _title(ctx: _Context) -> str:
    """The partnership and the date on one line; the date on a second when the name is long."""
    if not ctx.partnership:
        return ctx.day
    title = f"{ctx.partnership} — {ctx.day}"
    if len(title) <= TITLE_CHARS:
        return title
    return f"{_shortened(ctx.partnership, TITLE_CHARS)}\n{ctx.day}"


def _plain(text: str) -> str:
    """Text as typed: a "$" in a name would otherwise start matplotlib's math mode; what
    DejaVu lacks (an emoji) shows as a box rather than a blank."""
    return printable(text).replace("$", r"\$")


def _short_name(dimension: DimensionResult, ctx: _Context) -> str:
    """The label, else the prompt, cut short for the chart."""
    question = dimension.question
    return _shortened((question.label or question.prompt).in_(ctx.language), LABEL_CHARS)


def _shortened(text: str, limit: int) -> str:
    """The text, or its beginning up to the last whole word that fits, and "…"."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" ,;:?!—-") + "…"


def _shade_bands(span) -> None:
    """The traffic-light bands, behind everything; `span` is axvspan or axhspan."""
    for low, high, _, colour in BANDS:
        span(low, high, color=colour, alpha=BAND_ALPHA, linewidth=0, zorder=0)


def _draw_scores(ax: Axes, dimensions: tuple[DimensionResult, ...], ctx: _Context) -> None:
    """Horizontal bars, ours above the partner's, the first dimension on top."""
    if not dimensions:
        ax.set_axis_off()
        ax.text(0.5, 0.5, ctx.w["chart_empty"], ha="center", fontsize=TEXT_SIZE)
        return
    _shade_bands(ax.axvspan)
    rows = range(len(dimensions))
    unrated = [d.ours is None and d.partner is None for d in dimensions]
    # Both sides at the same score: one value between their bars, where two would overlap
    # once many dimensions share the height with the trend.
    same = [d.ours is not None and ctx.number(d.ours) == ctx.number(d.partner) for d in dimensions]
    for side, offset, colour in ((OURS, -1, OURS_COLOUR), (PARTNER, 1, PARTNER_COLOUR)):
        places = [row + offset * BAR_HEIGHT / 2 for row in rows]
        scores = [getattr(d, side) for d in dimensions]
        name = _shortened(ctx.names[side], NAME_CHARS)
        _draw_side(ax, places, scores, colour, name, ctx, unrated, same)
    for row in (row for row in rows if unrated[row]):
        _no_answer(ax, row, ctx)
    for row in (row for row in rows if same[row]):
        score = dimensions[row].ours
        ax.text(score + 0.04, row, ctx.number(score), va="center", fontsize=SMALL_SIZE)
    names = [_tick_name(d, ctx) for d in dimensions]
    ax.set_yticks(list(rows), labels=names, fontsize=TEXT_SIZE)
    for tick, dimension in zip(ax.get_yticklabels(), dimensions, strict=True):
        if dimension.diverging:
            tick.set_color(DIVERGING_COLOUR)
            tick.set_fontweight("bold")
    ax.invert_yaxis()
    _score_axis(ax, ctx)
    _scores_legend(ax, any(d.diverging for d in dimensions), ctx)


def _tick_name(dimension: DimensionResult, ctx: _Context) -> str:
    name = _plain(_short_name(dimension, ctx))
    return f"{DIVERGING_MARK} {name}" if dimension.diverging else name


def _draw_side(
    ax: Axes,
    places,
    scores,
    colour: str,
    name: str,
    ctx: _Context,
    unrated: list[bool],
    same: list[bool],
) -> None:
    """One organisation's bars from 1, each with its value unless both sides share it; a
    dimension it did not rate says so, never a zero (once for both when neither rated it)."""
    widths = [score - 1 if score is not None else 0 for score in scores]
    ax.barh(places, widths, left=1, height=BAR_HEIGHT, color=colour, label=_plain(name))
    for place, score, quiet, shared in zip(places, scores, unrated, same, strict=True):
        if score is None and not quiet:
            _no_answer(ax, place, ctx)
        elif score is not None and not shared:
            ax.text(score + 0.04, place, ctx.number(score), va="center", fontsize=SMALL_SIZE)


def _no_answer(ax: Axes, place: float, ctx: _Context) -> None:
    style = dict(va="center", fontsize=SMALL_SIZE, color=MUTED, style="italic")
    ax.text(1.05, place, ctx.w["no_answer"], **style)


def _score_axis(ax: Axes, ctx: _Context) -> None:
    """1 to 5, room on the right for the values, each band named under its numbers."""
    ax.set_xlim(1, 5.42)
    ax.set_xticks([1, 2, 3, 4, 5])
    ax.tick_params(axis="both", which="major", labelsize=SMALL_SIZE)
    # The red band's middle, 2, is also a major tick: keep both labels.
    ax.xaxis.remove_overlapping_locs = False
    middles = [(low + high) / 2 for low, high, _, _ in BANDS]
    names = [ctx.w[f"chart_band_{light}"] for _, _, light, _ in BANDS]
    ax.set_xticks(middles, labels=names, minor=True)
    ax.tick_params(
        axis="x",
        which="minor",
        length=0,
        pad=SMALL_SIZE * 1.9,
        labelsize=SMALL_SIZE,
        labelcolor=MUTED,
    )
    ax.set_xlabel(ctx.w["chart_axis"], fontsize=SMALL_SIZE, color=MUTED)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _scores_legend(ax: Axes, diverging: bool, ctx: _Context) -> None:
    """The two organisations' names, and what the warning sign means when one shows."""
    handles, _ = ax.get_legend_handles_labels()
    if diverging:
        label = ctx.w["chart_diverging"].format(gap=ctx.threshold(DIVERGENCE))
        handles.append(Line2D([], [], label=label))
    ax.legend(
        handles=handles,
        handler_map={handles[-1]: _WarningKey()} if diverging else None,
        loc="lower left",
        bbox_to_anchor=(0, 1.01),
        ncols=2,
        fontsize=SMALL_SIZE,
        frameon=False,
        borderaxespad=0,
    )


# A math-text marker ("$⚠$") would draw it too, but not the same way in every thread.
class _WarningKey(HandlerBase):
    """The legend's key for diverging dimensions: the warning sign the labels carry."""

    def create_artists(self, legend, handle, xdescent, ydescent, width, height, fontsize, trans):
        x, y = width / 2 - xdescent, height / 2 - ydescent
        sign = Text(x, y, DIVERGING_MARK, color=DIVERGING_COLOUR, fontsize=fontsize * 1.2)
        sign.set(ha="center", va="center", fontweight="bold", transform=trans)
        return [sign]


def _trend_lines(
    dimensions: tuple[DimensionResult, ...], ctx: _Context
) -> list[tuple[str, list[float | None]]]:
    """One line per dimension followed over two rounds or more, or their mean when there
    would be too many lines to read; none before a second round."""
    followed = [d for d in dimensions if sum(v is not None for v in d.trend) >= 2]
    if not followed:
        return []
    rounds = max(len(d.trend) for d in followed)
    # The last value is always this round's: align shorter trends on it.
    padded = [(None,) * (rounds - len(d.trend)) + d.trend for d in followed]
    if len(followed) <= len(TREND_STYLES):
        return [(_short_name(d, ctx), list(t)) for d, t in zip(followed, padded, strict=True)]
    means = [_mean([t[i] for t in padded]) for i in range(rounds)]
    return [(ctx.w["chart_trend_mean"], means)]


def _mean(values: list[float | None]) -> float | None:
    known = [value for value in values if value is not None]
    return sum(known) / len(known) if known else None


def _draw_trend(ax: Axes, lines: list[tuple[str, list[float | None]]], ctx: _Context) -> None:
    """The average across rounds, oldest first; a round without a score leaves a gap."""
    _shade_bands(ax.axhspan)
    rounds = len(lines[0][1])
    for (name, values), (colour, marker) in zip(lines, TREND_STYLES, strict=False):
        ys = [math.nan if value is None else value for value in values]
        ax.plot(
            range(rounds),
            ys,
            color=colour,
            marker=marker,
            linewidth=3,
            markersize=10,
            label=_plain(name),
        )
    if len(lines) == 1:
        _label_points(ax, lines[0][1], ctx)
    _trend_axis(ax, rounds, ctx)


def _label_points(ax: Axes, values: list[float | None], ctx: _Context) -> None:
    """A single line has room for its values above its points."""
    for x, value in enumerate(values):
        if value is not None:
            ax.annotate(
                ctx.number(value),
                (x, value),
                xytext=(0, 10),
                textcoords="offset points",
                ha="center",
                fontsize=SMALL_SIZE,
            )


def _trend_axis(ax: Axes, rounds: int, ctx: _Context) -> None:
    """Earlier rounds numbered, this one named; the legend above, where no line runs."""
    labels = [ctx.w["trend_round"].format(n=n) for n in range(1, rounds)] + [ctx.w["trend_now"]]
    ax.set_xticks(range(rounds), labels=labels)
    ax.set_xlim(-0.3, rounds - 0.7)
    ax.set_ylim(1, 5.3)
    ax.set_yticks([1, 2, 3, 4, 5])
    ax.tick_params(axis="both", labelsize=SMALL_SIZE)
    ax.legend(
        title=ctx.w["chart_trend_title"],
        title_fontsize=TEXT_SIZE,
        alignment="left",
        loc="lower left",
        bbox_to_anchor=(0, 1.01),
        ncols=2,
        fontsize=SMALL_SIZE,
        frameon=False,
        borderaxespad=0,
    )
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
