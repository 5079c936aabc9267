"""The draft's rules that a lawyer would notice: who counts as a company, a legal form said
twice, a typed "Oui" pasted as a clause, when liability and insurance must be settled."""

import pytest

from flows.convention import (
    Party,
    build_draft,
    chosen_kind,
    mentions_premises,
    party_from_text,
    split_yes_no,
)
from knowledge.loader import load_convention_checklist

CHECKLIST = load_convention_checklist()


@pytest.mark.parametrize(
    ("typed", "said", "words"),
    [
        ("Oui : la présidente", "yes", "la présidente"),
        ("oui, un médiateur", "yes", "un médiateur"),
        ("Yes - two referents", "yes", "two referents"),
        ("Non.", "no", ""),
        ("NON !", "no", ""),
        ("No: the referents decide", "no", "the referents decide"),
        ("Oui", "yes", ""),
        # Words that merely start like a yes or a no are kept whole.
        ("Non-renouvellement tacite exclu", None, "Non-renouvellement tacite exclu"),
        ("Nonobstant l'article 3", None, "Nonobstant l'article 3"),
        ("Nobody but the referents", None, "Nobody but the referents"),
        ("Ouidah et Cotonou", None, "Ouidah et Cotonou"),
        ("la présidente", None, "la présidente"),
    ],
)
def test_a_leading_yes_or_no_is_told_apart_from_the_words(typed, said, words):
    assert split_yes_no(typed) == (said, words)


@pytest.mark.parametrize(
    ("party", "company"),
    [
        (Party("ÉnerBat SAS"), True),
        (Party("ÉnerBat", legal_form="SAS"), True),
        (Party("Alpha", legal_form="société à responsabilité limitée"), True),
        (Party("ÉnerBat", kind="company"), True),
        (Party("ÉnerBat", kind="economic"), True),
        (Party("Rénov'Solidaire 93"), False),  # nothing known: not a company
        (Party("Rénov'Solidaire 93", legal_form="association loi 1901"), False),
        (Party("Fondation Abbé Pierre", kind=None), False),
        (Party("Ville de Bobigny", kind="local_authority"), False),
        (Party("Université Paris 8", kind="academic"), False),
        (Party("X", legal_form="SAS", kind="association"), False),
        (Party("X", legal_form="association loi 1901", kind="company"), False),
    ],
)
def test_only_what_is_surely_a_company_counts_as_one(party, company):
    assert party.is_company is company


@pytest.mark.parametrize(
    ("name", "form", "said"),
    [
        ("ÉnerBat SAS", "SAS", True),
        ("ÉnerBat S.A.S.", "S.A.S.", True),
        ("Association Tremplin", "association", True),
        ("Association Tremplin", "association loi 1901", False),
        ("ÉnerBat", "SAS", False),
        ("Sasso Conseil", "SAS", False),
    ],
)
def test_a_legal_form_is_in_the_name_only_as_whole_words(name, form, said):
    assert Party(name, legal_form=form).form_in_name is said


def test_the_parties_kinds_come_from_the_steps_that_asked():
    assert party_from_text("ÉnerBat SAS", "SAS ; Bobigny", "economic").kind == "economic"
    candidates = [
        {"name": "A", "profile": "general_interest", "chosen": False},
        {"name": "ÉnerBat", "profile": "economic", "chosen": True},
    ]
    assert chosen_kind(candidates) == "economic"
    assert chosen_kind([]) is None


@pytest.mark.parametrize(
    ("text", "premises"),
    [
        ("Visites à domicile pour un diagnostic énergétique", True),
        ("Petits travaux dans les logements", True),
        ("Chantier participatif", True),
        ("Journée portes ouvertes pour le grand public", True),
        ("Des bénévoles accompagnent les familles", True),
        ("Home visits by volunteers", True),
        ("Formation en ligne aux éco-gestes", False),
        ("Publication d'un rapport annuel", False),
    ],
)
def test_actions_involving_the_public_or_premises_are_noticed(text, premises):
    assert mentions_premises([text]) is premises


