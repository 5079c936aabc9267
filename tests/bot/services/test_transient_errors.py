"""A transaction that fails for a transient reason is run again: the answer is saved once, and
an input is never marked handled by an attempt that failed."""

from __future__ import annotations

import pytest
from sqlalchemy import func, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from bot.services import Actor, Services, questionnaires
from bot.services.results import Result
from storage.db import make_engine, session_scope
from storage.models import AnswerRecord
from tests.bot.client import Client
from tests.bot.services.conventions import running

WHO = Actor("tg:700", "fr")


def terminated_at_first_attempt(attempts: list[int]):
    """The answer's use case, whose database backend is terminated at its first attempt (as
    when PostgreSQL restarts, or an operator kills the connection, mid-transaction)."""

    def use_case(work, typed: str):
        attempts.append(1)
        if len(attempts) == 1:
            work.db.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
        return questionnaires.answer_text(work, typed)

    return use_case


def test_a_terminated_backend_during_an_answer_saves_it_once_after_a_retry(clean_postgres_url):
    engine = make_engine(clean_postgres_url)
    services = Services(engine)
    services.run(WHO, questionnaires.diagnostic)
    attempts: list[int] = []
    use_case = terminated_at_first_attempt(attempts)
    result = services.run(WHO, use_case, "Entreprise", once="tg-update:1")
    assert len(attempts) == 2 and not result.duplicate
    assert running(Client(services), WHO).state["answers"]["profile"] == "company"
    with session_scope(engine) as db:
        saved = select(func.count()).where(AnswerRecord.question_id == "profile")
        assert db.exec(saved).one() == 1
    # The same input delivered again is known as handled: it acts once.
    assert services.run(WHO, questionnaires.answer_text, "Entreprise", once="tg-update:1").duplicate
    engine.dispose()


def test_an_error_that_is_not_transient_is_not_retried_and_marks_nothing(sqlite_url):
    engine = make_engine(sqlite_url)
    services = Services(engine)
    attempts: list[int] = []

    def failing(work):
        attempts.append(1)
        raise IntegrityError("INSERT …", {}, Exception("constraint"))

    with pytest.raises(IntegrityError):
        services.run(WHO, failing, once="tg-update:9")
    assert len(attempts) == 1
    # The failed input was not marked handled: delivered again, it runs.
    assert not services.run(WHO, lambda work: Result(work.language), once="tg-update:9").duplicate
    engine.dispose()
