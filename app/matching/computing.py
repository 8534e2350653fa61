"""Computing and storing matches a batch of sources at a time: what a run, a forked worker and the
recompute after a drain all do for each batch. Flushes, never commits."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.core.enums import PostingKind
from app.core.models import utcnow
from app.extensions import db
from app.matching.context import MatchContext
from app.matching.models import Match, MatchState
from app.matching.scoring import Scored, score_source
from app.matching.targets import eligible_clause
from app.postings.models import Posting


def _mark_computed(sources: list[Posting], now: datetime) -> None:
    """Record the version each source's matches were computed for: one update and one insert."""
    ids = [source.id for source in sources]
    known = set(db.session.scalars(sa.select(MatchState.posting_id).where(MatchState.posting_id.in_(ids))))
    rows = [{"posting_id": s.id, "version": s.version, "computed_at": now} for s in sources]
    updates = [row for row in rows if row["posting_id"] in known]
    inserts = [row for row in rows if row["posting_id"] not in known]
    if updates:
        db.session.execute(sa.update(MatchState), updates)
    if inserts:
        db.session.execute(sa.insert(MatchState), inserts)


def store_matches(results: dict[int, dict[PostingKind, list[Scored]]]) -> None:
    """Replace each source's matches with its results, a whole batch of sources in one delete, one
    update and one insert (executemany). A pair that stays keeps its row (and id), updated in place,
    so feedback keeps its match."""
    if not results:
        return
    existing = {
        (source_id, target_id): match_id
        for match_id, source_id, target_id in db.session.execute(
            sa.select(Match.id, Match.source_id, Match.target_id).where(Match.source_id.in_(list(results)))
        )
    }
    updates, inserts = [], []
    for source_id, by_kind in results.items():
        now = utcnow()
        for kind, items in by_kind.items():
            for rank, item in enumerate(items, start=1):
                row = {
                    "target_kind": kind,
                    "rank": rank,
                    "score": round(item.score, 6),
                    "lexical_score": item.lexical,
                    "dense_score": item.dense,
                    "reasons": item.reasons,
                    "computed_at": now,
                }
                match_id = existing.pop((source_id, item.target.id), None)
                if match_id is None:
                    inserts.append(
                        {"source_id": source_id, "target_id": item.target.id, "first_matched_at": now, **row}
                    )
                else:
                    updates.append({"match_id": match_id, **row})
    if existing:
        db.session.execute(sa.delete(Match).where(Match.id.in_(list(existing.values()))))
    # Core statements on the table: executemany without the ORM's per-row bookkeeping.
    table = Match.__table__
    if updates:
        stmt = sa.update(table).where(table.c.id == sa.bindparam("match_id"))
        db.session.execute(stmt, updates)
    if inserts:
        db.session.execute(sa.insert(table), inserts)


def _forget(ids: list[int]) -> None:
    """Postings that are no longer published lose their matches, both as source and as target."""
    db.session.execute(sa.delete(Match).where(sa.or_(Match.source_id.in_(ids), Match.target_id.in_(ids))))


def compute_batch(sources: list[Posting], ctx: MatchContext) -> dict[int, dict[PostingKind, list[Scored]]]:
    """(Re)compute the matches of a batch of postings: source id → results by target kind. A posting
    that is not published (or expired) gets none. Written with a few statements per batch, one flush."""
    if not sources:
        return {}
    ids = [source.id for source in sources]
    eligible = set(db.session.scalars(sa.select(Posting.id).where(Posting.id.in_(ids), eligible_clause(ctx.today))))
    ctx.prefetch(pid for pid in ids if pid in eligible)
    results = {source.id: score_source(ctx, source) for source in sources if source.id in eligible}
    store_matches(results)
    gone = [pid for pid in ids if pid not in eligible]
    if gone:
        _forget(gone)
    _mark_computed(sources, utcnow())
    db.session.flush()
    return results


def compute_matches(source: Posting, ctx: MatchContext) -> dict[PostingKind, list[Scored]]:
    """(Re)compute one posting's matches (compute_batch of one)."""
    return compute_batch([source], ctx).get(source.id, {})


def load_sources(ids: Iterable[int]) -> list[Posting]:
    stmt = (
        sa.select(Posting)
        .where(Posting.id.in_(list(ids)))
        .options(selectinload(Posting.org))
        .order_by(Posting.id)
        .execution_options(populate_existing=True)
    )
    return list(db.session.scalars(stmt))
