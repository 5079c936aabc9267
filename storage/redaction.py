"""An erased person taken out of what other chats keep: the messages the bot sent others
(a screen listing her among the respondents, a keyboard with her name) and the updates
others sent (a press on such a screen, a group message answering hers).

Her name is matched as the bot wrote it: the exact display name Telegram gave (its first
and last name), as a whole word, in the forms a message shows it (HTML-escaped in a text,
cut in a button); so is her username. Her first name alone is not looked for in texts:
"Marc" would strike every other Marc and the words it begins. In updates, a Telegram user
object with her id loses her names, username and id whatever they are. Rows are found by
SQL (`LIKE` on the stored JSON) and read a batch at a time, never the whole table.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from markupsafe import escape
from sqlalchemy import Text, bindparam, cast, delete, or_, select, update
from sqlmodel import Session

from storage.models import Inbound, OutboxMessage

# What stands where her name was. These copies are history: a message still waiting to go
# out at that moment is the only one anybody sees, so one wording, the bot's first language.
ERASED = "(personne supprimée)"
# A button shows the first 40 characters of a name (bot/views/evaluation.py).
BUTTON_NAME = 40
# Rows read at once.
BATCH = 1000


@dataclass(frozen=True)
class Erased:
    """Who to take out: her display name and her Telegram id, when she has them."""

    name: str | None
    telegram_id: int | None
    # Unique on Telegram, so safe to look for in texts ("@maelle_q"); known when an update of
    # hers is still kept.
    username: str | None = None

    def forms(self) -> list[str]:
        """Her name as messages show it, and her username, longest first."""
        found = {self.username} if self.username else set()
        if self.name:
            found |= {self.name, str(escape(self.name)), self.name[:BUTTON_NAME]}
        return sorted(found, key=len, reverse=True)

    def pattern(self) -> re.Pattern | None:
        forms = self.forms()
        if not forms:
            return None
        return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, forms)) + r")(?!\w)")


def username_of(session: Session, telegram_id: int) -> str | None:
    """Her Telegram username, as the latest updates kept from her private chat give it."""
    latest = (
        select(Inbound.payload)
        .where(Inbound.chat_id == telegram_id, Inbound.payload.is_not(None))
        .order_by(Inbound.seq.desc())
        .limit(BATCH)
    )
    for payload in session.execute(latest).scalars():
        if found := _username_in(payload, telegram_id):
            return found
    return None


def _username_in(value: Any, telegram_id: int) -> str | None:
    if isinstance(value, list):
        return next(filter(None, (_username_in(v, telegram_id) for v in value)), None)
    if not isinstance(value, dict):
        return None
    if _is_her(value, telegram_id) and value.get("username"):
        return value["username"]
    return _username_in(list(value.values()), telegram_id)


def from_outbox(session: Session, person: Erased) -> int:
    """Her name taken out of every message kept for another chat, sent or still waiting."""
    needles = [_stored(form) for form in person.forms()]
    return _rewrite(session, OutboxMessage.id, OutboxMessage.payload, needles, _scrubber(person))


def from_inbound(session: Session, person: Erased, *, hers: Callable[[dict], bool]) -> int:
    """Updates of other chats that show her: those she sent (`hers`: in a group, or kept
    before chats were recorded) are deleted, the others lose her name and id."""
    needles = [_stored(form) for form in person.forms()]
    if person.telegram_id is not None:
        # Her id as the value of an "id" key (a User or Chat object; json.dumps writes it so):
        # a bare number would match most dates and update ids.
        needles.append(f'"id": {person.telegram_id}')
    scrub = _scrubber(person)
    return _rewrite(
        session,
        Inbound.key,
        Inbound.payload,
        needles,
        lambda payload: None if hers(payload) else scrub(payload),
    )


def _rewrite(session: Session, key, column, needles: list[str], change) -> int:
    """Rewrites the rows whose stored JSON holds one of `needles`, a batch at a time in key
    order: `change` gives the new value, the same one (unchanged), or None (delete the row).
    Returns how many rows changed."""
    # Each needle costs a pass over the table's text: one held in another is left out.
    needles = [n for n in set(needles) if not any(o != n and o in n for o in needles)]
    if not needles:
        return 0
    stored = cast(column, Text)
    holds = or_(*(stored.contains(needle, autoescape=True) for needle in needles))
    changed = 0
    after = None
    while True:
        query = select(key, column).where(holds, column.is_not(None)).order_by(key).limit(BATCH)
        if after is not None:
            query = query.where(key > after)
        rows = session.execute(query).all()
        if not rows:
            return changed
        gone, rewritten = [], []
        for row_key, value in rows:
            new = change(value) if isinstance(value, dict) else value
            if new is None:
                gone.append(row_key)
            elif new != value:
                rewritten.append({"row_key": row_key, "value": new})
        if gone:
            session.execute(delete(key.class_).where(key.in_(gone)))
        if rewritten:
            table = key.class_.__table__
            session.execute(
                update(table)
                .where(table.c[key.key] == bindparam("row_key"))
                .values({column.key: bindparam("value")}),
                rewritten,
            )
        changed += len(gone) + len(rewritten)
        after = rows[-1][0]


def _stored(text: str) -> str:
    """A text as it is written inside stored JSON (non-ASCII letters escaped)."""
    return json.dumps(text)[1:-1]


def _scrubber(person: Erased) -> Callable[[Any], Any]:
    pattern = person.pattern()

    def scrub(value: Any) -> Any:
        if isinstance(value, str):
            return pattern.sub(ERASED, value) if pattern else value
        if isinstance(value, list):
            return [scrub(item) for item in value]
        if isinstance(value, dict):
            if _is_her(value, person.telegram_id):
                value = _anonymous(value)
            return {name: scrub(item) for name, item in value.items()}
        return value

    return scrub


def _is_her(value: dict, telegram_id: int | None) -> bool:
    """A Telegram User (or private Chat) object of hers: her id, with a name."""
    return (
        telegram_id is not None
        and value.get("id") == telegram_id
        and ("first_name" in value or "username" in value)
    )


def _anonymous(person: dict) -> dict:
    """Her User object without her names, username or id (Telegram requires a first name)."""
    kept = {k: v for k, v in person.items() if k not in ("last_name", "username", "full_name")}
    return kept | {"id": 0, "first_name": ERASED}
