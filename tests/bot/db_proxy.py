"""A loopback TCP proxy in front of PostgreSQL that a test can cut and restore: the bot loses
its database as when the server stops, while the shared server goes on serving the other
tests."""

from __future__ import annotations

import asyncio
from contextlib import suppress

from sqlalchemy.engine import make_url

CHUNK = 64 * 1024


class CuttableProxy:
    """Forwards 127.0.0.1:<port> to the database server. Cut, it drops every connection and
    closes each new one at once (the client sees its connection fail); restored, it forwards
    again."""

    def __init__(self, target_url: str):
        url = make_url(target_url)
        self._url = url
        self._target = (url.host or "127.0.0.1", url.port or 5432)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task] = set()
        self.is_cut = False
        self.refused = 0

    async def __aenter__(self) -> CuttableProxy:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._server.close()
        self._drop_all()
        # Each connection's copying ends with its dropped sockets.
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=10)
        await self._server.wait_closed()

    @property
    def url(self) -> str:
        """The database's URL, through the proxy."""
        port = self._server.sockets[0].getsockname()[1]
        return self._url.set(host="127.0.0.1", port=port).render_as_string(hide_password=False)

    def cut(self) -> None:
        self.is_cut = True
        self._drop_all()

    def restore(self) -> None:
        self.is_cut = False

    def _drop_all(self) -> None:
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.is_cut:
            self.refused += 1
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self._target)
        except OSError:
            writer.transport.abort()
            return
        self._writers.update((writer, up_writer))
        task = asyncio.current_task()
        self._tasks.add(task)
        try:
            await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
        finally:
            self._tasks.discard(task)
            for side in (writer, up_writer):
                self._writers.discard(side)
                side.transport.abort()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Copies one direction until either side closes."""
    with suppress(ConnectionError, OSError):
        while data := await reader.read(CHUNK):
            writer.write(data)
            await writer.drain()
    writer.transport.abort()
