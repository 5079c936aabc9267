"""Four organisations and their partners, each with the answers a real person of that kind
would give: the data of the journeys (question id → answer), kept apart from the steps."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from tests.journeys.steps import KEEP, SKIP, Candidate, Person

# Dates are typed as people type them, counted from the day the tests run: a date to come must
# still be to come whenever they run (the bot refuses a past start or end date).
TODAY = date.today()


def ahead(days: int) -> date:
    return TODAY + timedelta(days=days)


def typed(day: date) -> str:
    return day.strftime("%d/%m/%Y")


PULSE = ("performance", "coherence", "efficiency", "relevance", "societal_contribution")
PULSE += ("value_exchange", "steering", "clarity", "meaning")
REVIEW_RATED = ("actions_done", "means_in_place", "framing", "steering", "communication")
REVIEW_RATED += ("evaluation", "objectives_own", "objectives_common", "coherence")


def pulse(scores: str, **comments: str) -> dict:
    """Nine scores as a string ("453443434"); a dimension's comment is typed after its score."""
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
    # /annuler after that many answers of /convention, then /convention again.
    convention_stopped_after: int | None = None
    # A second member of our organisation, invited by the first: answers the check-in,
    # then is no longer asked (unticked in /evaluation) but still receives the results.
    colleague: Person | None = None
    pulse_colleague: dict | None = None
    # The full review started by hand from /evaluation ("Bilan complet maintenant") instead of
    # waiting for its date.
    review_by_hand: bool = False

    @property
    def split(self) -> bool:
        """Whether the two organisations propose different things after the full review: the
        members then decide from the card (the persona's `decision`)."""
        return self.review_ours["decision"] != self.review_partner["decision"]

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
    ours=Person(7101, "Samira", "Benali"),
    partner=Person(7102, "Karim", "Haddad"),
    organisation="Rénov'Solidaire 93",
    partner_organisation="ÉnerBat SAS",
    diagnostic={
        "profile": "association",
        "territory": "department",
        "objectives_general": ["funding", "skills"],
        "exchange": "gift",
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
        "start_date": typed(ahead(87)),
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
        "t_implementation": "Un point chaque semaine ; un tableau suit les chantiers",
        "t_referents_ours": "Samira Benali, présidente",
        "t_referents_partner": "Karim Haddad, directeur général",
        "t_evaluation": "Un point d’étape par trimestre, un bilan annuel",
        "s_evaluator": "both",
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
        "signature_date": typed(ahead(42)),
        "end_date": typed(ahead(772)),
        "frequency": "quarterly",
        "reporting_tools": ["minutes", "checkins"],
        "communication_plan": "Une lettre aux adhérents par trimestre, un article sur le site",
        "actions": KEEP,
    },
    signed=ahead(42),
    pulse_ours=pulse("454444434", steering="réunions trop espacées"),
    pulse_partner=pulse("424334232", efficiency="chantiers retardés par les devis"),
    review_ours=review("443434444", "renew", strengths="Des familles mieux chauffées"),
    review_partner=review("434343434", "renew", weaknesses="Délais administratifs"),
    decision="renew",
    review_by_hand=True,
    in_convention=[
        "Rénov'Solidaire 93",
        "ÉnerBat SAS",
        "Seine-Saint-Denis",
        "Samira Benali",
        "Karim Haddad",
        "lettre recommandée avec un préavis de trois mois",
        "15 000 euros",
        "avec le concours d’un tiers extérieur",
    ],
    in_action_plan=[
        "Diagnostic énergétique de 40 logements",
        "Ateliers éco-gestes pour les familles",
        "Travaux d’isolation chez 12 ménages modestes",
    ],
)


def _convention(ours: str, partner: str, territory: str, **texts) -> dict:
    """The points every persona agrees (what a convention needs), with its own words."""
    answers = {
        "p_ours": ours,
        "p_partner": partner,
        "c_scope": ["geography", "theme", "beneficiaries"],
        "c_objectives": ["objectives", "actions"],
        "c_means": ["financial_means", "vat", "human_means"],
        "y_vat": "no",
        "c_duration": ["duration", "termination", "calendar"],
        "c_steering": ["referents", "implementation", "evaluation"],
        "s_evaluator": "partners",
        "c_commitments": ["alert", "communication"],
        "t_geography": territory,
    }
    return answers | texts


