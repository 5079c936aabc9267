"""A partnership's stage across the seven steps, as one `transitions` machine.

Moving forward needs what the next step builds on; the machine refuses with the
reason otherwise. Going back is always allowed. After the evaluation, the
partnership ends, is renewed (back to implementation) or modified (back to the
content).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from transitions import Machine, MachineError

from flows.convention import unsettled_items

STAGES = [
    "diagnosis",  # 1 auto-diagnostic
    "dialogue",  # 2 dialoguer
    "partner_choice",  # 3 choisir le partenaire
    "content",  # 4 définir le contenu
    "formalisation",  # 5 formaliser
    "implementation",  # 6 mettre en œuvre
    "evaluation",  # 7 évaluer
    "ended",
]

STEPS = 7


def step_number(stage: str) -> int:
    """The step of the method a stage is (1 to 7); an ended partnership stays at its last."""
    return min(STAGES.index(stage) + 1, STEPS)


@dataclass(frozen=True)
class StepNeed:
    """What a stage's work must have produced before the partnership moves on: the one
    definition the move, the card's "next" line, the flows' summaries and the tests read."""

    fact: str  # the PartnershipFacts predicate the move checks
    refusal: str  # why moving on is refused while the fact does not hold
    # Finishing that work moves the partnership on by itself. Dialogue and implementation
    # go on for months, and built drafts are not yet signed: from those stages the move is
    # proposed on the card, one button away.
    moves_by_itself: bool


NEEDS: dict[str, StepNeed] = {
    "diagnosis": StepNeed("diagnosed", "needs_diagnosis", moves_by_itself=True),
    "dialogue": StepNeed("dialogue_started", "needs_dialogue", moves_by_itself=False),
    "partner_choice": StepNeed("partner_chosen", "needs_partner", moves_by_itself=True),
    "content": StepNeed("convention_complete", "needs_convention_items", moves_by_itself=True),
    "formalisation": StepNeed("draft_generated", "needs_draft", moves_by_itself=False),
    "implementation": StepNeed("followup_set", "needs_followup", moves_by_itself=False),
}

TRANSITIONS = (
    [
        {
            "trigger": "advance",
            "source": stage,
            "dest": STAGES[STAGES.index(stage) + 1],
            "conditions": need.fact,
        }
        for stage, need in NEEDS.items()
    ]
    + [
        {"trigger": "end", "source": "evaluation", "dest": "ended"},
        {"trigger": "renew", "source": "evaluation", "dest": "implementation"},
        {"trigger": "modify", "source": "evaluation", "dest": "content"},
    ]
    + [
        {"trigger": "back", "source": STAGES[i], "dest": STAGES[i - 1]}
        for i in range(1, len(STAGES) - 1)
    ]
)

MOVES = ("advance", "back", "end", "renew", "modify")
AUTO_ADVANCE_FROM = tuple(stage for stage, need in NEEDS.items() if need.moves_by_itself)


@dataclass
class PartnershipFacts:
    """What is known of a partnership that a move may need; the model the machine moves."""

    state: str = "diagnosis"
    has_diagnosis: bool = False
    dialogue_items_done: int = 0
    partner_is_chosen: bool = False
    missing_convention_items: list[str] = field(default_factory=list)
    has_draft_convention: bool = False
    has_followup: bool = False

    def diagnosed(self) -> bool:
        return self.has_diagnosis

    def dialogue_started(self) -> bool:
        return self.dialogue_items_done > 0

    def partner_chosen(self) -> bool:
        return self.partner_is_chosen

    def convention_complete(self) -> bool:
        return not self.missing_convention_items

    def draft_generated(self) -> bool:
        return self.has_draft_convention

    def followup_set(self) -> bool:
        return self.has_followup


class PartnershipRecord(Protocol):
    """What the stage rules read of a partnership."""

    stage: str
    dialogue: list[str]
    candidates: list[dict[str, Any]]
    convention: dict[str, Any]
    followup: dict[str, Any]


def facts_of(
    partnership: PartnershipRecord, checklist, *, has_diagnosis: bool, has_draft_convention: bool
) -> PartnershipFacts:
    """What the stage machine needs to know about a partnership."""
    return PartnershipFacts(
        state=partnership.stage,
        has_diagnosis=has_diagnosis,
        dialogue_items_done=len(partnership.dialogue),
        partner_is_chosen=any(c.get("chosen") for c in partnership.candidates),
        missing_convention_items=[
            item.id for item in unsettled_items(checklist, partnership.convention)
        ],
        has_draft_convention=has_draft_convention,
        has_followup=bool(partnership.followup),
    )


@dataclass(frozen=True)
class Move:
    """The result of asking for a move: done (from, to) or refused with a reason key."""

    moved: bool
    source: str
    dest: str | None = None
    refusal: str | None = None
    # What the convention still needs, by item id, when that is why the move was refused.
    missing: tuple[str, ...] = ()


class Lifecycle:
    """One machine for every partnership of the process; facts are added per call."""

    def __init__(self) -> None:
        self.machine = Machine(
            model=None,
            states=STAGES,
            transitions=TRANSITIONS,
            initial="diagnosis",
            auto_transitions=False,
        )

    @staticmethod
    def moves_from(stage: str) -> tuple[str, ...]:
        """The moves declared from a stage, in the order of the table (advance first)."""
        return tuple(dict.fromkeys(t["trigger"] for t in TRANSITIONS if t["source"] == stage))

    @staticmethod
    def holds(facts: PartnershipFacts, stage: str) -> bool:
        """Whether what `stage` needs before moving on is there."""
        return stage in NEEDS and getattr(facts, NEEDS[stage].fact)()

    def move(self, facts: PartnershipFacts, trigger: str) -> Move:
        source = facts.state
        self.machine.add_model(facts, initial=source)
        try:
            moved = getattr(facts, trigger)()
        except (MachineError, AttributeError):
            moved = False
        finally:
            self.machine.remove_model(facts)
        if moved:
            return Move(True, source, facts.state)
        if trigger != "advance" or source not in NEEDS:
            return Move(False, source, refusal="not_allowed")
        missing = tuple(facts.missing_convention_items) if source == "content" else ()
        return Move(False, source, refusal=NEEDS[source].refusal, missing=missing)
