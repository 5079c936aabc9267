"""Search quality: what people type, in both languages, and the card that must come first.

Words that name a whole topic open its overview (the checklist itself); words that name a
detail open the detail's card.
"""

import re

import pytest

from knowledge.loader import load_knowledge_base
from knowledge.search import CardIndex

EXPECTED = [
    # French: plain words, missing accents, typos, synonyms, plurals.
    ("résiliation", "convention_duration"),
    ("resiliation", "convention_duration"),
    ("resiliasion", "convention_duration"),
    ("rupture du contrat", "convention_duration"),
    ("préavis", "convention_duration"),
    ("convension litiges", "convention_disputes"),
    ("médiation", "convention_disputes"),
    ("litige", "convention_disputes"),
    ("tva", "convention_means"),
    ("financement don prêt", "convention_means"),
    ("périmètre bénéficiaires", "convention_scope"),
    ("plan d'action opérationnel", "convention_vs_action_plan"),
    ("confidentialité", "convention_formalise"),
    ("non-concurrence", "convention_formalise"),
    ("risques entreprise", "risks_economic"),
    ("risques association", "risks_general_interest"),
    ("risques collectivité", "risks_public"),
    ("syndicats", "risks_unions"),
    ("freins", "brakes"),
    ("critères association", "criteria_general_interest"),
    ("criteres entreprise", "criteria_economic_actor"),
    ("critères ONG 2012", "criteria_ngo_2012"),
    ("mécénat", "type_patronage"),
    ("mecenat de competences", "type_skills_patronage"),
    ("innovation sociétale", "type_societal_innovation"),
    ("coopération économique", "type_economic_cooperation"),
    ("pratiques responsables achats", "type_responsible_practices"),
    ("carré magique", "magic_square"),
    ("objectifs collectivité", "objectives_local_authority"),
    ("fragilités du territoire", "fragility_map"),
    ("comité de pilotage", "steering_elements"),
    ("fréquence des réunions", "steering_elements"),
    ("tableau de bord reporting", "follow_up"),
    ("communication logo", "communication_rules"),
    ("vocabulaire évaluation pertinence", "evaluation_vocabulary"),
    ("évaluateur externe", "evaluation_scope_2012"),
    ("facteurs de réussite", "success_factors"),
    ("mesurer l'impact", "impact_measurement"),
    ("test partenariat stratégique", "strategic_test"),
    ("déséquilibre de pouvoir", "four_pillars"),
    ("chiffres clés", "figures_practice"),
    ("délai pour signer", "figures_timing"),
    ("étape 2 dialogue", "step_2_dialogue"),
    ("auto-diagnostic", "step_1_diagnosis"),
    # English.
    ("termination", "convention_duration"),
    ("terminaton notice", "convention_duration"),
    ("dispute mediation", "convention_disputes"),
    ("company risks", "risks_economic"),
    ("selection criteria association", "criteria_general_interest"),
    ("steering committee", "steering_elements"),
    ("evaluation vocabulary", "evaluation_vocabulary"),
    ("success factors", "success_factors"),
    ("patronage", "type_patronage"),
    ("key figures", "figures_practice"),
    ("brakes", "brakes"),
    ("magic square", "magic_square"),
    ("seven steps", "steps_overview"),
    ("power imbalance", "four_pillars"),
    ("agreement renewal", "convention_duration"),
    # What people type in a meeting (issue 16): a quarrel with the partner is a dispute, not
    # a selection criterion; skills-based mécénat has a card of its own.
    ("conflit partenaire", "convention_disputes"),
    ("conflit avec le partenaire", "convention_disputes"),
    ("litige partenaire", "convention_disputes"),
    ("dispute with partner", "convention_disputes"),
    ("conflict with the company", "convention_disputes"),
    ("mécénat de compétences", "type_skills_patronage"),
    ("bénévolat de compétences", "type_skills_patronage"),
    ("skills-based volunteering", "type_skills_patronage"),
    ("pro bono", "type_skills_patronage"),
    ("combien de temps dure une convention", "convention_duration"),
    ("how long should the agreement last", "convention_duration"),
    # The guide's lists that had no card (issue 18), in the words people would type.
    ("impacts des alliances", "alliance_impacts"),
    ("les trois impacts", "alliance_impacts"),
    ("pourquoi faire alliance", "alliance_impacts"),
    ("impact of alliances", "alliance_impacts"),
    ("iso 26000", "iso26000_themes"),
    ("thématiques rse", "iso26000_themes"),
    ("ISO 26000 core subjects", "iso26000_themes"),
    ("dialogue avec les parties prenantes", "stakeholder_dialogue"),
    ("concertation", "stakeholder_dialogue"),
    ("stakeholder dialogue", "stakeholder_dialogue"),
    ("ingénierie territoriale", "territorial_engineering"),
    ("gestion publique projet transverse", "territorial_engineering"),
    ("territorial engineering", "territorial_engineering"),
    ("écoute des partenaires", "evaluation_listening"),
    ("cheminement d'écoute", "evaluation_listening"),
    ("listening to partners", "evaluation_listening"),
    ("logique associative", "types_two_logics"),
    ("logique d'entreprise", "types_two_logics"),
    ("associative logic", "types_two_logics"),
    ("contreparties mécénat", "type_patronage"),
    ("visibilité mécénat", "type_patronage"),
    ("patronage counterparts", "type_patronage"),
    ("combien de temps pour construire un partenariat", "figures_timing"),
    ("combien de temps avant de lancer le partenariat", "figures_timing"),
    ("six to nine months", "figures_timing"),
    ("how long to set up a partnership", "figures_timing"),
    ("liberté d'expression", "communication_rules"),
    ("exclusivité", "communication_rules"),
    ("freedom of expression", "communication_rules"),
    ("modèle économique fragile", "risks_general_interest"),
    ("fragile economic model", "risks_general_interest"),
]

