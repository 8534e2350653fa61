"""What a match may point at: the postings eligible as sources and targets, and a target's plain data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa

from app.core.enums import PostingKind, Tier
from app.search.documents import searchable_clause


@dataclass(slots=True)
class Target:
    """A target posting's plain data, read once per run (MatchContext.targets) instead of reloading
    50–100 ORM postings per source: what the field signals, the feedback and the reasons read.
    `tier` is the effective one: the posting's own, else its organisation's current tier."""

    id: int
    kind: PostingKind
    org_id: int
    industry: str | None
    region: str | None
    trl: int | None
    budget_wan: Decimal | None
    tier: Tier | None
    published_at: datetime | None
    deadline: date | None
    title: str
    keywords: list
    body: str | None


def eligible_clause(today: date) -> sa.ColumnElement:
    """Published with an open deadline: the only postings that are sources or targets (as in search)."""
    return searchable_clause(today)
