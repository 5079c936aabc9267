"""Which database errors are worth trying again: the transaction did nothing, and the same
work may succeed a moment later (a connection lost or a backend terminated, a serialization
failure or a deadlock on PostgreSQL, a locked SQLite file)."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

# PostgreSQL SQLSTATE classes and codes: connection exceptions (08), operator intervention
# such as a terminated backend (57P01-57P03), serialization failure and deadlock (40001, 40P01).
TRANSIENT_STATES = ("08", "57P01", "57P02", "57P03", "40001", "40P01")
ATTEMPTS = 3


def is_transient(error: BaseException) -> bool:
    """Whether `error` says the transaction may succeed if run again from the start."""
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    state = getattr(error.orig, "sqlstate", None) or ""
    if state and state.startswith(TRANSIENT_STATES):
        return True
    # SQLite: another writer holds the file longer than the busy time-out.
    return isinstance(error, OperationalError) and "database is locked" in str(error.orig)


def is_unavailable(error: BaseException) -> bool:
    """Whether `error` says the database is out of reach (or the work may succeed later): what
    it interrupted is to be done again once the database answers, not given up. Besides the
    transient errors: psycopg's own OperationalError, without a SQLSTATE (the server could not
    be reached, or the connection was lost), and no pooled connection freed in time."""
    if is_transient(error) or isinstance(error, PoolTimeout):
        return True
    driver_error = getattr(error, "orig", None)
    return (
        isinstance(error, OperationalError)
        and hasattr(driver_error, "sqlstate")
        and driver_error.sqlstate is None
    )
