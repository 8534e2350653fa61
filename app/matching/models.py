"""Stored matches, the version each posting's matches were computed for, and owners' feedback."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.enums import FeedbackReason, MatchVerdict, PostingKind
from app.core.models import EnumText, utcnow
from app.extensions import db


class Match(db.Model):
    """A suggested counterpart (target) for a published posting (source), with why it was suggested.

    `rank` is the place among the source's matches of the same target kind (1 = best).
    """

    __tablename__ = "matches"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(sa.ForeignKey("postings.id", ondelete="CASCADE"), nullable=False)
    target_id: Mapped[int] = mapped_column(sa.ForeignKey("postings.id", ondelete="CASCADE"), nullable=False, index=True)
    target_kind: Mapped[PostingKind] = mapped_column(EnumText(PostingKind), nullable=False)
    rank: Mapped[int] = mapped_column(nullable=False)
    score: Mapped[float] = mapped_column(sa.Float, nullable=False)
    lexical_score: Mapped[float | None] = mapped_column(sa.Float)  # the engine's raw score
    dense_score: Mapped[float | None] = mapped_column(sa.Float)  # cosine similarity
    reasons: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    computed_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)
    # When the pair was first suggested: a recompute updates the row in place and moves computed_at,
    # but not this (the docking funnel counts new matches per period by it).
    first_matched_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False, index=True)

    source = relationship("Posting", foreign_keys=[source_id])
    target = relationship("Posting", foreign_keys=[target_id])

    __table_args__ = (
        sa.UniqueConstraint("source_id", "target_id"),
        sa.Index("ix_matches_source_kind_rank", "source_id", "target_kind", "rank"),
    )


class MatchState(db.Model):
    """Which version of a posting its matches were last computed for: a posting whose version differs
    has changed since, and the recompute after a drain picks it up (bounded per drain)."""

    __tablename__ = "match_states"

    posting_id: Mapped[int] = mapped_column(sa.ForeignKey("postings.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(nullable=False)
    computed_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)


class MatchFeedback(db.Model):
    """感兴趣 / 不相关 on a suggestion. Source and target are kept beside the match, so the verdict still
    steers recomputes after the match row itself is replaced or removed."""

    __tablename__ = "match_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int | None] = mapped_column(sa.ForeignKey("matches.id", ondelete="SET NULL"), index=True)
    source_id: Mapped[int] = mapped_column(sa.ForeignKey("postings.id", ondelete="CASCADE"), nullable=False, index=True)
    target_id: Mapped[int] = mapped_column(sa.ForeignKey("postings.id", ondelete="CASCADE"), nullable=False)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False)
    verdict: Mapped[MatchVerdict] = mapped_column(EnumText(MatchVerdict), nullable=False)
    reason: Mapped[FeedbackReason | None] = mapped_column(EnumText(FeedbackReason))
    note: Mapped[str | None] = mapped_column(sa.String(500))
    at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)

    target = relationship("Posting", foreign_keys=[target_id])
