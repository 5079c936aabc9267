"""The dashboard in a real browser: Debian's Chromium, driven by Playwright, against the
dashboard served on loopback over a dozen seeded partnerships. A coordinator signs in with a
one-time link, reads the portfolio and its lights, filters it, downloads the CSV, opens a
partnership; a field worker opens it as a Mini App in Telegram's light and dark themes.
Screenshots of each page are kept (their folder is printed at the end of the run)."""

from __future__ import annotations

import csv
import io
import re

import pytest

from bot.services.dashboard import PAGE_SIZE
from bot.web.table import COLUMNS, titles
from tests.bot.web.browser import (
    PREFIX,
    TELEGRAM_SCRIPT,
    THEMES,
    Dashboard,
    open_as_mini_app,
    screenshot,
)

WORDS = {
    "fr": {
        "red": "À risque",
        "amber": "À surveiller",
        "green": "En bonne voie",
        "none": "Pas encore évaluée",
    },
    "en": {"red": "At risk", "amber": "To watch", "green": "On track", "none": "Not assessed yet"},
}
# WCAG 2.1: 4.5:1 for text (1.4.3), 3:1 for a mark without words, a line or a dot (1.4.11).
TEXT, MARK = 4.5, 3.0
# The partnerships the field worker belongs to: all but those their colleague created.
COLLEAGUES_ONLY = {"dialogue", "ended"}
PULSE_DIMENSIONS = 9

ROWS = """rows => rows.map(row => {
  const link = row.querySelector('th[scope=row] a');
  const light = row.querySelector('td.health .light');
  return {
    pid: Number(row.dataset.pid),
    name: link ? link.textContent.trim() : null,
    href: link ? link.getAttribute('href') : null,
    light: light ? Array.from(light.classList).find(c => c.startsWith('light--')) : null,
    role: light ? light.getAttribute('role') : null,
    label: light ? (light.getAttribute('aria-label') || '').trim() : null,
    health: (row.querySelector('td.health') || {textContent: ''}).textContent.trim(),
  };
})"""

BACKGROUND = """() => {
  for (const element of [document.body, document.documentElement]) {
    const colour = getComputedStyle(element).backgroundColor;
    if (colour && colour !== 'rgba(0, 0, 0, 0)' && colour !== 'transparent') return colour;
  }
  return 'rgb(255, 255, 255)';
}"""


def sign_in(page, dashboard: Dashboard, person) -> None:
    """Opens the one-time link /tableau gives, which leads to the portfolio."""
    response = page.goto(dashboard.login_url(person.external_id))
    assert response is not None and response.ok, response and response.status
    page.wait_for_selector("table#portfolio")
    assert page.url.split("?")[0].rstrip("/") == dashboard.url("/").rstrip("/")


def rows(page) -> list[dict]:
    return page.eval_on_selector_all("#portfolio tr[data-pid]", ROWS)


def keys_shown(page, dashboard: Dashboard) -> list[str]:
    return [dashboard.seeded.key_of(row["pid"]) for row in rows(page)]


def rgb(colour: str) -> tuple[int, int, int]:
    """A CSS colour as the browser computes it ("rgb(r, g, b)") or as "#rrggbb"."""
    if colour.startswith("#"):
        return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return tuple(int(float(v)) for v in re.findall(r"[\d.]+", colour)[:3])


