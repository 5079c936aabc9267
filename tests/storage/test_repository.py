"""Repository functions against real SQLite and PostgreSQL databases."""

from sqlalchemy import inspect

from storage import repository
from storage.db import session_scope


def test_migrations_create_the_tables_and_indexes(engine):
    inspector = inspect(engine)
    assert {"app_user", "flow_session", "answer", "alembic_version"} <= set(
        inspector.get_table_names()
    )
    indexes = {index["name"] for index in inspector.get_indexes("flow_session")}
    assert "ix_flow_session_user_status" in indexes


def test_user_is_created_once(engine):
    with session_scope(engine) as db:
        first = repository.get_or_create_user(db, external_id="tg:1", language="fr")
    with session_scope(engine) as db:
        again = repository.get_or_create_user(db, external_id="tg:1", language="en")
    assert again.id == first.id
    assert again.language == "fr"


def test_every_answer_is_logged_and_the_state_saved(engine):
    with session_scope(engine) as db:
        user = repository.get_or_create_user(db, external_id="tg:2", language="fr")
        run = repository.start_flow_session(
            db, user_id=user.id, flow="diagnostic", state={"state": "profile"}
        )
        run_id, user_id = run.id, user.id
    for value in ("company", "association"):
        with session_scope(engine) as db:
            run = repository.owned_flow_session(db, session_id=run_id, user_id=user_id)
            repository.save_flow_state(
                db,
                flow_session=run,
                state={"state": "territory", "answers": {"profile": value}},
                status="active",
                answered=("profile", value),
            )
    with session_scope(engine) as db:
        run = repository.active_flow_session(db, user_id=user_id, flow="diagnostic")
        assert run.state["answers"] == {"profile": "association"}
        log = repository.answer_log(db, session_id=run_id)
    assert [(a.question_id, a.value) for a in log] == [
        ("profile", "company"),
        ("profile", "association"),
    ]


def test_a_session_is_only_found_by_its_owner(engine):
    with session_scope(engine) as db:
        owner = repository.get_or_create_user(db, external_id="tg:3", language="fr")
        stranger = repository.get_or_create_user(db, external_id="tg:4", language="fr")
        run = repository.start_flow_session(db, user_id=owner.id, flow="diagnostic", state={})
        run_id, stranger_id = run.id, stranger.id
    with session_scope(engine) as db:
        assert repository.owned_flow_session(db, session_id=run_id, user_id=stranger_id) is None


def test_starting_another_run_pauses_the_previous_one(engine):
    with session_scope(engine) as db:
        user = repository.get_or_create_user(db, external_id="tg:5", language="fr")
        first = repository.start_flow_session(db, user_id=user.id, flow="diagnostic", state={})
        second = repository.start_flow_session(db, user_id=user.id, flow="diagnostic", state={})
        first_id, second_id, user_id = first.id, second.id, user.id
    with session_scope(engine) as db:
        active = repository.active_flow_session(db, user_id=user_id, flow="diagnostic")
        closed = repository.owned_flow_session(db, session_id=first_id, user_id=user_id)
    assert active.id == second_id
    assert closed.status == "paused"
