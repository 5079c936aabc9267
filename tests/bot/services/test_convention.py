"""Steps 4 to 6 as a field worker lives them: a short convention run, drafts without
contradictions, nothing asked twice, the stage that follows the work."""

from io import BytesIO

import docx
import pytest

from bot.services import Actor, Services, partnerships
from bot.services.results import QuestionShown
from storage import repository
from storage.db import make_engine, session_scope
from storage.models import Partnership
from tests.bot.client import Client
from tests.bot.services.conventions import running, walk

OWNER = Actor("tg:10", "fr")
OURS = (
    "association loi 1901 ; 12 rue de la Paix, 69008 Lyon ; W691234567 ; Claire Durand, présidente"
)
THEIRS = "SAS ; 3 place Bellecour, 69002 Lyon ; 812 345 678 ; Marc Martin, gérant"
TERMINATION = (
    "Chaque partie peut y mettre fin avec un préavis de deux mois, par lettre recommandée."
)
TYPICAL = {
    "p_ours": OURS,
    "p_partner": THEIRS,
    "c_scope": [1, 2, 3],
    "t_beneficiaries": "Jeunes de 16 à 25 ans des quartiers prioritaires",
    "c_objectives": [1, 2],
    "t_actions": "Ateliers découverte des métiers\nStages en boulangerie",
    "c_means": [1, 2, 3],
    "t_financial_means": "Don de 10 000 € par an",
    "y_vat": "Oui",
    "t_human_means": "Deux salariés, quatre heures par mois",
    "c_duration": [1, 4],
    "t_duration": "Trois ans à compter de la signature",
    "t_termination": TERMINATION,
    "c_steering": [1],
    "t_referents_ours": "Claire Durand, présidente",
    "t_referents_partner": "Marc Martin, gérant",
    "c_commitments": [3, 4],
    "t_signature_place": "Lyon",
    "y_confidentiality": "Oui",
}


# Without a self-diagnosis, the objectives are typed too.
UNDIAGNOSED = TYPICAL | {"t_objectives": "Ouvrir des emplois aux jeunes du quartier"}


@pytest.fixture
def service(sqlite_url):
    engine = make_engine(sqlite_url)
    yield Client(Services(engine))
    engine.dispose()


def diagnosed(service, who=OWNER):
    """The user's self-diagnosis is done: objectives, territory and resources are known."""
    with session_scope(service.engine) as db:
        user = repository.get_or_create_user(db, external_id=who.external_id, language="fr")
        answers = {
            "profile": "association",
            "territory": "region",
            "expectations": "Ouvrir des emplois aux jeunes du quartier",
            "resources": ["money", "staff_time"],
        }
        state = {"questionnaire": "diagnostic", "state": "done", "answers": answers}
        run = repository.start_flow_session(db, user_id=user.id, flow="diagnostic", state=state)
        run.status = "done"


def create(service, who=OWNER) -> int:
    service.new_partnership(who)
    walk(
        service,
        who,
        {
            "name": "Alliance Emploi",
            "our_organisation": "Association Rebond",
            "partner": "Boulangeries Martin",
            "theme": "Insertion professionnelle",
            "territory": "Métropole de Lyon",
        },
    )
    return partnership(service).id


def partnership(service, who=OWNER) -> Partnership:
    with session_scope(service.engine) as db:
        user = repository.get_or_create_user(db, external_id=who.external_id, language="fr")
        return db.get(Partnership, user.active_partnership_id)


def documents(service, reply) -> dict[str, docx.document.Document]:
    return {name: docx.Document(BytesIO(content)) for name, content in service.files(reply)}


def text_of(document) -> str:
    paragraphs = list(document.paragraphs)
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                paragraphs.extend(cell.paragraphs)
    return "\n".join(p.text for p in paragraphs)


def build(service) -> dict:
    summary = service.convention(OWNER).messages[0]
    generate = next(b.data for row in summary.buttons for b in row if b.data.endswith("generate"))
    return documents(service, service.partnership_button(OWNER, generate, 9))


