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
from flows.convention import (
    IN_PLACE,
    MISSING,
    NOT_APPLICABLE,
    PARTIAL,
    Clause,
    ConventionDraft,
    DraftSection,
)

SCOPE_TEXT = "Le partenariat couvre le 8e arrondissement de Lyon & la R&D <pilote>."
TERMINATION_TEXT = "Chaque partie peut mettre fin à la convention avec un préavis de deux mois."
BENEFICIARIES_HINT = "Qui bénéficie de l'action (salariés, habitants, publics ciblés…) ?"


def _sections(*, complete: bool) -> tuple[DraftSection, ...]:
    beneficiaries = (
        Clause("beneficiaries", "Bénéficiaires", "Jeunes de 16 à 25 ans.", IN_PLACE)
        if complete
        else Clause("beneficiaries", "Bénéficiaires", None, MISSING, BENEFICIARIES_HINT)
    )
    renewal = (
        Clause("renewal", "Renouvellement", "Par avenant signé avant le terme.", PARTIAL)
        if complete
        else Clause("renewal", "Renouvellement", None, NOT_APPLICABLE, "À quelles conditions ?")
    )
    alert = Clause("alert", "Procédure d'alerte", None if not complete else "Courriel au référent.")
    return (
        DraftSection(
            "scope",
            "Périmètre",
            (Clause("geography", "Périmètre géographique", SCOPE_TEXT, IN_PLACE), beneficiaries),
        ),
        DraftSection(
            "duration",
            "Durée et calendrier",
            (
                Clause("duration", "Durée", "Trois ans à compter de la signature.", IN_PLACE),
                renewal,
                Clause("termination", "Résiliation anticipée", TERMINATION_TEXT, IN_PLACE),
            ),
        ),
        DraftSection("disputes", "Règlement des litiges", (alert,)),
    )


def _draft(*, complete: bool = True, **changes) -> ConventionDraft:
    values = dict(
        language="fr",
        title="Alliance pour l'emploi local",
        our_organisation="Association Tremplin",
        partner="Boulangeries Martin SAS" if complete else None,
        territory="Lyon 8e" if complete else None,
        theme="Insertion professionnelle",
        objectives=("Accompagner 20 jeunes vers l'emploi", "Créer 5 postes") if complete else (),
        sections=_sections(complete=complete),
        signatories=("Claire Durand, présidente", "Marc Martin, gérant") if complete else (),
        actions=("Ateliers découverte des métiers", "Stages en boulangerie") if complete else (),
    )
    values.update(changes)
    return ConventionDraft(**values)


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


def _placeholders(document) -> list[str]:
    """The highlighted runs, in document order; each must also be bold."""
    runs = [run for p in _paragraphs(document) for run in p.runs]
    marked = [run for run in runs if run.font.highlight_color == WD_COLOR_INDEX.YELLOW]
    assert all(run.bold for run in marked)
    return [run.text for run in marked]


def test_convention_names_the_parties_and_keeps_the_typed_words():
    document = _open(build_convention(_draft()))
    text = _text(document)
    assert _styled(document, "Title") == ["Convention de partenariat"]
    assert "Alliance pour l'emploi local" in text
    for words in ("Association Tremplin", "Boulangeries Martin SAS", SCOPE_TEXT, TERMINATION_TEXT):
        assert words in text
    assert "Insertion professionnelle" in text and "Lyon 8e" in text
    assert "Créer 5 postes" in _styled(document, "List Bullet")
    assert "Claire Durand, présidente" in text and "Marc Martin, gérant" in text


def test_articles_are_numbered_in_order_sections_first_then_standard_articles():
    document = _open(build_convention(_draft()))
    articles = _styled(document, "Heading 2")
    numbers = [int(re.match(r"Article (\d+) – ", title).group(1)) for title in articles]
    assert numbers == list(range(1, len(articles) + 1))
    assert articles[:3] == [
        "Article 1 – Périmètre",
        "Article 2 – Durée et calendrier",
        "Article 3 – Règlement des litiges",
    ]
    titles = [title.split(" – ", 1)[1] for title in articles[3:]]
    assert titles == [
        "Renouvellement",
        "Non-renouvellement",
        "Résiliation anticipée",
        "Confidentialité",
        "Communication et usage des noms et logos",
        "Règlement des différends",
    ]
    assert "1.1 Périmètre géographique" in _styled(document, "Heading 3")
    steps = _styled(document, "List Number")
    assert [step.split(" :")[0] for step in steps] == [
        "Alerte",
        "Règlement amiable",
        "Juridiction compétente",
    ]
    assert "lieu de signature" in steps[-1]


def test_a_complete_convention_has_no_placeholder():
    document = _open(build_convention(_draft()))
    assert _placeholders(document) == []
    assert "[À compléter" not in _text(document)


