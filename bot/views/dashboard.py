"""Screens of the dashboard's entry: how /tableau offers it on each channel."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.i18n import CHANNEL, gettext_for, render
from bot.services.dashboard_entry import DashboardOffered
from bot.views.screens import LINK, WEB_APP, Button, Screen, local_date


def offer_screen(offer: DashboardOffered, language: str, zone: ZoneInfo) -> Screen:
    """In Telegram, two buttons: the Mini App, and the one-time link for a browser. Telegram
    opens Mini Apps only over HTTPS, and refuses a link button to a local address: on plain
    HTTP (a local setup) the link is written out instead, as the terminal prints it, as code:
    Telegram neither links nor previews it (a preview's fetch would spend the link)."""
    _ = gettext_for(language)
    as_buttons = CHANNEL.get() == "telegram" and offer.app_url.startswith("https://")
    text = render(
        "dashboard.j2",
        language,
        as_buttons=as_buttons,
        login_url=offer.login_url,
        until=local_date(offer.expires_at, zone, "%H:%M"),
    )
    if not as_buttons:
        return Screen(text)
    buttons = (
        (Button(_("Open the dashboard"), offer.app_url, WEB_APP),),
        (Button(_("Open in a browser"), offer.login_url, LINK),),
    )
    return Screen(text, buttons)
