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
        "evaluator": {"status": "in_place", "choice": "partners"},
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
    # The name already says the legal form: it is not repeated.
    assert "Boulangeries Martin SAS, dont le siège est situé 3 place Bellecour" in text
    assert "SAS, SAS" not in text
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
        "Responsabilité et assurances",
        "Confidentialité",
        "Communication et usage des noms et logos",
        "Règlement des différends",
    ]
    clauses = _styled(document, "Heading 3")
    assert "1.1 Périmètre géographique" in clauses
    assert "3.2 Versement de la dotation" in clauses
    assert "9.2 Médiation" in clauses
    # An association and a company: no clause naming the court is proposed.
    assert not any("Juridiction" in clause for clause in clauses)
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
    # Renewal, non-renewal, who evaluates, confidentiality, communication, alert, amicable
    # step (no court clause: the parties are not both companies).
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


@pytest.mark.parametrize(
    ("language", "free_to_speak", "exclusivity"),
    [
        ("fr", "liberté de chaque partie de s’exprimer publiquement", "exclusivité"),
        ("en", "freedom to speak publicly", "exclusivity"),
    ],
)
def test_the_proposed_communication_clause_keeps_free_speech_and_rules_out_exclusivity(
    language, free_to_speak, exclusivity
):
    """Issue 18: the guide (step 6) asks that each partner stay free to speak about the other
    and that any exclusivity be weighed; the clause we propose says both."""
    document = _open(build_convention(_draft(complete=False, language=language)))
    clauses = [p for p in _text(document).split("\n") if free_to_speak in p]
    assert len(clauses) == 1, "the communication clause says each side may speak freely"
    assert exclusivity in clauses[0]
    assert "logo" in clauses[0], "in the clause on names and logos"


def test_a_partly_agreed_point_is_marked_as_such():
    answers = _answers(complete=True) | {"calendar": {"status": "partial", "text": "Janvier"}}
    text = _text(_open(build_convention(_draft(answers=answers))))
    assert "Janvier\n(Point convenu en partie : à finaliser entre les parties.)" in text


def test_the_review_note_names_what_a_lawyer_should_check():
    document = _open(build_convention(_draft()))
    assert _styled(document, "Heading 1")[0] == "Note de relecture (à retirer avant signature)"
    notes = _styled(document, "List Bullet")
    assert any("lieu de signature" in note and "commerçants" in note for note in notes)
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


# -- a draft a lawyer reads: the Rénov'Solidaire 93 case -------------------------------------

RENOV = "association loi 1901 ; 5 rue Hoche, 93100 Montreuil ; W931234567 ; Awa Diallo, présidente"
ENERBAT = "SAS ; 14 avenue Jean Jaurès, 93000 Bobigny ; 902 345 678 ; Luc Moreau, président"


def _renovation(
    language: str = "fr",
    *,
    ours_kind: str | None = "association",
    partner_kind: str | None = "economic",
    ours_details: str | None = RENOV,
    **items,
):
    """An association and a company renovating homes in Seine-Saint-Denis, as typed; the
    parties' kinds as the diagnosis and the choice of partner gave them."""
    answers = {
        "beneficiaries": _agreed("Ménages modestes en précarité énergétique"),
        "actions": _agreed("Visites à domicile pour un diagnostic énergétique\nPetits travaux"),
        "steering_committee": _agreed("Oui : la présidente, le directeur RSE d'ÉnerBat"),
        "mediation": _agreed("Oui, un médiateur choisi ensemble"),
        "signature_place": _agreed("Bobigny"),
    } | items
    return build_draft(
        CHECKLIST,
        answers,
        language=language,
        title="Rénover ensemble",
        ours=party_from_text("Rénov'Solidaire 93", ours_details, ours_kind),
        partner=party_from_text("ÉnerBat SAS", ENERBAT, partner_kind),
        territory="Seine-Saint-Denis",
        theme="Rénovation énergétique",
    )


def _clauses_of(document, heading: str) -> str:
    """The paragraphs under a clause's heading, up to the next heading."""
    lines, inside = [], False
    for paragraph in document.paragraphs:
        if paragraph.style.name.startswith("Heading"):
            inside = paragraph.text.split(" ", 1)[-1] == heading
        elif inside:
            lines.append(paragraph.text)
    return "\n".join(lines)


