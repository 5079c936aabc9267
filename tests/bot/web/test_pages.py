"""The dashboard's pages through real HTTP (aiohttp's test client, the real application, a
seeded SQLite database): a person reaches exactly what /partenariats shows them, and any other
id answers 404 as if it did not exist; marking an alert needs the session's CSRF token and the
right to act, and looking never changes anything; names and file names from users stay text;
a filter nobody could have chosen is ignored, never a 500."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from bot.services import Actor
from bot.services.partnerships import list_partnerships
from bot.services.results import FollowedList, PartnershipList
from storage.db import make_engine, session_scope
from storage.migrate import upgrade
from storage.models import Alert, GeneratedDocument, Organisation, Partnership
from tests.bot.web.client import (
    PREFIX,
    Site,
    browser,
    call,
    csrf_of,
    csv_rows,
    parsed,
    seeded_site,
    snapshot,
    table_rows,
    text_of,
)

PEOPLE = ("coordinator", "member", "colleague", "partner", "outsider", "other_coordinator")
# Each side's people: a field worker and the coordinator who follows the organisation.
OURS, THEIRS = ("member", "coordinator"), ("outsider", "other_coordinator")
NOT_FOUND = "404: Not Found"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Site]:
    """One seeded database for the tests that only read it."""
    url = f"sqlite:///{tmp_path_factory.mktemp('pages') / 'alliance.db'}"
    upgrade(url)
    with seeded_site(url) as made:
        yield made


@pytest.fixture
def fresh(sqlite_url) -> Iterator[Site]:
    """A seeded database of the test's own, for a test that changes it."""
    with seeded_site(sqlite_url) as made:
        yield made


def person(site: Site, role: str):
    return getattr(site.seeded, role)


def alert_state(site: Site, alert_id: int) -> str:
    engine = make_engine(site.url)
    try:
        with session_scope(engine) as db:
            return db.get(Alert, alert_id).state
    finally:
        engine.dispose()


def alert_of(site: Site, key: str, signal: str) -> int:
    (found,) = [a.id for a in site.seeded.alerts if a.partnership == key and a.signal == signal]
    return found


def partenariats(site: Site, external_id: str) -> set[int]:
    """The partnerships /partenariats lists for that user (every one: none left unsaid)."""
    (listing,) = site.services.run(Actor(external_id), list_partnerships).shown
    if isinstance(listing, FollowedList):
        assert listing.more == 0
        return {status.partnership.id for status in listing.rows}
    assert isinstance(listing, PartnershipList)
    return {summary.id for summary in listing.rows}


# -- 1. a person reaches what the bot shows them, nothing else -------------------------------


@pytest.mark.parametrize("role", PEOPLE)
async def test_the_portfolio_lists_exactly_what_partenariats_lists(site, role):
    external_id = person(site, role).external_id
    async with browser(site.services, external_id) as client:
        html = await text_of(client, f"{PREFIX}/")
        pages = [await call(client, "GET", f"{PREFIX}/p/{pid}") for pid, _ in table_rows(html)]
    shown = {pid for pid, _cells in table_rows(html)}
    assert shown == partenariats(site, external_id)
    assert shown, "everyone here has partnerships"
    assert all(page.status == 200 for page in pages)


async def test_a_field_worker_does_not_see_a_colleague_s_partnerships_their_coordinator_sees(
    site,
):
    """Sophie's two partnerships (she made them, Malik is not a member) are Réseau
    Solidaire's: its coordinator follows them, Malik does not reach them."""
    ids = site.seeded.partnerships
    colleague_only = {ids["dialogue"], ids["ended"]}
    async with (
        browser(site.services, site.seeded.member.external_id) as member,
        browser(site.services, site.seeded.coordinator.external_id) as coordinator,
    ):
        members_rows = {pid for pid, _ in table_rows(await text_of(member, f"{PREFIX}/"))}
        refused = [await call(member, "GET", f"{PREFIX}/p/{pid}") for pid in colleague_only]
        coordinators_rows = {pid for pid, _ in table_rows(await text_of(coordinator, f"{PREFIX}/"))}
        followed = [await call(coordinator, "GET", f"{PREFIX}/p/{pid}") for pid in colleague_only]
    assert not colleague_only & members_rows
    assert colleague_only <= coordinators_rows
    assert [r.status for r in refused] == [404, 404]
    assert [r.status for r in followed] == [200, 200]


