"""What use cases return: plain values saying what happened and what to show, never a
Telegram object nor a rendered screen. Each adapter renders them with the templates."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flows.diagnostic import Diagnosis
from flows.roles import Right
from flows.schedule import DEFAULT_RHYTHM, Rhythm
from knowledge import Method, Question, Questionnaire, Text
from knowledge.models import Card, ConventionItem, DialoguePoint, KnowledgeBase, Topic


@dataclass(frozen=True)
class Say:
    """A message named by what it says ("welcome", "nothing_to_cancel"...); the wording is in
    the template of that name."""

    what: str
    params: dict[str, Any] = field(default_factory=dict)


# -- questionnaires -------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionShown:
    """The question to show, with its progress and what was answered before."""

    session_id: int
    title: Text
    question: Question
    position: int
    total: int
    current: Any = None
    # Answered before (possibly skipped, then `current` is None) or offered by an earlier
    # step: it can be kept in one tap.
    answered: bool = False
    draft: tuple[str, ...] = ()
    can_go_back: bool = False
    # The question's flag is ticked ("only partly agreed").
    flagged: bool = False
    # The last answers given before it (AnswerShown), recalled above the question.
    trail: tuple[AnswerShown, ...] = ()
    # Its rationale shown with it ("Pourquoi ?" pressed).
    why: bool = False


@dataclass(frozen=True)
class AnswerShown:
    """A question once answered (None: skipped)."""

    question: Question
    value: Any


@dataclass(frozen=True)
class AnswerRefused:
    """Why an answer does not fit the question."""

    question: Question
    reason: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class WhyShown:
    question: Question


@dataclass(frozen=True)
class DiagnosisShown:
    questionnaire: Questionnaire
    method: Method
    diagnosis: Diagnosis
    answers: dict[str, Any]


# -- partnerships ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PartnershipSummary:
    """A partnership as one member sees it."""

    id: int
    name: str
    our_organisation: str
    partner_name: str | None
    theme: str | None
    territory: str | None
    stage: str
    revision: int
    role: str
    rights: frozenset[Right] = frozenset()


@dataclass(frozen=True)
class PartnershipList:
    rows: tuple[PartnershipSummary, ...]
    active_id: int | None


@dataclass(frozen=True)
class PartnershipStatus:
    """A partnership in one line, as a coordinator's list shows it: its step, its health
    and what comes next in its evaluation."""

    partnership: PartnershipSummary
    light: str | None  # "red", "amber", "green"; None: health not computed yet
    # The main reason's title (the most serious signal), None when there is none.
    reason: Text | None
    next_checkin: datetime | None = None
    next_checkin_kind: str | None = None
    # An open round due since then and not answered by all yet.
    late_since: datetime | None = None
    # Evaluated, but an organisation has no respondent yet: no round runs before it has.
    waits_for_partner: bool = False


@dataclass(frozen=True)
class FollowedList:
    """/partenariats for a coordinator: the partnerships of the organisations they follow and
    those they belong to, most urgent first; `more` beyond the rows shown."""

    organisations: tuple[str, ...]
    rows: tuple[PartnershipStatus, ...]
    more: int
    active_id: int | None


@dataclass(frozen=True)
class StageChange:
    dest: str
    at: datetime


@dataclass(frozen=True)
class PartnershipCard:
    partnership: PartnershipSummary
    members: int
    history: tuple[StageChange, ...]
    # The stage moves the lifecycle offers from this stage.
    moves: tuple[str, ...]
    # What the next step needs is done: moving on is one button away.
    ready: bool = False
    # In implementation or evaluation: the next check-in, and whether it waits for the
    # partner's contact (a round needs both organisations).
    next_checkin: datetime | None = None
    next_checkin_kind: str | None = None
    waits_for_partner: bool = False
    # The latest steering meeting held (step 6), when one is recorded.
    last_steering: datetime | None = None


@dataclass(frozen=True)
class DialogueShown:
    partnership: PartnershipSummary
    points: tuple[tuple[DialoguePoint, bool], ...]
    # The latest notes, newest first, and how many the partnership has in all.
    notes: tuple[tuple[datetime, str], ...]
    notes_total: int = 0


@dataclass(frozen=True)
class CandidatesShown:
    partnership: PartnershipSummary
    # (position in the partnership's list, candidate), best first.
    ranked: tuple[tuple[int, dict[str, Any]], ...]
    # The criteria questionnaire, to name each red flag.
    criteria: Questionnaire | None = None


@dataclass(frozen=True)
class ConventionStatus:
    partnership: PartnershipSummary
    # Required points not agreed that the draft shows as points to complete.
    missing: tuple[ConventionItem, ...]
    # Points not agreed that the draft fills with our standard wording, as proposals.
    proposals: tuple[ConventionItem, ...] = ()


@dataclass(frozen=True)
class FollowupShown:
    followup: dict[str, Any]
    # The first evaluation to come, by the schedule the answers set (None: not known yet).
    next_checkin: datetime | None = None
    next_checkin_kind: str | None = None
    # The evaluation rhythm the answers set (Alliance's unless changed), and the day of the
    # final evaluation (the convention's end, when given).
    rhythm: Rhythm = DEFAULT_RHYTHM
    final_on: date | None = None


@dataclass(frozen=True)
class DocumentInfo:
    id: int
    kind: str
    version: int
    file_name: str
    created_at: datetime


@dataclass(frozen=True)
class DocumentsListed:
    partnership: PartnershipSummary
    documents: tuple[DocumentInfo, ...]


@dataclass(frozen=True)
class InviteMenu:
    partnership: PartnershipSummary
    roles: tuple[str, ...]
    # Members revoke every open invitation; others only their own.
    revokes_all: bool
    # The organisation a coordinator invited here would follow (when one may be invited).
    coordinated: str | None = None


@dataclass(frozen=True)
class InvitationCreated:
    role: str
    token: str


# -- checklists -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CardShown:
    card: Card
    base: KnowledgeBase


@dataclass(frozen=True)
class TopicsShown:
    base: KnowledgeBase


@dataclass(frozen=True)
class TopicShown:
    topic: Topic


@dataclass(frozen=True)
class NoCardFound:
    query: str
    base: KnowledgeBase


@dataclass(frozen=True)
class LanguageMenu:
    pass


@dataclass(frozen=True)
class InlineCards:
    """Cards offered in inline mode, in the user's language."""

    language: str
    cards: tuple[Card, ...]


