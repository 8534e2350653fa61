"""Posting vectors: computed in batches in the background (`flask matching embed`, the drain's
follow-up in CLI/job processes), never inside a web request, and stored beside the posting.

Only published postings get vectors: nothing else is ever a match source or target. A vector is
outdated when it was computed from an older posting version or by another model. With a search
engine configured, each new vector also gets an outbox row, so the drain pushes the posting's
document again, now carrying the vector (engines with vector search index it; others drop it).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator

import sqlalchemy as sa
from flask import current_app

from app.core.enums import PostingKind, PostingStatus
from app.core.models import utcnow
from app.core.outbox import enqueue_index
from app.extensions import db
from app.postings.models import Posting
from app.search.documents import current_vector_clause, current_vectors, load_postings, posting_document
from app.search.models import PostingVector
from search.embedding import MODEL_NAME, Embedder, create_embedder, document_text
from search.vectors import VectorStore, to_bytes

EMBED_BATCH = 64


def get_embedder() -> Embedder:
    """The app's embedder (one per app; the model itself is shared by the process)."""
    app = current_app._get_current_object()
    if "embedder" not in app.extensions:
        precomputed = [path for path in str(app.config.get("EMBEDDING_PRECOMPUTED") or "").split(os.pathsep) if path]
        app.extensions["embedder"] = create_embedder(bool(app.config.get("EMBEDDINGS", True)), precomputed)
    return app.extensions["embedder"]


def _announce(postings: list[Posting]) -> None:
    """Queue the postings for the drain, whose documents now carry their new vectors; not needed
    when the embedded index is the only one (the app searches vectors with numpy then)."""
    if current_app.extensions["search"].fallback is None:
        return
    for posting in postings:
        enqueue_index("posting", posting.id, posting.version)


def outdated_ids(ids: Iterable[int] | None = None, limit: int | None = None) -> list[int]:
    """Published postings without a current vector (optionally among `ids`), in id order."""
    stmt = (
        sa.select(Posting.id)
        .outerjoin(PostingVector, current_vector_clause())
        .where(Posting.status == PostingStatus.PUBLISHED, PostingVector.posting_id.is_(None))
        .order_by(Posting.id)
    )
    if ids is not None:
        stmt = stmt.where(Posting.id.in_(list(ids)))
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(db.session.scalars(stmt))


def embed_batches(
    ids: Iterable[int] | None = None, batch_size: int = EMBED_BATCH, embedder: Embedder | None = None
) -> Iterator[int]:
    """Compute missing/outdated vectors a batch at a time, yielding each batch's size after a flush
    (the caller commits per batch). Yields nothing when the model is unavailable."""
    embedder = embedder or get_embedder()
    if not embedder.available():
        return
    todo = outdated_ids(ids)
    for start in range(0, len(todo), batch_size):
        postings = list(load_postings(todo[start : start + batch_size]).values())
        vectors = embedder.encode_documents([posting_document(p) for p in postings])
        existing = {
            v.posting_id: v
            for v in db.session.scalars(
                sa.select(PostingVector).where(PostingVector.posting_id.in_([p.id for p in postings]))
            )
        }
        now = utcnow()
        for posting, vector in zip(postings, vectors, strict=True):
            row = existing.get(posting.id) or PostingVector(posting_id=posting.id)
            row.model, row.version, row.vector, row.computed_at = MODEL_NAME, posting.version, to_bytes(vector), now
            db.session.add(row)
        _announce(postings)
        db.session.flush()
        yield len(postings)


def published_passages() -> Iterator[tuple[str, bytes]]:
    """(the text each published posting's current vector encodes, the vector), for `export-vectors`."""
    rows = db.session.execute(
        sa.select(Posting.id, PostingVector.vector)
        .join(PostingVector, current_vector_clause())
        .where(Posting.status == PostingStatus.PUBLISHED)
        .order_by(Posting.id)
    ).all()
    postings = load_postings([pid for pid, _ in rows])
    for pid, vector in rows:
        yield document_text(posting_document(postings[pid])), vector


def embed_outdated(limit: int) -> int:
    """Vectors for up to `limit` published postings whose vector is missing or outdated (flushes)."""
    return sum(embed_batches(outdated_ids(limit=limit)))


def load_store(kinds: Iterable[PostingKind], eligible: sa.ColumnElement) -> VectorStore:
    """A VectorStore of the current vectors of the postings matching `eligible`, per kind."""
    store = VectorStore()
    for kind in kinds:
        rows = db.session.execute(
            sa.select(Posting.id, PostingVector.vector)
            .join(PostingVector, current_vector_clause())
            .where(Posting.kind == kind, eligible)
        ).all()
        store.load(kind.value, rows)
    return store


def store_of(kind: str, ids: Iterable[int]) -> VectorStore:
    """A VectorStore of just these postings' current vectors (a few candidates, not a whole kind)."""
    store = VectorStore()
    store.load(kind, current_vectors(ids).items())
    return store
