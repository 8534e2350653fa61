"""What the matching tests share: publishing postings (a drain, then the recompute), reading stored matches."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from app.core.enums import PostingKind
from app.matching.jobs import drain_and_rematch
from app.matching.models import Match
from app.matching.services import run_matches
from app.postings.services import touch_posting
from tests.factories import PostingFactory

K = PostingKind
EVAL = Path(__file__).parents[1] / "data" / "eval"
OFFLINE_LEXICAL_NDCG = 0.875  # search/evaluate_offline.py on the same set
OFFLINE_HYBRID_NDCG = 0.928


def publish(db, *postings) -> None:
    """What the posting services do: a new version and an outbox row; then a drain indexes them."""
    for posting in postings:
        touch_posting(posting)
    db.session.commit()
    drain_and_rematch()


def run_all(db) -> None:
    for _ in run_matches():
        db.session.commit()


def targets_of(db, source, kind: PostingKind | None = None) -> list[int]:
    stmt = sa.select(Match.target_id).where(Match.source_id == source.id).order_by(Match.target_kind, Match.rank)
    if kind is not None:
        stmt = stmt.where(Match.target_kind == kind)
    return list(db.session.scalars(stmt))


def match_between(db, source, target) -> Match | None:
    return db.session.scalar(sa.select(Match).where(Match.source_id == source.id, Match.target_id == target.id))


def posting(kind: PostingKind, title: str, keywords: list[str], body: str, **kw):
    return PostingFactory(kind=kind, title=title, keywords=keywords, body=body, **kw)


MAGNET = dict(keywords=["钕铁硼", "永磁电机"], body="新能源汽车驱动电机用高矫顽力钕铁硼磁钢。")
WOOL = dict(keywords=["羊绒", "分梳"], body="山羊绒无损分梳与除杂，提高羊绒长度。")
