"""The chain from one step to the next: what a step needs is one definition, read by the
flow's summary, the card and the move; a stopped questionnaire is taken up where it stopped."""

from flows.convention import unsettled_items
from flows.lifecycle import NEEDS, STAGES, TRANSITIONS
from tests.bot.services.conventions import running, walk
from tests.bot.services.test_convention import (
    OURS,
    OWNER,
    SCALES,
    THEIRS,
    create,
    diagnosed,
    partnership,
)

# Every required point with no standard clause of ours is agreed; renewal, non-renewal,
# the alert procedure, the signing place and communication are left to our proposals.
REQUIRED_ONLY = {
    "p_ours": OURS,
    "p_partner": THEIRS,
    "c_scope": [1, 2, 3],
    "t_beneficiaries": "Ménages modestes de Seine-Saint-Denis",
    "c_objectives": [1, 2],
    "t_actions": "Visites à domicile\nChantiers de rénovation",
    "c_means": [1, 2, 3],
    "t_financial_means": "Don de 20 000 €",
    "y_vat": "Non",
    "t_human_means": "Un conseiller, deux jours par semaine",
    "c_duration": [1, 4, 5],
    "t_duration": "Deux ans à compter de la signature",
    "t_termination": "Préavis de deux mois",
    "t_calendar": "Lancement en janvier, bilan en décembre",
    "c_steering": [1, 3, 4],
    "t_referents_ours": "Awa Diallo, coordinatrice",
    "t_referents_partner": "Karim Benali, responsable RSE",
    "t_implementation": "Point mensuel",
    "t_evaluation": "Bilan annuel sur le nombre de logements rénovés",
    "s_evaluator": "Les partenaires eux-mêmes",
    "c_commitments": [4],
    "y_confidentiality": "Oui",
}


def score_a_candidate(service) -> None:
    service.criteria(OWNER)
    walk(
        service,
        OWNER,
        {"candidate_name": "ÉnerBat", "candidate_profile": "1", "guard_rails": "Oui"}
        | {q: "4" for q in SCALES},
    )


def to_content(service) -> int:
    """A diagnosed partnership at step 4, its partner chosen."""
    diagnosed(service)
    pid = create(service)
    service.partnership_button(OWNER, service.button(pid, "tick", "meet"), 3)
    service.partnership_button(OWNER, service.button(pid, "advance"), 3)
    score_a_candidate(service)
    service.partnership_button(OWNER, service.button(pid, "choose", 0), 5)
    assert partnership(service).stage == "content"
    return pid


def test_every_advance_is_declared_by_the_needs_of_its_stage():
    advances = {t["source"]: t["conditions"] for t in TRANSITIONS if t["trigger"] == "advance"}
    assert advances == {stage: need.fact for stage, need in NEEDS.items()}
    assert list(NEEDS) == STAGES[: len(NEEDS)]


def test_a_complete_convention_says_so_and_moves_to_step_5(service):
    pid = to_content(service)
    service.convention(OWNER)
    walk(service, OWNER, REQUIRED_ONLY)
    shown = partnership(service)
    # What the summary calls complete is what the move needs: our proposals settle a point.
    assert unsettled_items(service.services.core.checklist, shown.convention) == []
    assert shown.stage == "formalisation"
    summary = service.convention(OWNER).messages[0].text
    assert "Tous les points indispensables sont convenus." in summary
    assert "Renouvellement" in summary  # named among the proposals to discuss
    card = service.partnership_button(OWNER, service.button(pid, "open"), 3).edit.text
    assert "Étape 5/7" in card


def test_a_refused_move_names_what_the_convention_still_needs(service):
    pid = to_content(service)
    service.convention(OWNER)
    walk(service, OWNER, REQUIRED_ONLY | {"c_duration": [1, 4]})
    assert partnership(service).stage == "content"
    summary = service.convention(OWNER).messages[0].text
    assert "Calendrier et rythme" in summary
    assert "Tous les points indispensables" not in summary
    reply = service.partnership_button(OWNER, service.button(pid, "advance"), 3)
    refusal = reply.messages[0].text
    assert "Pas encore" in refusal and "Calendrier et rythme" in refusal
    assert "Renouvellement" not in refusal


def test_choosing_the_partner_during_the_dialogue_moves_on_in_one_press(service):
    diagnosed(service)
    pid = create(service)
    service.partnership_button(OWNER, service.button(pid, "tick", "meet"), 3)
    assert partnership(service).stage == "dialogue"
    score_a_candidate(service)
    reply = service.partnership_button(OWNER, service.button(pid, "choose", 0), 5)
    assert partnership(service).stage == "content"
    assert any("étape 4/7" in m.text for m in reply.messages)


def test_a_stopped_convention_is_taken_up_where_it_stopped(service):
    to_content(service)
    service.convention(OWNER)
    walk(service, OWNER, REQUIRED_ONLY, until="t_beneficiaries")
    stopped = service.cancel(OWNER).messages[0].text
    assert "vos réponses sont conservées" in stopped and "reprend" in stopped
    reply = service.convention(OWNER)
    # The next run starts where the last one stopped, the earlier answers still there.
    assert running(service, OWNER).state["state"] == "t_beneficiaries"
    assert running(service, OWNER).state["answers"]["p_ours"] == OURS
    assert "Ménages" not in reply.messages[-1].text
    walk(service, OWNER, REQUIRED_ONLY)
    assert partnership(service).convention["_parties"]["ours"] == OURS


def test_a_stopped_diagnosis_is_taken_up_where_it_stopped(service):
    service.diagnostic(OWNER)
    service.text(OWNER, "Entreprise")
    service.cancel(OWNER)
    reply = service.diagnostic(OWNER)
    assert "Question 2/" in reply.messages[-1].text
    assert running(service, OWNER).state["answers"]["profile"] == "company"


def test_the_diagnosis_scale_is_not_offered_as_the_partnerships_territory(service):
    diagnosed(service)  # its territory answer is the scale "region"
    service.new_partnership(OWNER)
    walk(
        service,
        OWNER,
        {"name": "Chaleur", "our_organisation": "Rénov", "partner": "ÉnerBat", "theme": "Énergie"},
        until="territory",
    )
    shown = running(service, OWNER)
    assert "territory" not in shown.state["defaults"]
