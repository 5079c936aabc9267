"""The evaluation report of a round: its chart (PNG), its Word file and its PDF."""

from __future__ import annotations

import io
import re
import warnings
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import docx
import yaml
from PIL import Image
from pypdf import PdfReader

from bot.documents.evaluation import (
    CHART_HEIGHT,
    CHART_WIDTH,
    OURS_COLOUR,
    PARTNER_COLOUR,
    TREND_STYLES,
    evaluation_chart,
    evaluation_docx,
    evaluation_pdf,
)
from bot.documents.pdf_fonts import FULL, fonts_for
from bot.documents.render import WORDING_DIR
from flows.evaluation import build_report
from knowledge.models import Questionnaire

SOURCE = {"seed": "001", "section": "Étape 7 – évaluer le partenariat"}
FRAME = {"fr": "1. Analyse du cadre", "en": "1. The framework"}
RESULTS = {"fr": "2. Analyse des résultats", "en": "2. The results"}
MEANS_PROMPT = "Les moyens engagés par chaque organisation sont-ils à la hauteur des objectifs ?"
NAMES = dict(
    partnership="Alliance pour l’emploi — Lyon 8e",
    ours="Association Les Œillets",
    partner="Boulangeries Martin SAS",
    round_date=date(2025, 3, 12),
)
# Ours: trust 4.5, means 4.0, steering 4.5; the partner: 2.0, 4.0, 3.0. Trust and steering are
# 1.5 points or more apart; both sides mostly vote to renew.
OURS = [
    {
        "trust": 5,
        "means": {"score": 4, "comment": "Des moyens à la hauteur"},
        "steering": 4,
        "lessons": "Une œuvre commune : 1 200 € bien employés",
        "decision": "renew",
    },
    {"trust": 4, "means": 4, "steering": 5, "decision": "renew"},
]
PARTNER = [
    {
        "trust": 2,
        "means": 4,
        "steering": 4,
        "lessons": "Des réunions « trop rares »",
        "decision": "renew",
    },
    {"trust": 3, "means": 5, "steering": 3, "decision": "renew"},
    {
        "trust": 1,
        "means": {"score": 3, "comment": "Trop peu de bénévoles"},
        "steering": 2,
        "decision": "modify",
    },
]
PREVIOUS = [{"trust": 3.5, "means": 3.0, "steering": 2.5}, {"trust": 3.2, "means": 3.5}]


def _rating(question_id: str, part: dict, label: str | None, prompt: str) -> dict:
    question = {
        "id": question_id,
        "kind": "rating",
        "part": part,
        "prompt": {"fr": prompt, "en": f"{prompt} (en)"},
        "source": SOURCE,
    }
    if label:
        question["label"] = {"fr": label, "en": f"{label} (en)"}
    return question


def _questionnaire(extra_ratings: int = 0) -> Questionnaire:
    """A full review in two parts: three ratings, a text, then the decision outside any part."""
    questions = [
        _rating("trust", FRAME, "Confiance", "Les deux organisations se font-elles confiance ?"),
        _rating("means", FRAME, None, MEANS_PROMPT),
        _rating("steering", RESULTS, "Pilotage", "Le pilotage fonctionne-t-il ?"),
        *(_rating(f"extra_{n}", RESULTS, f"Autre {n}", "Autre ?") for n in range(extra_ratings)),
        {
            "id": "lessons",
            "kind": "text",
            "part": RESULTS,
            "prompt": {"fr": "Qu’en retenez-vous ?", "en": "What do you learn from it?"},
            "source": SOURCE,
        },
        {
            "id": "decision",
            "kind": "single",
            "prompt": {"fr": "Et ensuite ?", "en": "What next?"},
            "source": SOURCE,
            "options": [
                {"id": choice, "label": {"fr": choice, "en": choice}}
                for choice in ("renew", "modify", "end")
            ],
        },
    ]
    title = {"fr": "Bilan complet", "en": "Full review"}
    return Questionnaire.model_validate(
        {"id": "review", "title": title, "source": SOURCE, "questions": questions}
    )


def _report(ours=OURS, partner=PARTNER, previous=(), extra_ratings: int = 0):
    answers = {"ours": ours, "partner": partner}
    invited = {"ours": 3, "partner": 3}
    return build_report(_questionnaire(extra_ratings), answers, invited=invited, previous=previous)


