"""What the matching tests share: publishing postings (a drain, then the recompute), reading stored matches."""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa

from app.core.enums import PostingKind
from app.matching.jobs import drain_and_rematch
from app.matching.models import Match
from app.matching.reasons import render_reasons
from app.matching.services import run_matches
from app.postings.services import touch_posting
from search.fusion import semantic_reason
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


def import_eval(runner) -> None:
    """The labelled set (tests/data/eval) imported, published and indexed."""
    result = runner.invoke(args=["catalog", "import", str(EVAL / "corpus.jsonl"), "--publish", "--verified"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["search", "drain"]).exit_code == 0


def semantic_said(reasons: dict, cosine: float | None) -> bool:
    """Whether the rendered reasons say the pair is close in meaning; checks they say it in words, never
    a figure, and exactly when the pair's cosine reaches the cutoff."""
    lines = [line for line in render_reasons(reasons) if "语义" in line]
    assert not any(re.search(r"\d", line) for line in lines), lines
    expected = semantic_reason(cosine)
    assert lines == ([expected] if expected else []), (cosine, lines)
    return bool(lines)


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
