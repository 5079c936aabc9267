"""Who may do what in a partnership: the roles, the two sides, and the rights of each.

Members belong to the organisation that created the partnership ("our side"); partner
contacts to the partner organisation; observers only read. Each side invites its own
people, and our side also brings in the partner's first contacts.
"""

from __future__ import annotations

from enum import StrEnum

MEMBER = "member"
PARTNER = "partner"
OBSERVER = "observer"
ROLES = (MEMBER, PARTNER, OBSERVER)

# The two organisations of a partnership, and the one each membership role belongs to:
# members and observers to ours (the creating one), partner contacts to the partner's.
OURS, PARTNERS = "ours", "partner"
SIDES: dict[str, str] = {MEMBER: OURS, PARTNER: PARTNERS, OBSERVER: OURS}


def side_of(role: str | None) -> str | None:
    """The organisation a member's role puts them in (None: not a membership role)."""
    return SIDES.get(role) if role else None


class Right(StrEnum):
    READ = "read"  # the card, the dialogue, the documents
    ACT = "act"  # answer the step questionnaires, tick, move the stage, build documents
    INVITE = "invite"  # open the invitation menu


RIGHTS: dict[str, frozenset[Right]] = {
    MEMBER: frozenset(Right),
    PARTNER: frozenset(Right),
    OBSERVER: frozenset({Right.READ}),
}

# Whom each role may invite: each side its own people; our side also the partner's.
INVITES: dict[str, tuple[str, ...]] = {
    MEMBER: (MEMBER, PARTNER, OBSERVER),
    PARTNER: (PARTNER,),
    OBSERVER: (),
}


def may(role: str | None, right: Right) -> bool:
    """Whether a member with that role (None: not a member) has that right."""
    return role is not None and right in RIGHTS.get(role, frozenset())


def invitable_roles(role: str | None) -> tuple[str, ...]:
    """The roles this member may create invitations for, in menu order."""
    return INVITES.get(role, ()) if role else ()


def may_invite(role: str | None, invited_role: str) -> bool:
    return invited_role in invitable_roles(role)


def may_revoke(role: str | None, user_id: int, created_by: int) -> bool:
    """An invitation is revoked by its creator, or by a member of the creating organisation."""
    return role == MEMBER or (may(role, Right.INVITE) and created_by == user_id)
