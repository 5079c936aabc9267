"""The Word documents built from a draft: the convention and the operational action plan."""

from __future__ import annotations

import io
import re

import docx
import pytest
from docx.enum.text import WD_COLOR_INDEX
from docx.oxml.ns import qn
from docx.shared import Cm

from bot.documents import build_action_plan, build_convention
from bot.documents.render import TEMPLATE, _fill_header, _wording
from flows.convention import ActionRow, ConventionDraft, Steering, build_draft, party_from_text
from knowledge.loader import load_convention_checklist

CHECKLIST = load_convention_checklist()
SCOPE_TEXT = "Le partenariat couvre le 8e arrondissement de Lyon & la R&D <pilote>."
TERMINATION_TEXT = "Chaque partie peut mettre fin à la convention avec un préavis de deux mois."
OURS = (
    "association loi 1901 ; 12 rue de la Paix, 69008 Lyon ; W691234567 ; Claire Durand, présidente"
)
THEIRS = "SAS ; 3 place Bellecour, 69002 Lyon ; 812 345 678 ; Marc Martin, gérant"


def _agreed(text: str, **extra) -> dict:
    return {"status": "in_place", "text": text, **extra}


def _answers(*, complete: bool) -> dict:
    """Every item agreed with a text (complete), or only a few (incomplete)."""
    if not complete:
        return {
            "geography": _agreed(SCOPE_TEXT),
            "termination": _agreed(TERMINATION_TEXT),
            "confidentiality": {"status": "missing"},
        }
    answers = {item.id: _agreed(f"Texte convenu : {item.id}.") for item in CHECKLIST.items}
    answers |= {
        "geography": _agreed(SCOPE_TEXT),
        "termination": _agreed(TERMINATION_TEXT),
        "objectives": _agreed("Accompagner 20 jeunes vers l'emploi\nCréer 5 postes"),
        "vat": {"status": "in_place", "yes": False},
        "confidentiality": {"status": "in_place", "yes": True},
        "non_compete": {"status": "in_place", "yes": False},
        "signature_place": _agreed("Lyon"),
        "referents": _agreed("", fields={"ours": "Claire", "partner": "Marc"}),
    }
    return answers


def _draft(*, complete: bool = True, language: str = "fr", answers=None, **changes):
    values = dict(
        language=language,
        title="Alliance pour l'emploi local",
        ours=party_from_text("Association Tremplin", OURS if complete else None),
        partner=party_from_text(
            "Boulangeries Martin SAS" if complete else None, THEIRS if complete else None
        ),
        territory="Lyon 8e" if complete else None,
        theme="Insertion professionnelle",
        steering=Steering(
            referent_ours="Claire",
            referent_partner="Marc",
            has_committee=False,
            frequency="quarterly",
            tools=("Tableau de bord",),
            communication="Une lettre par an",
        )
        if complete
        else None,
        actions=(
            ActionRow("Ateliers", "Claire", "janvier", "salle", "20 jeunes"),
            ActionRow("Stages en boulangerie"),
        )
        if complete
        else (),
    )
    values.update(changes)
    chosen = answers if answers is not None else _answers(complete=complete)
    return build_draft(CHECKLIST, chosen, **values)


def _open(data: bytes):
    return docx.Document(io.BytesIO(data))


def _paragraphs(document):
    yield from document.paragraphs
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs


def _text(document) -> str:
    return "\n".join(paragraph.text for paragraph in _paragraphs(document))


def _styled(document, style: str) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name == style]


def _highlighted(document, colour) -> list[str]:
    """The runs highlighted in that colour, in document order; each must also be bold."""
    runs = [run for p in _paragraphs(document) for run in p.runs]
    marked = [run for run in runs if run.font.highlight_color == colour]
    assert all(run.bold for run in marked)
    return [run.text for run in marked]


def _placeholders(document) -> list[str]:
    return _highlighted(document, WD_COLOR_INDEX.YELLOW)


def test_each_party_has_its_block_and_its_signature():
    document = _open(build_convention(_draft()))
    text = _text(document)
    assert _styled(document, "Title") == ["Convention de partenariat"]
    assert (
        "Association Tremplin, association loi 1901, dont le siège est situé 12 rue de la Paix, "
        "69008 Lyon, immatriculée sous le numéro W691234567, représentée par Claire Durand, "
        "présidente, d’une part," in text
    )
    assert "Boulangeries Martin SAS, SAS, dont le siège est situé 3 place Bellecour" in text
    assert "Fait à Lyon, le" in text
    (signatures,) = document.tables
    cells = [cell.text for cell in signatures.rows[0].cells]
    assert "Pour Association Tremplin" in cells[0] and "Claire Durand, présidente" in cells[0]
    assert "Pour Boulangeries Martin SAS" in cells[1] and "Marc Martin, gérant" in cells[1]


