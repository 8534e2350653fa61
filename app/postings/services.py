"""Posting rules: create, edit, submit, moderate, close, expire. Services flush, never commit."""

from __future__ import annotations

import sqlalchemy as sa

from app.core.enums import PostingKind, PostingStatus
from app.extensions import db
from app.postings.models import Posting


def public_postings():
    return sa.select(Posting).where(Posting.status == PostingStatus.PUBLISHED)


def home_summary() -> dict:
    counts = dict(
        db.session.execute(
            sa.select(Posting.kind, sa.func.count())
            .where(Posting.status == PostingStatus.PUBLISHED)
            .group_by(Posting.kind)
        ).all()
    )
    latest = {
        kind: db.session.scalars(
            public_postings().where(Posting.kind == kind).order_by(Posting.published_at.desc()).limit(5)
        ).all()
        for kind in PostingKind
    }
    return {"counts": {k: counts.get(k, 0) for k in PostingKind}, "latest": latest}
