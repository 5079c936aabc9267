"""How the pages write what they show: in the viewer's language (the template's `language`),
dates and scores as a French or English reader expects them."""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date
from babel.numbers import format_decimal
from jinja2 import pass_context

from bot.i18n import translations


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
    return format_date(value, format=form, locale=context["language"])


@pass_context
def score(context, value: float | None) -> str:
    return "–" if value is None else format_decimal(value, format="0.0", locale=context["language"])


FILTERS = {"day": day, "score": score}
