"""An input is handled at most once, even when two processes handle it at the same moment."""

from __future__ import annotations

import contextlib
import threading

import pytest

from bot.services import Actor, Services
from bot.services.results import Result

ACTOR = Actor("tg:4242", "fr")


def test_the_same_input_handled_at_once_by_two_workers_acts_once(engine):
    services = Services(engine)
    both_inside = threading.Barrier(2)
    handled: list[int] = []
    results: list[Result] = []

    def use_case(work, worker: int) -> Result:
        handled.append(worker)
        # If the other worker got in too, both would meet here; it must be kept out.
        with contextlib.suppress(threading.BrokenBarrierError):
            both_inside.wait(timeout=0.5)
        return Result(work.language)

    def worker(number: int) -> None:
        results.append(services.run(ACTOR, use_case, number, once="tg:77"))

    threads = [threading.Thread(target=worker, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(handled) == 1
    assert sorted(r.duplicate for r in results) == [False, True]


def test_a_failed_use_case_leaves_its_input_to_handle_again(engine):
    services = Services(engine)

    def failing(work) -> Result:
        raise RuntimeError("bug")

    with pytest.raises(RuntimeError):
        services.run(ACTOR, failing, once="tg:78")
    # The claim was rolled back with the rest: a replay handles it.
    assert not services.run(ACTOR, lambda work: Result(work.language), once="tg:78").duplicate
    assert services.run(ACTOR, lambda work: Result(work.language), once="tg:78").duplicate
