"""All tables of Alliance, one class per entity."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    ForeignKey,
    Index,
    LargeBinary,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from storage.types import AwareDateTime


def utcnow() -> datetime:
    return datetime.now(UTC)


def _timestamp() -> Any:
    return Field(default_factory=utcnow, sa_type=AwareDateTime(), nullable=False)


class User(SQLModel, table=True):
    """Someone who talks to the bot: a Telegram user ("tg:<id>") or a terminal user."""

    __tablename__ = "app_user"

    id: int | None = Field(default=None, primary_key=True)
    external_id: str = Field(max_length=64, unique=True, index=True)
    language: str = Field(default="fr", max_length=8)
    # The name the channel gives (Telegram's first and last name), to tell members apart.
    display_name: str | None = Field(default=None, max_length=128)
    # Set when Telegram refused a message because the user blocked the bot (403): check-ins
    # are not sent to an unreachable user, and the partnership's members are told.
    unreachable_at: datetime | None = Field(default=None, sa_type=AwareDateTime())
    # The partnership the user works on; commands such as /convention apply to it.
    active_partnership_id: int | None = Field(default=None)
    created_at: datetime = _timestamp()


class FlowSession(SQLModel, table=True):
    """One run of a questionnaire by a user; `state` is the flow's JSON (FlowState)."""

    __tablename__ = "flow_session"
    __table_args__ = (Index("ix_flow_session_user_status", "user_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=Column(ForeignKey("app_user.id"), nullable=False))
    flow: str = Field(max_length=32)
    status: str = Field(default="active", max_length=16)
    state: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    # The partnership a run belongs to (criteria, convention...), None for the diagnosis.
    partnership_id: int | None = Field(default=None, index=True)
    # The Telegram message that shows the current question, edited once answered.
    question_message_id: int | None = Field(default=None, sa_type=BigInteger)
    # The check-in round a run answers (step 7), None for every other questionnaire.
    round_id: int | None = Field(default=None, index=True)
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()


class AnswerRecord(SQLModel, table=True):
    """Every answer as it was given, kept even when changed later."""

    __tablename__ = "answer"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(
        sa_column=Column(
            ForeignKey("flow_session.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    question_id: str = Field(max_length=32)
    value: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    answered_at: datetime = _timestamp()


class Organisation(SQLModel, table=True):
    """An organisation that takes part in partnerships: its details are asked once and used
    by every convention it signs."""

    __tablename__ = "organisation"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    # "association", "foundation", "company", "local_authority", "academic"; None: not said.
    kind: str | None = Field(default=None, max_length=24)
    legal_form: str | None = Field(default=None, max_length=200)
    seat: str | None = Field(default=None, max_length=300)
    # SIREN or RNA number.
    identifier: str | None = Field(default=None, max_length=64)
    # Who signs for it (name, position): personal data, kept out of an export without names.
    representative: str | None = Field(default=None, max_length=200)
    created_by: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()


class Coordinator(SQLModel, table=True):
    """Someone who follows every partnership of an organisation without being a member of
    each: reads by default, acts where a rule allows it."""

    __tablename__ = "coordinator"
    __table_args__ = (UniqueConstraint("organisation_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    invited_by: int | None = Field(default=None, foreign_key="app_user.id")
    joined_at: datetime = _timestamp()


class Partnership(SQLModel, table=True):
    """A partnership between our organisation and a partner, moving through the 7 steps."""

    __tablename__ = "partnership"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    our_organisation: str = Field(max_length=200)
    partner_name: str | None = Field(default=None, max_length=200)
    # The two organisations it joins: ours (the members') and the partner's (its contacts').
    our_organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    partner_organisation_id: int | None = Field(
        default=None, foreign_key="organisation.id", index=True
    )
    theme: str | None = Field(default=None, max_length=500)
    territory: str | None = Field(default=None, max_length=200)
    stage: str = Field(default="diagnosis", max_length=32)
    # Bumped by every change: a button names the revision it was drawn for, so it acts once.
    revision: int = Field(default=0)
    # Step data kept as JSON: ticked dialogue points, candidates, convention answers, follow-up.
    dialogue: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    candidates: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    convention: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    followup: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_by: int = Field(foreign_key="app_user.id")
    created_at: datetime = _timestamp()


class Membership(SQLModel, table=True):
    """Who belongs to a partnership, and as what: member, partner contact or observer."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("partnership_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    partnership_id: int = Field(foreign_key="partnership.id", index=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    role: str = Field(max_length=16)
    # Asked to answer the evaluation check-ins (both organisations' members by default).
    respondent: bool = Field(default=True)
    joined_at: datetime = _timestamp()


class StageMove(SQLModel, table=True):
    """The history of a partnership's stage: who moved it, when, from where to where."""

    __tablename__ = "stage_move"

    id: int | None = Field(default=None, primary_key=True)
    partnership_id: int = Field(foreign_key="partnership.id", index=True)
    # None when the evaluation moved it (the decision of a full review).
    user_id: int | None = Field(default=None, foreign_key="app_user.id")
    trigger: str = Field(max_length=16)
    source: str = Field(max_length=32)
    dest: str = Field(max_length=32)
    moved_at: datetime = _timestamp()


class MeetingNote(SQLModel, table=True):
    """A short note of a meeting (step 2), with its date."""

    __tablename__ = "meeting_note"

    id: int | None = Field(default=None, primary_key=True)
    partnership_id: int = Field(foreign_key="partnership.id", index=True)
    user_id: int = Field(foreign_key="app_user.id")
    text: str = Field(max_length=2000)
    # "note" (step 2's meeting notes) or "steering" (a steering meeting held, step 6).
    kind: str = Field(default="note", max_length=16)
    # When the meeting was held, as the user said; None: the day it was written.
    held_at: datetime | None = Field(default=None, sa_type=AwareDateTime())
    written_at: datetime = _timestamp()


class Invitation(SQLModel, table=True):
    """A single-use link to join a partnership, or to follow an organisation's partnerships
    as a coordinator (role "coordinator"); only the token's hash is stored."""

    __tablename__ = "invitation"

    id: int | None = Field(default=None, primary_key=True)
    # For a coordinator's invitation: the partnership it was made from.
    partnership_id: int = Field(foreign_key="partnership.id", index=True)
    # Set for a coordinator's invitation: the organisation they will follow.
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    role: str = Field(max_length=16)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_by: int = Field(foreign_key="app_user.id")
    created_at: datetime = _timestamp()
    expires_at: datetime = Field(sa_type=AwareDateTime(), nullable=False)
    used_by: int | None = Field(default=None, foreign_key="app_user.id")
    used_at: datetime | None = Field(default=None, sa_type=AwareDateTime())
    revoked_at: datetime | None = Field(default=None, sa_type=AwareDateTime())


class GeneratedDocument(SQLModel, table=True):
    """Every draft document produced, kept as a version that can be sent again."""

    __tablename__ = "generated_document"
    __table_args__ = (Index("ix_generated_document_partnership_kind", "partnership_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    # None for a person's own file (their data, sent by /mesdonnees).
    partnership_id: int | None = Field(default=None, foreign_key="partnership.id")
    kind: str = Field(max_length=32)
    version: int
    file_name: str = Field(max_length=200)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_by: int = Field(foreign_key="app_user.id")
    created_at: datetime = _timestamp()


class Inbound(SQLModel, table=True):
    """An input from a channel, kept until handled: a Telegram update is stored here before
    Telegram is told it arrived, and claimed here in the same transaction as its effect."""

    __tablename__ = "inbound"
    __table_args__ = (
        Index("ix_inbound_handled_at", "handled_at"),
        Index("ix_inbound_chat_handled", "chat_id", "handled_at"),
    )

    # "tg:<update_id>" for Telegram; any channel-unique key.
    key: str = Field(primary_key=True, max_length=64)
    # The raw update to replay after a crash; None when only claimed.
    payload: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    # The chat it belongs to and its place in the channel's order (Telegram's update id):
    # whichever instance handles a chat's input handles the earlier ones first.
    chat_id: int | None = Field(default=None, sa_type=BigInteger)
    seq: int | None = Field(default=None, sa_type=BigInteger)
    received_at: datetime = _timestamp()
    handled_at: datetime | None = Field(default=None, sa_type=AwareDateTime())


class OutboxMessage(SQLModel, table=True):
    """What a user must receive, recorded before it is sent and marked once Telegram took it."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_chat_status", "chat_id", "status"),
        Index("ix_outbox_status_due", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_type=BigInteger)
    # "send", "edit" (text and buttons of a message), "close" (remove its buttons), "document".
    kind: str = Field(max_length=16)
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    # Set on a question: its message id is remembered, and a newer question supersedes it.
    flow_session_id: int | None = Field(default=None)
    # "pending", "sent", "superseded", "dropped".
    status: str = Field(default="pending", max_length=16)
    attempts: int = Field(default=0)
    next_attempt_at: datetime = _timestamp()
    # Telegram's id of the message once sent.
    message_id: int | None = Field(default=None, sa_type=BigInteger)
    created_at: datetime = _timestamp()
    sent_at: datetime | None = Field(default=None, sa_type=AwareDateTime())
    # The instance sending it, and until when that claim holds unless renewed: a chat's
    # messages go out from one instance at a time, and a dead instance's are taken over.
    claimed_by: str | None = Field(default=None, max_length=32)
    claimed_until: datetime | None = Field(default=None, sa_type=AwareDateTime())


class CheckInRound(SQLModel, table=True):
    """One evaluation check-in of a partnership (step 7): a pulse or a full review (the final
    evaluation among them), asked of every respondent of both organisations, open until all
    answered or 14 days."""

    __tablename__ = "checkin_round"
    __table_args__ = (
        UniqueConstraint("partnership_id", "kind", "due_at"),
        Index("ix_checkin_round_status", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    partnership_id: int = Field(foreign_key="partnership.id", index=True)
    kind: str = Field(max_length=16)  # "pulse" or "review"
    due_at: datetime = Field(sa_type=AwareDateTime(), nullable=False)
    # A full review due on the convention's end date: the guide's final evaluation.
    final: bool = Field(default=False)
    # "schedule", or "manual" (/evaluation)
    origin: str = Field(default="schedule", max_length=16)
    status: str = Field(default="open", max_length=16)  # "open", "closed"
    opened_at: datetime = _timestamp()
    closed_at: datetime | None = Field(default=None, sa_type=AwareDateTime())
    # The report, computed once when the round closes: {"decision", "scores", ...}.
    summary: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class CheckInInvite(SQLModel, table=True):
    """A respondent asked to answer a round; each message to them is claimed once."""

    __tablename__ = "checkin_invite"
    __table_args__ = (UniqueConstraint("round_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="checkin_round.id", index=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    side: str = Field(max_length=16)  # "ours" or "partner"
    invited_at: datetime | None = Field(default=None, sa_type=AwareDateTime())
    reminded_at: datetime | None = Field(default=None, sa_type=AwareDateTime())
    reminders: int = Field(default=0)
    answered_at: datetime | None = Field(default=None, sa_type=AwareDateTime())
    unreachable_at: datetime | None = Field(default=None, sa_type=AwareDateTime())


class PartnershipHealth(SQLModel, table=True):
    """A partnership's health as last computed (green, amber, red) with its reasons, and
    what it was computed from: it is computed again only when that changed or time passed
    `recheck_at` (a time-bound signal may turn on)."""

    __tablename__ = "partnership_health"

    partnership_id: int = Field(
        sa_column=Column(ForeignKey("partnership.id", ondelete="CASCADE"), primary_key=True)
    )
    light: str = Field(max_length=8)
    reasons: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    # A fingerprint of the inputs it was computed from.
    stamp: str = Field(default="", max_length=64)
    computed_at: datetime = _timestamp()
    recheck_at: datetime | None = Field(default=None, sa_type=AwareDateTime(), index=True)


class Alert(SQLModel, table=True):
    """A warning raised once from one of the method's signals; it clears itself when its
    cause is gone. States: "new", "seen", "handled", "cleared"."""

    __tablename__ = "alert"
    __table_args__ = (Index("ix_alert_partnership_state", "partnership_id", "state"),)

    id: int | None = Field(default=None, primary_key=True)
    partnership_id: int = Field(
        sa_column=Column(ForeignKey("partnership.id", ondelete="CASCADE"), nullable=False)
    )
    # The signal ("round_late", "dimension_red"...) and what it is about ("trust", a round
    # id): one open alert per partnership, signal and subject.
    signal: str = Field(max_length=32)
    subject: str = Field(default="", max_length=64)
    level: str = Field(max_length=8)  # "amber" or "red"
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    state: str = Field(default="new", max_length=16)
    raised_at: datetime = _timestamp()
    # When its message to the partnership's members was recorded (None: not yet).
    notified_at: datetime | None = Field(default=None, sa_type=AwareDateTime())
    seen_at: datetime | None = Field(default=None, sa_type=AwareDateTime())
    handled_at: datetime | None = Field(default=None, sa_type=AwareDateTime())
    handled_by: int | None = Field(default=None, foreign_key="app_user.id")
    cleared_at: datetime | None = Field(default=None, sa_type=AwareDateTime())


class Digest(SQLModel, table=True):
    """A coordinator's weekly digest, recorded once per week whoever dispatches it."""

    __tablename__ = "digest"
    __table_args__ = (UniqueConstraint("user_id", "week"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    # The Monday it is for, as "2027-01-04" in ALLIANCE_TIMEZONE.
    week: str = Field(max_length=10)
    recorded_at: datetime = _timestamp()


# --- The dashboard's sign-in (issue 20): one-time login links and browser sessions. ---


class WebLogin(SQLModel, table=True):
    """A one-time link that opens the dashboard in a browser for one user: single use, a few
    minutes; only the token's hash is stored, so a database leak opens no session."""

    __tablename__ = "web_login"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    created_at: datetime = _timestamp()
    expires_at: datetime = Field(sa_type=AwareDateTime(), nullable=False)
    used_at: datetime | None = Field(default=None, sa_type=AwareDateTime())


class WebSession(SQLModel, table=True):
    """A signed-in dashboard (the cookie's token, hashed) with the token its forms must send
    back (CSRF); `via` says how it was opened: "telegram" (Mini App) or "link"."""

    __tablename__ = "web_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    csrf: str = Field(max_length=64)
    via: str = Field(max_length=16)
    created_at: datetime = _timestamp()
    expires_at: datetime = Field(sa_type=AwareDateTime(), nullable=False)
