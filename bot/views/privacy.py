"""The screens of the personal data rights."""

from __future__ import annotations

from bot.i18n import gettext_for, render
from bot.services.results import DeletionAsked
from bot.views.screens import Button, Screen


def deletion_screen(asked: DeletionAsked, language: str) -> Screen:
    _ = gettext_for(language)
    buttons = ((Button(_("Erase my data"), asked.confirm), Button(_("Keep them"), asked.keep)),)
    return Screen(render("deletion_asked.j2", language), buttons)