@pytest.mark.parametrize(
    ("language", "block"),
    [
        ("fr", "ÉnerBat SAS, dont le siège est situé 14 avenue Jean Jaurès"),
        ("en", "ÉnerBat SAS, with its registered office at 14 avenue Jean Jaurès"),
    ],
)
def test_a_legal_form_the_name_already_says_is_not_repeated(language, block):
    text = _text(_open(build_convention(_renovation(language))))
    assert block in text and "SAS, SAS" not in text
    # A form the name does not say is kept.
    assert "Rénov'Solidaire 93, association loi 1901," in text


@pytest.mark.parametrize(
    ("language", "place", "sentence"),
    [
        (
            "fr",
            "Bobigny",
            "le différend est porté devant la juridiction compétente du lieu de signature de "
            "la présente convention (Bobigny).",
        ),
        (
            "fr",
            None,
            "le différend est porté devant la juridiction compétente du lieu de signature de "
            "la présente convention.",
        ),
        (
            "en",
            "Bobigny",
            "the dispute is brought before the competent court for the place where this "
            "agreement is signed (Bobigny).",
        ),
        (
            "en",
            None,
            "the dispute is brought before the competent court for the place where this "
            "agreement is signed.",
        ),
    ],
)
def test_the_court_clause_between_companies_reads_right_with_or_without_a_place(
    language, place, sentence
):
    signature = _agreed(place) if place else {"status": "missing"}
    draft = _renovation(
        language, ours_kind="company", ours_details="SARL", signature_place=signature
    )
    text = _text(_open(build_convention(draft)))
    assert sentence in text
    for broken in (" de du ", " de de ", " of the the ", "{place}"):
        assert broken not in text
    signed = {"fr": "Fait à Bobigny, le", "en": "Signed at Bobigny, on"}[language]
    assert (signed in text) is bool(place)


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(
    ("ours_kind", "partner_kind", "court"),
    [
        ("association", "economic", False),
        ("company", "general_interest", False),
        ("local_authority", "company", False),
        ("academic", "company", False),
        ("company", "economic", True),
        # Only free text is known: both legal forms must say company.
        (None, None, False),
    ],
)
def test_a_court_clause_is_proposed_only_between_companies(
    language, ours_kind, partner_kind, court
):
    draft = _renovation(language, ours_kind=ours_kind, partner_kind=partner_kind, ours_details=None)
    # The partner's legal form says nothing against it being a company.
    assert draft.partner.legal_form == "SAS"
    document = _open(build_convention(draft))
    clauses = _styled(document, "Heading 3")
    title = {"fr": "Juridiction compétente", "en": "Competent court"}[language]
    assert any(title in clause for clause in clauses) is court
    text = _text(document)
    assert ("juridiction compétente du lieu" in text or "competent court for the" in text) is court
    # The place of signature is written above the signatures in any case.
    signed = {"fr": "Fait à Bobigny, le", "en": "Signed at Bobigny, on"}[language]
    assert signed in text
    # The review note says what the guide says, and the legal limit as our note.
    (note,) = [n for n in _styled(document, "List Bullet") if "article 48" in n]
    guide = {"fr": "selon le guide, le lieu de signature", "en": "according to the guide"}
    ours = {"fr": "Note d’Alliance, et non du guide", "en": "Alliance's note, not the guide's"}
    assert guide[language] in note and ours[language] in note
    assert "commerçants" in note or "traders" in note


@pytest.mark.parametrize(
    ("ours_details", "ours_kind", "court"),
    [
        (RENOV, None, False),  # "association loi 1901"
        ("SARL ; 2 rue Oberkampf, 75011 Paris", None, True),
        # A kind says company, the legal form says association: unsure counts as no.
        (RENOV, "company", False),
    ],
)
def test_with_only_free_text_both_legal_forms_must_say_company(ours_details, ours_kind, court):
    draft = _renovation(ours_kind=ours_kind, partner_kind=None, ours_details=ours_details)
    clauses = _styled(_open(build_convention(draft)), "Heading 3")
    assert any("Juridiction compétente" in clause for clause in clauses) is court


@pytest.mark.parametrize("agreed", [True, False])
def test_the_preamble_and_article_1_name_the_same_territory(agreed):
    geography = _agreed("Bobigny, Montreuil et Saint-Denis") if agreed else {"status": "missing"}
    document = _open(build_convention(_renovation(geography=geography)))
    expected = "Bobigny, Montreuil et Saint-Denis" if agreed else "Seine-Saint-Denis"
    assert f"Territoire : {expected}" in _text(document)
    assert _clauses_of(document, "Périmètre géographique") == expected


