"""What the dashboard's handlers share: the use cases, the bot's token (Mini App sign-in)
and the public base URL."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from aiohttp import web

from bot.services import Services


@dataclass(frozen=True)
class WebConfig:
    services: Services
    # Telegram signs a Mini App's init data with a key derived from it.
    bot_token: str
    # ALLIANCE_WEB_URL: the public base URL, without a trailing slash.
    base_url: str

    @property
    def secure(self) -> bool:
        """Cookies are Secure whenever the public URL is HTTPS."""
        return self.base_url.startswith("https://")

    @property
    def prefix(self) -> str:
        """The path the dashboard lives under ("" at the root, "/alliance" behind a proxy)."""
        return urlsplit(self.base_url).path.rstrip("/")


CONFIG = web.AppKey("dashboard_config", WebConfig)
