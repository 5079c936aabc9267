"""Four organisations and their partners, each with the answers a real person of that kind
would give: the data of the journeys (question id → answer), kept apart from the steps."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from tests.journeys.steps import SKIP, Candidate, Person

PULSE = ("performance", "coherence", "efficiency", "relevance")
PULSE += ("value_exchange", "steering", "clarity", "meaning")
REVIEW_RATED = ("actions_done", "means_in_place", "framing", "steering", "communication")
REVIEW_RATED += ("evaluation", "objectives_own", "objectives_common", "coherence")


def pulse(scores: str, **comments: str) -> dict:
    """Eight scores as a string ("45343434"); a dimension's comment is typed after its score."""
    answers = {q: s for q, s in zip(PULSE, scores, strict=True)}
    for question, comment in comments.items():
        if question == "difficulty":
            answers["difficulty"] = comment
        else:
            answers[question] = f"{answers[question]} {comment}"
    return answers | ({} if "difficulty" in comments else {"difficulty": SKIP})


def review(scores: str, decision: str, **texts: str) -> dict:
    answers = {q: s for q, s in zip(REVIEW_RATED, scores, strict=True)}
    for question in ("identity", "genesis", "strengths", "weaknesses", "expectations", "story"):
        answers[question] = texts.get(question, SKIP)
    return answers | {"decision": decision}


def candidate(name: str, profile: str, scores: str, guard_rails: str = "yes") -> Candidate:
    """A candidate scored on the criteria of its profile (general interest or economic)."""
    if profile == "economic":
        criteria = ("ec_trust", "ec_equality", "ec_long_term", "ec_leadership", "ec_values")
    else:
        criteria = ("gi_relevance", "gi_credibility", "gi_reliability", "gi_viability")
        criteria += ("gi_effectiveness", "gi_potential")
    criteria += ("values_alignment", "value_exchange", "power_balance")
    answers = {"candidate_profile": profile, "guard_rails": guard_rails}
    return Candidate(name, answers | dict(zip(criteria, scores, strict=True)))


@dataclass
class Persona:
    """One partnership as its two contacts live it."""

    ours: Person
    partner: Person
    organisation: str
    partner_organisation: str
    diagnostic: dict
    partnership: dict
    dialogue_points: list[str]
    meeting_note: str
    candidates: list[Candidate]
    convention: dict
    followup: dict
    signed: date
    pulse_ours: dict
    pulse_partner: dict
    review_ours: dict
    review_partner: dict
    decision: str
    # Words the drafts must hold: names, territory, key clauses.
    in_convention: list[str] = field(default_factory=list)
    in_action_plan: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.partnership["name"]

    @property
    def territory(self) -> str:
        return self.partnership["territory"]


RENOV_ACTIONS = (
    "Diagnostic énergétique de 40 logements ; ÉnerBat SAS ; mars 2027 ; 2 thermiciens ; "
    "40 diagnostics remis\n"
    "Ateliers éco-gestes pour les familles ; Rénov'Solidaire 93 ; avril 2027 ; 3 bénévoles ; "
    "6 ateliers tenus\n"
    "Travaux d’isolation chez 12 ménages modestes ; ÉnerBat SAS ; automne 2027 ; "
    "mécénat de compétences ; 12 chantiers livrés"
)

