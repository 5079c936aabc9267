"""The use cases, written once for every channel.

`Services.run` opens one transaction, loads the user, claims the input (so an input
delivered twice acts once), calls the use case and returns its `Result`. An adapter may
pass `then`, which runs in the same transaction: the Telegram adapter records there what
the user must receive, so a reply is never lost between the change and its sending.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from bot.i18n import language_of
from bot.services.core import Core
from bot.services.results import Result
from bot.services.work import Actor, Work
from storage import delivery, repository
from storage.db import session_scope
from storage.models import User, utcnow
from storage.transient import ATTEMPTS, is_transient

__all__ = ["Actor", "Core", "EarlierFirst", "Result", "Services", "Work"]

AfterUseCase = Callable[[Session, User, Any], None]
log = logging.getLogger(__name__)


class EarlierFirst(Exception):
    """Inputs of the same chat that came before this one are kept but not handled yet (two
    instances received them at the same moment): they are handled first, then this one."""

    def __init__(self, inputs: list[dict]):
        super().__init__(f"{len(inputs)} earlier input(s) of this chat to handle first")
        self.inputs = inputs


class Services:
    """Runs use cases against the database, one transaction each."""

    def __init__(
        self,
        engine: Engine,
        core: Core | None = None,
        clock: Callable[[], datetime] = utcnow,
    ):
        self.engine = engine
        self.core = core or Core()
        self.clock = clock

    def run(
        self,
        actor: Actor,
        use_case: Callable[..., Any],
        *args: Any,
        once: str | None = None,
        then: AfterUseCase | None = None,
        turn: tuple[int, int] | None = None,
    ) -> Any:
        """One use case in one transaction; `once` names the input, handled at most once.

        `turn` (chat, place in the channel's order) makes the chat's inputs apply one at a
        time and in order across instances; raises EarlierFirst when earlier ones wait. A
        transaction that failed for a transient reason (a lost connection, a deadlock) is run
        again from the start: nothing of it was kept, the input included."""
        return _retrying(lambda: self._run_once(actor, use_case, args, once, then, turn))

    def _run_once(self, actor, use_case, args, once, then, turn) -> Any:
        with session_scope(self.engine) as db:
            if turn is not None and (
                earlier := delivery.take_turn(db, chat_id=turn[0], seq=turn[1])
            ):
                raise EarlierFirst(earlier)
            user = repository.get_or_create_user(
                db,
                external_id=actor.external_id,
                language=language_of(actor.language_code),
                name=actor.name,
            )
            now = self.clock()
            if user.unreachable_at is not None:
                # They write again: they have unblocked the bot.
                user.unreachable_at = None
                db.add(user)
            if once is not None and not delivery.claim_input(db, key=once, at=now):
                return Result(user.language, duplicate=True)
            result = use_case(Work(db, user, now, self.core), *args)
            if then is not None:
                then(db, user, result)
            return result

    def run_system(
        self, use_case: Callable[..., Any], *args: Any, then: AfterUseCase | None = None
    ) -> Any:
        """A use case no person started (the scheduler), in one transaction."""

        def once() -> Any:
            with session_scope(self.engine) as db:
                result = use_case(Work(db, None, self.clock(), self.core), *args)
                if then is not None:
                    then(db, None, result)
                return result

        return _retrying(once)

    def transaction(self) -> Any:
        """A bare transaction, for adapters' own bookkeeping (the outbox)."""
        return session_scope(self.engine)


def _retrying(transaction: Callable[[], Any]) -> Any:
    """Runs a transaction, again (a few times, a little later each time) while it fails for
    a transient reason; any other error, or the last attempt's, goes to the caller."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return transaction()
        except DBAPIError as error:
            if attempt == ATTEMPTS or not is_transient(error):
                raise
            log.warning("Transient database error (attempt %d), trying again", attempt)
            time.sleep(0.05 * 4 ** (attempt - 1))
    raise AssertionError("unreachable")
