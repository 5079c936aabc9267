"""The only source of configuration: environment variables and a `.env` file."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: str | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    database_url: str = Field(
        default_factory=lambda: "sqlite:///" + str(Path.cwd() / "alliance.db")
    )
    # Dates shown and due dates are computed in this zone.
    alliance_timezone: str = "Europe/Paris"
    # Telegram allows about 30 messages a second overall; tests may raise it.
    alliance_max_messages_per_second: float = 30.0
    # And about one a second in each chat, after a short burst.
    alliance_chat_messages_per_second: float = 1.0
    # Long polling: how long one getUpdates waits for news, in seconds.
    alliance_polling_timeout: int = 30
    # How long one Bot API call may take before it counts as failed (and is retried).
    alliance_api_timeout: float = 10.0
    # Migrate the database when a process starts; 0 leaves it to `alliance db upgrade` (a
    # deployment step), and a process then refuses a schema that is behind.
    alliance_migrate: bool = True
    # Webhook mode when a public HTTPS URL is set: Telegram posts updates there, with the
    # secret in a header; the webhook and the health check listen on ALLIANCE_LISTEN.
    alliance_webhook_url: str | None = None
    alliance_webhook_secret: str | None = None
    alliance_listen: str = "0.0.0.0:8080"
    # A webhook request's body must arrive within this many seconds (else 408), and at most
    # this many webhook requests are handled at once (the next ones: 503, Telegram retries).
    alliance_webhook_read_timeout: float = 10.0
    alliance_webhook_max_requests: int = 100
    # The dashboard's public HTTPS base URL: when set, `alliance run` serves the dashboard and
    # the bot offers it as a Mini App (/tableau, the menu button).
    alliance_web_url: str | None = None
    # Where the terminal writes the documents it builds (not the working copy).
    alliance_documents_dir: Path = Field(default_factory=lambda: default_documents_dir())


def default_documents_dir() -> Path:
    """~/Documents/Alliance where a Documents folder exists, else ~/Alliance."""
    documents = Path.home() / "Documents"
    return (documents if documents.is_dir() else Path.home()) / "Alliance"