# Queries no card answers: a weak match (a word met in passing in some card's text) must
# not be offered as the answer; the user is told nothing matches and shown the topics.
NOTHING = [
    "assurance responsabilité",
    "recette de crêpes",
    "météo demain",
    "assurance partenaire",
    "pancake recipe",
    "weather tomorrow",
]


# The words that name a topic, as typed: accents or not, plurals, typos, both languages.
TOPIC_WORDS = [
    ("convention", "convention"),
    ("Convention", "convention"),
    ("la convention", "convention"),
    ("convention de partenariat", "convention"),
    ("conventions", "convention"),
    ("convension", "convention"),
    ("contrat", "convention"),
    ("contrats", "convention"),
    ("cntrat", "convention"),
    ("accord", "convention"),
    ("l'accord", "convention"),
    ("accords", "convention"),
    ("critères", "criteria"),
    ("criteres", "criteria"),
    ("critère", "criteria"),
    ("critres", "criteria"),
    ("critères de sélection", "criteria"),
    ("risques", "risks"),
    ("risque", "risks"),
    ("risqes", "risks"),
    ("évaluation", "evaluation"),
    ("evaluation", "evaluation"),
    ("évaluations", "evaluation"),
    ("evalution", "evaluation"),
    ("pilotage", "steering"),
    ("pilotgae", "steering"),
    ("étapes", "steps"),
    ("etapes", "steps"),
    ("étape", "steps"),
    ("types", "types"),
    ("type", "types"),
    ("tipes", "types"),
    ("types de partenariat", "types"),
    ("typologie", "types"),
    # English.
    ("agreement", "convention"),
    ("agreements", "convention"),
    ("agrement", "convention"),
    ("contract", "convention"),
    ("criteria", "criteria"),
    ("critera", "criteria"),
    ("selection criteria", "criteria"),
    ("risks", "risks"),
    ("risk", "risks"),
    ("evaluation", "evaluation"),
    ("evaluaton", "evaluation"),
    ("steering", "steering"),
    ("steerng", "steering"),
    ("steps", "steps"),
    ("types", "types"),
    ("typology", "types"),
]
# A detail still lands on its own card, even next to a word that names its topic.
DETAIL_WORDS = [
    ("résiliation", "convention_duration"),
    ("convention résiliation", "convention_duration"),
    ("tva", "convention_means"),
    ("TVA convention", "convention_means"),
    ("médiation", "convention_disputes"),
    ("mediation", "convention_disputes"),
    ("VAT", "convention_means"),
    ("early termination", "convention_duration"),
    ("critères ONG", "criteria_ngo_2012"),
    ("risques syndicats", "risks_unions"),
    ("freins", "brakes"),
    ("étape 4", "step_4_content"),
    ("vocabulaire de l'évaluation", "evaluation_vocabulary"),
    ("steering committee", "steering_elements"),
]


@pytest.fixture(scope="module")
def index():
    return CardIndex(load_knowledge_base())


@pytest.mark.parametrize(("query", "card_id"), EXPECTED)
def test_the_expected_card_comes_first(index, query, card_id):
    hits = index.search(query)
    assert hits, f"nothing found for {query!r}"
    assert hits[0].card.id == card_id, [hit.card.id for hit in hits]


@pytest.mark.parametrize(("query", "topic_id"), TOPIC_WORDS)
def test_a_word_naming_a_topic_opens_its_overview(index, query, topic_id):
    hits = index.search(query)
    assert hits and hits[0].card.id == f"overview_{topic_id}", [hit.card.id for hit in hits]


@pytest.mark.parametrize(("query", "card_id"), DETAIL_WORDS)
def test_a_detail_opens_its_own_card_not_the_overview(index, query, card_id):
    hits = index.search(query)
    assert hits and hits[0].card.id == card_id, [hit.card.id for hit in hits]


def test_every_topic_is_named_by_its_own_keywords(index):
    for topic in index.base.topics:
        for word in topic.keywords.fr + topic.keywords.en:
            assert index.search(word)[0].card.id == topic.overview.id, (topic.id, word)


def test_words_every_card_shares_name_no_topic(index):
    assert not index.search("partenariat")[0].card.is_overview


def test_at_least_forty_queries_in_both_languages():
    assert len(EXPECTED) >= 40


def test_gibberish_finds_nothing(index):
    assert index.search("zzqxw") == []


@pytest.mark.parametrize("query", NOTHING)
def test_a_query_no_card_answers_finds_nothing(index, query):
    assert [hit.card.id for hit in index.search(query)] == []


@pytest.mark.parametrize(
    ("query", "language", "in_years"),
    [
        ("durée convention", "fr", r"\b\d+ ans?\b"),
        ("durée de la convention", "fr", r"\b\d+ ans?\b"),
        ("agreement duration", "en", r"\b\d+ years?\b"),
    ],
)
def test_asking_how_long_a_convention_lasts_gives_a_usual_length_marked_as_ours(
    index, query, language, in_years
):
    """The guide gives no usual length: the card says so, and gives ours as our advice."""
    card = index.search(query)[0].card
    assert card.id == "convention_duration"
    assert any(re.search(in_years, advice.in_(language)) for advice in card.our_advice)
    assert not any(re.search(in_years, point.in_(language)) for point in card.points)
