"""Answers the convention questionnaire through the use cases, as a user would, and counts."""

from __future__ import annotations

from bot.services import Actor
from storage import repository
from storage.db import session_scope
from tests.bot.client import Client


def running(service: Client, who: Actor):
    """The user's questionnaire in progress (None when finished)."""
    with session_scope(service.engine) as db:
        user = repository.get_or_create_user(db, external_id=who.external_id, language="fr")
        return repository.active_flow_session(db, user_id=user.id)


def keep_button(service: Client, who: Actor) -> str:
    run = running(service, who)
    return f"v1:k:{run.id}:{run.state['state']}"


def walk(
    service: Client, who: Actor, plan: dict, limit: int = 200, until: str | None = None
) -> int:
    """Answers the questionnaire in progress: for each question id, `plan` gives a text, a
    list of option numbers to tick (then Validate), "all" (tick every option), "keep", or
    "skip"; a question not in the plan keeps its offered answer. Stops at the end, or at the
    question `until`. Returns how many answers were given."""
    for answers in range(limit):
        run = running(service, who)
        if run is None or run.state["state"] == until:
            return answers
        question = run.state["state"]
        step = plan.get(question, "keep")
        if step == "keep" and not _offered(service, run, question):
            raise AssertionError(f"nothing to keep at {question}: the plan must answer it")
        if step == "keep":
            service.press(who, keep_button(service, who), None)
        elif step == "skip":
            service.press(who, f"v1:s:{run.id}:{question}", None)
        elif isinstance(step, list) or step == "all":
            # Ticks exactly these options, from whatever was pre-ticked, then validates.
            draft = run.state.get("draft") or []
            options = _options(service, run, question)
            wanted = options if step == "all" else [options[n - 1] for n in step]
            for option in set(draft) ^ set(wanted):
                service.press(who, f"v1:t:{run.id}:{question}:{option}", None)
            service.press(who, f"v1:v:{run.id}:{question}", None)
        else:
            service.text(who, step)
    raise AssertionError("the questionnaire never ended")


def _options(service: Client, run, question_id: str) -> list[str]:
    flow = service.services.core.flows[run.flow]
    return [option.id for option in flow.questionnaire.question(question_id).options]


def _offered(service: Client, run, question_id: str) -> bool:
    state = run.state
    return question_id in (state.get("answers") or {}) or question_id in (
        state.get("defaults") or {}
    )
