"""python-telegram-bot's networking on aiohttp instead of httpx.

`BaseRequest` is python-telegram-bot's documented place for another HTTP client; everything
above it (the rate limiter, error codes, parsing Telegram's answers) stays python-telegram-bot's.
The reason is CPU: sending a message over aiohttp's C-accelerated client costs about 40 %
less than over httpx (benchmarks/RESULTS.md, the check-in fan-out), and aiohttp already runs
the webhook server.
"""

from __future__ import annotations

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


class AiohttpRequest(BaseRequest):
    """One aiohttp session, its connections kept alive, with python-telegram-bot's time-outs:
    `connect` (a connection, waiting for a free one included), `read` (between two reads of
    the answer), `write` (the whole request, for uploads, which can take a while)."""

    __slots__ = ("_connections", "_session", "_timeouts")

    def __init__(
        self,
        *,
        connections: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
    ):
        self._connections = connections
        self._timeouts = {
            "read": read_timeout,
            "write": write_timeout,
            "connect": connect_timeout,
            "pool": pool_timeout,
        }
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._timeouts["read"]

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._connections)
            headers = {"User-Agent": self.USER_AGENT}
            self._session = aiohttp.ClientSession(connector=connector, headers=headers)

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    def _given(self, name: str, value) -> float | None:
        """A time-out passed for this call, else this object's own."""
        return self._timeouts[name] if value is BaseRequest.DEFAULT_NONE else value

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout=BaseRequest.DEFAULT_NONE,
        write_timeout=BaseRequest.DEFAULT_NONE,
        connect_timeout=BaseRequest.DEFAULT_NONE,
        pool_timeout=BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        read, write = self._given("read", read_timeout), self._given("write", write_timeout)
        timeout = aiohttp.ClientTimeout(
            # aiohttp's `connect` includes waiting for a free connection of the pool.
            connect=_sum(
                self._given("connect", connect_timeout), self._given("pool", pool_timeout)
            ),
            sock_read=read,
            # An upload has its write time-out for sending, then its read time-out.
            total=_sum(write, read) if request_data and request_data.contains_files else None,
        )
        try:
            async with self._session.request(
                method, url, data=_body(request_data), timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            # The class name says what failed when the message is empty.
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error


def _body(request_data: RequestData | None) -> aiohttp.FormData | dict[str, str] | None:
    """Form fields, as python-telegram-bot sends them with httpx; multipart with files."""
    if request_data is None:
        return None
    if not request_data.contains_files:
        return request_data.json_parameters
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (file_name, content, mime_type) in request_data.multipart_data.items():
        form.add_field(name, content, filename=file_name, content_type=mime_type)
    return form


def _sum(*seconds: float | None) -> float | None:
    """Time-outs added up; none at all if any of them is none."""
    return None if any(s is None for s in seconds) else sum(seconds)