def luminance(colour: tuple[int, int, int]) -> float:
    """WCAG's relative luminance."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: tuple[int, int, int], second: tuple[int, int, int]) -> float:
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def text_contrast(page) -> float:
    """The body text's contrast against the page's background."""
    text = page.evaluate("() => getComputedStyle(document.body).color")
    return contrast(rgb(text), rgb(page.evaluate(BACKGROUND)))


# -- in a browser, signed in with a one-time link ------------------------------------------------


def test_the_coordinator_sees_every_partnership_of_the_organisation_with_its_light_in_words(
    page, dashboard, artefacts
):
    seeded = dashboard.seeded
    sign_in(page, dashboard, seeded.coordinator)
    assert page.locator("#portfolio caption").inner_text().strip()
    assert page.locator("#portfolio thead th[scope=col]").count() >= 5
    shown = rows(page)
    assert sorted(row["pid"] for row in shown) == sorted(seeded.partnerships.values())
    body = page.inner_text("body")
    for other in ("Potager d'entreprise Horizon", "Nettoyage des berges Horizon"):
        assert other not in body
    for row in shown:
        key = seeded.key_of(row["pid"])
        light = seeded.lights[key]
        assert row["name"] == seeded.names[key]
        assert row["href"] == f"{PREFIX}/p/{row['pid']}"
        # Never a colour alone: a word, and a label for a screen reader.
        assert row["light"] == f"light--{light}", key
        assert row["role"] == "img" and row["label"], key
        assert WORDS["fr"][light] in row["health"], (key, row["health"])
    # Where both organisations gave the same scores, the largest gap is none, not "0,0".
    gaps = page.locator(f"#portfolio td[data-label='{titles('fr')['gap']}']").all_inner_texts()
    assert "aucun" in gaps and not any("(0,0)" in gap for gap in gaps), gaps
    for light in ("green", "amber", "red"):
        count = page.locator(f"#counts [data-count={light}]").inner_text()
        assert int(count) == list(seeded.lights.values()).count(light), light
    assert text_contrast(page) >= 4.5
    screenshot(page, artefacts, "portfolio-browser-fr")


def test_a_filter_stays_in_the_url_and_the_csv_holds_exactly_the_rows_shown(page, dashboard):
    seeded = dashboard.seeded
    sign_in(page, dashboard, seeded.coordinator)
    page.select_option("#filters select[name=health]", "amber")
    with page.expect_navigation():
        page.locator("#filters [type=submit]").first.click()
    assert "health=amber" in page.url
    amber = sorted(key for key, light in seeded.lights.items() if light == "amber")
    assert sorted(keys_shown(page, dashboard)) == amber
    # A second filter on top; the link, reloaded, shows the same rows with both kept.
    page.select_option("#filters select[name=stage]", "implementation")
    with page.expect_navigation():
        page.locator("#filters [type=submit]").first.click()
    assert "health=amber" in page.url and "stage=implementation" in page.url
    page.reload()
    expected = [k for k in amber if seeded.stages[k] == "implementation"]
    assert sorted(keys_shown(page, dashboard)) == sorted(expected)
    assert page.input_value("#filters select[name=health]") == "amber"
    assert page.input_value("#filters select[name=stage]") == "implementation"
    names = [row["name"] for row in rows(page)]
    csv_link = page.locator("a#csv")
    assert "health=amber" in csv_link.get_attribute("href")
    assert "stage=implementation" in csv_link.get_attribute("href")
    with page.expect_download() as download:
        csv_link.click()
    assert download.value.suggested_filename.endswith(".csv")
    table = read_csv(download.value.path().read_bytes())
    header, data = table[0], table[1:]
    assert len(data) == len(names), (header, data)
    # One of its columns is the names, row for row as the table shows them.
    columns = [[line[i] for line in data] for i in range(len(header))]
    assert names in columns, (names, header)


def read_csv(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8-sig")
    dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;\t")
    return [line for line in csv.reader(io.StringIO(text), dialect) if line]


def test_a_partnership_page_shows_its_timeline_trends_and_alerts(page, dashboard, artefacts):
    seeded = dashboard.seeded
    pid = seeded.partnerships["red_dimension"]
    sign_in(page, dashboard, seeded.coordinator)
    with page.expect_navigation():
        page.click(f"#portfolio tr[data-pid='{pid}'] th[scope=row] a")
    assert page.url == dashboard.url(f"/p/{pid}")
    assert page.locator("h1").inner_text().strip() == seeded.names["red_dimension"]
    # Five moves, from the dialogue to the implementation.
    assert page.locator("#timeline ol > li").count() >= 5
    charts = page.locator("#trends svg[role=img]")
    assert charts.count() == PULSE_DIMENSIONS
    titles = charts.locator("title").evaluate_all("found => found.map(t => t.textContent)")
    assert len(titles) == PULSE_DIMENSIONS and all(t.strip() for t in titles)
    # Three alerts, one of them seen; a coordinator reads them and changes none.
    alerts = page.locator("#alerts").inner_text()
    assert alerts.count("Nouvelle") == 2 and alerts.count("Vue") == 1
    assert page.locator("#alerts form").count() == 0
    assert text_contrast(page) >= 4.5
    screenshot(page, artefacts, "partnership-browser-fr")


def test_a_member_marks_an_alert_handled_and_the_page_shows_it(page, dashboard, artefacts):
    seeded = dashboard.seeded
    pid = seeded.partnerships["steering"]
    sign_in(page, dashboard, seeded.member)
    page.goto(dashboard.url(f"/p/{pid}"))
    forms = page.locator("#alerts form[method=post]")
    assert forms.count() == 1
    form = forms.first
    assert re.fullmatch(rf"{PREFIX}/alerts/\d+", form.get_attribute("action"))
    assert form.locator("input[type=hidden][name=csrf]").get_attribute("value")
    assert form.locator("button[name=state][value=handled]").count() == 1
    with page.expect_navigation():
        form.locator("button[name=state][value=handled]").click()
    assert page.url.startswith(dashboard.url(f"/p/{pid}"))
    # Handled: it says so, and no button offers it any more.
    assert "Handled" in page.locator("#alerts").inner_text()
    assert page.locator("#alerts button[name=state][value=handled]").count() == 0
    screenshot(page, artefacts, "partnership-alert-handled-en")


def test_documents_download_as_the_word_files_the_bot_built(page, dashboard):
    seeded = dashboard.seeded
    pid = seeded.partnerships["formalisation"]
    sign_in(page, dashboard, seeded.coordinator)
    page.goto(dashboard.url(f"/p/{pid}"))
    links = page.locator("#documents a[href*='/documents/']")
    hrefs = sorted(links.evaluate_all("links => links.map(a => a.getAttribute('href'))"))
    assert hrefs == sorted(
        f"{PREFIX}/p/{pid}/documents/{d}" for d in seeded.documents["formalisation"]
    )
    with page.expect_download() as download:
        links.first.click()
    assert download.value.suggested_filename.endswith(".docx")
    assert download.value.path().read_bytes().startswith(b"PK")


def test_another_organisations_partnership_and_documents_are_not_found(page, dashboard):
    seeded = dashboard.seeded
    sign_in(page, dashboard, seeded.coordinator)
    response = page.goto(dashboard.url(f"/p/{seeded.others['other_implementation']}"))
    assert response.status == 404
    assert "Potager d'entreprise Horizon" not in page.inner_text("body")
    # The other organisation's member: their own two partnerships, none of ours.
    page.context.clear_cookies()
    sign_in(page, dashboard, seeded.outsider)
    assert sorted(row["pid"] for row in rows(page)) == sorted(seeded.others.values())
    pid = seeded.partnerships["formalisation"]
    document = seeded.documents["formalisation"][0]
    assert page.goto(dashboard.url(f"/p/{pid}/documents/{document}")).status == 404
    assert page.goto(dashboard.url(f"/p/{pid}")).status == 404


def test_without_a_session_the_page_says_how_to_open_the_dashboard(page, dashboard):
    response = page.goto(dashboard.url("/"))
    assert response.status == 401
    assert "/tableau" in page.inner_text("body")
    assert page.locator("#portfolio").count() == 0


def test_in_a_browser_the_page_follows_the_systems_dark_mode(page, dashboard, artefacts):
    sign_in(page, dashboard, dashboard.seeded.coordinator)
    page.emulate_media(color_scheme="light")
    assert luminance(rgb(page.evaluate(BACKGROUND))) > 0.7
    page.emulate_media(color_scheme="dark")
    assert luminance(rgb(page.evaluate(BACKGROUND))) < 0.2
    assert text_contrast(page) >= 4.5
    screenshot(page, artefacts, "portfolio-browser-fr-dark")


OUTLINE = """() => {
  const style = getComputedStyle(document.activeElement);
  return {style: style.outlineStyle, width: parseFloat(style.outlineWidth),
          colour: style.outlineColor};
}"""


def test_the_portfolio_is_reached_with_the_keyboard(page, dashboard):
    sign_in(page, dashboard, dashboard.seeded.coordinator)
    in_table = "() => !!document.activeElement.closest('#portfolio th[scope=row]')"
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate(in_table):
            break
    assert page.evaluate(in_table), "no partnership link reached with Tab"
    # Where the keyboard is shows: an outline, 3:1 at least against the page.
    outline = page.evaluate(OUTLINE)
    assert outline["style"] != "none" and outline["width"] >= 2, outline
    assert contrast(rgb(outline["colour"]), rgb(page.evaluate(BACKGROUND))) >= MARK, outline
    target = page.evaluate("() => document.activeElement.getAttribute('href')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == dashboard.url(target.removeprefix(PREFIX))


# -- inside Telegram, as a Mini App ------------------------------------------------------------


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_mini_app_signs_the_field_worker_in_and_takes_telegrams_theme(
    phone, dashboard, artefacts, theme
):
    seeded = dashboard.seeded
    calls: list[str] = []
    phone.expose_function("__telegramCalled", lambda name: calls.append(name))
    outside: list[str] = []
    origin = dashboard.base_url.removesuffix(PREFIX)
    phone.on(
        "request",
        lambda r: None if r.url.startswith((origin, "data:")) else outside.append(r.url),
    )
    asked = open_as_mini_app(phone, dashboard, seeded.member, theme)
    phone.wait_for_selector("table#portfolio")
    assert asked, f"the Mini App page did not load Telegram's script ({TELEGRAM_SCRIPT})"
    assert all(url.startswith("https://telegram.org/js/") for url in outside), outside
    expected = sorted(k for k in seeded.partnerships if k not in COLLEAGUES_ONLY)
    assert sorted(keys_shown(phone, dashboard)) == expected
    for row in rows(phone):
        light = seeded.lights[seeded.key_of(row["pid"])]
        assert WORDS["en"][light] in row["health"], row
    assert rgb(phone.evaluate(BACKGROUND)) == rgb(THEMES[theme]["bg_color"])
    assert text_contrast(phone) >= 4.5
    screenshot(phone, artefacts, f"miniapp-portfolio-en-{theme}")
    pid = seeded.partnerships["late"]
    with phone.expect_navigation():
        phone.click(f"#portfolio tr[data-pid='{pid}'] th[scope=row] a")
    assert phone.locator("h1").inner_text().strip() == seeded.names["late"]
    assert rgb(phone.evaluate(BACKGROUND)) == rgb(THEMES[theme]["bg_color"])
    screenshot(phone, artefacts, f"miniapp-partnership-en-{theme}")
    assert "ready" in calls


def test_on_a_phone_nothing_is_off_screen_sideways(phone, dashboard, browser_context):
    seeded = dashboard.seeded
    open_as_mini_app(phone, dashboard, seeded.member, "light")
    phone.wait_for_selector("table#portfolio")
    width = phone.evaluate("() => window.innerWidth")
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= width
    # The light is what a phone user opens the dashboard for: on every row, the name, the light
    # and its reason are on the screen, not beyond its right edge.
    for row in phone.locator("#portfolio tbody tr").all():
        for part in ("th[scope=row] a", "td.health .light", "td.health small"):
            found = row.locator(part)
            if found.count():
                box = found.bounding_box()
                assert box["x"] >= 0 and box["x"] + box["width"] <= width, (part, box)
    # Shown as cards, the rows are still a table to a screen reader: every row has a cell
    # under each column's header, empty ones included.
    assert cells_per_row(phone, browser_context) == {len(COLUMNS)}
    phone.goto(dashboard.url(f"/p/{seeded.partnerships['red_dimension']}"))
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= width
    # The scores' table scrolls in its own box, which the keyboard reaches.
    scores = phone.locator("#trends .scroll[role=region][tabindex='0'] table.scores")
    assert scores.count() == 1


def cells_per_row(page, browser_context) -> set[int]:
    """How many cells each row of the portfolio has in the browser's accessibility tree."""
    cdp = browser_context.new_cdp_session(page)
    try:
        nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        cdp.detach()
    by_id = {node["nodeId"]: node for node in nodes}

    def role(node) -> str:
        return (node.get("role") or {}).get("value", "")

    def cells(node) -> int:
        found = 0
        for child in (by_id[i] for i in node.get("childIds", []) if i in by_id):
            found += 1 if role(child) in ("cell", "rowheader") else cells(child)
        return found

    return {cells(node) for node in nodes if role(node) == "row" and cells(node)}


