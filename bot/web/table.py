"""The portfolio's columns in words, written once: the page's table shows them (with its
marks around them) and the CSV download holds exactly them."""

from __future__ import annotations

import html
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from bot.i18n import N_, gettext_for, render
from bot.services.dashboard import PortfolioRow
from bot.web.format import calendar_day, decimal
from flows.lifecycle import STEPS

COLUMNS = (
    ("partnership", N_("Partnership")),
    ("organisations", N_("Organisations")),
    ("step", N_("Step")),
    ("days", N_("Days in the step")),
    ("health", N_("Health")),
    ("checkin", N_("Next check-in")),
    ("last_round", N_("Last check-in")),
    ("trend", N_("Trend")),
    ("gap", N_("Largest gap")),
    ("end", N_("Agreement ends")),
    ("alerts", N_("Open alerts")),
)
# A light in words: never a colour alone.
LIGHT_WORDS = {
    "red": N_("At risk"),
    "amber": N_("To watch"),
    "green": N_("On track"),
    None: N_("Not assessed yet"),
}
TREND_WORDS = {"up": N_("Rising"), "down": N_("Falling"), "steady": N_("Steady"), None: "–"}
SCORE_LIGHT_WORDS = {"red": N_("red"), "amber": N_("amber"), "green": N_("green")}
# The largest gap when both organisations gave the same scores everywhere.
NO_GAP = N_("none")


def header(language: str) -> list[str]:
    return list(titles(language).values())


def titles(language: str) -> dict[str, str]:
    """Each column's title by its key: the table's header, and each cell's label when a phone
    shows a row as a card."""
    _ = gettext_for(language)
    return {key: _(title) for key, title in COLUMNS}


def cells(row: PortfolioRow, language: str, zone: ZoneInfo) -> dict[str, str]:
    """Each column's words for a row."""
    _ = gettext_for(language)
    status = row.status
    return {
        "partnership": status.partnership.name,
        "organisations": f"{row.our_organisation} / {row.partner_organisation}",
        "step": f"{row.step}/{STEPS} {stage_name(status.partnership.stage, language)}",
        "days": str(row.days_in_stage),
        "health": light_word(status.light, language)
        + (f" — {status.reason.in_(language)}" if status.reason else ""),
        "checkin": checkin(row, language, zone),
        "last_round": last_round(row, language),
        "trend": _(TREND_WORDS[row.trend]) if row.trend else "–",
        "gap": gap(row, language),
        "end": calendar_day(row.convention_end, language) if row.convention_end else "–",
        "alerts": str(row.open_alerts),
    }


def light_word(light: str | None, language: str) -> str:
    return gettext_for(language)(LIGHT_WORDS.get(light, LIGHT_WORDS[None]))


@lru_cache(maxsize=64)  # seven stages, two languages: rendered once each
def stage_name(stage: str, language: str) -> str:
    return html.unescape(render("stage_name.j2", language, stage=stage))


def score(value: float | None, language: str) -> str:
    return "–" if value is None else decimal(value, language)


def checkin(row: PortfolioRow, language: str, zone: ZoneInfo) -> str:
    """Late since when, else the next date, else why there is none."""
    _ = gettext_for(language)
    status = row.status
    if status.late_since is not None:
        return _("late since %(day)s") % {"day": _day(status.late_since, language, zone)}
    if status.waits_for_partner:
        return _("waits for the partner's respondent")
    if status.next_checkin is not None:
        return _day(status.next_checkin, language, zone)
    return "–"


def gap(row: PortfolioRow, language: str) -> str:
    """Where the two organisations' views differ most, and by how much; "none" when they agree
    on every dimension (a dimension named with "0.0" would only be the first in order)."""
    if row.gap is None:
        return "–"
    label, points = row.gap
    if score(points, language) == score(0.0, language):
        return gettext_for(language)(NO_GAP)
    return f"{label.in_(language)} ({score(points, language)})"


def last_round(row: PortfolioRow, language: str) -> str:
    """Each organisation's lights in the last round, counted: "Réseau: 6 green, 2 amber"."""
    return " · ".join(last_round_sides(row, language)) or "–"


def last_round_sides(row: PortfolioRow, language: str) -> list[str]:
    """The last round's lights counted for each organisation, ours first (none without one)."""
    if not row.last_round:
        return []
    _ = gettext_for(language)
    parts = []
    for index, side in enumerate((row.our_organisation, row.partner_organisation)):
        counts: dict[str, int] = {}
        for dimension in row.last_round:
            light = dimension.lights[index]
            if light is not None:
                counts[light] = counts.get(light, 0) + 1
        said = ", ".join(
            f"{counts[light]} {_(word)}"
            for light, word in SCORE_LIGHT_WORDS.items()
            if counts.get(light)
        )
        parts.append(f"{side} : {said or '–'}" if language == "fr" else f"{side}: {said or '–'}")
    return parts


def _day(moment: datetime, language: str, zone: ZoneInfo) -> str:
    return calendar_day(moment.astimezone(zone).date(), language)