@pytest.mark.parametrize("role", OURS + THEIRS)
async def test_the_other_organisation_s_ids_answer_404_as_if_they_did_not_exist(site, role):
    """A partnership page, a document (a real one, or one of ours under their partnership's
    id and the reverse), an alert marked with a valid token: all 404, with the same answer as
    an id nobody has; nothing changes."""
    seeded = site.seeded
    mine_are_ours = role in OURS
    ours_pid, ours_docs = seeded.partnerships["green"], seeded.documents["green"]
    theirs_pid, theirs_docs = seeded.others["other_implementation"], site.other_documents
    ours_alert = alert_of(site, "late", "round_late")
    theirs_alert = alert_of(site, "other_implementation", "dimension_red")
    own = (ours_pid, ours_docs[0]) if mine_are_ours else (theirs_pid, theirs_docs[0])
    foreign_pid, foreign_docs, foreign_alert = (
        (theirs_pid, theirs_docs, theirs_alert)
        if mine_are_ours
        else (ours_pid, ours_docs, ours_alert)
    )
    own_docs = ours_docs if mine_are_ours else theirs_docs
    paths = [
        f"/p/{foreign_pid}",
        f"/p/{foreign_pid}/documents/{foreign_docs[0]}",
        f"/p/{foreign_pid}/documents/{own_docs[0]}",  # mine under their partnership
        f"/p/{own[0]}/documents/{foreign_docs[0]}",  # theirs under my partnership
    ]
    async with browser(site.services, person(site, role).external_id) as client:
        nobody_s = await call(client, "GET", f"{PREFIX}/p/999999")
        own_page = await call(client, "GET", f"{PREFIX}/p/{own[0]}")
        own_doc = await call(client, "GET", f"{PREFIX}/p/{own[0]}/documents/{own[1]}")
        answers = [await call(client, "GET", PREFIX + path) for path in paths]
        token = csrf_of(own_page.text)
        marked = await call(
            client,
            "POST",
            f"{PREFIX}/alerts/{foreign_alert}",
            data={"state": "handled", "csrf": token},
        )
        portfolio = await text_of(client, f"{PREFIX}/")
    assert own_page.status == 200 and own_doc.status == 200
    assert own_doc.body.startswith(b"PK")  # the Word file itself
    for path, answer in zip(paths, answers, strict=True):
        assert answer.status == 404, path
        assert answer.text == nobody_s.text == NOT_FOUND
        assert "Content-Disposition" not in answer.headers
    assert marked.status == 404
    assert alert_state(site, foreign_alert) == "new"
    assert foreign_pid not in {pid for pid, _ in table_rows(portfolio)}
    other_name = "Potager d'entreprise Horizon" if mine_are_ours else "Repair café de l'Epeule"
    assert other_name not in parsed(portfolio).text_content()


async def test_a_document_of_one_partnership_is_not_served_under_another_s_id(site):
    """Both partnerships are Malik's: a document still comes only under its own."""
    seeded = site.seeded
    formalisation, green = seeded.partnerships["formalisation"], seeded.partnerships["green"]
    async with browser(site.services, seeded.member.external_id) as client:
        right = await call(
            client, "GET", f"{PREFIX}/p/{green}/documents/{seeded.documents['green'][0]}"
        )
        crossed = await call(
            client, "GET", f"{PREFIX}/p/{formalisation}/documents/{seeded.documents['green'][0]}"
        )
    assert right.status == 200
    assert crossed.status == 404


async def test_marking_another_organisation_s_alert_or_nobody_s_answers_404(fresh):
    seeded = fresh.seeded
    alert = alert_of(fresh, "late", "round_late")
    async with browser(fresh.services, seeded.outsider.external_id) as outsider:
        token = csrf_of(await text_of(outsider, f"{PREFIX}/"))
        answers = [
            await call(
                outsider, "POST", f"{PREFIX}/alerts/{aid}", data={"state": state, "csrf": token}
            )
            for aid, state in ((alert, "seen"), (alert, "handled"), (999999, "seen"))
        ]
    assert [a.status for a in answers] == [404, 404, 404]
    assert alert_state(fresh, alert) == "new"


