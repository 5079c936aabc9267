"""All tables of Alliance, one class per entity."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, DateTime, ForeignKey, Index
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


def _timestamp() -> Any:
    return Field(default_factory=utcnow, sa_type=DateTime(timezone=True), nullable=False)


class User(SQLModel, table=True):
    """Someone who talks to the bot: a Telegram user ("tg:<id>") or a terminal user."""

    __tablename__ = "app_user"

    id: int | None = Field(default=None, primary_key=True)
    external_id: str = Field(max_length=64, unique=True, index=True)
    language: str = Field(default="fr", max_length=8)
    # Telegram may deliver an update twice after a crash: older ids are ignored.
    last_update_id: int | None = Field(default=None, sa_type=BigInteger)
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
    # The Telegram message that shows the current question, edited once answered.
    question_message_id: int | None = Field(default=None, sa_type=BigInteger)
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