def test_a_typical_convention_run_takes_at_most_25_answers(service):
    diagnosed(service)
    create(service)
    service.convention(OWNER)
    answers = walk(service, OWNER, TYPICAL)
    assert answers <= 25, answers
    # What the diagnosis and /nouveau knew was offered, then kept in one tap each.
    items = partnership(service).convention
    assert items["geography"]["text"] == "Métropole de Lyon"
    assert items["objectives"]["text"] == "Ouvrir des emplois aux jeunes du quartier"
    assert items["vat"] == {"status": "in_place", "yes": True}


def test_the_draft_has_one_article_per_subject_and_the_typed_notice_only(service):
    diagnosed(service)
    create(service)
    service.convention(OWNER)
    walk(service, OWNER, TYPICAL)
    convention = next(d for name, d in build(service).items() if "convention" in name)
    text = text_of(convention)
    articles = [
        p.text.split(" – ", 1)[1] for p in convention.paragraphs if p.style.name == "Heading 2"
    ]
    assert len(articles) == len(set(articles))
    clauses = [
        p.text.split(" ", 1)[1] for p in convention.paragraphs if p.style.name == "Heading 3"
    ]
    assert len(clauses) == len(set(clauses))
    # The typed termination replaces the standard one (and its 30-day notice).
    assert TERMINATION in text and "trente jours" not in text
    assert text.count("Résiliation anticipée") == 1
    # A checklist label is not a clause title; a yes or no becomes its clause.
    assert "Question de la TVA" not in text and "Versement de la dotation" in clauses
    assert "subordonné à l’exécution et à l’évaluation du projet" in text
    # Our default terms are marked as proposals; they stand only where nothing was agreed.
    assert "Proposition d’Alliance" in text and text.count("au moins trois mois") == 1
    # Each party has its block and its signature; the signing place is used.
    assert "W691234567" in text and "3 place Bellecour, 69002 Lyon" in text
    assert "Fait à Lyon" in text and "Pour Boulangeries Martin" in text
    assert "Marc Martin, gérant" in text and "Claire Durand, présidente" in text
    # What a lawyer should check is said.
    assert "juridiction" in text.split("Entre les soussignés")[0]
    # No personal data was mentioned: no such article.
    assert "Données personnelles" not in articles


def test_optional_points_not_agreed_are_left_out_and_partial_points_are_marked(service):
    create(service)
    service.convention(OWNER)
    plan = dict(UNDIAGNOSED, c_duration=[1, 4, 5], t_calendar="Lancement en janvier")
    walk(service, OWNER, plan, until="t_calendar")
    # Calendar: only partly agreed, flagged before typing.
    run = running(service, OWNER)
    assert run.state["state"] == "t_calendar"
    service.press(OWNER, f"v1:f:{run.id}:t_calendar", None)
    walk(service, OWNER, plan)
    text = text_of(next(d for n, d in build(service).items() if "convention" in n))
    assert "Lancement en janvier\n(Point convenu en partie" in text
    # Material means and non-compete are optional and were not agreed.
    assert "Locaux" not in text and "Non-concurrence" not in text


def test_personal_data_in_the_answers_brings_a_personal_data_clause(service):
    create(service)
    service.convention(OWNER)
    walk(
        service,
        OWNER,
        dict(UNDIAGNOSED, t_beneficiaries="Jeunes suivis, fichier partagé avec leurs coordonnées"),
    )
    convention = next(d for n, d in build(service).items() if "convention" in n)
    articles = [p.text for p in convention.paragraphs if p.style.name == "Heading 2"]
    assert any("Données personnelles" in a for a in articles)
    assert "RGPD" in text_of(convention)


def test_reviewing_every_point_keeps_each_unchanged_answer(service):
    diagnosed(service)
    create(service)
    service.convention(OWNER)
    walk(service, OWNER, TYPICAL)
    before = partnership(service).convention
    service.run(OWNER, partnerships.convention, True)
    # Every question shows its current answer; keeping them all changes nothing.
    walk(service, OWNER, {})
    assert partnership(service).convention == before


def test_followup_is_offered_what_the_convention_settled(service):
    create(service)
    service.convention(OWNER)
    walk(service, OWNER, UNDIAGNOSED)
    result = service.services.run(OWNER, partnerships.followup)
    question = next(v for v in result.shown if isinstance(v, QuestionShown))
    assert (
        question.question.id == "referent_ours" and question.current == "Claire Durand, présidente"
    )
    walk(
        service,
        OWNER,
        {
            "steering_committee": "Non",
            "signature_date": "skip",
            "end_date": "skip",
            "frequency": "Chaque trimestre",
            "reporting_tools": [1, 2],
            "communication_plan": "Une lettre par an",
            "actions": "Ateliers ; Claire ; janvier ; salle ; 20 jeunes",
        },
    )
    followup = partnership(service).followup
    assert followup["referent_partner"] == "Marc Martin, gérant"


