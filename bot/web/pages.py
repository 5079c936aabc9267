"""The dashboard's handlers: each calls one use case for the signed-in viewer (off the event
loop) and renders its result; an id the viewer does not reach answers 404, whether it
exists or not."""

from __future__ import annotations

import asyncio
import csv
import io
import re
import unicodedata
from typing import Any
from urllib.parse import quote, urlencode

import aiohttp_jinja2
from aiohttp import web

from bot.services import Actor
from bot.services import dashboard as cases
from bot.web import table
from bot.web.charts import chart
from bot.web.config import CONFIG
from bot.web.session import VIEWER, page

# What a spreadsheet would run as a formula when a cell starts with it (OWASP).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# The largest id a row can have: ids are INTEGER columns, 32 bits on PostgreSQL. A larger
# one is no row's, and the database would fail on it rather than find nothing.
LARGEST_ID = 2**31 - 1
# What a saved file's name must not hold: folder separators, control characters, and the
# bidirectional controls that make "invoice\u202excod.exe" read "invoice.docx".
UNSAFE_IN_FILE_NAME = re.compile(
    r"[/\\\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


async def run(request: web.Request, use_case, *args: Any) -> Any:
    """A use case for the viewer, in a worker thread: the database never blocks the loop."""
    viewer = request[VIEWER]
    services = request.app[CONFIG].services
    return await asyncio.to_thread(services.run, Actor(viewer.external_id), use_case, *args)


def context(request: web.Request, **values: Any) -> dict[str, Any]:
    """What every page's template reads beside its own values."""
    config = request.app[CONFIG]
    viewer = request[VIEWER]
    return {
        "language": viewer.language,
        "viewer": viewer,
        "prefix": config.prefix,
        "zone": config.services.core.zone,
        "table": table,
        **values,
    }


@page
async def portfolio(request: web.Request) -> web.StreamResponse:
    """Every partnership the viewer follows or belongs to, filtered by the query string."""
    query = dict(request.query)
    found: cases.Portfolio = await run(request, cases.portfolio, query, _page_number(query))
    shown = found.filters.as_query()
    return aiohttp_jinja2.render_template(
        "portfolio.html",
        request,
        context(
            request,
            portfolio=found,
            query=urlencode(shown),
            page_link=lambda n: "?" + urlencode(shown | {"page": str(n)}),
        ),
    )


@page
async def portfolio_csv(request: web.Request) -> web.StreamResponse:
    """The filtered table, every page of it, as the table shows it (French or English)."""
    rows = await run(request, cases.portfolio_table, dict(request.query))
    language = request[VIEWER].language
    zone = request.app[CONFIG].services.core.zone
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(table.header(language))
    for row in rows:
        writer.writerow([_inert(cell) for cell in table.cells(row, language, zone).values()])
    name = "tableau-de-bord.csv" if language == "fr" else "dashboard.csv"
    return web.Response(
        body=("\ufeff" + buffer.getvalue()).encode("utf-8"),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@page
async def partnership(request: web.Request) -> web.StreamResponse:
    found = await run(request, cases.partnership_page, _id(request, "pid"))
    if found is None:
        raise web.HTTPNotFound()
    charts = {t.dimension: chart([(p.ours, p.partner) for p in t.points]) for t in found.trends}
    notice = request.query.get("alert")
    return aiohttp_jinja2.render_template(
        "partnership.html",
        request,
        context(request, page=found, charts=charts, notice=notice),
    )


@page
async def download(request: web.Request) -> web.StreamResponse:
    pid, doc = _id(request, "pid"), _id(request, "doc")
    found = await run(request, cases.document, pid, doc)
    if found is None:
        raise web.HTTPNotFound()
    return web.Response(
        body=found.content,
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        if found.file_name.lower().endswith(".docx")
        else "application/octet-stream",
        headers={"Content-Disposition": attachment(found.file_name)},
    )


@page(changes=True)
async def alert(request: web.Request) -> web.StreamResponse:
    """Marks an alert seen or handled, then shows its partnership's page again with what
    happened (a form post answered by a redirect: a reload does not post twice)."""
    form = await request.post()
    state = str(form.get("state", ""))
    outcome, pid = await run(request, cases.mark_alert, _id(request, "alert"), state)
    if pid is None:
        raise web.HTTPNotFound()
    prefix = request.app[CONFIG].prefix
    raise web.HTTPSeeOther(f"{prefix}/p/{pid}?alert={outcome}#alerts")


def attachment(file_name: str) -> str:
    """A Content-Disposition header for any name a user gave: an ASCII fallback with nothing
    that could end the header or the quoted string, and the name itself in RFC 5987 form,
    without what could place the file elsewhere or disguise its extension."""
    file_name = UNSAFE_IN_FILE_NAME.sub("_", file_name)
    plain = unicodedata.normalize("NFKD", file_name).encode("ascii", "ignore").decode()
    plain = re.sub(r"[^A-Za-z0-9._ -]+", "_", plain).strip(" .") or "document"
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(file_name, safe='')}"


def _id(request: web.Request, name: str) -> int:
    """An id of the path; one no row can have (too large, or digits of another script, which
    the route's pattern lets through) answers 404 like an id the viewer does not reach."""
    raw = request.match_info[name]
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 10) or int(raw) > LARGEST_ID:
        raise web.HTTPNotFound()
    return int(raw)


def _page_number(query: dict[str, str]) -> int:
    # isascii: "²" is a digit to isdigit, not to int.
    raw = query.get("page", "1")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 7 else 1


def _inert(cell: Any) -> Any:
    return "'" + cell if isinstance(cell, str) and cell.startswith(FORMULA_START) else cell