def _image(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    return image.convert("RGB")


def _pixels(image: Image.Image, colour: str) -> int:
    """How many pixels have exactly this colour (the middle of a bar or a line)."""
    rgb = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return next((count for count, value in image.getcolors(1 << 20) if value == rgb), 0)


def _open(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def _text(document) -> str:
    """Every paragraph, in the body and in the table cells."""
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def _styled(document, style: str) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name == style]


def _rows(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


# -- the chart ------------------------------------------------------------------------------


def test_the_chart_is_a_png_for_a_phone_with_both_organisations_bars():
    image = _image(evaluation_chart(_report(), **NAMES))
    assert image.size == (CHART_WIDTH, CHART_HEIGHT)
    assert len(image.getcolors(1 << 20)) > 50
    assert _pixels(image, OURS_COLOUR) > 5000 and _pixels(image, PARTNER_COLOUR) > 5000


def test_a_side_without_answers_has_no_bars_but_the_chart_still_draws():
    full = _image(evaluation_chart(_report(), **NAMES))
    missing = _image(evaluation_chart(_report(partner=[]), **NAMES))
    assert missing.size == (CHART_WIDTH, CHART_HEIGHT)
    # Only the legend's patch is left in the partner's colour: no bar drawn as a zero.
    assert _pixels(missing, PARTNER_COLOUR) < _pixels(full, PARTNER_COLOUR) / 10
    assert _pixels(missing, OURS_COLOUR) > 5000


def test_a_trend_adds_one_line_per_dimension_when_they_are_few():
    third_line = TREND_STYLES[2][0]
    without = _image(evaluation_chart(_report(), **NAMES))
    with_trend = _image(evaluation_chart(_report(previous=PREVIOUS), **NAMES))
    assert with_trend.size == (CHART_WIDTH, CHART_HEIGHT)
    assert _pixels(without, third_line) == 0 and _pixels(with_trend, third_line) > 100


def test_with_many_dimensions_the_trend_is_their_mean_in_one_line():
    extra = {f"extra_{n}": 3 for n in range(3)}
    previous = [{"trust": 3.0, "means": 3.0, "steering": 3.0} | extra]
    ours, partner = ([a | extra for a in side] for side in (OURS, PARTNER))
    report = _report(ours=ours, partner=partner, previous=previous, extra_ratings=3)
    many = _image(evaluation_chart(report, **NAMES))
    assert many.size == (CHART_WIDTH, CHART_HEIGHT)
    # Six dimensions followed: one line in the first colour, none in the others.
    assert _pixels(many, TREND_STYLES[2][0]) == 0


def test_a_report_without_ratings_still_gives_a_chart():
    image = _image(evaluation_chart(_report(ours=[], partner=[]), **NAMES))
    assert image.size == (CHART_WIDTH, CHART_HEIGHT)


def test_a_dollar_in_a_name_is_drawn_as_typed():
    names = NAMES | {"ours": "Fonds $1 et $2", "partnership": "Projet $x$"}
    assert _image(evaluation_chart(_report(), **names)).size == (CHART_WIDTH, CHART_HEIGHT)


def test_charts_drawn_in_worker_threads_are_the_same_as_one_drawn_alone():
    report = _report(previous=PREVIOUS)
    alone = evaluation_chart(report, **NAMES)
    with ThreadPoolExecutor(max_workers=4) as pool:
        drawn = list(pool.map(lambda _: evaluation_chart(report, **NAMES), range(4)))
    assert all(png == alone for png in drawn)


# -- the Word file --------------------------------------------------------------------------


def test_the_word_file_has_the_title_the_answers_and_the_analyses():
    document = _open(evaluation_docx(_report(), **NAMES))
    assert _styled(document, "Title") == ["Bilan d’évaluation du partenariat"]
    assert _styled(document, "Subtitle") == [NAMES["partnership"]]
    assert "Bilan complet, le 12 mars 2025" in _text(document)
    assert _styled(document, "Heading 1") == [
        "Qui a répondu",
        "Vue d’ensemble",
        "1. Analyse du cadre",
        "2. Analyse des résultats",
        "Décision",
    ]
    bullets = _styled(document, "List Bullet")
    assert "Association Les Œillets : 2 sur 3 ont répondu" in bullets
    assert "Boulangeries Martin SAS : 3 sur 3 ont répondu" in bullets
    header = document.sections[0].header.paragraphs[0].text
    assert header == "Bilan partagé – document de travail des deux organisations"


def test_each_dimension_is_a_row_with_both_averages_and_its_light():
    frame, *_ = _open(evaluation_docx(_report(), **NAMES)).tables
    assert _rows(frame) == [
        ["Dimension", NAMES["ours"], NAMES["partner"], "Feu (moyenne)"],
        ["Confiance — écart", "4,5", "2,0", "Orange (3,0)"],
        [MEANS_PROMPT, "4,0", "4,0", "Vert (4,0)"],
    ]


def test_diverging_dimensions_are_flagged_with_the_question_to_discuss():
    document = _open(evaluation_docx(_report(), **NAMES))
    assert _styled(document, "Heading 2").count("Points de vue différents, à discuter") == 2
    bullets = _styled(document, "List Bullet")
    trust = next(b for b in bullets if b.startswith("Confiance — "))
    assert "Association Les Œillets : 4,5, Boulangeries Martin SAS : 2,0" in trust
    assert "« Les deux organisations se font-elles confiance ? »" in trust
    assert not any(b.startswith(MEANS_PROMPT) and "à discuter" in b for b in bullets)


def test_comments_and_text_answers_stand_side_by_side():
    document = _open(evaluation_docx(_report(), **NAMES))
    bullets = _styled(document, "List Bullet")
    assert f"{MEANS_PROMPT} — Boulangeries Martin SAS : « Trop peu de bénévoles »" in bullets
    assert "Qu’en retenez-vous ?" in _styled(document, "Heading 2")
    said = next(t for t in document.tables if len(t.columns) == 2)
    assert _rows(said) == [
        [NAMES["ours"], NAMES["partner"]],
        ["Une œuvre commune : 1 200 € bien employés", "Des réunions « trop rares »"],
    ]


def test_the_decision_shows_each_sides_votes_and_the_agreed_outcome():
    document = _open(evaluation_docx(_report(), **NAMES))
    votes = document.tables[-1]
    assert _rows(votes) == [
        ["Organisation", "Renouveler", "Modifier", "Arrêter"],
        [NAMES["ours"], "2", "0", "0"],
        [NAMES["partner"], "2", "1", "0"],
    ]
    assert "Les deux organisations choisissent de renouveler le partenariat." in _text(document)


def test_the_words_that_introduce_a_table_stay_on_its_page():
    document = _open(evaluation_docx(_report(), **NAMES))
    body = list(document.element.body)
    votes = body.index(document.tables[-1]._tbl)
    intro = next(p for p in document.paragraphs if p._p is body[votes - 1])
    assert intro.text.startswith("Ce que les répondants")
    assert intro.paragraph_format.keep_with_next


def test_when_the_sides_choose_differently_they_decide_together():
    partner = [answers | {"decision": "end"} for answers in PARTNER]
    text = _text(_open(evaluation_docx(_report(partner=partner), **NAMES)))
    assert "n’ont pas fait le même choix : elles décident ensemble" in text
    no_votes = [{k: v for k, v in answers.items() if k != "decision"} for answers in OURS]
    text = _text(_open(evaluation_docx(_report(ours=no_votes, partner=[]), **NAMES)))
    assert "Personne n’a encore voté" in text


def test_a_side_without_answers_reads_no_answer_not_zero():
    frame, *_ = _open(evaluation_docx(_report(partner=[]), **NAMES)).tables
    assert _rows(frame)[1] == ["Confiance", "4,5", "sans réponse", "Vert (4,5)"]


def test_averages_are_rounded_half_up():
    ours = [{"trust": s} for s in (4, 5, 4, 4)]  # 4.25
    frame, *_ = _open(evaluation_docx(_report(ours=ours, partner=[]), **NAMES)).tables
    assert _rows(frame)[1][1] == "4,3"


def test_the_chart_is_in_the_word_file_with_the_thresholds():
    chart = evaluation_chart(_report(), **NAMES)
    document = _open(evaluation_docx(_report(), chart=chart, **NAMES))
    (shape,) = document.inline_shapes
    blip = shape._inline.graphic.graphicData.pic.blipFill.blip
    image = document.part.related_parts[blip.embed]
    assert image.content_type == "image/png" and image.blob == chart
    notes = _styled(document, "Draft Notice")
    assert any(
        n.startswith("Vert à partir de 4, orange de 3 à 4, rouge en dessous de 3") for n in notes
    )
    assert any("un écart de 1,5 point ou plus" in n and "nos seuils" in n for n in notes)


def test_the_word_file_draws_its_chart_when_none_is_given():
    assert len(_open(evaluation_docx(_report(previous=PREVIOUS), **NAMES)).inline_shapes) == 1


# -- the PDF --------------------------------------------------------------------------------


def _page_count(data: bytes) -> int:
    """The page tree's count, checked against the page objects themselves."""
    declared = int(re.search(rb"/Count (\d+)", data).group(1))
    assert len(re.findall(rb"/Type /Page\b", data)) == declared
    return declared


def test_the_pdf_is_a4_pages_with_the_dejavu_fonts_embedded():
    data = evaluation_pdf(_report(previous=PREVIOUS), **NAMES)
    assert data.startswith(b"%PDF-")
    assert _page_count(data) >= 1
    assert b"DejaVuSans" in data and b"/FontFile2" in data
    assert b"/MediaBox [0 0 595.28 841.89]" in data
    assert b"/Subtype /Image" in data  # the chart


def test_a_longer_report_takes_more_pages():
    short = evaluation_pdf(_report(), **NAMES)
    comments = [a | {"lessons": "Une longue leçon, apprise ensemble. " * 40} for a in OURS * 4]
    long = evaluation_pdf(_report(ours=comments), **NAMES)
    assert _page_count(long) > _page_count(short)


def test_an_answer_longer_than_a_page_runs_onto_the_next():
    words = " ".join(f"mot{n}" for n in range(1500))
    lines = "\n".join(f"ligne {n}" for n in range(120))
    ours = [OURS[0] | {"lessons": words}, OURS[1] | {"lessons": lines}]
    assert _page_count(evaluation_pdf(_report(ours=ours), **NAMES)) >= 3
    said = next(
        t for t in _open(evaluation_docx(_report(ours=ours), **NAMES)).tables if len(t.columns) == 2
    )
    assert _rows(said)[1][0] == words


def test_the_pdf_text_has_the_french_accents_and_signs():
    data = evaluation_pdf(_report(), **NAMES)

    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for expected in ("Bilan d’évaluation", "Œillets", "œuvre", "1 200 €", "« trop rares »", "—"):
        assert expected in text
    assert f"Page 1 / {len(reader.pages)}" in text


def test_a_name_outside_the_latin_script_is_drawn_in_the_pdf():
    # Reports in Latin script use fonts cut down to it; any other character takes the full ones.
    names = NAMES | {"partner": "Фонд «Надежда»", "partnership": "Ελπίδα — Lyon"}
    reader = PdfReader(io.BytesIO(evaluation_pdf(_report(), **names)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Фонд «Надежда»" in text and "Ελπίδα — Lyon" in text and "Œillets" in text


def test_what_no_font_holds_is_replaced_visibly_not_left_blank():
    # An emoji and Chinese characters: DejaVu holds neither; each shows as a box.
    names = NAMES | {"partnership": "Jardins 🌱 partagés 中文"}
    reader = PdfReader(io.BytesIO(evaluation_pdf(_report(), **names)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Jardins □ partagés □□" in text
    # The chart's title too: matplotlib warns of each glyph it would leave blank.
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        evaluation_chart(_report(), **names)
    assert not [w for w in seen if "missing from font" in str(w.message)]


def test_latin_text_takes_the_cut_down_fonts_and_other_scripts_the_full_ones():
    latin = fonts_for("Œillets : 1 200 € — « vite » ≥ 1,5 ⚠ n° • ’")
    assert latin.covered is not None
    assert all(path.stat().st_size < 100_000 for path in latin.files.values())
    assert fonts_for("Œillets et Фонд") == FULL


# -- languages ------------------------------------------------------------------------------


def test_english_wording_and_numbers():
    report = _report(partner=[])
    document = _open(evaluation_docx(report, language="en", **NAMES))
    assert _styled(document, "Title") == ["Partnership evaluation report"]
    assert "Decision" in _styled(document, "Heading 1")
    frame, *_ = document.tables
    assert _rows(frame)[1] == ["Confiance (en)", "4.5", "no answer", "Green (4.5)"]
    assert "Full review, 12 March 2025" in _text(document)
    assert "Décision" not in _text(document) and "sans réponse" not in _text(document)
    assert evaluation_pdf(report, language="en", **NAMES).startswith(b"%PDF-")
    assert _image(evaluation_chart(report, language="en", **NAMES)).size == (1200, 900)


def test_a_partner_not_yet_named_gets_a_generic_name():
    names = NAMES | {"partner": None, "partnership": ""}
    document = _open(evaluation_docx(_report(), **names))
    assert _rows(document.tables[0])[0][2] == "L’organisation partenaire"
    assert _styled(document, "Subtitle") == []
    assert evaluation_pdf(_report(), **names).startswith(b"%PDF-")


def test_an_unknown_language_falls_back_to_french():
    document = _open(evaluation_docx(_report(), language="de", **NAMES))
    assert _styled(document, "Title") == ["Bilan d’évaluation du partenariat"]


def test_both_languages_have_the_same_wording_keys():
    fr, en = (
        yaml.safe_load((WORDING_DIR / f"evaluation_{lang}.yaml").read_text(encoding="utf-8"))
        for lang in ("fr", "en")
    )
    assert fr.keys() == en.keys()
    assert all(isinstance(value, str) and value for value in [*fr.values(), *en.values()])


def test_one_respondent_is_counted_in_the_singular():
    report = build_report(
        _questionnaire(0),
        {"ours": OURS[:1], "partner": PARTNER[:1]},
        invited={"ours": 1, "partner": 1},
    )
    bullets = _styled(_open(evaluation_docx(report, **NAMES)), "List Bullet")
    assert "Association Les Œillets : 1 sur 1 a répondu" in bullets
