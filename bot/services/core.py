"""What every use case reads and none changes: the method's data and one machine per flow,
loaded once per process."""

from __future__ import annotations

from functools import cached_property
from zoneinfo import ZoneInfo

from flows.engine import QuestionnaireFlow
from flows.lifecycle import Lifecycle
from flows.questionnaires import QUESTIONNAIRES, SPECS, QuestionnaireSpec, load
from knowledge import load_method, load_questionnaire
from knowledge.loader import load_convention_checklist, load_dialogue, load_knowledge_base
from knowledge.search import CardIndex


class Core:
    """The method as the use cases need it; safe to share between threads (read only)."""

    def __init__(self, zone: str = "Europe/Paris", web_url: str | None = None):
        self.zone = ZoneInfo(zone)
        # The dashboard's base URL (ALLIANCE_WEB_URL, or `alliance web`'s own); None: no
        # dashboard is served for this bot.
        self.web_url = web_url.rstrip("/") if web_url else None
        # One machine per questionnaire for the whole process.
        self.flows = {spec.id: QuestionnaireFlow(load(spec)) for spec in QUESTIONNAIRES}
        self.method = load_method()
        self.checklist = load_convention_checklist()
        self.dialogue = load_dialogue()
        self.criteria = load_questionnaire("criteria")
        self.lifecycle = Lifecycle()

    def spec(self, flow_id: str) -> QuestionnaireSpec:
        return SPECS[flow_id]

    @cached_property
    def cards(self) -> CardIndex:
        """Loaded and indexed once: a lookup then costs a few dictionary reads."""
        return CardIndex(load_knowledge_base())
