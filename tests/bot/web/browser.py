"""What the real-browser tests stand on: the dashboard served by aiohttp on loopback (its own
thread and event loop) against a seeded SQLite database and a fixed clock; Debian's Chromium
driven by Playwright (never a downloaded browser); and the stub of Telegram's Mini App script
that Telegram's clients would load, with its theme."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from bot.services import Actor, Core, Services
from bot.web.config import WebConfig
from storage.db import make_engine
from storage.migrate import upgrade
from tests.bot.web.seed import Seeded, seed

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# The dashboard's clock: every page is drawn at this moment (after the seeded history).
NOW = datetime(2027, 3, 1, 9, tzinfo=UTC)
BOT_TOKEN = "123456:ABC-dashboard-test"
# Served under a path, as behind a reverse proxy: every link must carry it.
PREFIX = "/alliance"
TELEGRAM_SCRIPT = "https://telegram.org/js/telegram-web-app.js*"
# Patient enough for a loaded machine; nothing here waits for time to pass.
WAIT = 30


def chromium_or_skip() -> None:
    """The browser tests need Debian's chromium; .ci/run installs it, and says so when it
    cannot (this skip then repeats why, in the -ra summary)."""
    if not CHROMIUM.exists():
        reason = os.environ.get("ALLIANCE_NO_CHROMIUM_REASON", "")
        pytest.skip(
            f"Debian's chromium is not installed at {CHROMIUM} "
            f"(.ci/run installs it with apt){': ' + reason if reason else ''}"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as error:
        pytest.skip(f"playwright is not installed ({error}): pip install -e '.[test]'")


# -- the server ------------------------------------------------------------------------------


class Served:
    """An aiohttp application on 127.0.0.1 at a free port, in a thread with its own event
    loop, so that synchronous Playwright can drive a browser against it."""

    def __init__(self, make_app: Callable[[str], web.Application]):
        # make_app(origin) builds the application once the origin (with its port) is known.
        self.make_app = make_app
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.origin = ""
        self.runner: web.AppRunner | None = None

    def _run(self, coroutine) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(WAIT)

    def __enter__(self) -> Served:
        self.thread.start()
        listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listening.bind(("127.0.0.1", 0))
        self.origin = f"http://127.0.0.1:{listening.getsockname()[1]}"
        self.runner = web.AppRunner(self.make_app(self.origin))
        self._run(self.runner.setup())
        self._run(web.SockSite(self.runner, listening).start())
        return self

    def __exit__(self, *_exc) -> None:
        try:
            if self.runner is not None:
                self._run(self.runner.cleanup())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(WAIT)
            self.loop.close()


@dataclass
class Dashboard:
    """The running dashboard: where it is, the use cases behind it, what was seeded."""

    base_url: str  # origin + PREFIX
    services: Services
    seeded: Seeded

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    def login_url(self, external_id: str) -> str:
        """A one-time sign-in link for that user, as /tableau gives it."""
        from bot.services.web_access import login_link

        link = self.services.run(Actor(external_id), login_link)
        return f"{self.base_url}/login/{link.token}"

    def init_data(self, person, auth_date: datetime = NOW) -> str:
        """Init data Telegram would sign for that person opening the Mini App."""
        from bot.web.auth import sign_init_data

        user = {
            "id": int(person.external_id.removeprefix("tg:")),
            "first_name": person.name.split()[0],
            "last_name": person.name.split()[-1],
            "language_code": person.language,
        }
        return sign_init_data(BOT_TOKEN, user, auth_date)


@contextmanager
def dashboard_served(database_url: str, seeded: Seeded) -> Iterator[Dashboard]:
    """The lead's dashboard_app on loopback, its clock fixed at NOW."""
    from bot.web.app import dashboard_app

    engine = make_engine(database_url)
    services = Services(engine, Core("Europe/Paris"), clock=lambda: NOW)
    made: list[Dashboard] = []

    def make_app(origin: str) -> web.Application:
        made.append(Dashboard(origin + PREFIX, services, seeded))
        return dashboard_app(WebConfig(services, BOT_TOKEN, origin + PREFIX))

    try:
        with Served(make_app):
            yield made[0]
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def seeded_database(tmp_path_factory) -> tuple[str, Seeded]:
    """One seeded SQLite database for a module's tests (they only read it, but for the alert
    a test marks, which no other test counts)."""
    folder = tmp_path_factory.mktemp("dashboard-db")
    url = f"sqlite:///{folder / 'alliance.db'}"
    upgrade(url)
    return url, seed(url, NOW)