def test_articles_are_numbered_one_per_subject_in_the_checklist_order():
    document = _open(build_convention(_draft()))
    articles = _styled(document, "Heading 2")
    numbers = [int(re.match(r"Article (\d+) – ", title).group(1)) for title in articles]
    assert numbers == list(range(1, len(articles) + 1))
    titles = [title.split(" – ", 1)[1] for title in articles]
    assert titles == [
        "Objet et périmètre",
        "Objectifs et actions",
        "Moyens et engagements des parties",
        "Durée, renouvellement et fin",
        "Pilotage, mise en œuvre et évaluation",
        "Confidentialité",
        "Communication et usage des noms et logos",
        "Règlement des différends",
    ]
    clauses = _styled(document, "Heading 3")
    assert "1.1 Périmètre géographique" in clauses
    assert "3.2 Versement de la dotation" in clauses
    assert "8.3 Juridiction compétente" in clauses
    # Each subject once.
    assert len({c.split(" ", 1)[1] for c in clauses}) == len(clauses)


def test_a_complete_convention_has_no_placeholder_and_no_proposal():
    document = _open(build_convention(_draft()))
    assert _placeholders(document) == []
    assert _highlighted(document, WD_COLOR_INDEX.TURQUOISE) == []
    text = _text(document)
    assert "[À compléter" not in text and "Proposition d’Alliance" not in text
    assert SCOPE_TEXT in text and TERMINATION_TEXT in text
    assert "trente jours" not in text  # the standard termination gave way to the typed one


def test_missing_points_are_placeholders_or_our_proposals_and_optional_ones_are_left_out():
    document = _open(build_convention(_draft(complete=False)))
    placeholders = _placeholders(document)
    assert "[À compléter : Partenaire — dénomination de la structure partenaire]" in placeholders
    assert (
        "[À compléter : Bénéficiaires — Qui bénéficie de l’action (salariés, habitants, "
        "publics ciblés…) ?]" in placeholders
    )
    proposals = _highlighted(document, WD_COLOR_INDEX.TURQUOISE)
    # Renewal, non-renewal, confidentiality, communication, alert, amicable step, court.
    assert len(proposals) == 7
    text = _text(document)
    assert TERMINATION_TEXT in text and "trente jours" not in text
    assert "au moins trois mois" in text  # our non-renewal notice, marked as a proposal
    titles = " ".join(_styled(document, "Heading 3") + _styled(document, "Heading 2"))
    for optional in ("Moyens matériels", "Fin de projet", "Non-concurrence", "Comité"):
        assert optional not in titles


@pytest.mark.parametrize("confidentiality", [True, False])
@pytest.mark.parametrize("non_compete", [True, False])
def test_yes_or_no_points_bring_their_clause_or_none(confidentiality, non_compete):
    answers = _answers(complete=True) | {
        "confidentiality": {"status": "in_place", "yes": confidentiality},
        "non_compete": {"status": "in_place", "yes": non_compete},
    }
    document = _open(build_convention(_draft(answers=answers)))
    titles = [title.split(" – ", 1)[1] for title in _styled(document, "Heading 2")]
    assert ("Confidentialité" in titles) is confidentiality
    assert ("Non-concurrence" in titles) is non_compete
    text = _text(document)
    assert ("confidentielles" in text) is confidentiality
    assert ("concurrente" in text) is non_compete


def test_a_partly_agreed_point_is_marked_as_such():
    answers = _answers(complete=True) | {"calendar": {"status": "partial", "text": "Janvier"}}
    text = _text(_open(build_convention(_draft(answers=answers))))
    assert "Janvier\n(Point convenu en partie : à finaliser entre les parties.)" in text


def test_the_review_note_names_what_a_lawyer_should_check():
    document = _open(build_convention(_draft()))
    assert _styled(document, "Heading 1")[0] == "Note de relecture (à retirer avant signature)"
    notes = _styled(document, "List Bullet")
    assert any("juridiction compétente" in note for note in notes)
    assert any("TVA" in note for note in notes)


def test_the_action_plan_takes_the_actions_and_the_steering_as_given():
    draft = _draft()
    document = _open(build_action_plan(draft))
    assert _styled(document, "Title") == ["Plan d’action opérationnel"]
    (table,) = document.tables
    assert [cell.text for cell in table.rows[0].cells] == [
        "Action",
        "Pilote / référent",
        "Calendrier",
        "Moyens",
        "Indicateur",
    ]
    assert [cell.text for cell in table.rows[1].cells] == [
        "Ateliers",
        "Claire",
        "janvier",
        "salle",
        "20 jeunes",
    ]
    assert [cell.text for cell in table.rows[2].cells][1:] == ["[À compléter]"] * 4
    text = _text(document)
    for words in (
        "Référent pour Association Tremplin : Claire",
        "Pas de comité de pilotage",
        "une fois par trimestre",
        "Tableau de bord",
        "Une lettre par an",
    ):
        assert words in text
    assert SCOPE_TEXT in text and TERMINATION_TEXT in text  # the frame, recalled