# -- readable: contrast, marks that do not hide each other, weight ------------------------------

# The colours a reader depends on: what, where (every element found), which property, how much.
PORTFOLIO_COLOURS = [
    ("the text", "body", "color", TEXT),
    ("a partnership's link", "#portfolio th[scope=row] a", "color", TEXT),
    ("the CSV link", "a#csv", "color", TEXT),
    ("the count of partnerships shown", ".shown", "color", TEXT),
    ("a filter's title", "#filters label", "color", TEXT),
    ("the filter button", "#filters button[type=submit]", "color", TEXT),
    ("a count by light", "#counts .count", "color", TEXT),
    ("a light's word", "#portfolio .light", "color", TEXT),
    ("a light's reason", "#portfolio td.health small", "color", TEXT),
    ("a late check-in", "#portfolio .late", "color", TEXT),
    ("a dimension's dot", "#portfolio .dots i:not(.none)", "background-color", MARK),
    ("a step done", "#portfolio .bar i.on", "background-color", MARK),
]
PARTNERSHIP_COLOURS = [
    ("the text", "body", "color", TEXT),
    ("the link back", ".back a", "color", TEXT),
    ("a fact's title", ".facts dt", "color", TEXT),
    ("a light's word", "main .light", "color", TEXT),
    ("an alert's state", "#alerts .state", "color", TEXT),
    ("a chart's scores and dates", "#trends .axis", "fill", TEXT),
    ("the legend", "#trends .legend li", "color", TEXT),
    ("our line", "#trends .line--ours", "stroke", MARK),
    ("the partner's line", "#trends .line--partner", "stroke", MARK),
    ("our dots", "#trends .dot--ours", "fill", MARK),
    ("the partner's diamonds", "#trends .dot--partner", "stroke", MARK),
]
# Each colour as drawn (through a canvas: color-mix() and every notation come out as sRGB
# bytes), over the background the element stands on (its own, else its parents', composed).
COLOURS = """([selector, property]) => {
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 1;
  const context = canvas.getContext('2d', {willReadFrequently: true});
  const rgba = colour => {
    context.clearRect(0, 0, 1, 1);
    context.fillStyle = 'rgba(0, 0, 0, 0)';
    context.fillStyle = colour;
    context.fillRect(0, 0, 1, 1);
    const [r, g, b, a] = context.getImageData(0, 0, 1, 1).data;
    return [r, g, b, a / 255];
  };
  const over = (top, below) => [0, 1, 2].map(i => top[i] * top[3] + below[i] * (1 - top[3]));
  const background = element => {
    const layers = [];
    for (let e = element; e; e = e.parentElement) {
      const colour = rgba(getComputedStyle(e).backgroundColor);
      if (colour[3] > 0) layers.push(colour);
      if (colour[3] === 1) break;
    }
    return layers.reduceRight((below, layer) => over(layer, below), [255, 255, 255]);
  };
  return Array.from(document.querySelectorAll(selector))
    .filter(e => e.getClientRects().length)
    .map(e => {
      // A mark drawn by its own background stands on its parent's.
      const below = background(property === 'background-color' ? e.parentElement : e);
      return {fg: over(rgba(getComputedStyle(e)[property]), below), bg: below,
              text: (e.textContent || '').trim().slice(0, 30)};
    });
}"""

