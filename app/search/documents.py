"""Posting → the plain search document (search.documents.PostingDocument) that search/ indexes.

Every posting is indexed whatever its status: the status travels in the document and only
"published" (with an open deadline) is searchable, so a late, older update of a withdrawn posting
is rejected by versioning instead of bringing the posting back. A posting's current vector, when
it has one, travels in the document too (`with_vectors`), for engines that search vectors.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.core.enums import PostingKind, PostingStatus
from app.extensions import db
from app.organizations.models import Organization
from app.postings.models import Posting
from app.search.models import PostingVector
from search.embedding import MODEL_NAME
from search.vectors import from_bytes

_INDUSTRY = re.compile(r"^[A-T](\d{2})?$")
STREAM_BATCH = 500


def posting_document(posting: Posting, today: date | None = None) -> dict:
    """The search document for one posting: text, filters, facets, owner org and its group."""
    org = posting.org
    tier = posting.tier or (org.current_tier(today) if org is not None else None)
    industry = (posting.industry or "").strip().upper()
    return {
        "id": posting.id,
        "kind": posting.kind.value,
        "version": posting.version,
        "status": posting.status.value,
        "title": posting.title,
        "body": posting.body or "",
        "keywords": list(posting.keywords or []),
        "industry": industry if _INDUSTRY.match(industry) else None,
        "region": posting.region,
        "trl": posting.trl,
        "cooperation": [mode.value for mode in posting.cooperation],
        "tier": tier.value if tier else None,
        "deadline": posting.deadline,
        "published_at": posting.published_at,
        "org_id": posting.org_id,
        "group_id": org.group_id if org is not None else None,
        "challenge": bool(posting.challenge),
        "budget_wan": posting.budget_wan,
    }


def searchable_clause(today: date) -> sa.ColumnElement:
    """Published with an open deadline: what search and matching may show."""
    return sa.and_(
        Posting.status == PostingStatus.PUBLISHED, sa.or_(Posting.deadline.is_(None), Posting.deadline >= today)
    )


def current_vector_clause() -> sa.ColumnElement:
    """Join condition: the posting's vector is from its current version and the current model."""
    return sa.and_(
        PostingVector.posting_id == Posting.id,
        PostingVector.version == Posting.version,
        PostingVector.model == MODEL_NAME,
    )


def current_vectors(ids: Iterable[int]) -> dict[int, bytes]:
    """id → stored vector bytes, for those of the given postings whose vector is current."""
    wanted = list(ids)
    if not wanted:
        return {}
    rows = db.session.execute(
        sa.select(Posting.id, PostingVector.vector)
        .join(PostingVector, current_vector_clause())
        .where(Posting.id.in_(wanted))
    )
    return {posting_id: vector for posting_id, vector in rows}


def with_vectors(docs: list[dict]) -> list[dict]:
    """The documents, each carrying its posting's current vector (as floats) when there is one."""
    vectors = current_vectors(doc["id"] for doc in docs)
    for doc in docs:
        if doc["id"] in vectors:
            doc["vector"] = from_bytes(vectors[doc["id"]]).tolist()
    return docs


def _with_relations(stmt):
    return stmt.options(selectinload(Posting.modes), selectinload(Posting.org).selectinload(Organization.tiers))


def load_postings(ids) -> dict[int, Posting]:
    """Current state of the given postings (missing ids were deleted), relations loaded in bulk."""
    if not ids:
        return {}
    stmt = _with_relations(sa.select(Posting).where(Posting.id.in_(list(ids))))
    return {p.id: p for p in db.session.scalars(stmt.execution_options(populate_existing=True))}


def count_postings(kind: PostingKind) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Posting).where(Posting.kind == kind)) or 0


def iter_documents(kind: PostingKind, today: date | None = None) -> Iterator[dict]:
    """Every posting of a kind as documents with their vectors, read in id order a batch at a time
    (for reindex)."""
    last_id = 0
    while True:
        stmt = _with_relations(
            sa.select(Posting)
            .where(Posting.kind == kind, Posting.id > last_id)
            .order_by(Posting.id)
            .limit(STREAM_BATCH)
        )
        batch = db.session.scalars(stmt).all()
        if not batch:
            return
        yield from with_vectors([posting_document(posting, today) for posting in batch])
        last_id = batch[-1].id
