"""The outbox shared by several instances, and the order of a chat's inputs, on both
databases: a chat's messages go out from one instance at a time, a dead instance's claim
lapses, and the earlier inputs of a chat come back to whoever handles a later one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage import delivery
from storage.db import session_scope

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
UNTIL = NOW + timedelta(seconds=30)


def record(engine, chat_id: int, text: str) -> None:
    with session_scope(engine) as db:
        message = {"chat_id": chat_id, "kind": "send", "payload": {"text": text}}
        delivery.add_outbox(db, messages=[message], at=NOW)


def claim(engine, holder: str, chats: list[int], now: datetime = NOW):
    with engine.begin() as connection:
        rows, busy = delivery.claim_pending(
            connection, chat_ids=chats, holder=holder, now=now, until=now + timedelta(seconds=30)
        )
    return [row.payload["text"] for row in rows], busy


def test_a_chat_being_sent_by_one_instance_is_left_to_it(engine):
    record(engine, 1, "un")
    record(engine, 2, "deux")
    assert claim(engine, "a", [1]) == (["un"], set())
    # Recorded after the first instance read its messages: still the first one's chat.
    record(engine, 1, "un bis")
    assert claim(engine, "b", [1, 2]) == (["deux"], {1})
    # The same instance may take its chat again (a flush after another).
    assert claim(engine, "a", [1]) == (["un", "un bis"], set())


def test_a_dead_instances_claim_lapses_and_a_stopped_one_frees_its_chats(engine):
    record(engine, 1, "un")
    record(engine, 2, "deux")
    claim(engine, "a", [1, 2])
    assert claim(engine, "b", [1, 2]) == ([], {1, 2})
    with engine.begin() as connection:
        delivery.release_claims(connection, holder="a", ids=None)
    assert claim(engine, "b", [1]) == (["un"], set())
    # Not renewed (its instance died): taken over once it lapses, not before.
    assert claim(engine, "c", [1], now=NOW + timedelta(seconds=29)) == ([], {1})
    assert claim(engine, "c", [1], now=NOW + timedelta(seconds=31)) == (["un"], set())


def test_the_earlier_inputs_of_a_chat_come_back_in_order(engine):
    items = [
        delivery.Input(f"tg:{seq}", {"update_id": seq}, chat_id=chat, seq=seq)
        for seq, chat in ((10, 5), (11, 6), (12, 5), (13, 5))
    ]
    with session_scope(engine) as db:
        delivery.store_inbound(db, items=items, at=NOW)
    with session_scope(engine) as db:
        assert delivery.claim_input(db, key="tg:10", at=NOW)
    with session_scope(engine) as db:
        earlier = delivery.take_turn(db, chat_id=5, seq=13)
    assert earlier == [{"update_id": 12}]
    with session_scope(engine) as db:
        assert delivery.take_turn(db, chat_id=6, seq=11) == []
