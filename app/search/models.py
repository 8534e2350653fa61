"""What the search layer keeps in the database: the admin-edited analysis data (synonyms, dictionary
words), the query log, small state facts, and each posting's dense vector."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models import TimestampMixin, utcnow
from app.extensions import db


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
