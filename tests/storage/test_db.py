"""A database error's message, as it reaches the logs, holds none of the values written."""

from __future__ import annotations

import logging
import traceback

import pytest
from sqlalchemy.exc import DataError, IntegrityError

from storage.db import make_engine, session_scope
from storage.models import User

NAME = "Claire-Secretname"


def logged(error: BaseException, caplog) -> str:
    """The text of the error as the bot logs it: its message and its traceback."""
    with caplog.at_level(logging.ERROR):
        logging.getLogger("test").error("error while handling an update", exc_info=error)
    return caplog.text + "".join(traceback.format_exception(error))


def test_a_unique_key_error_is_logged_without_the_key_or_the_row(engine, caplog):
    with session_scope(engine) as db:
        db.add(User(external_id=f"tg:{NAME}", display_name=NAME))
    with pytest.raises(IntegrityError) as raised, session_scope(engine) as db:
        db.add(User(external_id=f"tg:{NAME}", display_name=NAME))
    text = logged(raised.value, caplog)
    assert "INSERT INTO app_user" in text
    assert NAME not in text


def test_a_value_too_long_is_logged_without_the_row(clean_postgres_url, caplog):
    engine = make_engine(clean_postgres_url)
    try:
        with pytest.raises(DataError) as raised, session_scope(engine) as db:
            db.add(User(external_id="tg:77", display_name=NAME * 10))
    finally:
        engine.dispose()
    text = logged(raised.value, caplog)
    assert "value too long" in text
    assert NAME not in text and "tg:77" not in text
