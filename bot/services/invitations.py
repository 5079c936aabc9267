"""Invitations: the menu of whom one may invite, creating a link, revoking, joining."""

from __future__ import annotations

from bot.services import summaries
from bot.services.access import notice, summary
from bot.services.results import InvitationCreated, InviteMenu, Result, Say
from bot.services.work import Work
from flows.invitations import LIFETIME, clean_token, new_token, problem_with, token_hash
from flows.roles import MEMBER, invitable_roles, may_invite, may_revoke
from storage import repository
from storage.models import Partnership


def menu(work: Work, partnership: Partnership, role: str, _arg, _message_id) -> Result:
    """Whom this member may invite, each side its own people."""
    roles = invitable_roles(role)
    view = InviteMenu(summary(partnership, role), roles, revokes_all=role == MEMBER)
    return Result(work.language, [view])


def create(work: Work, partnership: Partnership, role: str, invited_role, _message_id) -> Result:
    """A single-use link for one person, valid 7 days; only its hash is kept."""
    if not may_invite(role, invited_role):
        return notice(work, "not_allowed")
    token = new_token()
    repository.create_invitation(
        work.db,
        partnership_id=partnership.id,
        role=invited_role,
        token_hash=token_hash(token),
        created_by=work.user.id,
        created_at=work.now,
        expires_at=work.now + LIFETIME,
    )
    repository.touch(partnership)
    work.db.add(partnership)
    return Result(work.language, [InvitationCreated(invited_role, token)])


def revoke(work: Work, partnership: Partnership, role: str, _arg, _message_id) -> Result:
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