SCHEMES = {
    # name: (Telegram's theme, or None in a browser; the system's own scheme)
    "browser-light": (None, "light"),
    "browser-dark": (None, "dark"),
    "telegram-light": ("light", "light"),
    "telegram-dark": ("dark", "dark"),
    # Telegram's theme is the app's: dark in Telegram on a phone left in light mode.
    "telegram-dark-on-a-light-phone": ("dark", "light"),
}


def too_faint(page, colours) -> list[str]:
    """Each colour of the list found under its contrast, said with where and how much."""
    faint = []
    for what, selector, prop, least in colours:
        found = page.evaluate(COLOURS, [selector, prop])
        assert found, f"nothing on the page for {what} ({selector})"
        for element in found:
            ratio = contrast(
                tuple(round(v) for v in element["fg"]), tuple(round(v) for v in element["bg"])
            )
            if ratio < least:
                faint.append(f"{what} {element['text']!r}: {ratio:.2f} < {least}")
    return sorted(set(faint))


@pytest.mark.parametrize("scheme", SCHEMES)
def test_text_lights_and_marks_keep_their_contrast_in_every_theme(
    page, dashboard, artefacts, scheme
):
    seeded = dashboard.seeded
    telegram, system = SCHEMES[scheme]
    if telegram is None:
        page.emulate_media(color_scheme=system)
        sign_in(page, dashboard, seeded.member)
    else:
        page.set_viewport_size({"width": 390, "height": 844})
        open_as_mini_app(page, dashboard, seeded.member, telegram, system)
        page.wait_for_selector("table#portfolio")
        assert rgb(page.evaluate(BACKGROUND)) == rgb(THEMES[telegram]["bg_color"])
    faint = too_faint(page, PORTFOLIO_COLOURS)
    screenshot(page, artefacts, f"contrast-{scheme}-portfolio-en")
    page.goto(dashboard.url(f"/p/{seeded.partnerships['red_dimension']}"))
    faint += too_faint(page, PARTNERSHIP_COLOURS)
    screenshot(page, artefacts, f"contrast-{scheme}-partnership-en")
    assert not faint, faint


