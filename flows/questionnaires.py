"""Every questionnaire the bot runs, declared once, with what finishing it produces.

The use-case layer keeps one machine per questionnaire and, when a run is finished,
records what the questionnaire `produces`; nothing outside this table branches on a
questionnaire's name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flows.convention import checklist_questionnaire
from knowledge import Questionnaire, load_questionnaire
from knowledge.loader import load_convention_checklist

# What a finished run produces.
DIAGNOSIS = "diagnosis"  # the step-1 summary, kept with the user's answers
PARTNERSHIP = "partnership"  # a new partnership
CANDIDATE = "candidate"  # a scored candidate partner (step 3)
CONVENTION = "convention"  # the convention checklist's answers (steps 4-5)
FOLLOWUP = "followup"  # referents, steering, cadence (step 6)
MEETING_NOTE = "meeting_note"  # a dated note of a meeting (step 2)
STEERING_MEETING = "steering_meeting"  # a steering meeting held, its date and a note (step 6)
PARTNERSHIP_UPDATE = "partnership_update"  # a partnership's name and details, corrected
CHECKIN_ANSWER = "checkin_answer"  # a respondent's answers to an evaluation round (step 7)


@dataclass(frozen=True)
class QuestionnaireSpec:
    id: str
    produces: str
    # Runs on the user's active partnership, and needs the right to act on it.
    about_partnership: bool
    # The questionnaire's data file, when another spec's is reused.
    data: str | None = None


QUESTIONNAIRES = (
    QuestionnaireSpec("diagnostic", DIAGNOSIS, about_partnership=False),
    QuestionnaireSpec("new_partnership", PARTNERSHIP, about_partnership=False),
    QuestionnaireSpec("criteria", CANDIDATE, about_partnership=True),
    QuestionnaireSpec("convention", CONVENTION, about_partnership=True),
    QuestionnaireSpec("followup", FOLLOWUP, about_partnership=True),
    QuestionnaireSpec("note", MEETING_NOTE, about_partnership=True),
    QuestionnaireSpec("steering", STEERING_MEETING, about_partnership=True),
    QuestionnaireSpec(
        "edit_partnership", PARTNERSHIP_UPDATE, about_partnership=True, data="new_partnership"
    ),
    QuestionnaireSpec("pulse", CHECKIN_ANSWER, about_partnership=True),
    QuestionnaireSpec("review", CHECKIN_ANSWER, about_partnership=True),
)
SPECS = {spec.id: spec for spec in QUESTIONNAIRES}


def load(spec: QuestionnaireSpec) -> Questionnaire:
    """The questionnaire's data; the convention's is built from its checklist."""
    if spec.produces == CONVENTION:
        return checklist_questionnaire(load_convention_checklist())
    return load_questionnaire(spec.data or spec.id)


def partnership_defaults(partnership, territory: str | None, partner: bool = False) -> dict:
    """What /nouveau offers: our organisation (and, to correct one, every field)."""
    if partnership is None:
        return {"territory": territory}
    offered = {"our_organisation": partnership.our_organisation, "territory": territory}
    if partner:
        offered |= {
            "name": partnership.name,
            "partner": partnership.partner_name,
            "theme": partnership.theme,
        }
    return offered


def partnership_fields(answers: dict[str, Any]) -> dict[str, Any]:
    """A new partnership's record from the answers of /nouveau."""
    return {
        "name": answers["name"],
        "our_organisation": answers["our_organisation"],
        "partner_name": answers.get("partner"),
        "theme": answers.get("theme"),
        "territory": answers.get("territory"),
    }
