"""The two organisations of a partnership: found or created from the names typed, kept in
step with the partnership's name columns, and the parties' details a convention asks, asked
once and saved on the organisation."""

from __future__ import annotations

from bot.services.work import Work
from flows import organisations as rules
from flows.roles import OURS, PARTNERS, SIDES
from storage import organisations as store
from storage import repository
from storage.models import Organisation, Partnership

# Each side: its id column and the name column many screens read.
COLUMNS = {
    OURS: ("our_organisation_id", "our_organisation"),
    PARTNERS: ("partner_organisation_id", "partner_name"),
}
OUR_ROLES = tuple(role for role, side in SIDES.items() if side == OURS)
PARTNER_ROLES = tuple(role for role, side in SIDES.items() if side == PARTNERS)


def known_to(work: Work) -> list[Organisation]:
    """The organisations the user may reuse by naming them (flows.roles.side_of's sides)."""
    return store.organisations_known_to(
        work.db, user_id=work.user.id, our_roles=OUR_ROLES, partner_roles=PARTNER_ROLES
    )


def organisation_of(work: Work, partnership: Partnership, side: str) -> Organisation | None:
    return store.organisation_by_id(work.db, organisation_id=getattr(partnership, COLUMNS[side][0]))


def name_side(
    work: Work, partnership: Partnership, side: str, name: str | None, *, correction: bool = True
) -> None:
    """Gives a side of the partnership the organisation named `name`: the same one kept or
    corrected, one the user is linked with reused, or a new one; the name column follows.
    `correction`: the name corrects the one given before (an edit), rather than naming
    another organisation (a candidate chosen), which only a case or spacing change renames."""
    id_column, name_column = COLUMNS[side]
    current = organisation_of(work, partnership, side)
    known = [o for o in known_to(work) if current is None or o.id != current.id]
    reused = rules.named(known, name)
    used_elsewhere = (
        not correction
        or current is not None
        and store.used_by_another_partnership(
            work.db, organisation_id=current.id, partnership_id=partnership.id
        )
    )
    move = rules.naming(
        current.name if current else None,
        name,
        known=reused is not None,
        used_elsewhere=used_elsewhere,
    )
    if move == rules.NONE:
        setattr(partnership, id_column, None)
        setattr(partnership, name_column, name.strip() if name and name.strip() else None)
    elif move == rules.RENAME:
        # Every partnership of the organisation takes the corrected name.
        store.update_organisation(work.db, organisation=current, name=name)
        setattr(partnership, name_column, current.name)
    elif move == rules.SWITCH:
        chosen = reused or store.create_organisation(
            work.db, name=name, created_by=work.user.id, kind=_kind(work, side)
        )
        setattr(partnership, id_column, chosen.id)
        setattr(partnership, name_column, chosen.name)
    work.db.add(partnership)


def name_both(work: Work, partnership: Partnership) -> None:
    """Both sides from the partnership's typed names (a new or corrected partnership)."""
    name_side(work, partnership, OURS, partnership.our_organisation)
    name_side(work, partnership, PARTNERS, partnership.partner_name)


def _kind(work: Work, side: str) -> str | None:
    """A new organisation of ours takes its kind from the user's self-diagnosis."""
    if side != OURS:
        return None
    done = repository.last_done_flow(work.db, user_id=work.user.id, flow="diagnostic")
    answers = (done.state.get("answers") or {}) if done else {}
    return rules.kind_from_profile(answers.get("profile"))


# -- the parties of a convention -------------------------------------------------------------


def party_details(work: Work, partnership: Partnership) -> dict[str, str | None]:
    """{"party_ours", "party_partner"}: each organisation's details as the convention asks
    them, to keep in one tap; None when the organisation holds none yet."""
    found = {}
    for side in (OURS, PARTNERS):
        organisation = organisation_of(work, partnership, side)
        details = rules.details_of(organisation) if organisation else {}
        found[f"party_{side}"] = rules.details_text(details)
    return found


def save_party_details(work: Work, partnership: Partnership, texts: dict[str, str | None]) -> None:
    """The details typed in a convention ({side: text}) saved on each side's organisation,
    so every convention of that organisation has them; the partner's organisation is made
    if the partner is named but has none yet."""
    for side, text in texts.items():
        organisation = organisation_of(work, partnership, side)
        if organisation is None and getattr(partnership, COLUMNS[side][1]):
            name_side(work, partnership, side, getattr(partnership, COLUMNS[side][1]))
            organisation = organisation_of(work, partnership, side)
        if organisation is None:
            continue
        details = rules.changed_details(organisation, text)
        if details is not None:
            store.update_organisation(work.db, organisation=organisation, **details)