def test_placeholders_appear_exactly_for_the_missing_items():
    document = _open(build_convention(_draft(complete=False)))
    assert _placeholders(document) == [
        "[À compléter : Partenaire — dénomination, forme juridique et siège de la structure "
        "partenaire]",
        "[À compléter : Territoire — territoire sur lequel le partenariat agit]",
        "[À compléter : Objectifs — objectifs réalistes que les parties se fixent ensemble]",
        f"[À compléter : Bénéficiaires — {BENEFICIARIES_HINT}]",
        "[À compléter : Procédure d'alerte]",
        "[À compléter : Signataire — nom, fonction et structure du représentant légal]",
        "[À compléter : Signataire — nom, fonction et structure du représentant légal]",
    ]
    text = _text(document)
    assert text.count("[À compléter") == 7
    assert SCOPE_TEXT in text and TERMINATION_TEXT in text
    assert "Insertion professionnelle" in text
    # Not applicable is said plainly, never as a placeholder.
    assert "Sans objet." in [p.text for p in document.paragraphs]
    assert "Renouvellement — À quelles conditions" not in text


@pytest.mark.parametrize("confidentiality", [True, False])
@pytest.mark.parametrize("non_compete", [True, False])
def test_confidentiality_and_non_compete_follow_the_flags(confidentiality, non_compete):
    draft = _draft(confidentiality=confidentiality, non_compete=non_compete)
    document = _open(build_convention(draft))
    titles = [title.split(" – ", 1)[1] for title in _styled(document, "Heading 2")]
    assert ("Confidentialité" in titles) is confidentiality
    assert ("Non-concurrence" in titles) is non_compete
    text = _text(document)
    assert ("confidentielles" in text) is confidentiality
    assert ("concurrente" in text) is non_compete


def test_action_plan_has_a_header_row_and_one_row_per_action():
    draft = _draft()
    document = _open(build_action_plan(draft))
    assert _styled(document, "Title") == ["Plan d'action opérationnel"]
    text = _text(document)
    assert "Association Tremplin" in text and "Boulangeries Martin SAS" in text
    assert "Accompagner 20 jeunes vers l'emploi" in _styled(document, "List Bullet")
    (table,) = document.tables
    assert len(table.rows) == 1 + len(draft.actions)
    assert [cell.text for cell in table.rows[0].cells] == [
        "Action",
        "Pilote / référent",
        "Calendrier",
        "Moyens",
        "Indicateur",
    ]
    assert [row.cells[0].text for row in table.rows[1:]] == list(draft.actions)
    assert all(cell.text == "[À compléter]" for row in table.rows[1:] for cell in row.cells[1:])
    headings = _styled(document, "Heading 1")
    assert headings[-3:] == ["Pilotage", "Suivi et compte rendu", "Communication"]
    assert "une fois par trimestre" in text and "une fois par semestre" in text
    assert "Référent pour Boulangeries Martin SAS :" in text


def test_action_plan_without_actions_has_three_placeholder_rows():
    document = _open(build_action_plan(_draft(complete=False)))
    (table,) = document.tables
    assert len(table.rows) == 1 + 3
    placeholders = _placeholders(document)
    action = "[À compléter : Action — action concrète menée ensemble]"
    assert placeholders.count(action) == 3
    partner = "[À compléter : Partenaire — dénomination, forme juridique et siège de la structure "
    assert partner + "partenaire]" in placeholders
    assert "Référent pour la structure partenaire :" in _text(document)


def test_english_wording_when_the_draft_is_in_english():
    draft = _draft(complete=False, language="en", non_compete=True)
    convention = _open(build_convention(draft))
    assert _styled(convention, "Title") == ["Partnership agreement"]
    articles = _styled(convention, "Heading 2")
    assert articles[3:] == [
        "Article 4 – Renewal",
        "Article 5 – Non-renewal",
        "Article 6 – Early termination",
        "Article 7 – Confidentiality",
        "Article 8 – Non-compete",
        "Article 9 – Communication and use of names and logos",
        "Article 10 – Dispute resolution",
    ]
    text = _text(convention)
    assert "[To be completed: Partner — " in text
    assert f"[To be completed: Bénéficiaires — {BENEFICIARIES_HINT}]" in text
    assert "Not applicable." in text
    assert "À compléter" not in text and "Sans objet" not in text
    plan = _open(build_action_plan(draft))
    assert _styled(plan, "Title") == ["Operational action plan"]
    assert [cell.text for cell in plan.tables[0].rows[0].cells][1] == "Lead / referent"
    assert "quarterly at first, then half-yearly" in _text(plan)
    assert "À compléter" not in _text(plan)


def test_an_unknown_language_falls_back_to_french():
    document = _open(build_convention(_draft(language="de")))
    assert _styled(document, "Title") == ["Convention de partenariat"]


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
        "Plan d'action opérationnel",
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