@pytest.fixture(scope="module")
def dashboard(seeded_database) -> Iterator[Dashboard]:
    chromium_or_skip()
    url, seeded = seeded_database
    with dashboard_served(url, seeded) as served:
        yield served


# -- the browser -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory) -> Iterator[Any]:
    """Debian's Chromium, headless, with a fresh user-data-dir; downloads accepted."""
    chromium_or_skip()
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            accept_downloads=True,
            viewport={"width": 1280, "height": 900},
            locale="fr-FR",
        )
        context.set_default_timeout(WAIT * 1000)
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def page(browser_context) -> Iterator[Any]:
    """A new tab with no session: each test signs in as whom it needs."""
    browser_context.clear_cookies()
    tab = browser_context.new_page()
    yield tab
    tab.close()


@pytest.fixture
def phone(browser_context) -> Iterator[Any]:
    """A tab the size of a phone's screen, as Telegram shows a Mini App."""
    browser_context.clear_cookies()
    tab = browser_context.new_page()
    tab.set_viewport_size({"width": 390, "height": 844})
    yield tab
    tab.close()


# -- artefacts -------------------------------------------------------------------------------


ARTEFACTS: list[Path] = []


@pytest.fixture(scope="session")
def artefacts(tmp_path_factory) -> Path:
    """Where screenshots go: ALLIANCE_TEST_ARTEFACTS if set (CI keeps it), else a folder of
    pytest's basetemp (tests/artefacts would not be ignored by git). Its path is printed at
    the end of the run."""
    chosen = os.environ.get("ALLIANCE_TEST_ARTEFACTS")
    folder = Path(chosen) if chosen else tmp_path_factory.getbasetemp() / "artefacts"
    if folder.exists() and chosen:
        shutil.rmtree(folder / "browser", ignore_errors=True)
    folder = folder / "browser"
    folder.mkdir(parents=True, exist_ok=True)
    ARTEFACTS.append(folder)
    return folder


def screenshot(page, folder: Path, name: str) -> Path:
    """The whole page as a PNG, kept for a person to look at."""
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# -- Telegram's Mini App script, stubbed -------------------------------------------------------

# Telegram's own colours for its light and dark themes (Telegram Web), as themeParams.
THEMES: dict[str, dict[str, str]] = {
    "light": {
        "bg_color": "#ffffff",
        "text_color": "#000000",
        "hint_color": "#999999",
        "link_color": "#2481cc",
        "button_color": "#2481cc",
        "button_text_color": "#ffffff",
        "secondary_bg_color": "#efeff3",
        "header_bg_color": "#ffffff",
        "accent_text_color": "#2481cc",
        "section_bg_color": "#ffffff",
        "section_header_text_color": "#6d6d72",
        "subtitle_text_color": "#999999",
        "destructive_text_color": "#ff3b30",
    },
    "dark": {
        "bg_color": "#212121",
        "text_color": "#ffffff",
        "hint_color": "#aaaaaa",
        "link_color": "#8774e1",
        "button_color": "#8774e1",
        "button_text_color": "#ffffff",
        "secondary_bg_color": "#0f0f0f",
        "header_bg_color": "#212121",
        "accent_text_color": "#8774e1",
        "section_bg_color": "#212121",
        "section_header_text_color": "#aaaaaa",
        "subtitle_text_color": "#aaaaaa",
        "destructive_text_color": "#e53935",
    },
}

