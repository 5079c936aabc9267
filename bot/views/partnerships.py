"""Screens of partnerships: the list, a card, steps 2 to 6, documents, invitations."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.callback_data import partnership_button
from bot.i18n import N_, gettext_for, render
from bot.services import naming
from bot.services.results import (
    CandidatesShown,
    ConventionStatus,
    DialogueShown,
    DocumentInfo,
    DocumentsListed,
    FollowedList,
    FollowupShown,
    InvitationCreated,
    InviteMenu,
    PartnershipCard,
    PartnershipList,
    PartnershipSummary,
)
from bot.views.screens import Button, Screen, local_date
from flows.criteria import RED_FLAG_AT_MOST
from flows.evaluation import EVALUATED_STAGES
from flows.lifecycle import step_number
from flows.roles import Right
from flows.schedule import DEFAULT_RHYTHM

# The dialogue screen shows the latest notes, each cut to its beginning: three whole notes
# (2,000 characters each) made an edit longer than Telegram's 4,096 (issue 17).
NOTES_SHOWN = 3
NOTE_CHARS = 500

# Labels of the stage moves, in the order the card shows them (advance on its own row).
MOVE_LABELS = {
    "advance": N_("Next step →"),
    "end": N_("End"),
    "renew": N_("Renew"),
    "modify": N_("Modify"),
    "back": N_("← Previous step"),
}


def _button(p: PartnershipSummary, label: str, action: str, arg: str | int | None = None):
    return Button(label, partnership_button(p.id, p.revision, action, arg))


def list_screen(listing: PartnershipList, language: str, zone: ZoneInfo) -> Screen:
    items = [
        {
            "name": p.name,
            "stage": step_number(p.stage),
            "stage_id": p.stage,
            "role": p.role,
            "active": p.id == listing.active_id,
        }
        for p in listing.rows
    ]
    buttons = tuple((_button(p, p.name[:60], "open"),) for p in listing.rows)
    return Screen(render("partnership_list.j2", language, items=items), buttons)


# A light as the lists and pushed messages show it (its word is in light_name.j2).
LIGHT_ICONS = {"red": "🔴", "amber": "🟠", "green": "🟢", None: "⚪"}
# Telegram's limit on a message's text, and on a name in a one-line status.
MESSAGE_LIMIT = 4096
NAME_SHOWN = 60


def followed_screen(listing: FollowedList, language: str, zone: ZoneInfo) -> Screen:
    """A coordinator's partnerships, most urgent first, each in one line with a button; the
    least urgent are counted instead of shown when the message would pass Telegram's limit."""
    rows = list(listing.rows)
    more = listing.more
    while True:
        text = _followed_text(listing, rows, more, language, zone)
        if len(text) <= MESSAGE_LIMIT or not rows:
            break
        rows.pop()
        more += 1
    buttons = tuple(
        (_button(row.partnership, row.partnership.name[:NAME_SHOWN], "open"),) for row in rows
    )
    return Screen(text, buttons)


def _followed_text(listing: FollowedList, rows, more: int, language: str, zone: ZoneInfo):
    items = [
        {
            "name": _shortened(row.partnership.name, NAME_SHOWN),
            "icon": LIGHT_ICONS.get(row.light, LIGHT_ICONS[None]),
            "stage": step_number(row.partnership.stage),
            "stage_id": row.partnership.stage,
            "role": row.partnership.role,
            "active": row.partnership.id == listing.active_id,
            "light": row.light,
            "reason": row.reason.in_(language) if row.reason else None,
            "late_since": local_date(row.late_since, zone) if row.late_since else None,
            "next_checkin": local_date(row.next_checkin, zone) if row.next_checkin else None,
        }
        for row in rows
    ]
    return render(
        "followed_list.j2",
        language,
        items=items,
        organisations=listing.organisations,
        more=more,
    )