# -- 2. changes need the session's CSRF token and the right to act ---------------------------


async def test_marking_an_alert_needs_this_session_s_csrf_token(fresh):
    seeded = fresh.seeded
    pid, alert = seeded.partnerships["late"], alert_of(fresh, "late", "round_late")
    url = f"{PREFIX}/alerts/{alert}"
    async with (
        browser(fresh.services, seeded.member.external_id) as malik,
        browser(fresh.services, seeded.member.external_id) as malik_elsewhere,
        browser(fresh.services, seeded.colleague.external_id) as sophie,
    ):
        page = await text_of(malik, f"{PREFIX}/p/{pid}")
        token = csrf_of(page)
        elsewhere = csrf_of(await text_of(malik_elsewhere, f"{PREFIX}/p/{pid}"))
        sophies = csrf_of(await text_of(sophie, f"{PREFIX}/p/{pid}"))
        refused = [
            await call(malik, "POST", url, data={"state": "seen"}),
            await call(malik, "POST", url, data={"state": "seen", "csrf": ""}),
            await call(malik, "POST", url, data={"state": "seen", "csrf": token[:-1] + "x"}),
            await call(malik, "POST", url, data={"state": "seen", "csrf": elsewhere}),
            await call(malik, "POST", url, data={"state": "seen", "csrf": sophies}),
            # A token in the query string is not a form's: a link could carry it.
            await call(malik, "POST", f"{url}?csrf={token}", data={"state": "seen"}),
        ]
        unchanged = alert_state(fresh, alert)
        done = await call(malik, "POST", url, data={"state": "seen", "csrf": token})
        shown = await text_of(malik, done.headers["Location"])
    assert len({token, elsewhere, sophies}) == 3
    for answer in refused:
        assert answer.status == 403
        assert "This form is no longer valid" in answer.text
    assert unchanged == "new"
    assert done.status == 303
    assert done.headers["Location"] == f"{PREFIX}/p/{pid}?alert=done#alerts"
    assert alert_state(fresh, alert) == "seen"
    assert "The alert is marked." in shown
    # Seen, it can still be handled, not seen again.
    (item,) = parsed(shown).xpath(f'//form[@action="{url}"]')
    assert item.xpath(".//button/@value") == ["handled"]


async def test_a_coordinator_reads_the_alerts_and_cannot_mark_them(fresh):
    seeded = fresh.seeded
    pid, alert = seeded.partnerships["late"], alert_of(fresh, "late", "round_late")
    async with browser(fresh.services, seeded.coordinator.external_id) as claire:
        page = await text_of(claire, f"{PREFIX}/p/{pid}")
        token = csrf_of(page)
        answer = await call(
            claire, "POST", f"{PREFIX}/alerts/{alert}", data={"state": "handled", "csrf": token}
        )
        after = await text_of(claire, answer.headers["Location"])
    # The alert is shown, with no button to mark it.
    assert parsed(page).xpath('//section[@id="alerts"]//li[contains(@class, "alert")]')
    assert not parsed(page).xpath('//form[contains(@action, "/alerts/")]')
    assert answer.status == 303
    assert answer.headers["Location"] == f"{PREFIX}/p/{pid}?alert=not_allowed#alerts"
    assert alert_state(fresh, alert) == "new"
    (notice,) = parsed(after).xpath('//p[@role="status"]')
    assert "pas de les marquer" in notice.text_content()


async def test_an_unknown_state_changes_nothing(fresh):
    seeded = fresh.seeded
    alert = alert_of(fresh, "late", "round_late")
    async with browser(fresh.services, seeded.member.external_id) as client:
        token = csrf_of(await text_of(client, f"{PREFIX}/"))
        answers = [
            await call(client, "POST", f"{PREFIX}/alerts/{alert}", data=data)
            for data in (
                {"state": "cleared", "csrf": token},
                {"state": "new", "csrf": token},
                {"csrf": token},
            )
        ]
    assert [a.status for a in answers] == [404, 404, 404]
    assert alert_state(fresh, alert) == "new"


