"""One lock per chat and per user being worked on, so the updates of a chat run in order
while other chats run side by side; a lock is forgotten as soon as nobody holds or awaits it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager


class ChatLocks:
    def __init__(self) -> None:
        # key -> (lock, how many hold or wait for it)
        self._locks: dict[Hashable, list] = {}

    @asynccontextmanager
    async def hold(self, *keys: Hashable) -> AsyncIterator[None]:
        """Holds every key's lock; always taken in the same order, so two holders never
        wait for each other."""
        entries = []
        for key in sorted(set(keys), key=repr):
            entry = self._locks.setdefault(key, [asyncio.Lock(), 0])
            entry[1] += 1
            entries.append((key, entry))
        held = []
        try:
            for _key, entry in entries:
                await entry[0].acquire()
                held.append(entry)
            yield
        finally:
            for entry in reversed(held):
                entry[0].release()
            for key, entry in entries:
                entry[1] -= 1
                if entry[1] == 0:
                    del self._locks[key]

    def __len__(self) -> int:
        return len(self._locks)
