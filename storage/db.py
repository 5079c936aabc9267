"""Database engine and sessions for a URL; SQLite gets foreign keys and WAL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine


def make_engine(url: str) -> Engine:
    # hide_parameters: a database error's message (logged) leaves out the statement's values,
    # which are names, Telegram ids and what people typed.
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=True
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_engine(url, pool_pre_ping=True, hide_parameters=True)
    event.listen(engine, "handle_error", _first_line_only)
    return engine


def _first_line_only(context) -> None:
    """PostgreSQL's message goes on with a DETAIL that repeats the values of the failing row
    or key (a name, a Telegram id): only its first line is kept, so that the logs hold none.
    The error's kind, its SQLSTATE and `diag` are untouched."""
    error, wrapped = context.original_exception, context.sqlalchemy_exception
    if not (error.args and isinstance(error.args[0], str) and "\n" in error.args[0]):
        return
    message = error.args[0]
    first = message.split("\n", 1)[0]
    error.args = (first, *error.args[1:])
    # SQLAlchemy's own error already copied the driver's message.
    if wrapped is not None and wrapped.args and isinstance(wrapped.args[0], str):
        wrapped.args = (wrapped.args[0].replace(message, first), *wrapped.args[1:])


def _sqlite_pragmas(connection, _record) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A unit of work: committed when the block ends, rolled back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
