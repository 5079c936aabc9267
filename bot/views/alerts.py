"""Screens of what is pushed: an alert to a partnership's people, a coordinator's weekly
digest, and the question "when was the steering meeting held?"."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot import callback_data
from bot.callback_data import partnership_button
from bot.i18n import command, gettext_for, render
from bot.services.results import AlertNotice, SteeringAsked, WeeklyDigest
from bot.views.partnerships import LIGHT_ICONS
from bot.views.screens import Button, Screen, local_date
from flows.lifecycle import step_number

# Telegram's limit is 4,096 characters: the digest stops short of it, and says how many more.
DIGEST_LIMIT = 3800


def alert_screen(notice: AlertNotice, language: str) -> Screen:
    """The light, the reason, what to do next; the guide's card one tap away, and for who
    may act, "Seen" and "Handled"."""
    _ = gettext_for(language)
    title = notice.card.title.in_(language) if notice.card else None
    text = render(
        "alert.j2",
        language,
        icon=LIGHT_ICONS.get(notice.level, LIGHT_ICONS[None]),
        name=notice.partnership_name,
        light=notice.level,
        title=notice.title.in_(language) if notice.title else None,
        next=notice.next.in_(language) if notice.next else None,
        card_title=title,
        state=notice.state,
    )
    rows: list[tuple[Button, ...]] = []
    if notice.card is not None:
        card = callback_data.simple(callback_data.CARD, notice.card.id)
        rows.append((Button(_("Open the guide's card"), card),))
    if notice.may_act and notice.state != "handled":

        def button(label: str, action: str) -> Button:
            data = partnership_button(
                notice.partnership_id, notice.revision, action, notice.alert_id
            )
            return Button(label, data)

        marks = [button(_("Handled"), "handled")]
        if notice.state == "new":
            marks.insert(0, button(_("Seen"), "seen"))
        rows.append(tuple(marks))
    return Screen(text, tuple(rows))


def digest_screen(digest: WeeklyDigest, language: str, zone: ZoneInfo) -> Screen:
    """The coordinator's partnerships, most urgent first, cut to fit one message."""
    lines = [
        {
            "icon": LIGHT_ICONS.get(line.light, LIGHT_ICONS[None]),
            "name": line.partnership.name,
            "light": line.light,
            "reason": line.reason.in_(language) if line.reason else None,
            "step": step_number(line.partnership.stage),
            "stage": line.partnership.stage,
            # No date while a round cannot run: an organisation has no respondent yet.
            "next_checkin": local_date(line.next_checkin, zone)
            if line.next_checkin and not line.waits_for_partner
            else None,
        }
        for line in digest.lines
    ]
    week = digest.week.strftime("%d/%m/%Y")
    listing = command("partenariats", language)

    def text(shown: int) -> str:
        more = len(lines) - shown
        return render(
            "digest.j2", language, week=week, lines=lines[:shown], more=more, command=listing
        )

    shown = len(lines)
    full = text(shown)
    if len(full) <= DIGEST_LIMIT:
        return Screen(full)
    # Each line is about the same length: start from an estimate, then step back.
    shown = max(0, int(shown * DIGEST_LIMIT / len(full)))
    while shown > 0 and len(text(shown)) > DIGEST_LIMIT:
        shown -= 1
    return Screen(text(shown))


def steering_screen(asked: SteeringAsked, language: str) -> Screen:
    """Today or yesterday in one tap; another date (and a note) through two questions."""
    _ = gettext_for(language)
    p = asked.partnership

    def button(label: str, action: str, arg: str | None = None) -> Button:
        return Button(label, partnership_button(p.id, p.revision, action, arg))

    rows = (
        (button(_("Today"), "steered", "d0"), button(_("Yesterday"), "steered", "d1")),
        (button(_("Another date, a note…"), "steer_other"),),
        (button(_("← Back to the card"), "open"),),
    )
    return Screen(render("steering_asked.j2", language, name=p.name), rows)
