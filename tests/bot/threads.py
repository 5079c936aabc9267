"""Several processes acting at the same moment, each played by a thread of its own."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def at_once(*actions: Callable[[], T], timeout: float = 120) -> list[T]:
    """Runs each action in its own thread, all released together, and returns their results
    in order; an error in a thread fails the caller instead of being lost in the thread. An
    action that needs its own engine (a dispatcher, a person) makes it inside."""
    start = threading.Barrier(len(actions))
    results: dict[int, T] = {}
    errors: list[BaseException] = []

    def run(index: int, action: Callable[[], T]) -> None:
        try:
            start.wait(timeout=30)
            results[index] = action()
        except BaseException as error:  # reported below, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=item) for item in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not errors, errors
    assert len(results) == len(actions), "an action did not finish in time"
    return [results[index] for index in range(len(actions))]