def test_where_both_organisations_gave_the_same_score_both_marks_show(page, dashboard):
    seeded = dashboard.seeded
    sign_in(page, dashboard, seeded.coordinator)
    page.goto(dashboard.url(f"/p/{seeded.partnerships['red_dimension']}"))
    # The legend says in words which organisation is which mark.
    ours, partner = page.locator(".lead").inner_text().split(" / ")
    keys = page.locator("#trends .legend li").all_inner_texts()
    assert ours in keys[0] and "ronds" in keys[0], keys
    assert partner in keys[1] and "losanges" in keys[1], keys
    # Each of our dots, and each of the partner's diamonds, is the mark on top where it is
    # drawn, on the rounds where both gave the same score too.
    marks = page.evaluate(MARKS)
    assert marks["same"] > 0, "no round where both sides gave the same score to look at"
    assert marks["hidden"] == [], marks["hidden"]


MARKS = r"""() => {
  let same = 0;
  const hidden = [];
  for (const svg of document.querySelectorAll('#trends svg[role=img]')) {
    const chart = svg.getAttribute('aria-labelledby');
    svg.scrollIntoView({block: 'center'});
    const matrix = svg.getScreenCTM();
    const at = (x, y) => {
      const point = new DOMPoint(x, y).matrixTransform(matrix);
      return document.elementFromPoint(point.x, point.y);
    };
    const ours = Array.from(svg.querySelectorAll('.dot--ours'))
      .map(c => [c.cx.baseVal.value, c.cy.baseVal.value, c]);
    const diamonds = svg.querySelector('.dot--partner');
    const theirs = diamonds ? Array.from(diamonds.getAttribute('d').matchAll(/M([\d.]+),([\d.]+)/g))
      .map(m => [Number(m[1]), Number(m[2]) + 6]) : [];
    for (const [x, y, circle] of ours) {
      if (at(x, y) !== circle) hidden.push(['ours', chart, x, y]);
    }
    for (const [x, y] of theirs) {
      if (ours.some(([ox, oy]) => Math.abs(ox - x) < 0.2 && Math.abs(oy - y) < 0.2)) same += 1;
      // A point on the diamond's upper right edge, outside our dot.
      if (at(x + 3, y - 3) !== diamonds) hidden.push(['partner', chart, x, y]);
    }
  }
  return {same, hidden};
}"""