def card_screen(card: PartnershipCard, language: str, zone: ZoneInfo) -> Screen:
    """A partnership at a glance, with the moves and tools the member's role allows."""
    _ = gettext_for(language)
    p = card.partnership
    text = render(
        "partnership_card.j2",
        language,
        p=p,
        step=step_number(p.stage),
        role=p.role,
        members=card.members,
        history=[(change.dest, local_date(change.at, zone)) for change in card.history],
        ready=card.ready,
        next_checkin=local_date(card.next_checkin, zone) if card.next_checkin else None,
        next_kind=card.next_checkin_kind,
        waits_for_partner=card.waits_for_partner,
        last_steering=local_date(card.last_steering, zone) if card.last_steering else None,
    )
    rows: list[tuple[Button, ...]] = []
    if Right.ACT in p.rights:
        forward = [m for m in card.moves if m != "back"]
        backward = [m for m in card.moves if m == "back"]
        # Forward moves share a row; going back has its own.
        for moves in (forward, backward):
            if moves:
                rows.append(tuple(_button(p, _(MOVE_LABELS[m]), m) for m in moves))
    tools = [_button(p, _("Dialogue"), "dialogue"), _button(p, _("Evaluation"), "evaluation")]
    if Right.INVITE in p.rights:
        tools.append(_button(p, _("Invite"), "invite"))
    rows.append(tuple(tools))
    if Right.ACT in p.rights and p.stage in EVALUATED_STAGES:
        rows.append((_button(p, _("Steering meeting held"), "steer"),))
    if Right.ACT in p.rights:
        rows.append((_button(p, _("Correct the details"), "edit"),))
    return Screen(text, tuple(rows))


def dialogue_screen(shown: DialogueShown, language: str, zone: ZoneInfo) -> Screen:
    """Step 2: the points to agree on, ticked by the members, and the latest notes."""
    _ = gettext_for(language)
    p = shown.partnership
    acts = Right.ACT in p.rights
    rows = (
        tuple(
            (_button(p, ("☑ " if done else "☐ ") + point.text.in_(language), "tick", point.id),)
            for point, done in shown.points
        )
        if acts
        else ()
    )
    if acts:
        rows += ((_button(p, _("Add a meeting note"), "note"),),)
    notes = shown.notes[:NOTES_SHOWN]
    text = render(
        "dialogue.j2",
        language,
        name=p.name,
        done=sum(done for _point, done in shown.points),
        total=len(shown.points),
        points=[] if acts else [(point.text.in_(language), done) for point, done in shown.points],
        notes=[(local_date(at, zone), _shortened(text)) for at, text in notes],
        notes_total=shown.notes_total,
    )
    return Screen(text, rows)


