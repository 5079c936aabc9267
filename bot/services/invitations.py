"""Invitations: the menu of whom one may invite, creating a link, revoking, joining a
partnership or, for a coordinator, following an organisation's partnerships."""

from __future__ import annotations

from bot.services import coordinators, summaries
from bot.services.access import notice, summary
from bot.services.results import InvitationCreated, InviteMenu, Result, Say
from bot.services.work import Work
from flows.invitations import LIFETIME, clean_token, new_token, problem_with, token_hash
from flows.roles import (
    COORDINATOR,
    MEMBER,
    coordinated_by_invitation,
    invitable_roles,
    may_invite,
    may_revoke,
)
from storage import organisations, repository
from storage.models import Invitation, Organisation, Partnership


def _coordinated(partnership: Partnership, role: str) -> int | None:
    """The organisation a coordinator this member invites would follow, if they may."""
    return coordinated_by_invitation(
        role, partnership.our_organisation_id, partnership.partner_organisation_id
    )


def menu(work: Work, partnership: Partnership, role: str, _arg, _acted) -> Result:
    """Whom this member may invite, each side its own people, and a coordinator of our
    organisation where the rule allows it."""
    organisation_id = _coordinated(partnership, role)
    organisation = work.db.get(Organisation, organisation_id) if organisation_id else None
    roles = tuple(r for r in invitable_roles(role) if r != COORDINATOR or organisation)
    view = InviteMenu(
        summary(partnership, role),
        roles,
        revokes_all=role == MEMBER,
        coordinated=organisation.name if organisation else None,
    )
    return Result(work.language, [view])


def create(work: Work, partnership: Partnership, role: str, invited_role, _acted) -> Result:
    """A single-use link for one person, valid 7 days; only its hash is kept."""
    if not may_invite(role, invited_role):
        return notice(work, "not_allowed")
    organisation_id = _coordinated(partnership, role) if invited_role == COORDINATOR else None
    if invited_role == COORDINATOR and organisation_id is None:
        return notice(work, "not_allowed")
    token = new_token()
    repository.create_invitation(
        work.db,
        partnership_id=partnership.id,
        organisation_id=organisation_id,
        role=invited_role,
        token_hash=token_hash(token),
        created_by=work.user.id,
        created_at=work.now,
        expires_at=work.now + LIFETIME,
    )
    repository.touch(partnership)
    work.db.add(partnership)
    return Result(work.language, [InvitationCreated(invited_role, token)])


def revoke(work: Work, partnership: Partnership, role: str, _arg, _acted) -> Result:
    """Revokes the open invitations this member may revoke: all for a member of the creating
    organisation, one's own for the others."""
    revoked = 0
    for invitation in repository.open_invitations(work.db, partnership_id=partnership.id):
        if may_revoke(role, work.user.id, invitation.created_by):
            repository.revoke_invitation(work.db, invitation=invitation, at=work.now)
            revoked += 1
    repository.touch(partnership)
    work.db.add(partnership)
    return Result(work.language, [Say("revoked", {"count": revoked})])


def join(work: Work, payload: str) -> Result:
    """/start <token>: joins the partnership of a valid invitation, once."""
    invitation = repository.invitation_by_hash(work.db, token_hash=token_hash(clean_token(payload)))
    problem = problem_with(invitation, work.now)
    if problem is not None:
        return Result(work.language, [Say("invitation_invalid", {"reason": problem})])
    if invitation.role == COORDINATOR:
        return _follow(work, invitation)
    partnership = work.db.get(Partnership, invitation.partnership_id)
    if repository.partnership_for(work.db, user_id=work.user.id, partnership_id=partnership.id):
        return Result(work.language, [Say("already_member")])
    if not repository.use_invitation(
        work.db, invitation=invitation, user_id=work.user.id, at=work.now
    ):
        # Someone else redeemed (or its creator revoked) it at the same moment.
        reason = problem_with(invitation, work.now) or "used"
        return Result(work.language, [Say("invitation_invalid", {"reason": reason})])
    repository.add_member(
        work.db, partnership_id=partnership.id, user=work.user, role=invitation.role
    )
    work.db.flush()
    card = summaries.card(work, partnership, invitation.role)
    return Result(work.language, [Say("joined"), card])


def _follow(work: Work, invitation: Invitation) -> Result:
    """A coordinator's link: the user follows the organisation's partnerships, once."""
    organisation = work.db.get(Organisation, invitation.organisation_id)
    if organisation is None:
        return Result(work.language, [Say("invitation_invalid", {"reason": "unknown"})])
    if invitation.organisation_id in organisations.organisations_coordinated_by(
        work.db, user_id=work.user.id
    ):
        # Kept for someone else: this user already follows that organisation.
        return Result(work.language, [Say("already_coordinator", {"name": organisation.name})])
    if not repository.use_invitation(
        work.db, invitation=invitation, user_id=work.user.id, at=work.now
    ):
        reason = problem_with(invitation, work.now) or "used"
        return Result(work.language, [Say("invitation_invalid", {"reason": reason})])
    organisations.add_coordinator(
        work.db,
        organisation_id=organisation.id,
        user_id=work.user.id,
        invited_by=invitation.created_by,
    )
    work.db.flush()
    joined = Say("coordinator_joined", {"name": organisation.name})
    return Result(work.language, [joined, coordinators.followed(work)])