def test_a_page_weighs_under_100_kb_before_its_charts(page, dashboard):
    """What a phone downloads for a page, its stylesheet and script (Telegram's own script
    aside): the portfolio as a full page of rows would weigh, a partnership's page but for its
    SVG charts."""
    seeded = dashboard.seeded
    sign_in(page, dashboard, seeded.coordinator)
    assets = sum(
        len(page.request.get(dashboard.url(f"/static/{name}")).body())
        for name in ("dashboard.css", "dashboard.js")
    )
    html = len(page.goto(dashboard.url("/")).body())
    rows = page.eval_on_selector_all(
        "#portfolio tbody tr", "rows => rows.map(r => new Blob([r.outerHTML]).size)"
    )
    # The seeded dozen, then as many rows as a page holds, each as heavy as the heaviest.
    assert html + assets < 100_000
    full_page = html - sum(rows) + PAGE_SIZE * max(rows)
    assert full_page + assets < 100_000, (full_page, assets, max(rows))
    html = len(page.goto(dashboard.url(f"/p/{seeded.partnerships['red_dimension']}")).body())
    charts = page.eval_on_selector_all(
        "#trends svg", "charts => charts.reduce((sum, c) => sum + new Blob([c.outerHTML]).size, 0)"
    )
    assert html - charts + assets < 100_000, (html, charts, assets)
