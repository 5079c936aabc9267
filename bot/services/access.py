"""Which partnership a use case acts on, and whether the user may: the access checks.

A partnership is found only through the user's membership, or for a coordinator through an
organisation they coordinate, so an id taken from a button or a link reaches nothing the
user does not belong to or follow.
"""

from __future__ import annotations

from bot.services.results import PartnershipSummary, Result, Say, ScreenRef
from bot.services.work import Work
from flows.roles import RIGHTS, Right, may, role_on
from storage import organisations, repository
from storage.models import Partnership, User


def summary(partnership: Partnership, role: str) -> PartnershipSummary:
    return PartnershipSummary(
        id=partnership.id,
        name=partnership.name,
        our_organisation=partnership.our_organisation,
        partner_name=partnership.partner_name,
        theme=partnership.theme,
        territory=partnership.territory,
        stage=partnership.stage,
        revision=partnership.revision or 0,
        role=role,
        rights=RIGHTS.get(role, frozenset()),
    )


def person_name(user: User) -> str:
    """How a person is shown to the others: the name their channel gave, never an account id
    ("tg:123", "console:root"); empty when there is none (the screen says "a member")."""
    return (user.display_name or "").strip()


def membership(work: Work, partnership_id: int | None) -> tuple[Partnership, str] | None:
    """(partnership, role) if the user belongs to it or coordinates one of its two
    organisations, else None; a membership's role wins over coordinating."""
    found = repository.partnership_for(work.db, user_id=work.user.id, partnership_id=partnership_id)
    if found is not None:
        return found[0], role_on(found[1], coordinates=False)
    followed = organisations.coordinated_partnership(
        work.db, user_id=work.user.id, partnership_id=partnership_id
    )
    return (followed, role_on(None, coordinates=True)) if followed is not None else None


def active(work: Work) -> tuple[Partnership, str] | None:
    return membership(work, work.user.active_partnership_id)


def active_with_right(work: Work, right: Right) -> tuple[Partnership, str] | Result:
    """The active partnership if the user has that right on it, else the reason why not."""
    found = active(work)
    if found is None:
        return Result(work.language, [Say("no_partnership")])
    if not may(found[1], right):
        return Result(work.language, [Say("not_allowed")])
    return found


def notice(work: Work, what: str = "stale_button") -> Result:
    """A short answer to a press that changes nothing."""
    return Result(work.language, notice=Say(what))


def in_place(work: Work, acted: ScreenRef | None, view) -> Result:
    """Shown in place of the pressed message; as a new message where there is none (terminal)."""
    if acted is None:
        return Result(work.language, [view])
    return Result(work.language, in_place=view)