# B. A company's CSR team with an association for the return to work.
VIALIS = Persona(
    ours=Person(7201, "Hélène", "Morel"),
    partner=Person(7202, "Moussa", "Diallo"),
    organisation="Groupe Vialis",
    partner_organisation="Emploi Solidaire Nord",
    diagnostic={
        "profile": "company",
        "territory": "region",
        "objectives_company": ["hr", "stakeholders"],
        "exchange": "gift",
        "fragility_families": ["economic"],
        "fragility_economic": ["employment"],
        "shared_stakes": ["viewpoint", "pooled_means"],
        "expectations": "Recruter localement et donner du sens à nos équipes",
        "contribution": SKIP,
        "articulation": "planned",
        "needs_outside": "yes",
        "bandwidth": "yes",
        "admin_burden": "partly",
        "resources": ["money", "skills"],
        "hours_per_month": "20",
        "partner_knowledge": "3",
        "start_date": SKIP,
    },
    partnership={
        "name": "Tremplin Hauts-de-France",
        "our_organisation": "Groupe Vialis",
        "partner": SKIP,
        "theme": "Insertion professionnelle",
        "territory": "Hauts-de-France",
    },
    dialogue_points=["meet", "expectations", "duration"],
    meeting_note="Atelier à Roubaix avec l’équipe d’Emploi Solidaire Nord : 20 stages en 2027.",
    candidates=[
        candidate("Emploi Solidaire Nord", "general_interest", "544454454"),
        candidate("Cap Avenir 59", "general_interest", "333232323", guard_rails="no"),
    ],
    convention=_convention(
        "SA ; 8 rue Nationale, 59000 Lille ; SIREN 552 000 111 ; représentée par Hélène Morel, "
        "directrice RSE",
        "association loi 1901 ; 3 place de la Gare, 59100 Roubaix ; RNA W595000111 ; "
        "représentée par Moussa Diallo, directeur",
        "Hauts-de-France",
        t_beneficiaries="Demandeurs d’emploi de longue durée de la métropole lilloise",
        t_objectives="20 stages et 8 embauches en 2027",
        t_actions="Stages d’immersion de deux semaines\nParrainage par des salariés volontaires",
        t_financial_means="Mécénat financier de 30 000 euros par an",
        t_human_means="Dix salariés parrains, une conseillère d’Emploi Solidaire Nord",
        t_duration="Trois ans à compter de la signature",
        t_calendar="Premières immersions en mars 2027, bilan en décembre",
        t_termination="Résiliation à tout moment avec un préavis de deux mois",
        t_referents_ours="Hélène Morel, directrice RSE",
        t_referents_partner="Moussa Diallo, directeur",
        t_implementation="Une réunion mensuelle entre référents",
        t_evaluation="Taux d’embauche suivi chaque semestre",
        t_alert="Appel du référent, puis réunion du comité sous huit jours",
        t_communication="Aucune communication sans accord écrit des deux parties",
    ),
    followup={
        "referent_ours": "Hélène Morel",
        "referent_partner": "Moussa Diallo",
        "steering_committee": "no",
        "signature_date": typed(ahead(59)),
        "end_date": SKIP,
        "frequency": "half_yearly",
        "reporting_tools": ["dashboard", "report", "checkins"],
        "communication_plan": "Intranet du groupe et rapport extra-financier",
        "actions": KEEP,
    },
    signed=ahead(59),
    pulse_ours=pulse("544445444"),
    pulse_partner=pulse("324443422", difficulty="Les managers libèrent peu les parrains"),
    review_ours=review("444344444", "modify", expectations="Ouvrir aux métiers de la logistique"),
    review_partner=review("333334343", "modify"),
    decision="modify",
    convention_stopped_after=4,
    in_convention=[
        "Groupe Vialis",
        "Emploi Solidaire Nord",
        "Hauts-de-France",
        "30 000 euros",
        "préavis de deux mois",
        # Given before /annuler: kept, and in the draft.
        "8 rue Nationale, 59000 Lille",
        "3 place de la Gare, 59100 Roubaix",
    ],
    in_action_plan=["Stages d’immersion de deux semaines", "Parrainage par des salariés"],
)

