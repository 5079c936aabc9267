"""The buttons of a partnership: what each does, the right it needs, and whether it must
still match the partnership's revision (acting buttons act once)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from bot.callback_data import PartnershipButton
from bot.services import alerts, checkins, documents, invitations, partnerships, steering
from bot.services.access import membership, notice
from bot.services.results import Result, ScreenRef
from bot.services.work import Work
from flows.lifecycle import MOVES
from flows.roles import Right, may
from storage import repository

Action = Callable[..., Result]


@dataclass(frozen=True)
class ButtonAction:
    right: Right
    run: Action
    # Drawn for one revision of the partnership: stale once it has changed.
    once: bool


ACTIONS: dict[str, ButtonAction] = {
    "open": ButtonAction(Right.READ, partnerships.open_card, once=False),
    "dialogue": ButtonAction(Right.READ, partnerships.show_dialogue, once=False),
    "doc": ButtonAction(Right.READ, documents.resend, once=False),
    "tick": ButtonAction(Right.ACT, partnerships.tick, once=True),
    "note": ButtonAction(Right.ACT, partnerships.add_note, once=False),
    "edit": ButtonAction(Right.ACT, partnerships.edit, once=False),
    "choose": ButtonAction(Right.ACT, partnerships.choose, once=True),
    "generate": ButtonAction(Right.ACT, documents.generate, once=True),
    "review": ButtonAction(Right.ACT, partnerships.review, once=False),
    "invite": ButtonAction(Right.INVITE, invitations.menu, once=False),
    "role": ButtonAction(Right.INVITE, invitations.create, once=True),
    "revoke": ButtonAction(Right.INVITE, invitations.revoke, once=True),
    "evaluation": ButtonAction(Right.READ, checkins.show, once=False),
    "round": ButtonAction(Right.ACT, checkins.start_round, once=True),
    "respondent": ButtonAction(Right.ACT, checkins.toggle_respondent, once=True),
    "steer": ButtonAction(Right.ACT, steering.ask, once=False),
    "steered": ButtonAction(Right.ACT, steering.held, once=True),
    "steer_other": ButtonAction(Right.ACT, steering.other_date, once=False),
    # An alert's message: its buttons act whatever the partnership's revision since.
    "seen": ButtonAction(Right.ACT, partial(alerts.mark, "seen"), once=False),
    "handled": ButtonAction(Right.ACT, partial(alerts.mark, "handled"), once=False),
} | {
    trigger: ButtonAction(Right.ACT, partial(partnerships.move, trigger), once=True)
    for trigger in MOVES
}


def press(work: Work, button: PartnershipButton | None, acted: ScreenRef | None) -> Result:
    """A button on a partnership: the user must belong to it and have the right."""
    action = ACTIONS.get(button.action) if button else None
    found = membership(work, button.partnership_id) if action else None
    if found is None:
        return notice(work)
    partnership, role = found
    if not may(role, action.right):
        return notice(work, "not_allowed")
    if action.once and not repository.claim_revision(
        work.db, partnership=partnership, revision=button.revision
    ):
        # Drawn for an earlier revision, or pressed by someone else at the same moment.
        return notice(work)
    return action.run(work, partnership, role, button.arg, acted)
