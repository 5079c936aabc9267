"""/tableau (/dashboard): how a user opens the dashboard, from any channel. Telegram shows
the Mini App and the browser link as buttons, the terminal prints the link, `alliance web`
prints it at start; this decides once what they offer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.services import web_access
from bot.services.results import Result, Say
from bot.services.work import Work


@dataclass(frozen=True)
class DashboardOffered:
    """The dashboard for this user: the Mini App's address (inside Telegram) and a sign-in
    link for a browser, good once and until `expires_at`."""

    app_url: str
    login_url: str
    expires_at: datetime


def open_dashboard(work: Work) -> Result:
    """/tableau: the dashboard's addresses with a fresh one-time link; when this bot serves no
    dashboard (ALLIANCE_WEB_URL unset), says so."""
    base_url = work.core.web_url
    if base_url is None:
        return Result(work.language, [Say("dashboard_unconfigured")])
    link = web_access.login_link(work)
    offer = DashboardOffered(app_url(base_url), login_url(base_url, link.token), link.expires_at)
    return Result(work.language, [offer])


def in_group(work: Work) -> Result:
    """/tableau in a group: the dashboard shows the user's own partnerships and its link signs
    them in, so it is never posted where others read it; the private chat offers it."""
    return Result(work.language, [Say("dashboard_private")])


def app_url(base_url: str) -> str:
    """The Mini App's entry page, which Telegram opens with the signed init data."""
    return f"{base_url}/app"


def login_url(base_url: str, token: str) -> str:
    """A one-time sign-in link: the page that redeems it opens a session."""
    return f"{base_url}/login/{token}"