def test_the_action_plan_holds_the_followup_answers(service):
    create(service)
    service.convention(OWNER)
    walk(service, OWNER, UNDIAGNOSED)
    service.followup(OWNER)
    walk(
        service,
        OWNER,
        {
            "steering_committee": "Oui",
            "signature_date": "15/01/2027",
            "end_date": "skip",
            "committee_members": "Les deux référents et la directrice",
            "frequency": "Chaque semestre",
            "reporting_tools": [1, 2],
            "communication_plan": "Une lettre par an",
            "actions": "Ateliers ; Claire ; janvier ; salle ; 20 jeunes\n"
            "Stages ; Marc ; été ; boulangerie ; 5 stages",
        },
    )
    plan = next(d for n, d in build(service).items() if "plan" in n)
    (table,) = plan.tables
    assert [c.text for c in table.rows[1].cells] == [
        "Ateliers",
        "Claire",
        "janvier",
        "salle",
        "20 jeunes",
    ]
    assert len(table.rows) == 3
    text = text_of(plan)
    for words in (
        "Claire Durand, présidente",
        "Marc Martin, gérant",
        "la directrice",
        "une fois par semestre",
        "Tableau de bord",
        "Une lettre par an",
    ):
        assert words in text, words
    # Nothing the user answered is left as a placeholder (the calendar was not agreed).
    assert "[À compléter" not in text.split("Objectifs")[1]


def test_the_stage_follows_the_work(service):
    diagnosed(service)
    pid = create(service)
    # The diagnosis was done: the new partnership starts at the dialogue.
    assert partnership(service).stage == "dialogue"
    service.partnership_button(OWNER, service.button(pid, "tick", "meet"), 3)
    service.partnership_button(OWNER, service.button(pid, "advance"), 3)
    assert partnership(service).stage == "partner_choice"
    service.criteria(OWNER)
    walk(
        service,
        OWNER,
        {"candidate_name": "Boulangeries Martin", "candidate_profile": "1", "guard_rails": "Oui"}
        | {q: "4" for q in SCALES},
    )
    choose = service.button(pid, "choose", 0)
    reply = service.partnership_button(OWNER, choose, 5)
    # Choosing the partner moves the partnership to the content of the convention.
    assert partnership(service).stage == "content"
    assert any("étape 4/7" in m.text for m in reply.messages)
    # A convention with every required point agreed moves it on to formalising.
    service.convention(OWNER)
    everything = {
        f"c_{s}": "all"
        for s in ("scope", "objectives", "means", "duration", "steering", "commitments")
    }
    texts = {
        "t_calendar": "Lancement en janvier",
        "t_implementation": "Réunion mensuelle",
        "t_evaluation": "Bilan annuel sur trois indicateurs",
        "s_evaluator": "Les partenaires eux-mêmes",
        "t_alert": "Courriel",
        "t_material_means": "Une salle",
        "t_project_end": "Bilan final",
        "t_steering_committee": "Les deux référents",
        "t_mediation": "Un médiateur",
        "t_communication": "Communiqué commun",
        "t_renewal": "Par avenant",
        "t_non_renewal": "Préavis de trois mois",
        "t_insurance": "Chaque partie garde son assureur",
    }
    walk(service, OWNER, TYPICAL | everything | texts | {"y_non_compete": "Non"}, limit=300)
    assert partnership(service).stage == "formalisation"
    card = service.partnership_button(OWNER, service.button(pid, "open"), 3).edit.text
    assert "/convention" in card


SCALES = (
    "gi_relevance",
    "gi_credibility",
    "gi_reliability",
    "gi_viability",
    "gi_effectiveness",
    "gi_potential",
    "ec_trust",
    "ec_equality",
    "ec_long_term",
    "ec_leadership",
    "ec_values",
    "values_alignment",
    "value_exchange",
    "power_balance",
)
