"""The dashboard as aiohttp's test client sees it: the real application (bot.web.app) over a
seeded database at a fixed moment, a browser signed in with a one-time link, and the pages
read back as a person reads them (the portfolio's rows, the CSV's, a form's token)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any

import lxml.html
from aiohttp.test_utils import TestClient, TestServer
from multidict import CIMultiDictProxy
from sqlmodel import SQLModel

from bot.services import Actor, Core, Services
from bot.services.documents import generate
from bot.services.web_access import login_link
from bot.web.app import dashboard_app
from bot.web.config import WebConfig
from storage.db import make_engine
from storage.models import Partnership
from tests.bot.web.browser import NOW
from tests.bot.web.seed import ZONE, Seeded, seed

TOKEN = "123456:ABC-pages-test"
# Served under a path, as behind a reverse proxy.
PREFIX = "/alliance"
BASE_URL = "http://127.0.0.1" + PREFIX
# Written by signing in, not by looking at a page.
SIGN_IN_TABLES = ("web_session", "web_login")


@dataclass
class Site:
    """A seeded database and the use cases over it, at NOW."""

    url: str
    services: Services
    seeded: Seeded
    # Drafts of the other organisation's partnership (the seed gives it none).
    other_documents: tuple[int, ...]


@contextmanager
def seeded_site(url: str) -> Iterator[Site]:
    """Seeds a migrated, empty database; the other organisation's member builds the drafts
    of their partnership in step 6 with the bot's own use case."""
    seeded = seed(url, NOW)
    engine = make_engine(url)
    services = Services(engine, Core(ZONE), clock=lambda: NOW)
    pid = seeded.others["other_implementation"]

    def build(work):
        return generate(work, work.db.get(Partnership, pid), "member", None, None)

    documents = services.run(Actor(seeded.outsider.external_id), build).documents
    try:
        yield Site(url, services, seeded, tuple(d.id for d in documents))
    finally:
        engine.dispose()


@asynccontextmanager
async def browser(services: Services, external_id: str | None = None) -> AsyncIterator[TestClient]:
    """The dashboard application with its own cookie jar, as one browser; signed in as that
    user with a one-time link, as /tableau gives it."""
    app = dashboard_app(WebConfig(services, TOKEN, BASE_URL))
    async with TestClient(TestServer(app)) as client:
        if external_id is not None:
            link = services.run(Actor(external_id), login_link)
            opened = await call(client, "GET", f"{PREFIX}/login/{link.token}")
            assert opened.status == 303, opened.status
        yield client


@dataclass(frozen=True)
class Answer:
    """A response, read: it outlives its connection."""

    status: int
    headers: CIMultiDictProxy[str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


async def call(client: TestClient, method: str, path: str, **kwargs: Any) -> Answer:
    """One request, its body read at once; redirects are not followed, to see them."""
    async with client.request(method, path, allow_redirects=False, **kwargs) as response:
        return Answer(response.status, response.headers, await response.read())


async def text_of(client: TestClient, path: str) -> str:
    """A page that must answer 200, as text."""
    answer = await call(client, "GET", path)
    assert answer.status == 200, (path, answer.status)
    return answer.text


# -- reading the pages -----------------------------------------------------------------------


def parsed(html: str):
    return lxml.html.fromstring(html)


def words(text: str) -> str:
    """Text as a reader sees it: runs of spaces and line breaks are one space (in HTML they
    are; other characters, control ones included, are kept)."""
    return re.sub(r"[ \t\n\r\f]+", " ", text).strip()


def cell_words(cell) -> str:
    """A table cell's words. The last round's two organisations are shown apart (a line
    each), which the CSV's one cell joins with " · "."""
    sides = cell.xpath('./*[contains(concat(" ", @class, " "), " side ")]')
    if sides:
        return " · ".join(words(side.text_content()) for side in sides)
    return words(cell.text_content())


def table_rows(html: str) -> list[tuple[int, list[str]]]:
    """The portfolio table's rows on a page: each partnership's id and its cells' words."""
    rows = parsed(html).xpath('//table[@id="portfolio"]/tbody/tr')
    return [
        (int(tr.get("data-pid")), [cell_words(c) for c in tr.xpath("./th|./td")]) for tr in rows
    ]


def table_header(html: str) -> list[str]:
    return [
        words(th.text_content())
        for th in parsed(html).xpath('//table[@id="portfolio"]/thead/tr/th')
    ]


def csv_rows(body: bytes) -> list[list[str]]:
    """The CSV's lines, header first; it starts with a byte-order mark (a spreadsheet then
    reads UTF-8)."""
    assert body.startswith("\ufeff".encode()), body[:10]
    return list(csv.reader(io.StringIO(body.decode("utf-8").removeprefix("\ufeff"))))


def csrf_of(html: str) -> str:
    """The session's CSRF token, as every form of the page carries it."""
    (token,) = set(parsed(html).xpath('//input[@name="csrf"]/@value'))
    return token


def link(html: str, selector: str) -> str | None:
    """The href of the first element the XPath finds, else None."""
    found = parsed(html).xpath(selector)
    return found[0].get("href") if found else None


def snapshot(url: str) -> dict[str, list[tuple]]:
    """Every table's rows but the sign-in ones: what a page must never change."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return {
                table.name: sorted(map(tuple, connection.execute(table.select())), key=repr)
                for table in SQLModel.metadata.sorted_tables
                if table.name not in SIGN_IN_TABLES
            }
    finally:
        engine.dispose()
