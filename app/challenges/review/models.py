"""Expert review of challenge applications: the expert pool, assignments with their conflict-of-interest
declarations, the rubric of each item and stage, and the score sheets (whole half-points, as in event judging).

The same assignments serve the three stages an expert works in (ReviewStage): the review that picks winners,
the 赛马制 mid-term gate and 验收; an assignment always names the application (a contract keeps its application).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.challenge_enums import ReviewStage
from app.core.models import EnumText, utcnow
from app.extensions import db


class ChallengeExpert(db.Model):
    """A user in the expert pool (专家库): title, fields of expertise and industries (GB/T 4754 门类 letters or
    大类 codes). Their own organisation (user.org) and its group count for conflicts of interest."""

    __tablename__ = "challenge_experts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, unique=True)
    title: Mapped[str | None] = mapped_column(sa.String(50))  # 职称: 研究员、教授级高工…
    affiliation: Mapped[str | None] = mapped_column(sa.String(200))  # as printed (the org may be unregistered)
    fields: Mapped[list] = mapped_column(sa.JSON, default=list, nullable=False)
    industries: Mapped[list] = mapped_column(sa.JSON, default=list, nullable=False)
    active: Mapped[bool] = mapped_column(default=True, nullable=False)
    added_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)

    user = relationship("User", foreign_keys=[user_id])


class ReviewAssignment(db.Model):
    """An expert assigned to one application at one stage. The expert must declare no conflict of interest
    (`declared_at`) before the application opens; declaring a conflict (`conflict_note`) ends the assignment."""

    __tablename__ = "challenge_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("challenge_applications.id", ondelete="CASCADE"), nullable=False, index=True
    )
    expert_id: Mapped[int] = mapped_column(
        sa.ForeignKey("challenge_experts.id", ondelete="CASCADE"), nullable=False, index=True
    )
    stage: Mapped[ReviewStage] = mapped_column(EnumText(ReviewStage), nullable=False)
    assigned_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    assigned_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)
    declared_at: Mapped[datetime | None] = mapped_column(sa.DateTime)  # 无利益冲突声明
    conflict_note: Mapped[str | None] = mapped_column(sa.String(500))  # declared a conflict: withdrawn
    comment: Mapped[str | None] = mapped_column(sa.Text)
    submitted_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    expert = relationship("ChallengeExpert")
    application = relationship("ChallengeApplication")
    scores = relationship("ReviewScore", back_populates="assignment", cascade="all, delete-orphan")

    __table_args__ = (sa.UniqueConstraint("application_id", "expert_id", "stage"),)


class ReviewCriterion(db.Model):
    """One line of an item's rubric for a stage: name, weight (whole percent, summing to 100), maximum score."""

    __tablename__ = "challenge_criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        sa.ForeignKey("challenge_items.id", ondelete="CASCADE"), nullable=False, index=True
    )
    stage: Mapped[ReviewStage] = mapped_column(EnumText(ReviewStage), nullable=False)
    position: Mapped[int] = mapped_column(nullable=False)
    name: Mapped[str] = mapped_column(sa.String(50), nullable=False)
    weight: Mapped[int] = mapped_column(nullable=False)
    max_score: Mapped[int] = mapped_column(nullable=False)

    __table_args__ = (
        sa.UniqueConstraint("item_id", "stage", "name"),
        sa.CheckConstraint("weight > 0 AND weight <= 100", name="weight_range"),
        sa.CheckConstraint("max_score > 0", name="max_positive"),
    )


class ReviewScore(db.Model):
    __tablename__ = "challenge_scores"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("challenge_assignments.id", ondelete="CASCADE"), nullable=False, index=True
    )
    criterion_id: Mapped[int] = mapped_column(
        sa.ForeignKey("challenge_criteria.id", ondelete="CASCADE"), nullable=False, index=True
    )
    half_points: Mapped[int] = mapped_column(nullable=False)

    assignment = relationship("ReviewAssignment", back_populates="scores")

    __table_args__ = (
        sa.UniqueConstraint("assignment_id", "criterion_id"),
        sa.CheckConstraint("half_points >= 0", name="nonneg"),
    )


class ReviewRound(db.Model):
    """An item's review at one stage, once its issuer has closed it: scores are final from then on (experts can
    no longer change them) and the results stand for the decision. No row: the stage is open."""

    __tablename__ = "challenge_review_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        sa.ForeignKey("challenge_items.id", ondelete="CASCADE"), nullable=False, index=True
    )
    stage: Mapped[ReviewStage] = mapped_column(EnumText(ReviewStage), nullable=False)
    closed_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    __table_args__ = (sa.UniqueConstraint("item_id", "stage"),)