STUB = """(function () {
  var theme = %(theme)s, scheme = %(scheme)s, root = document.documentElement;
  // As telegram-web-app.js does: each theme colour as --tg-theme-<name>, and the scheme.
  Object.keys(theme).forEach(function (key) {
    root.style.setProperty('--tg-theme-' + key.split('_').join('-'), theme[key]);
  });
  root.style.setProperty('--tg-color-scheme', scheme);
  root.style.setProperty('--tg-viewport-height', window.innerHeight + 'px');
  root.style.setProperty('--tg-viewport-stable-height', window.innerHeight + 'px');
  var calls = window.__telegramCalls = [];
  function record(name) {
    return function () {
      calls.push(name);
      if (window.__telegramCalled) window.__telegramCalled(name);
      return this;
    };
  }
  function button(name) {
    return {
      text: '', isVisible: false, isActive: true,
      setText: record(name + '.setText'), show: record(name + '.show'),
      hide: record(name + '.hide'), onClick: record(name + '.onClick'),
      offClick: record(name + '.offClick'), enable: record(name + '.enable'),
      disable: record(name + '.disable'), setParams: record(name + '.setParams')
    };
  }
  window.Telegram = {WebApp: {
    initData: %(init_data)s,
    initDataUnsafe: %(unsafe)s,
    version: '8.0', platform: 'android',
    colorScheme: scheme, themeParams: theme,
    isExpanded: false,
    viewportHeight: window.innerHeight, viewportStableHeight: window.innerHeight,
    ready: record('ready'),
    expand: function () { record('expand').call(this); this.isExpanded = true; },
    close: record('close'),
    onEvent: record('onEvent'), offEvent: record('offEvent'),
    setHeaderColor: record('setHeaderColor'), setBackgroundColor: record('setBackgroundColor'),
    openLink: function (url) { record('openLink')(); window.open(url, '_blank'); },
    MainButton: button('MainButton'), SecondaryButton: button('SecondaryButton'),
    BackButton: {isVisible: false, show: record('BackButton.show'),
      hide: record('BackButton.hide'), onClick: record('BackButton.onClick'),
      offClick: record('BackButton.offClick')},
    HapticFeedback: {impactOccurred: record('impact'),
      notificationOccurred: record('notification'), selectionChanged: record('selection')}
  }};
})();
"""


def telegram_stub(init_data: str, theme: str) -> str:
    """The script a Telegram client would give the page: Telegram.WebApp with the signed init
    data and the theme, its colours set on the document as the real script sets them."""
    from urllib.parse import parse_qsl

    unsafe: dict[str, Any] = dict(parse_qsl(init_data))
    if "user" in unsafe:
        unsafe["user"] = json.loads(unsafe["user"])
    return STUB % {
        "theme": json.dumps(THEMES[theme]),
        "scheme": json.dumps(theme),
        "init_data": json.dumps(init_data),
        "unsafe": json.dumps(unsafe),
    }


def open_as_mini_app(
    page, dashboard: Dashboard, person, theme: str, system: str | None = None
) -> list[str]:
    """Telegram's script replaced by the stub on every page the tab loads; the Mini App's entry
    opened, on a phone whose own scheme is the theme's unless said (Telegram's theme is the
    app's choice, not the phone's). Returns the list the requests for Telegram's script are
    recorded in."""
    script = telegram_stub(dashboard.init_data(person), theme)
    asked: list[str] = []

    def fulfil(route) -> None:
        asked.append(route.request.url)
        route.fulfill(status=200, content_type="application/javascript", body=script)

    page.route(TELEGRAM_SCRIPT, fulfil)
    page.emulate_media(color_scheme=system or theme)
    page.goto(dashboard.url("/app"))
    return asked
