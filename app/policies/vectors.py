"""Policy items' dense vectors (multilingual-e5-small passages, the postings' embedder): one per item,
computed in the background, never in a web request — by the search drain after it indexed changed items
(IndexSource.embed_outdated, app/search/sync.py), by `flask matching embed` and `flask search drain`.

What a vector encodes is `item_passage` (the 事项's title, see there why not its policy's text). A vector is current when it was
computed from exactly that text by the current model: `text_hash` is search.embedding.passage_key of the
text, so an edit of the item or its policy (a new title, another 解读) makes it outdated, and the demo's
vectors can ship precomputed (keyed by the same hash) like the postings'.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, selectinload

from app.core.models import utcnow
from app.core.policy_enums import PolicyStatus
from app.extensions import db
from app.policies.models import Policy, PolicyItem
from app.search.embeddings import get_embedder
from search.embedding import MODEL_NAME, Embedder, document_text, passage_key
from search.vectors import from_bytes, to_bytes

BATCH = 64


class PolicyItemVector(db.Model):
    """A policy item's passage vector (float32 bytes, search.vectors) and the hash of the text it encodes."""

    __tablename__ = "policy_item_vectors"

    item_id: Mapped[int] = mapped_column(sa.ForeignKey("policy_items.id", ondelete="CASCADE"), primary_key=True)
    model: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    text_hash: Mapped[str] = mapped_column(sa.String(40), nullable=False)  # passage_key(item_passage(item))
    vector: Mapped[bytes] = mapped_column(sa.LargeBinary, nullable=False)
    computed_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)


def item_passage(item: PolicyItem) -> str:
    """What an item's vector encodes: the 事项's title alone (申报事项 titles say what is supported:
    中小企业数字化改造补助, 稀土新材料企业研发投入后补助). Measured on the labelled demo pairs
    (tests/data/policy_related.tsv): title + benefit + policy title + 解读 ranks related pairs barely better than
    chance (ROC AUC 0.58 on the first 68 pairs; the 解读 is about who qualifies and how much, words every item
    shares), the title alone 0.70 (its 10 closest pairs 8 related); title + the 解读's first sentence 0.60,
    title + benefit type 0.65."""
    return document_text({"title": item.title})


def _load(ids: Iterable[int] | None) -> list[PolicyItem]:
    stmt = sa.select(PolicyItem).options(selectinload(PolicyItem.policy)).order_by(PolicyItem.id)
    if ids is not None:
        stmt = stmt.where(PolicyItem.id.in_(list(ids)))
    return list(db.session.scalars(stmt))


def _stored(ids: Iterable[int]) -> dict[int, PolicyItemVector]:
    wanted = list(ids)
    if not wanted:
        return {}
    rows = db.session.scalars(sa.select(PolicyItemVector).where(PolicyItemVector.item_id.in_(wanted)))
    return {row.item_id: row for row in rows}


def outdated_items(ids: Iterable[int] | None = None) -> list[tuple[PolicyItem, str]]:
    """(item, its passage text) of the items (optionally among `ids`) without a current vector, in id order."""
    items = _load(ids)
    stored = _stored(item.id for item in items)
    todo = []
    for item in items:
        text = item_passage(item)
        row = stored.get(item.id)
        if row is None or row.model != MODEL_NAME or row.text_hash != passage_key(text):
            todo.append((item, text))
    return todo


def embed_items(ids: Iterable[int] | None = None, limit: int | None = None, embedder: Embedder | None = None) -> int:
    """Compute the missing or outdated vectors (up to `limit`), flushed; how many. 0 without a model."""
    embedder = embedder or get_embedder()
    if not embedder.available():
        return 0
    todo = outdated_items(ids)[:limit]
    for start in range(0, len(todo), BATCH):
        batch = todo[start : start + BATCH]
        vectors = embedder.encode_passages([text for _, text in batch])
        stored, now = _stored(item.id for item, _ in batch), utcnow()
        for (item, text), vector in zip(batch, vectors, strict=True):
            row = stored.get(item.id) or PolicyItemVector(item_id=item.id)
            row.model, row.text_hash, row.vector, row.computed_at = MODEL_NAME, passage_key(text), to_bytes(vector), now
            db.session.add(row)
        db.session.flush()
    return len(todo)


def embed_outdated(limit: int) -> int:
    """The drain's follow-up (IndexSource.embed_outdated): vectors of up to `limit` changed items."""
    return embed_items(limit=limit)


def item_vectors(items: Iterable[PolicyItem]) -> dict[int, np.ndarray]:
    """item id → its current vector, for those of these items that have one (an outdated one is left out)."""
    items = list(items)
    stored = _stored(item.id for item in items)
    found = {}
    for item in items:
        row = stored.get(item.id)
        if row is not None and row.model == MODEL_NAME and row.text_hash == passage_key(item_passage(item)):
            found[item.id] = from_bytes(row.vector)
    return found


def searchable_vectors(_today: date) -> dict[int, bytes]:
    """item id → current vector bytes of the items of published policies (the search page's 惠企政策 tab,
    IndexSource.vectors); the page's own filters (window, facets) are applied by the index afterwards."""
    stmt = (
        sa.select(PolicyItem)
        .join(Policy)
        .where(Policy.status == PolicyStatus.PUBLISHED)
        .options(selectinload(PolicyItem.policy))
    )
    return {item_id: to_bytes(vector) for item_id, vector in item_vectors(db.session.scalars(stmt)).items()}