# C. A town with a gardening association: a local authority with an association.
VILLE = Persona(
    ours=Person(7301, "Laurent", "Petit"),
    partner=Person(7302, "Aïcha", "Benamar"),
    organisation="Ville de Villeurbanne",
    partner_organisation="Les Jardins du Tonkin",
    diagnostic={
        "profile": "local_authority",
        "territory": "neighbourhood",
        "objectives_public": ["needs", "social"],
        "exchange": "unsure",
        "fragility_families": ["social", "societal"],
        "fragility_social": ["isolation"],
        "fragility_societal": ["health", "culture"],
        "shared_stakes": ["combined_skills"],
        "expectations": "Recréer du lien dans le quartier du Tonkin",
        "contribution": "Des parcelles municipales et l’appui du service espaces verts",
        "articulation": "not_yet",
        "needs_outside": "partly",
        "bandwidth": "yes",
        "admin_burden": "no",
        "resources": ["material", "staff_time"],
        "hours_per_month": "8",
        "partner_knowledge": "4",
        "start_date": typed(ahead(132)),
    },
    partnership={
        "name": "Jardins partagés du Tonkin",
        "our_organisation": "Ville de Villeurbanne",
        "partner": SKIP,
        "theme": "Lien social et jardinage",
        "territory": "Villeurbanne, quartier du Tonkin",
    },
    dialogue_points=["meet", "stakes", "evaluation", "stakeholders"],
    meeting_note="Visite des parcelles avec le conseil de quartier ; accord sur trois jardins.",
    candidates=[
        candidate("Les Jardins du Tonkin", "general_interest", "455445545"),
        candidate("Vert Demain", "general_interest", "434332433"),
    ],
    convention=_convention(
        "commune ; place Lazare-Goujon, 69100 Villeurbanne ; SIREN 216 902 647 ; représentée "
        "par Laurent Petit, adjoint au maire",
        "association loi 1901 ; 5 rue du Tonkin, 69100 Villeurbanne ; RNA W691000222 ; "
        "représentée par Aïcha Benamar, présidente",
        "Villeurbanne, quartier du Tonkin",
        t_beneficiaries="Habitants du quartier, en priorité les personnes âgées isolées",
        t_objectives="Ouvrir trois jardins partagés et 60 parcelles en 2027",
        t_actions="Aménager trois jardins\nAnimer un atelier hebdomadaire\nFête des récoltes",
        t_financial_means="Subvention de 8 000 euros de la Ville",
        t_human_means="Un jardinier municipal deux jours par mois, dix bénévoles",
        t_duration="Un an renouvelable",
        t_calendar="Jardins ouverts en avril 2027, fête des récoltes en septembre",
        t_termination="Par délibération, avec un préavis d’un mois",
        t_referents_ours="Laurent Petit, adjoint au maire",
        t_referents_partner="Aïcha Benamar, présidente",
        t_implementation="Un comité de quartier tous les deux mois",
        t_evaluation="Nombre de jardiniers actifs et enquête auprès des habitants",
        t_alert="Courrier au maire adjoint, puis réunion sous quinze jours",
        t_communication="Bulletin municipal et affichage dans les jardins",
    ),
    followup={
        "referent_ours": "Laurent Petit",
        "referent_partner": "Aïcha Benamar",
        "steering_committee": "yes",
        "committee_members": "L’adjoint au maire, la présidente, deux habitants",
        "signature_date": typed(ahead(96)),
        # Eighteen months: the review a year after signature is a yearly one, the final
        # evaluation falls later, on the end date.
        "end_date": typed(ahead(644)),
        "frequency": "quarterly",
        "reporting_tools": ["minutes"],
        "communication_plan": "Bulletin municipal chaque trimestre",
        "actions": KEEP,
    },
    signed=ahead(96),
    pulse_ours=pulse("444443444"),
    pulse_partner=pulse("454112445", clarity="1 on ne sait pas qui arrose l’été"),
    review_ours=review("545454545", "renew"),
    review_partner=review("444444444", "renew", story="Une voisine de 84 ans a retrouvé du monde"),
    decision="renew",
    colleague=Person(7303, "Sophie", "Martin"),
    pulse_colleague=pulse("343442444", meaning="4 les habitants reviennent chaque semaine"),
    in_convention=["Ville de Villeurbanne", "Les Jardins du Tonkin", "8 000 euros"],
    in_action_plan=["Aménager trois jardins", "Animer un atelier hebdomadaire"],
)