async def test_looking_changes_nothing(fresh):
    """Every page, download and refusal, with the query strings a mark's redirect carries:
    the database is as it was (but for the sign-in's own session)."""
    seeded = fresh.seeded
    before = snapshot(fresh.url)
    alert = alert_of(fresh, "late", "round_late")
    paths = [
        "/",
        "/?stage=implementation&health=amber&alert=open&page=2",
        "/portfolio.csv?alert=open",
        *(f"/p/{pid}?alert=done" for pid in seeded.partnerships.values()),
        *(f"/p/{seeded.partnerships['green']}/documents/{d}" for d in seeded.documents["green"]),
        f"/alerts/{alert}?state=handled",
        f"/p/{seeded.others['other_implementation']}",
    ]
    async with (
        browser(fresh.services, seeded.member.external_id) as malik,
        browser(fresh.services, seeded.coordinator.external_id) as claire,
    ):
        for client in (malik, claire):
            for path in paths:
                for method in ("GET", "HEAD"):
                    answer = await call(client, method, PREFIX + path)
                    assert answer.status in (200, 404, 405), (path, answer.status)
        marking = await call(malik, "GET", f"{PREFIX}/alerts/{alert}?state=handled")
    assert marking.status == 405
    assert snapshot(fresh.url) == before


# -- 4. what users wrote stays text ----------------------------------------------------------

HOSTILE_NAME = "<script>alert('x')</script> \"Jardins\" & l'été \u202eélbuod\u202c \x1b[31m"
HOSTILE_ORGANISATION = '</title><script>alert(1)</script><svg onload="x"> Boulangeries \u202e "M"'


def rename(site: Site, key: str, name: str, organisation: str) -> None:
    """The partnership and its partner organisation renamed as a user could (the bot stores
    what they typed)."""
    engine = make_engine(site.url)
    try:
        with session_scope(engine) as db:
            partnership = db.get(Partnership, site.seeded.partnerships[key])
            partnership.name = name
            db.get(Organisation, partnership.partner_organisation_id).name = organisation
    finally:
        engine.dispose()


def scripts(html: str) -> list[str]:
    """The page's script elements, each as its source (an inline one would have none)."""
    return [s.get("src") or "inline" for s in parsed(html).xpath("//script")]


async def test_names_with_markup_and_control_characters_stay_text(fresh):
    seeded = fresh.seeded
    rename(fresh, "green", HOSTILE_NAME, HOSTILE_ORGANISATION)
    pid = seeded.partnerships["green"]
    async with browser(fresh.services, seeded.member.external_id) as client:
        portfolio = await text_of(client, f"{PREFIX}/")
        page = await text_of(client, f"{PREFIX}/p/{pid}")
        table = csv_rows((await call(client, "GET", f"{PREFIX}/portfolio.csv")).body)
    for html in (portfolio, page):
        assert "<script>alert" not in html and "<svg onload" not in html
        assert "&lt;script&gt;alert" in html
        assert scripts(html) == [f"{PREFIX}/static/dashboard.js"]
    (row,) = [cells for found, cells in table_rows(portfolio) if found == pid]
    assert row[0] == HOSTILE_NAME
    assert row[1] == f"Réseau Solidaire / {HOSTILE_ORGANISATION}"
    options = parsed(portfolio).xpath('//select[@name="organisation"]/option/text()')
    assert HOSTILE_ORGANISATION in options
    document = parsed(page)
    assert document.xpath("//h1")[0].text_content() == HOSTILE_NAME
    # A right-to-left override in a name turns only that name around, not the words beside it.
    isolated = parsed(portfolio).xpath(f'//tr[@data-pid="{pid}"]//bdi/text()')
    assert isolated == [HOSTILE_NAME, "Réseau Solidaire", HOSTILE_ORGANISATION]
    assert document.xpath("//h1/bdi/text()") == [HOSTILE_NAME]
    # In each chart's title (the SVG's accessible name), the organisation's name as text.
    titles = document.xpath("//svg/title")
    assert titles and all(HOSTILE_ORGANISATION in t.text_content() for t in titles)
    assert all(not svg.xpath(".//script|.//*[@onload]") for svg in document.xpath("//svg"))
    # The CSV is not HTML: there, the name as it was written.
    assert [HOSTILE_NAME, f"Réseau Solidaire / {HOSTILE_ORGANISATION}"] in [r[:2] for r in table]


