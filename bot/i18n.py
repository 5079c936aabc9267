"""Message catalogues (gettext .po files read with Babel) and jinja environments per language."""

from __future__ import annotations

import gettext
from contextvars import ContextVar
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from knowledge import LANGUAGES

DEFAULT_LANGUAGE = LANGUAGES[0]
LOCALE_DIR = Path(__file__).with_name("locale")
TEMPLATE_DIR = Path(__file__).with_name("templates")
DOMAIN = "messages"


def N_(message: str) -> str:
    """Marks a catalogue text for extraction; it is translated where it is shown."""
    return message


# How each command is spelled in each language, filled in by the command table.
COMMAND_SPELLINGS: dict[str, dict[str, str]] = {}


def register_commands(spellings: dict[str, dict[str, str]]) -> None:
    """The command table's spellings, for templates: {{ cmd("criteres") }} -> /criteria."""
    COMMAND_SPELLINGS.update(spellings)


def command(name: str, language: str) -> str:
    return "/" + COMMAND_SPELLINGS.get(name, {}).get(language, name)


def language_of(code: str | None) -> str:
    """French unless the user's Telegram language is English."""
    return "en" if (code or "").lower().startswith("en") else DEFAULT_LANGUAGE


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The catalogue for a language, compiled in memory from its .po file once."""
    po_path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po_path.exists():
        return gettext.NullTranslations()
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=language)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


@cache
def environment(language: str) -> Environment:
    """Jinja for Telegram's HTML parse mode: user text is always escaped."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(language), newstyle=True)
    env.globals["cmd"] = lambda name: command(name, language)
    return env


# The channel a text is rendered for: "telegram" (buttons) or "terminal" (typed keys). The
# presenter sets it while it renders; templates read it as `channel`.
CHANNEL: ContextVar[str] = ContextVar("channel", default="telegram")


def render(template: str, language: str, **context) -> str:
    context.setdefault("channel", CHANNEL.get())
    text = environment(language).get_template(template).render(language=language, **context)
    return text.strip()


def gettext_for(language: str):
    return translations(language).gettext
