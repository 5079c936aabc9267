"""How the pages write what they show: in the viewer's language (the template's `language`),
dates and scores as a French or English reader expects them."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from babel.dates import format_date
from babel.numbers import format_decimal
from jinja2 import pass_context

from bot.i18n import translations


# A portfolio page writes about two thousand scores and dates, mostly the same few: Babel
# parses the pattern and the locale each time, so each value is written once per language.
@lru_cache(maxsize=4096)
def decimal(value: float, language: str) -> str:
    """A score with one decimal, as a reader of the language writes it ("3,5" in French)."""
    return format_decimal(value, format="0.0", locale=language)


@lru_cache(maxsize=4096)
def calendar_day(value: date, language: str, form: str = "medium") -> str:
    return format_date(value, format=form, locale=language)


# Jinja's new-style gettext fills the %(name)s placeholders itself, after these.
@pass_context
def gettext(context, message: str) -> str:
    return translations(context["language"]).gettext(message)


@pass_context
def ngettext(context, singular: str, plural: str, n: int) -> str:
    return translations(context["language"]).ngettext(singular, plural, n)


@pass_context
def day(context, value: date | datetime | None, form: str = "medium") -> str:
    """A date (a moment in the bot's zone: the caller passes it converted)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(context["zone"]).date()
    return calendar_day(value, context["language"], form)


@pass_context
def score(context, value: float | None) -> str:
    return "–" if value is None else decimal(value, context["language"])


FILTERS = {"day": day, "score": score}