@pytest.mark.parametrize(
    ("language", "committee", "mediation"),
    [
        (
            "fr",
            "Un comité de pilotage est constitué. Il réunit : la présidente, le directeur RSE "
            "d'ÉnerBat.",
            "À défaut d’accord, les parties soumettent leur différend à une instance de "
            "médiation : un médiateur choisi ensemble.",
        ),
        (
            "en",
            "A steering committee is set up. It brings together: la présidente, le directeur "
            "RSE d'ÉnerBat.",
            "Failing agreement, the parties refer their dispute to a mediation body: un "
            "médiateur choisi ensemble.",
        ),
    ],
)
def test_a_yes_typed_before_the_words_reads_as_a_clause(language, committee, mediation):
    document = _open(build_convention(_renovation(language)))
    titles = {"fr": ("Comité de pilotage", "Médiation"), "en": ("Steering committee", "Mediation")}
    assert _clauses_of(document, titles[language][0]) == committee
    assert _clauses_of(document, titles[language][1]) == mediation
    paragraphs = [p.text for p in document.paragraphs]
    assert not any(re.match(r"(Oui|Yes)\b", p) for p in paragraphs)


@pytest.mark.parametrize(
    ("typed", "clause"),
    [
        ("Non", "Les parties ne constituent pas de comité de pilotage ; les référents"),
        ("Oui", "Un comité de pilotage est constitué. Il réunit les référents des parties"),
        ("la présidente\nle directeur RSE", "Il réunit : la présidente ; le directeur RSE."),
        ("Non : les référents suffisent", "pas de comité de pilotage : les référents suffisent."),
    ],
)
def test_a_committee_answer_reads_as_a_clause_whatever_its_form(typed, clause):
    draft = _renovation(steering_committee=_agreed(typed))
    assert clause in _clauses_of(_open(build_convention(draft)), "Comité de pilotage")


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("Non", "Comité de pilotage : Pas de comité de pilotage"),
        ("Oui : la présidente", "Comité de pilotage : la présidente"),
    ],
)
def test_the_action_plan_reads_a_typed_yes_or_no_to_the_committee(typed, shown):
    # As the convention's answer reaches the plan: the words, taken as "there is one".
    draft = build_draft(
        CHECKLIST,
        {"steering_committee": _agreed(typed)},
        language="fr",
        title="Rénover ensemble",
        ours=party_from_text("Rénov'Solidaire 93", RENOV),
        partner=party_from_text("ÉnerBat SAS", ENERBAT),
        territory=None,
        theme=None,
        steering=Steering(committee=typed, has_committee=True),
    )
    text = _text(_open(build_action_plan(draft)))
    assert shown in text
    assert "Comité de pilotage : Non" not in text and "Comité de pilotage : Oui" not in text


@pytest.mark.parametrize("language", ["fr", "en"])
def test_actions_in_homes_bring_a_liability_and_insurance_article(language):
    document = _open(build_convention(_renovation(language)))
    titles = [t.split(" – ", 1)[1] for t in _styled(document, "Heading 2")]
    title = {"fr": "Responsabilité et assurances", "en": "Liability and insurance"}[language]
    assert title in titles
    text = _text(document)
    assert "responsabilité civile" in text or "civil liability insurance" in text
    notes = " ".join(_styled(document, "List Bullet"))
    assert "assureur" in notes or "insurer" in notes


def test_no_insurance_article_when_nothing_involves_the_public_or_premises():
    draft = _renovation(
        beneficiaries=_agreed("Les salariés d'ÉnerBat"),
        actions=_agreed("Formation en ligne aux éco-gestes"),
    )
    titles = " ".join(_styled(_open(build_convention(draft)), "Heading 2"))
    assert "Responsabilité et assurances" not in titles


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "fr",
            "Diagnostic de 40 logements (pilote : ÉnerBat ; quand : mars 2027 ; "
            "moyens : 2 thermiciens ; indicateur : 40 diagnostics)",
        ),
        (
            "en",
            "Diagnostic de 40 logements (lead: ÉnerBat ; when: mars 2027 ; "
            "means: 2 thermiciens ; indicator: 40 diagnostics)",
        ),
    ],
)
def test_actions_typed_as_plan_rows_read_as_sentences_in_the_convention(language, expected):
    typed = (
        "Diagnostic de 40 logements ; ÉnerBat ; mars 2027 ; 2 thermiciens ; 40 diagnostics\n"
        "Ateliers éco-gestes"
    )
    answers = _answers(complete=True) | {"actions": _agreed(typed)}
    document = _open(build_convention(_draft(language=language, answers=answers)))
    bullets = _styled(document, "List Bullet")
    assert expected in bullets and "Ateliers éco-gestes" in bullets
    assert " ; ÉnerBat ; " not in _text(document)