# A. An association of Seine-Saint-Denis with a building company: energy renovation.
RENOVATION = Persona(
    ours=Person(7101, "Samira"),
    partner=Person(7102, "Karim"),
    organisation="Rénov'Solidaire 93",
    partner_organisation="ÉnerBat SAS",
    diagnostic={
        "profile": "association",
        "territory": "department",
        "objectives_general": ["funding", "skills"],
        "fragility_families": ["social", "environmental"],
        "fragility_social": ["poverty", "housing"],
        "fragility_environmental": ["energy"],
        "shared_stakes": ["combined_skills"],
        "expectations": "Sortir des familles de la précarité énergétique avec des artisans formés",
        "contribution": "Notre connaissance des familles et des bailleurs du département",
        "articulation": "partly",
        "needs_outside": "yes",
        "bandwidth": "partly",
        "admin_burden": "yes",
        "resources": ["field", "network", "staff_time"],
        "hours_per_month": "12",
        "partner_knowledge": "2",
        "start_date": "01/03/2027",
    },
    partnership={
        "name": "Chaleur pour tous",
        "our_organisation": "Rénov'Solidaire 93",
        "partner": SKIP,
        "theme": "Rénovation énergétique",
        "territory": "Seine-Saint-Denis",
    },
    dialogue_points=["meet", "expectations", "stakes", "commitment"],
    meeting_note=(
        "Réunion du 12 novembre chez ÉnerBat à Bobigny.\n"
        "Décidé : 40 diagnostics en 2027, priorité aux familles suivies par l’association.\n"
        "Ouvert : qui assure les chantiers chez les particuliers ?"
    ),
    candidates=[
        candidate("Isol'Est", "economic", "32323332"),
        candidate("ÉnerBat SAS", "economic", "45443544"),
    ],
    convention={
        "p_ours": "association loi 1901 ; 12 rue de la République, 93200 Saint-Denis ; "
        "RNA W931234567 ; représentée par Samira Benali, présidente",
        "p_partner": "SAS ; 4 avenue Jean Jaurès, 93000 Bobigny ; SIREN 812 345 678 ; "
        "représentée par Karim Haddad, directeur général",
        "c_scope": ["geography", "theme", "beneficiaries"],
        "t_geography": "Seine-Saint-Denis",
        "t_beneficiaries": "Ménages modestes en précarité énergétique de Seine-Saint-Denis",
        "c_objectives": ["objectives", "actions"],
        "t_objectives": "Rénover 12 logements et former 40 familles aux éco-gestes en 2027",
        "t_actions": RENOV_ACTIONS,
        "c_means": ["financial_means", "vat", "human_means"],
        "y_vat": "yes",
        "t_financial_means": "Don de 15 000 euros d’ÉnerBat SAS, versé en deux fois",
        "t_human_means": "Deux thermiciens d’ÉnerBat, trois bénévoles de l’association",
        "c_duration": ["duration", "termination", "calendar"],
        "t_duration": "Deux ans à compter de la signature",
        "t_termination": "Par lettre recommandée avec un préavis de trois mois",
        "t_calendar": "Diagnostics au printemps 2027, chantiers à l’automne 2027",
        "c_steering": ["referents", "implementation", "evaluation"],
        "t_implementation": "Les référents se parlent chaque semaine ; un tableau partagé suit les chantiers",
        "t_referents_ours": "Samira Benali, présidente",
        "t_referents_partner": "Karim Haddad, directeur général",
        "t_evaluation": "Un point d’étape par trimestre, un bilan annuel",
        "c_commitments": ["alert", "confidentiality", "communication"],
        "t_alert": "Un courriel au référent de l’autre partie, puis une réunion sous 15 jours",
        "y_confidentiality": "yes",
        "t_communication": "Communiqué commun validé par les deux parties ; logos sur accord écrit",
    },
    followup={
        "referent_ours": "Samira Benali",
        "referent_partner": "Karim Haddad",
        "steering_committee": "yes",
        "committee_members": "La présidente et la trésorière ; le directeur général d’ÉnerBat",
        "signature_date": "15/01/2027",
        "end_date": "14/01/2029",
        "frequency": "quarterly",
        "reporting_tools": ["minutes", "checkins"],
        "communication_plan": "Une lettre aux adhérents par trimestre, un article sur le site",
        "actions": SKIP,
    },
    signed=date(2027, 1, 15),
    pulse_ours=pulse("45444434", steering="réunions trop espacées"),
    pulse_partner=pulse("42434232", efficiency="chantiers retardés par les devis"),
    review_ours=review("443434444", "renew", strengths="Des familles mieux chauffées"),
    review_partner=review("434343434", "renew", weaknesses="Délais administratifs"),
    decision="renew",
    in_convention=[
        "Rénov'Solidaire 93",
        "ÉnerBat SAS",
        "Seine-Saint-Denis",
        "Samira Benali",
        "Karim Haddad",
        "lettre recommandée avec un préavis de trois mois",
        "15 000 euros",
    ],
    in_action_plan=[
        "Diagnostic énergétique de 40 logements",
        "Ateliers éco-gestes pour les familles",
        "Travaux d’isolation chez 12 ménages modestes",
    ],
)
