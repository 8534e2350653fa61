"""What the drain, the reindex and the status read from the database, per outbox entity type.

The search layer indexes postings itself (POSTINGS below). A package above it that publishes something
searchable (policies: app/policies/indexing.py) registers an IndexSource in create_app with
`register_source`: this layer never imports it. Each source names its outbox `entity_type`, the index
kinds its documents go to, how to load its rows as they are NOW (ids missing from the answer were
deleted), how to turn one into a search document, and how to count and stream them for a rebuild.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app

from app.core.enums import PostingKind
from app.extensions import db
from app.postings.models import Posting
from app.search.documents import (
    count_postings,
    iter_documents,
    load_postings,
    posting_document,
    searchable_clause,
    with_vectors,
)
from search.documents import clean_document


@dataclass(frozen=True)
class IndexKind:
    """An index kind that is not a PostingKind (same .value / .label shape, for the CLI and status)."""

    value: str
    label: str


@dataclass(frozen=True)
class IndexSource:
    entity_type: str  # SearchOutbox.entity_type
    kinds: tuple  # PostingKind members or IndexKind: where the documents go
    load: Callable[[Iterable[int]], dict[int, Any]]
    document: Callable[[Any, date], dict]
    count: Callable[[Any], int]  # rows of one kind in the database (reindex progress)
    iter_documents: Callable[[Any, date], Iterator[dict]]
    db_counts: Callable[[date], dict[Any, tuple[int, int]]]  # kind → (all rows, searchable rows)
    with_vectors: Callable[[list[dict]], list[dict]] = field(default=lambda docs: docs)
    # The drain's follow-up after postings' vectors: vectors of up to N changed rows of this source (flushed).
    embed_outdated: Callable[[int], int] | None = None
    # id → current vector bytes of the searchable rows on a day (the search page's semantic side, semantic.py).
    vectors: Callable[[date], dict[int, bytes]] | None = None

    def documents(self, ids: Iterable[int], today: date) -> tuple[list[dict], dict[int, str], set[int]]:
        """(the documents of these ids as they are now, id → why a document is invalid, ids deleted)."""
        wanted = set(ids)
        found = self.load(wanted)
        docs, broken = [], {}
        for entity_id, obj in found.items():
            doc = self.document(obj, today)
            try:
                clean_document(doc)
            except ValueError as exc:
                broken[entity_id] = f"文档无效: {exc}"
                continue
            docs.append(doc)
        return self.with_vectors(docs), broken, wanted - found.keys()


def _posting_counts(today: date) -> dict[PostingKind, tuple[int, int]]:
    rows = db.session.execute(
        sa.select(Posting.kind, sa.func.count(), sa.func.count().filter(searchable_clause(today))).group_by(
            Posting.kind
        )
    ).all()
    return {kind: (total, live) for kind, total, live in rows}


POSTINGS = IndexSource(
    entity_type="posting",
    kinds=tuple(PostingKind),
    load=load_postings,
    document=posting_document,
    count=count_postings,
    iter_documents=iter_documents,
    db_counts=_posting_counts,
    with_vectors=with_vectors,
)


def init_sources(app: Flask) -> None:
    app.extensions["search_sources"] = {POSTINGS.entity_type: POSTINGS}


def register_source(app: Flask, source: IndexSource) -> None:
    """Index another entity type through the outbox (called by the package that owns it, in create_app)."""
    app.extensions["search_sources"][source.entity_type] = source


def sources() -> dict[str, IndexSource]:
    return current_app.extensions["search_sources"]


def source_of_kind(kind_value: str) -> IndexSource | None:
    return next((s for s in sources().values() if any(k.value == kind_value for k in s.kinds)), None)


def all_kinds() -> list:
    return [kind for source in sources().values() for kind in source.kinds]