# D. A university lab with a reading association: an academic actor with an association.
LABO = Persona(
    ours=Person(7401, "Claire", "Dumas"),
    partner=Person(7402, "Jonas", "Lefebvre"),
    organisation="Laboratoire CIREL, Université de Lille",
    partner_organisation="Lire et Grandir",
    diagnostic={
        "profile": "academic",
        "territory": "intercommunal",
        "objectives_general": ["innovation", "networks"],
        "exchange": "both",
        "fragility_families": ["societal"],
        "fragility_societal": ["education", "digital"],
        "shared_stakes": ["viewpoint", "combined_skills"],
        "expectations": "Évaluer une méthode de lecture avec des bénévoles de terrain",
        "contribution": "Une méthode d’évaluation et deux doctorants",
        "articulation": "partly",
        "needs_outside": "yes",
        "bandwidth": "partly",
        "admin_burden": "partly",
        "resources": ["skills", "network"],
        "hours_per_month": "16",
        "partner_knowledge": "2",
        "start_date": typed(ahead(271)),
    },
    partnership={
        "name": "Lire ensemble",
        "our_organisation": "Laboratoire CIREL, Université de Lille",
        "partner": SKIP,
        "theme": "Lecture et réussite éducative",
        "territory": "Métropole européenne de Lille",
    },
    dialogue_points=["meet", "expectations", "commitment", "review", "peers"],
    meeting_note="Séminaire commun : protocole d’évaluation présenté aux bénévoles.",
    candidates=[
        candidate("Lire et Grandir", "general_interest", "454544445"),
        candidate("Bibliothèques Sans Murs", "general_interest", "343333343"),
    ],
    convention=_convention(
        "établissement public ; 42 rue Paul Duez, 59000 Lille ; SIREN 130 029 747 ; représentée "
        "par Claire Dumas, directrice du laboratoire",
        "association loi 1901 ; 10 rue de Wazemmes, 59000 Lille ; RNA W595000333 ; représentée "
        "par Jonas Lefebvre, coordinateur",
        "Métropole européenne de Lille",
        t_beneficiaries="Enfants de CE1 de six écoles en éducation prioritaire",
        t_objectives="Mesurer les progrès en lecture de 120 enfants sur une année scolaire",
        t_actions="Former 30 bénévoles au protocole\nSéances de lecture deux fois par semaine",
        t_financial_means="Aucun apport financier ; frais de déplacement pris en charge par le "
        "laboratoire",
        t_human_means="Deux doctorants, 30 bénévoles",
        t_duration="Deux années scolaires",
        t_calendar="Tests en septembre et en juin, séances d’octobre à mai",
        t_termination="Préavis de trois mois, données déjà recueillies restituées",
        t_referents_ours="Claire Dumas, directrice du laboratoire",
        t_referents_partner="Jonas Lefebvre, coordinateur",
        t_implementation="Un point mensuel entre doctorants et coordinateur",
        t_evaluation="Tests de lecture en septembre et en juin",
        t_alert="Courriel au référent puis réunion du comité scientifique",
        t_communication="Publications cosignées ; logo de l’association cité dans les articles",
    ),
    followup={
        "referent_ours": "Claire Dumas",
        "referent_partner": "Jonas Lefebvre",
        "steering_committee": "yes",
        "committee_members": "La directrice du laboratoire, le coordinateur, une inspectrice",
        "signature_date": typed(ahead(276)),
        "end_date": SKIP,
        "frequency": "half_yearly",
        "reporting_tools": ["report", "checkins"],
        "communication_plan": "Un séminaire ouvert en fin d’année",
        "actions": KEEP,
    },
    signed=ahead(276),
    pulse_ours=pulse("343443434"),
    pulse_partner=pulse("353553535", meaning="5 les enfants adorent"),
    review_ours=review("343434343", "modify"),
    review_partner=review("444433334", "renew", weaknesses="Trop de tests pour les enfants"),
    decision="modify",
    in_convention=["Laboratoire CIREL", "Lire et Grandir", "Métropole européenne de Lille"],
    in_action_plan=["Former 30 bénévoles au protocole"],
)