def _shortened(text: str, limit: int = NOTE_CHARS) -> str:
    """A note, or its beginning up to the last whole word that fits, and "…"."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" ,;:?!—-\n") + "…"


def candidates_screen(shown: CandidatesShown, language: str, zone: ZoneInfo) -> Screen:
    """Step 3: the candidates ranked, with their red flags and a button to choose one."""
    _ = gettext_for(language)
    p = shown.partnership
    ranked = [{**c, "flags": _flags(c, shown.criteria, language)} for _i, c in shown.ranked]
    # The score and the red-flag threshold are ours: the screen says so, with the threshold.
    text = render("candidates.j2", language, ranked=ranked, red_flag_at_most=RED_FLAG_AT_MOST)
    rows = tuple(
        (_button(p, _("Choose %(name)s") % {"name": c["name"][:40]}, "choose", i),)
        for i, c in shown.ranked
        if not c.get("chosen") and Right.ACT in p.rights
    )
    return Screen(text, rows)


def _flags(candidate: dict, criteria, language: str) -> list[tuple[str, int | None]]:
    """Each red flag named: (criterion, score out of 5); None for the power rule."""
    scores = candidate.get("flag_scores") or {}
    named = []
    for flag in candidate.get("red_flags") or []:
        question = criteria.question(flag) if criteria else None
        if question is not None:
            label = (question.label or question.prompt).in_(language)
            named.append((label, scores.get(flag)))
    return named


def convention_screen(status: ConventionStatus, language: str, zone: ZoneInfo) -> Screen:
    """Steps 4-5: what is still missing and why it matters, then the documents."""
    _ = gettext_for(language)
    p = status.partnership
    text = render(
        "convention_summary.j2",
        language,
        missing=[(item.title.in_(language), item.why.in_(language)) for item in status.missing],
        proposals=[item.title.in_(language) for item in status.proposals],
    )
    rows = (
        (_button(p, _("Build the draft documents"), "generate"),),
        (_button(p, _("Review every item"), "review"),),
    )
    return Screen(text, rows)


def followup_screen(shown: FollowupShown, language: str, zone: ZoneInfo) -> Screen:
    """The steering set, and the evaluation rhythm: said to be Alliance's (our advice) unless
    the user set another."""
    upcoming = local_date(shown.next_checkin, zone) if shown.next_checkin else None
    rhythm = shown.rhythm
    before_end = rhythm.review_before_end
    return Screen(
        render(
            "followup_summary.j2",
            language,
            f=shown.followup,
            next_checkin=upcoming,
            next_kind=shown.next_checkin_kind,
            ours=rhythm == DEFAULT_RHYTHM,
            first_weeks=rhythm.first_pulse_after.days // 7,
            before_end=before_end.days // 7 if before_end else None,
            yearly=rhythm.yearly_review,
            final_on=shown.final_on.strftime("%d/%m/%Y") if shown.final_on else None,
        )
    )


# What /documents calls each kind of document: a draft by its version, a round's file by
# the round's date; then the language it is written in.
DOCUMENT_LABELS = {
    "convention": N_("Draft agreement v%(version)s"),
    "action_plan": N_("Draft action plan v%(version)s"),
    "pulse_chart": N_("Check-in chart of %(date)s"),
    "review_chart": N_("Full review chart of %(date)s"),
    "review_report": N_("Full review report of %(date)s, Word"),
    "review_report_pdf": N_("Full review report of %(date)s, PDF"),
}
DRAFTS = ("convention", "action_plan")


def document_label(d: DocumentInfo, language: str, zone: ZoneInfo) -> str:
    """A document as a reader tells it from the others: what it is, which one, which language."""
    _ = gettext_for(language)
    if d.kind not in DOCUMENT_LABELS:
        return f"{d.file_name} · v{d.version} · {local_date(d.created_at, zone, '%d/%m %H:%M')}"
    label = _(DOCUMENT_LABELS[d.kind]) % {
        "version": d.version,
        "date": local_date(d.created_at, zone),
    }
    written_in = naming.language_of(d.kind, d.file_name)
    if written_in:
        label += f" ({written_in.upper()})"
    if d.kind in DRAFTS:
        label += f" · {local_date(d.created_at, zone, '%d/%m %H:%M')}"
    return label


def documents_screen(listing: DocumentsListed, language: str, zone: ZoneInfo) -> Screen:
    p = listing.partnership
    rows = tuple(
        (_button(p, document_label(d, language, zone), "doc", d.id),)
        for d in listing.documents[:20]
    )
    return Screen(render("documents.j2", language, count=len(listing.documents)), rows)


INVITE_LABELS = {
    "member": N_("A member of our organisation"),
    "partner": N_("A contact at the partner"),
    "observer": N_("An observer"),
    "coordinator": N_("A coordinator of %(organisation)s"),
}


def invite_menu_screen(menu: InviteMenu, language: str, zone: ZoneInfo) -> Screen:
    _ = gettext_for(language)
    p = menu.partnership
    organisation = {"organisation": (menu.coordinated or "")[:40]}
    rows = tuple(
        (_button(p, _(INVITE_LABELS[role]) % organisation, "role", role),) for role in menu.roles
    )
    revoke = _("Revoke open invitations") if menu.revokes_all else _("Revoke my open invitations")
    rows += ((_button(p, revoke, "revoke"),),)
    return Screen(render("invite_menu.j2", language), rows)


def invitation_screen(created: InvitationCreated, language: str, link: str) -> Screen:
    return Screen(render("invitation.j2", language, role=created.role, link=link))
