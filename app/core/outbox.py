"""The search outbox: a posting (and later a policy, a challenge…) that changes writes a row here in its own
transaction; the search layer (app/search/sync.py) drains the rows into the indexes. It sits in core so
that every publisher can announce a change without importing the search package above it.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models import utcnow
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
