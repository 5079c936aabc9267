"""Screens of partnerships: the list, a partnership's card, steps 2 to 6, invitations."""

from __future__ import annotations

import re

from bot.callback_data import partnership_button as button_data
from bot.i18n import gettext_for, render
from bot.screens import Button, Screen
from flows.lifecycle import STAGES
from storage.models import GeneratedDocument, Partnership, StageMove


def simple(template: str, language: str, reason: str | None = None, **context) -> Screen:
    return Screen(render(template, language, reason=reason, **context))


def no_partnership_screen(language: str) -> Screen:
    return simple("no_partnership.j2", language)


def list_screen(rows: list[tuple[Partnership, str]], active_id: int | None, language: str):
    items = [
        {
            "name": p.name,
            "stage": STAGES.index(p.stage) + 1,
            "stage_id": p.stage,
            "role": role,
            "active": p.id == active_id,
        }
        for p, role in rows
    ]
    buttons = tuple((Button(p.name[:60], button_data(p.id, "open")),) for p, _role in rows)
    return Screen(render("partnership_list.j2", language, items=items), buttons)


def card_screen(
    partnership: Partnership,
    role: str,
    member_count: int,
    history: list[StageMove],
    language: str,
) -> Screen:
    """A partnership at a glance, with the moves and tools its stage allows."""
    _ = gettext_for(language)
    text = render(
        "partnership_card.j2",
        language,
        p=partnership,
        step=STAGES.index(partnership.stage) + 1,
        role=role,
        members=member_count,
        history=[(m.source, m.dest, m.moved_at.strftime("%d/%m/%Y")) for m in history],
    )
    pid = partnership.id
    rows: list[tuple[Button, ...]] = []
    if partnership.stage == "evaluation":
        rows.append(
            (
                Button(_("Renew"), button_data(pid, "renew")),
                Button(_("Modify"), button_data(pid, "modify")),
                Button(_("End"), button_data(pid, "end")),
            )
        )
    elif partnership.stage != "ended":
        rows.append((Button(_("Next step →"), button_data(pid, "advance")),))
    if partnership.stage not in ("diagnosis", "ended"):
        rows.append((Button(_("← Previous step"), button_data(pid, "back")),))
    rows.append(
        (
            Button(_("Dialogue"), button_data(pid, "dialogue")),
            Button(_("Invite"), button_data(pid, "invite")),
        )
    )
    return Screen(text, tuple(rows))


def dialogue_screen(partnership: Partnership, dialogue, notes, language: str) -> Screen:
    """Step 2: the points to agree on, ticked by the members, and the latest notes."""
    _ = gettext_for(language)
    done = set(partnership.dialogue)
    rows = tuple(
        (
            Button(
                ("☑ " if point.id in done else "☐ ") + point.text.in_(language),
                button_data(partnership.id, "tick", point.id),
            ),
        )
        for point in dialogue.points
    ) + ((Button(_("Add a meeting note"), button_data(partnership.id, "note")),),)
    text = render(
        "dialogue.j2",
        language,
        name=partnership.name,
        done=len(done),
        total=len(dialogue.points),
        notes=[(n.written_at.strftime("%d/%m/%Y"), n.text) for n in notes],
    )
    return Screen(text, rows)


def candidates_screen(partnership: Partnership, language: str) -> Screen:
    """Step 3: the candidates ranked, with their red flags and a button to choose one."""
    _ = gettext_for(language)
    ranked = sorted(
        enumerate(partnership.candidates), key=lambda pair: (-pair[1]["score"], pair[0])
    )
    text = render("candidates.j2", language, ranked=[c for _i, c in ranked])
    rows = tuple(
        (
            Button(
                _("Choose %(name)s") % {"name": c["name"][:40]},
                button_data(partnership.id, "choose", i),
            ),
        )
        for i, c in ranked
        if not c.get("chosen")
    )
    return Screen(text, rows)


def convention_screen(partnership: Partnership, missing, language: str) -> Screen:
    """Steps 4-5: what is still missing and why it matters, then the documents."""
    _ = gettext_for(language)
    text = render(
        "convention_summary.j2",
        language,
        missing=[(item.title.in_(language), item.why.in_(language)) for item in missing],
    )
    rows = (
        (Button(_("Build the draft documents"), button_data(partnership.id, "generate")),),
        (Button(_("Review every item"), button_data(partnership.id, "review")),),
    )
    return Screen(text, rows)


def followup_screen(partnership: Partnership, language: str) -> Screen:
    return Screen(render("followup_summary.j2", language, f=partnership.followup))


def documents_screen(
    partnership: Partnership, documents: list[GeneratedDocument], language: str
) -> Screen:
    rows = tuple(
        (
            Button(
                f"{d.file_name} · v{d.version} · {d.created_at.strftime('%d/%m %H:%M')}",
                button_data(partnership.id, "doc", d.id),
            ),
        )
        for d in documents[:20]
    )
    return Screen(render("documents.j2", language, count=len(documents)), rows)


def invite_menu_screen(partnership: Partnership, language: str) -> Screen:
    _ = gettext_for(language)
    pid = partnership.id
    rows = (
        (Button(_("A member of our organisation"), button_data(pid, "role", "member")),),
        (Button(_("A contact at the partner"), button_data(pid, "role", "partner")),),
        (Button(_("An observer"), button_data(pid, "role", "observer")),),
        (Button(_("Revoke open invitations"), button_data(pid, "revoke")),),
    )
    return Screen(render("invite_menu.j2", language), rows)


def file_name(kind: str, partnership: Partnership, language: str) -> str:
    _ = gettext_for(language)
    label = _("convention") if kind == "convention" else _("action-plan")
    slug = re.sub(r"[^A-Za-z0-9]+", "-", partnership.name).strip("-")[:40] or "partenariat"
    return f"{label}-{slug}.docx"