def _draft(answers, **parties):
    return build_draft(
        CHECKLIST,
        answers,
        language="fr",
        title="Rénover ensemble",
        ours=parties.get("ours", Party("Rénov'Solidaire 93", kind="association")),
        partner=parties.get("partner", Party("ÉnerBat SAS", kind="economic")),
        territory="Seine-Saint-Denis",
        theme="Rénovation énergétique",
    )


def _item_ids(draft):
    return [clause.item_id for article in draft.articles for clause in article.clauses]


def test_the_insurance_clause_is_proposed_only_when_the_actions_call_for_it():
    at_home = {"actions": {"status": "in_place", "text": "Visites à domicile"}}
    online = {"actions": {"status": "in_place", "text": "Webinaires"}}
    assert "insurance" in _item_ids(_draft(at_home))
    assert "insurance" in _draft(at_home).lawyer_notes
    assert "insurance" not in _item_ids(_draft(online))
    # Agreed with words of the parties' own, it stays whatever the actions.
    agreed = online | {"insurance": {"status": "in_place", "text": "Chacun son assureur."}}
    assert "insurance" in _item_ids(_draft(agreed))


def test_one_territory_for_the_preamble_and_article_1():
    agreed = _draft({"geography": {"status": "in_place", "text": "Bobigny et Montreuil"}})
    assert agreed.territory == "Bobigny et Montreuil"
    assert agreed.articles[0].clauses[0].text == "Bobigny et Montreuil"
    unanswered = _draft({})
    assert unanswered.territory == "Seine-Saint-Denis"
    assert unanswered.articles[0].clauses[0].text == "Seine-Saint-Denis"


def test_the_signature_place_names_a_court_only_between_companies():
    place = {"signature_place": {"status": "in_place", "text": "Bobigny"}}
    mixed = _draft(place)
    assert "signature_place" not in _item_ids(mixed)
    assert mixed.signature_place == "Bobigny"
    assert mixed.lawyer_notes[0] == "jurisdiction"
    companies = _draft(place, ours=Party("Alpha SARL"))
    assert "signature_place" in _item_ids(companies)
    assert companies.lawyer_notes[0] == "jurisdiction_clause"


def test_a_typed_label_before_a_party_detail_is_not_written_twice():
    from flows.convention import party_from_text

    party = party_from_text(
        "Rénov'Solidaire 93",
        "association loi 1901 ; siège : 5 rue Hoche, Montreuil ; RNA W931234567 ; "
        "représentée par Samira Benali, présidente",
    )
    assert party.seat == "5 rue Hoche, Montreuil"
    assert party.representative == "Samira Benali, présidente"
    english = party_from_text(
        "ÉnerBat", "SAS ; registered office: Bobigny ; 1 ; Represented by Karim"
    )
    assert (english.seat, english.representative) == ("Bobigny", "Karim")
    # A name that merely starts like a label stays whole.
    found = party_from_text("X", "SA ; Paris ; 1 ; Représentante du personnel")
    assert found.representative == "Représentante du personnel"


def test_the_conventions_actions_fill_the_plans_columns_until_the_followup():
    from flows.convention import build_draft, party_from_text
    from knowledge.loader import load_convention_checklist

    typed = (
        "Diagnostic de 40 logements ; ÉnerBat ; mars 2027 ; 2 thermiciens ; 40 remis\n"
        "Ateliers ; Rénov ; avril ; salle ; 6 ateliers ; et un bilan"
    )
    draft = build_draft(
        load_convention_checklist(),
        {"actions": {"status": "in_place", "text": typed}},
        language="fr",
        title="T",
        ours=party_from_text("A", None),
        partner=party_from_text("B", None),
        territory=None,
        theme=None,
    )
    first, second = draft.actions
    assert (first.what, first.lead, first.when) == (
        "Diagnostic de 40 logements",
        "ÉnerBat",
        "mars 2027",
    )
    # Nothing typed is lost: a sixth part stays in the last column.
    assert second.indicator == "6 ateliers; et un bilan"