# -- evaluation check-ins (step 7) ------------------------------------------------------------


@dataclass(frozen=True)
class RoundInfo:
    id: int
    kind: str  # "pulse", "review" or "final" (flows.schedule.kind_shown)
    due_at: datetime
    status: str  # "open", "closed"
    answered: int
    invited: int
    decision: str | None = None
    # The user is asked and has not answered yet.
    to_answer: bool = False


@dataclass(frozen=True)
class RespondentInfo:
    user_id: int
    name: str
    side: str  # "ours" or "partner": the creating organisation, or the partner's
    respondent: bool
    unreachable: bool
    # The organisation they answer for, by its name, and whether it is the viewer's own.
    organisation: str = ""
    same_side: bool = True
    is_viewer: bool = False


@dataclass(frozen=True)
class DeletionAsked:
    """/supprimer: what erasing means; the buttons' data to confirm or keep."""

    confirm: str
    keep: str


@dataclass(frozen=True)
class EvaluationShown:
    """/evaluation: the rounds, who answers, what comes next."""

    partnership: PartnershipSummary
    rounds: tuple[RoundInfo, ...]
    respondents: tuple[RespondentInfo, ...]
    next_due: datetime | None
    next_kind: str | None
    # In implementation or evaluation: check-ins are scheduled.
    evaluated: bool
    # A round is open: no other may start until it closes.
    round_open: bool = False
    # An organisation has nobody to answer yet: no round runs until it has.
    needs_both: bool = False


