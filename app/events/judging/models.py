"""Roadshow and competition judging: the rubric, the judges, the presenters' line-up, and the scores.

Scores are stored as whole half-points (7.5 → 15) so every sum and mean is exact; see app/events/judging/scores.py
for how results are computed and ranked.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import utcnow
from app.extensions import db


class JudgingState(db.Model):
    """Per event: when scoring was closed and when the results were published (both one-way)."""

    __tablename__ = "judging_states"

    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    scoring_closed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))


class Criterion(db.Model):
    """One line of the rubric: a name, a weight (whole percent; the weights sum to 100) and a maximum score."""

    __tablename__ = "judging_criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(sa.String(50), nullable=False)
    weight: Mapped[int] = mapped_column(nullable=False)
    max_score: Mapped[int] = mapped_column(nullable=False)
    position: Mapped[int] = mapped_column(nullable=False)

    __table_args__ = (
        sa.UniqueConstraint("event_id", "name"),
        sa.CheckConstraint("weight > 0 AND weight <= 100", name="weight_range"),
        sa.CheckConstraint("max_score > 0", name="max_positive"),
    )


class Judge(db.Model):
    __tablename__ = "judging_judges"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), nullable=False, index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    added_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)

    user = relationship("User", foreign_keys=[user_id])

    __table_args__ = (sa.UniqueConstraint("event_id", "user_id"),)


class JudgeInvitation(db.Model):
    """A judge invited by e-mail who has not accepted yet: the organiser sees the address only, never whose it
    is. The link's token is stored as its sha256; opening the link signed in makes that user a judge."""

    __tablename__ = "judging_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), nullable=False, index=True)
    email: Mapped[str] = mapped_column(sa.String(254), nullable=False)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False)

    event = relationship("Event")

    __table_args__ = (sa.UniqueConstraint("event_id", "email"),)


class Presenter(db.Model):
    """A presenting company (a confirmed registration of the event) in its place in the line-up."""

    __tablename__ = "judging_presenters"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), nullable=False, index=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("event_registrations.id", ondelete="CASCADE"), nullable=False
    )
    position: Mapped[int] = mapped_column(nullable=False)
    starts_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    project: Mapped[str | None] = mapped_column(sa.String(200))

    registration = relationship("Registration")

    __table_args__ = (sa.UniqueConstraint("event_id", "registration_id"),)

    @property
    def name(self) -> str:
        org = self.registration.org
        return org.name if org else "（机构已注销）"


class ScoreSheet(db.Model):
    """One judge's scores for one presenter, with an optional comment."""

    __tablename__ = "judging_sheets"

    id: Mapped[int] = mapped_column(primary_key=True)
    presenter_id: Mapped[int] = mapped_column(
        sa.ForeignKey("judging_presenters.id", ondelete="CASCADE"), nullable=False, index=True
    )
    judge_id: Mapped[int] = mapped_column(sa.ForeignKey("judging_judges.id", ondelete="CASCADE"), nullable=False)
    comment: Mapped[str | None] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, onupdate=utcnow, nullable=False)

    scores = relationship("Score", back_populates="sheet", cascade="all, delete-orphan")

    __table_args__ = (sa.UniqueConstraint("presenter_id", "judge_id"),)


class Score(db.Model):
    __tablename__ = "judging_scores"

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(sa.ForeignKey("judging_sheets.id", ondelete="CASCADE"), nullable=False)
    criterion_id: Mapped[int] = mapped_column(
        sa.ForeignKey("judging_criteria.id", ondelete="CASCADE"), nullable=False, index=True
    )
    half_points: Mapped[int] = mapped_column(nullable=False)

    sheet = relationship("ScoreSheet", back_populates="scores")

    __table_args__ = (
        sa.UniqueConstraint("sheet_id", "criterion_id"),
        sa.CheckConstraint("half_points >= 0", name="nonneg"),
    )
