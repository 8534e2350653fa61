from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.enums import FeedbackReason, MatchVerdict, PostingKind
from app.core.models import EnumText, TimestampMixin, utcnow
from app.extensions import db


class SearchOutbox(db.Model):
    """Written in the same transaction as the change it announces; drained into the search index.

    A crash between commit and indexing loses nothing: the row stays until a drain succeeds.
    """

    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_type: Mapped[str] = mapped_column(sa.String(30), nullable=False)
    entity_id: Mapped[int] = mapped_column(nullable=False)
    version: Mapped[int] = mapped_column(nullable=False)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)
    processed_at: Mapped[datetime | None] = mapped_column(sa.DateTime, index=True)
    attempts: Mapped[int] = mapped_column(default=0, nullable=False)
    last_error: Mapped[str | None] = mapped_column(sa.Text)


def enqueue_index(entity_type: str, entity_id: int, version: int) -> None:
    """Announce that an entity changed; call inside the transaction that changed it."""
    db.session.add(SearchOutbox(entity_type=entity_type, entity_id=entity_id, version=version))


class SynonymGroup(TimestampMixin, db.Model):
    """Words searched as one (钕铁硼, 稀土永磁, NdFeB): applied to queries at once, no reindex needed."""

    __tablename__ = "search_synonym_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    terms: Mapped[str] = mapped_column(sa.Text, nullable=False)  # "甲, 乙, 丙" in the admin's order
    note: Mapped[str | None] = mapped_column(sa.String(200))

    @property
    def term_list(self) -> list[str]:
        return [t.strip() for t in self.terms.split(",") if t.strip()]


class DictionaryWord(TimestampMixin, db.Model):
    """A domain word jieba must keep whole (白云鄂博, 钕铁硼); a change takes effect after a reindex."""

    __tablename__ = "search_dictionary_words"

    id: Mapped[int] = mapped_column(primary_key=True)
    word: Mapped[str] = mapped_column(sa.String(50), unique=True, nullable=False)
    frequency: Mapped[int | None] = mapped_column()
    note: Mapped[str | None] = mapped_column(sa.String(200))


class SearchQueryLog(db.Model):
    """What users typed into search and how many results they got: admins grow the dictionary from it."""

    __tablename__ = "search_query_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    kind: Mapped[str | None] = mapped_column(sa.String(20))  # None: all kinds
    results: Mapped[int] = mapped_column(nullable=False)
    searched_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False, index=True)


class SearchState(db.Model):
    """Small facts about the search setup: whether the dictionary was seeded, what the index was built with."""

    __tablename__ = "search_state"

    key: Mapped[str] = mapped_column(sa.String(50), primary_key=True)
    value: Mapped[str] = mapped_column(sa.Text, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, onupdate=utcnow, nullable=False)


# --- matching ------------------------------------------------------------------------------------


class PostingVector(db.Model):
    """A posting's dense vector (float32 bytes, search.vectors), computed in the background.

    `version` is the posting version it was computed from: a vector whose version or model differs
    from the posting's is outdated and recomputed by `flask matching embed` / after a drain.
    """

    __tablename__ = "posting_vectors"

    posting_id: Mapped[int] = mapped_column(sa.ForeignKey("postings.id", ondelete="CASCADE"), primary_key=True)
    model: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    version: Mapped[int] = mapped_column(nullable=False)
    vector: Mapped[bytes] = mapped_column(sa.LargeBinary, nullable=False)
    computed_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)


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