@dataclass(frozen=True)
class CheckInInvitation:
    """A respondent is asked to answer a round (or reminded to)."""

    partnership_name: str
    round_id: int
    kind: str
    reminder: int  # 0 for the invitation, then 1, 2
    scores: int = 0  # how many scores the round asks for


@dataclass(frozen=True)
class CheckInIntro:
    """What Alliance already knows of the partnership, shown before the questions."""

    kind: str
    partnership_name: str
    facts: tuple[tuple[str, str], ...]  # (what, value): objectives, actions, means, referents


@dataclass(frozen=True)
class RoundReport:
    """A closed round: both organisations' views, for one member."""

    report: Any  # flows.evaluation.EvaluationReport
    partnership_name: str
    organisations: tuple[str, str]  # ours, the partner's
    closed_on: Any  # date, local
    role: str
    # The stage the decision moved the partnership to, if it did.
    moved_to: str | None = None
    # The final evaluation: the full review due at the convention's end.
    final: bool = False


@dataclass(frozen=True)
class AlertNotice:
    """An alert of a partnership, for one person: its light, its reason, what to do next and
    the guide's card for it; buttons to mark it seen or handled for who may act."""

    alert_id: int
    partnership_id: int
    partnership_name: str
    revision: int
    signal: str
    level: str  # "amber" or "red"
    details: dict[str, Any]
    # The signal's title and what to do next (knowledge/data/health.yaml); None: unknown.
    title: Text | None
    next: Text | None
    card: Card | None
    may_act: bool
    state: str = "new"


@dataclass(frozen=True)
class WeeklyDigest:
    """A coordinator's partnerships, most urgent first, on the Monday of `week`."""

    week: date
    lines: tuple[PartnershipStatus, ...]


@dataclass(frozen=True)
class SteeringAsked:
    """When was the steering meeting held: today, yesterday, or another date (and a note)."""

    partnership: PartnershipSummary


@dataclass(frozen=True)
class Delivery:
    """Messages for someone other than the user acting: a respondent, every member."""

    external_id: str
    language: str
    views: tuple[Any, ...]
    documents: tuple[DocumentInfo, ...] = ()
    # A fan-out: sent after interactive messages, which it never holds up.
    bulk: bool = False


# -- the result of a use case ---------------------------------------------------------------


@dataclass(frozen=True)
class ScreenRef:
    """A screen shown earlier, named by what it is, never by a channel's message id: the
    message acted upon (`question_of` None), or the one showing flow session `question_of`'s
    question. Each adapter finds the message it stands for, if it knows one."""

    question_of: int | None = None


# The message whose button was pressed.
ACTED = ScreenRef()


def question_of(flow_session_id: int) -> ScreenRef:
    """The message showing that flow session's question."""
    return ScreenRef(flow_session_id)


@dataclass
class Result:
    """What a use case did, to show: in place of a screen, then new messages, then files."""

    language: str
    shown: list[Any] = field(default_factory=list)
    # Replaces the screen `replaces` names: the message acted upon, or an answered question.
    in_place: Any = None
    replaces: ScreenRef = ACTED
    # A screen whose buttons must go: the question asked before, or the message acted upon
    # (its screen is shown again below).
    closes: ScreenRef | None = None
    # A short word about a press that changed nothing (a toast on Telegram).
    notice: Say | None = None
    documents: list[DocumentInfo] = field(default_factory=list)
    # Set when the last message shown is a question of that flow session.
    asking: int | None = None
    # The input had been handled already: nothing to do, nothing to show.
    duplicate: bool = False
    # Messages for other people, recorded with this result.
    deliveries: list[Delivery] = field(default_factory=list)

    def show(self, *views: Any) -> Result:
        self.shown.extend(views)
        return self