HOSTILE_FILE_NAMES = {
    "quotes": 'Convention "finale".docx',
    "header injection": "plan\r\nSet-Cookie: alliance_session=stolen\r\nX-Evil: 1.docx",
    "semicolons": "plan; filename=evil.exe; x=.docx",
    "non-ascii": "Convention été — Épicerie 日本.docx",
    "path": "../../etc/passwd",
    "windows path": "..\\..\\Windows\\win.ini",
    "right-to-left override": "facture\u202excod.exe",
    "nothing ascii": "日本語.docx",
}
# What a Content-Disposition must not let through in a file name.
UNSAFE = re.compile("[/\\\\\x00-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@pytest.mark.parametrize("file_name", HOSTILE_FILE_NAMES.values(), ids=HOSTILE_FILE_NAMES.keys())
async def test_a_document_s_name_gives_a_safe_content_disposition(fresh, file_name):
    seeded = fresh.seeded
    pid, doc = seeded.partnerships["green"], seeded.documents["green"][0]
    engine = make_engine(fresh.url)
    with session_scope(engine) as db:
        db.get(GeneratedDocument, doc).file_name = file_name
    engine.dispose()
    async with browser(fresh.services, seeded.member.external_id) as client:
        page = await text_of(client, f"{PREFIX}/p/{pid}")
        answer = await call(client, "GET", f"{PREFIX}/p/{pid}/documents/{doc}")
    assert answer.status == 200 and answer.body.startswith(b"PK")
    # Nothing reached the headers but the header itself.
    assert "Set-Cookie" not in answer.headers and "X-Evil" not in answer.headers
    (header,) = answer.headers.getall("Content-Disposition")
    found = re.fullmatch(
        r"attachment; filename=\"([A-Za-z0-9._ -]+)\"; filename\*=UTF-8''([A-Za-z0-9%._~-]+)",
        header,
    )
    assert found, header
    fallback, encoded = found.group(1), unquote(found.group(2), errors="strict")
    assert not fallback.startswith(".")
    assert not UNSAFE.search(encoded), encoded
    # What can be kept is kept: the name's own words and its extension.
    for word in re.findall(r"\w+", file_name):
        assert word in encoded
    # On the page, the name is the link's text.
    links = parsed(page).xpath(f'//a[@href="{PREFIX}/p/{pid}/documents/{doc}"]')
    # (HTML reads a line break CR LF as LF.)
    assert links[0].text_content() == file_name.replace("\r\n", "\n")


# -- 5. filters in the URL; what nobody could have chosen is ignored --------------------------


async def test_filters_stay_in_the_url_and_in_the_form(site):
    seeded = site.seeded
    async with browser(site.services, seeded.coordinator.external_id) as client:
        html = await text_of(client, f"{PREFIX}/?stage=implementation&health=amber&alert=open")
    document = parsed(html)
    selected = {
        field.get("name"): field.xpath("./option[@selected]/@value")
        for field in document.xpath('//form[@id="filters"]//select')
    }
    assert selected == {
        "stage": ["implementation"],
        "health": ["amber"],
        "organisation": [],
        "alert": ["open"],
    }
    csv_link = document.xpath('//a[@id="csv"]')[0].get("href")
    assert urlsplit(csv_link).path == f"{PREFIX}/portfolio.csv"
    assert parse_qs(urlsplit(csv_link).query) == {
        "stage": ["implementation"],
        "health": ["amber"],
        "alert": ["open"],
    }
    # An alert is open until its cause is gone: handled (as diverging's) counts.
    alerted = {a.partnership for a in seeded.alerts if a.state != "cleared"}
    expected = {
        key
        for key, stage in seeded.stages.items()
        if stage == "implementation" and seeded.lights[key] == "amber" and key in alerted
    }
    assert {seeded.key_of(pid) for pid, _ in table_rows(html)} == expected
    assert expected == {"diverging", "late", "steering"}


# What nobody could have chosen in the form; {other}: the other organisation's id.
BAD_QUERIES = {
    "unknown stage": "stage=signed",
    "purple health": "health=purple",
    "another organisation's id": "organisation={other}",
    "an organisation's name": "organisation=Horizon+Vert",
    "negative organisation": "organisation=-1",
    "unknown alert": "alert=maybe",
    "negative page": "page=-1",
    "page zero": "page=0",
    "page abc": "page=abc",
    "page 99999": "page=99999",
    "page 1.5": "page=1.5",
    "huge page": "page=" + "9" * 40,
    "superscript page": "page=%C2%B2",
    "a nul byte": "stage=%00&health=%00",
    "bytes not UTF-8": "health=%FF%FE",
    "unknown key": "sort=name&debug=1",
}


@pytest.mark.parametrize("case", BAD_QUERIES)
async def test_a_filter_nobody_could_have_chosen_shows_the_whole_portfolio(site, case):
    seeded = site.seeded
    query = BAD_QUERIES[case].format(other=seeded.other_organisation)
    async with browser(site.services, seeded.coordinator.external_id) as client:
        page = await call(client, "GET", f"{PREFIX}/?{query}")
        download = await call(client, "GET", f"{PREFIX}/portfolio.csv?{query}")
    assert page.status == 200 and download.status == 200
    html = page.text
    assert {pid for pid, _ in table_rows(html)} == set(seeded.partnerships.values())
    # Ignored, so not carried on: the CSV link asks for everything.
    assert parsed(html).xpath('//a[@id="csv"]')[0].get("href") == f"{PREFIX}/portfolio.csv"
    assert len(csv_rows(download.body)) == 1 + len(seeded.partnerships)
    assert "Horizon Vert" not in html


async def test_a_repeated_filter_takes_its_first_value(site):
    seeded = site.seeded
    query = "stage=nothing&stage=implementation&page=2&page=x"
    async with browser(site.services, seeded.coordinator.external_id) as client:
        page = await call(client, "GET", f"{PREFIX}/?{query}")
    assert page.status == 200
    # The first stage is no stage: ignored; page 2 of one page is page 1.
    assert len(table_rows(page.text)) == len(seeded.partnerships)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("%C2%B2", id="superscript two"),
        pytest.param("9" * 5000, id="five thousand digits"),
        pytest.param("%D9%A3", id="arabic-indic three"),
    ],
)
async def test_an_organisation_id_that_is_not_one_is_ignored(site, value):
    async with browser(site.services, site.seeded.coordinator.external_id) as client:
        page = await call(client, "GET", f"{PREFIX}/?organisation={value}")
        download = await call(client, "GET", f"{PREFIX}/portfolio.csv?organisation={value}")
    assert (page.status, download.status) == (200, 200)


@pytest.mark.parametrize(
    "path",
    [
        "/p/" + "9" * 30,
        "/p/{green}/documents/" + "9" * 30,
        "/p/" + "9" * 30 + "/documents/{doc}",
        "/p/" + "9" * 5000,
        "/p/2147483648",  # one past the ids' INTEGER on PostgreSQL
        "/p/%D9%A3",  # an Arabic-Indic digit: not an id a link of ours has
        "/p/0",
        "/p/-1",
        "/p/{green}/documents/0",
    ],
)
async def test_an_id_no_row_could_have_answers_404(site, path):
    seeded = site.seeded
    path = path.format(green=seeded.partnerships["green"], doc=seeded.documents["green"][0])
    async with browser(site.services, seeded.member.external_id) as client:
        answer = await call(client, "GET", PREFIX + path)
    assert answer.status == 404


async def test_marking_an_alert_no_row_could_have_answers_404(site):
    async with browser(site.services, site.seeded.member.external_id) as client:
        token = csrf_of(await text_of(client, f"{PREFIX}/"))
        answer = await call(
            client, "POST", f"{PREFIX}/alerts/{'9' * 30}", data={"state": "seen", "csrf": token}
        )
    assert answer.status == 404