def test_an_action_plan_without_actions_has_three_placeholder_rows():
    document = _open(build_action_plan(_draft(complete=False)))
    (table,) = document.tables
    assert len(table.rows) == 1 + 3
    action = "[À compléter : Action — action concrète menée ensemble]"
    assert _placeholders(document).count(action) == 3


def test_english_wording_when_the_draft_is_in_english():
    convention = _open(build_convention(_draft(complete=False, language="en")))
    assert _styled(convention, "Title") == ["Partnership agreement"]
    titles = [t.split(" – ", 1)[1] for t in _styled(convention, "Heading 2")]
    assert titles[0] == "Purpose and scope" and titles[-1] == "Dispute resolution"
    text = _text(convention)
    assert "[To be completed: Partner — " in text and "[Alliance's proposal" in text
    assert "À compléter" not in text and "Proposition" not in text
    plan = _open(build_action_plan(_draft(complete=False, language="en")))
    assert _styled(plan, "Title") == ["Operational action plan"]
    assert "quarterly at first" in _text(plan) or "once a quarter at first" in _text(plan)
    assert "À compléter" not in _text(plan)


def test_an_unknown_language_falls_back_to_french():
    draft = ConventionDraft(**{**_draft().__dict__, "language": "de"})
    assert _styled(_open(build_convention(draft)), "Title") == ["Convention de partenariat"]


def test_both_languages_have_the_same_wording_keys():
    assert _wording("fr").keys() == _wording("en").keys()
    assert all(isinstance(value, str) for value in _wording("fr").values())


BUILDERS = [build_convention, build_action_plan]


def _fields(part_element) -> list[str]:
    """The field codes of a header or footer, simple (`fldSimple`) or complex (`instrText`)."""
    simple = [field.get(qn("w:instr")) for field in part_element.iter(qn("w:fldSimple"))]
    complex_ = [instr.text for instr in part_element.iter(qn("w:instrText"))]
    return [code.split()[0] for code in simple + complex_ if code and code.split()]


@pytest.mark.parametrize("build", BUILDERS)
def test_pages_are_a4(build):
    (section,) = _open(build(_draft())).sections
    # A4 is 21 × 29.7 cm; Word stores it in twips, rounded.
    assert abs(section.page_width - Cm(21)) < Cm(0.05)
    assert abs(section.page_height - Cm(29.7)) < Cm(0.05)
    assert Cm(2) <= section.left_margin <= Cm(2.5) and Cm(2) <= section.right_margin <= Cm(2.5)


@pytest.mark.parametrize("build", BUILDERS)
@pytest.mark.parametrize(
    ("language", "header"),
    [
        ("fr", "PROJET – document de travail, à relire avant signature"),
        ("en", "DRAFT – working document, to be reviewed before signing"),
    ],
)
def test_every_page_has_the_draft_header_in_the_draft_language(build, language, header):
    (section,) = _open(build(_draft(language=language))).sections
    assert not section.different_first_page_header_footer
    assert [p.text for p in section.header.paragraphs if p.text] == [header]
    assert "{draft_header}" not in section.header._element.xml


@pytest.mark.parametrize("build", BUILDERS)
def test_the_footer_numbers_the_pages(build):
    (section,) = _open(build(_draft())).sections
    footer = section.footer
    assert not footer.is_linked_to_previous
    assert _fields(footer._element) == ["PAGE", "NUMPAGES"]
    assert " / " in "".join(p.text for p in footer.paragraphs)


@pytest.mark.parametrize("build", BUILDERS)
def test_the_title_is_the_first_paragraph(build):
    document = _open(build(_draft()))
    assert document.paragraphs[0].style.name == "Title"
    assert document.paragraphs[0].text in (
        "Convention de partenariat",
        "Plan d’action opérationnel",
    )


def test_the_template_has_the_styles_the_builders_name_and_an_empty_body():
    template = docx.Document(str(TEMPLATE))
    assert template.paragraphs == [] and template.tables == []
    names = {style.name for style in template.styles}
    wanted = {"Normal", "Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3"}
    wanted |= {"List Bullet", "List Number", "Table Grid", "Strong", "Draft Notice"}
    wanted |= {"Signed At", "Signatory", "Signature Line"}
    assert wanted <= names
    assert template.core_properties.author == ""


def test_the_header_placeholder_is_filled_even_when_word_split_it_across_runs():
    template = docx.Document(str(TEMPLATE))
    (paragraph,) = template.sections[0].header.paragraphs
    paragraph.text = "{draft_"
    paragraph.add_run("header} · v1")
    _fill_header(template, "PROJET")
    assert paragraph.text == "PROJET · v1"
    assert paragraph.style.name == "Header"
