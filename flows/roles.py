"""Who may do what in a partnership: the roles, the two sides, and the rights of each.

Members belong to the organisation that created the partnership ("our side"); partner
contacts to the partner organisation; observers only read. Each side invites its own
people, and our side also brings in the partner's first contacts. A coordinator belongs to
no partnership: they follow every partnership of an organisation they coordinate, on
either side of it, reading by default.
"""

from __future__ import annotations

from enum import StrEnum

MEMBER = "member"
PARTNER = "partner"
OBSERVER = "observer"
# The roles of a membership.
ROLES = (MEMBER, PARTNER, OBSERVER)
# Not a membership: reaching a partnership through an organisation one coordinates.
COORDINATOR = "coordinator"

# The two organisations of a partnership, and the one each membership role belongs to:
# members and observers to ours (the creating one), partner contacts to the partner's.
OURS, PARTNERS = "ours", "partner"
SIDES: dict[str, str] = {MEMBER: OURS, PARTNER: PARTNERS, OBSERVER: OURS}


def side_of(role: str | None) -> str | None:
    """The organisation a member's role puts them in (None: not a membership role)."""
    return SIDES.get(role) if role else None


class Right(StrEnum):
    READ = "read"  # the card, the dialogue, the documents, the evaluation and its reports
    ACT = "act"  # answer the step questionnaires, tick, move the stage, build documents
    INVITE = "invite"  # open the invitation menu


# Who has which right: the one table every access check reads. A coordinator reads and acts
# on nothing by default (issue 19: "read-only by default"); giving them ACT is one line here.
RIGHTS: dict[str, frozenset[Right]] = {
    MEMBER: frozenset(Right),
    PARTNER: frozenset(Right),
    OBSERVER: frozenset({Right.READ}),
    COORDINATOR: frozenset({Right.READ}),
}

# Whom each role may invite: each side its own people; our side also the partner's, and a
# coordinator of our organisation (see coordinated_by_invitation).
INVITES: dict[str, tuple[str, ...]] = {
    MEMBER: (MEMBER, PARTNER, OBSERVER, COORDINATOR),
    PARTNER: (PARTNER,),
    OBSERVER: (),
    COORDINATOR: (),
}


def may(role: str | None, right: Right) -> bool:
    """Whether someone with that role (None: neither member nor coordinator) has that right."""
    return role is not None and right in RIGHTS.get(role, frozenset())


def role_on(membership_role: str | None, coordinates: bool) -> str | None:
    """The role someone has on a partnership: their membership's when they belong to it (it
    gives more than following it), else coordinator when it is one of their organisation's."""
    if membership_role is not None:
        return membership_role
    return COORDINATOR if coordinates else None


def invitable_roles(role: str | None) -> tuple[str, ...]:
    """The roles this member may create invitations for, in menu order."""
    return INVITES.get(role, ()) if role else ()


def may_invite(role: str | None, invited_role: str) -> bool:
    return invited_role in invitable_roles(role)


def coordinated_by_invitation(
    role: str | None, our_organisation_id: int | None, partner_organisation_id: int | None
) -> int | None:
    """The organisation a coordinator invited by this member would follow, or None.

    Only a member invites one, and only for our side's organisation: the members created the
    partnership for their organisation and speak for it. A partner contact does not, although
    each side otherwise invites its own people: the partner organisation was named by our
    side and its contacts were brought in by our links, so nobody of that organisation
    vouched for them; letting them open every partnership of "their" organisation to a third
    person would let one organisation reach another's partnerships. A coordinator of the
    partner organisation is invited from a partnership where that organisation is our side.
    """
    del partner_organisation_id  # never: see above
    if not may_invite(role, COORDINATOR):
        return None
    return our_organisation_id


def may_revoke(role: str | None, user_id: int, created_by: int) -> bool:
    """An invitation is revoked by its creator, or by a member of the creating organisation."""
    return role == MEMBER or (may(role, Right.INVITE) and created_by == user_id)
