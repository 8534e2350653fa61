"""Match rules: compute and store matches, keep them current after changes, record feedback, and read
them for owners, exports and evaluation. Services flush, never commit; the CLI or view commits."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.core.clock import local_today
from app.core.enums import FeedbackReason, MatchVerdict, PostingKind, PostingStatus
from app.core.errors import NotFound, ValidationFailed
from app.core.models import utcnow
from app.extensions import db
from app.matching.embeddings import embed_batches
from app.matching.models import Match, MatchFeedback, MatchState
from app.matching.parallel import can_fork, run_parallel
from app.matching.scoring import DIRECTIONS, MatchContext, Scored, eligible_clause, score_source
from app.postings.models import Posting
from app.postings.services import is_owner

RUN_BATCH = 50
NOTE_MAX = 500
# The benchmark's directions (`flask matching export` / `evaluate`).
BENCHMARK = ((PostingKind.NEED, PostingKind.ACHIEVEMENT), (PostingKind.PROCUREMENT, PostingKind.CAPABILITY))


# --- computing ---------------------------------------------------------------------------------------


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


def _sources_stmt(today: date):
    return sa.select(Posting.id).where(eligible_clause(today), Posting.kind.in_(list(DIRECTIONS))).order_by(Posting.id)


def count_sources(today: date | None = None) -> int:
    stmt = _sources_stmt(today or local_today()).subquery()
    return db.session.scalar(sa.select(sa.func.count()).select_from(stmt)) or 0


def count_uncomputed_sources(today: date | None = None) -> int:
    """Published sources whose matches were never computed (no MatchState row)."""
    stmt = _sources_stmt(today or local_today()).where(Posting.id.not_in(sa.select(MatchState.posting_id)))
    return db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0


def run_matches(today: date | None = None, batch_size: int = RUN_BATCH, workers: int = 1) -> Iterator[int]:
    """Recompute every published source, yielding after each flushed batch (the CLI commits there).

    Postings that are no longer published keep no stale matches: rows pointing at them are removed first.
    With workers > 1 (and where app.matching.parallel.can_fork) the batches are computed and committed
    by that many forked processes, after this session commits the removal; the results are the same.
    """
    today = today or local_today()
    live = sa.select(Posting.id).where(eligible_clause(today))
    db.session.execute(sa.delete(Match).where(sa.or_(Match.source_id.not_in(live), Match.target_id.not_in(live))))
    ids = list(db.session.scalars(_sources_stmt(today)))
    batches = [ids[start : start + batch_size] for start in range(0, len(ids), batch_size)]
    if workers > 1 and len(batches) > 1 and can_fork():
        yield from run_parallel(batches, today, min(workers, len(batches)))
        return
    ctx = MatchContext.from_config(today)
    for batch in batches:
        compute_batch(load_sources(batch), ctx)
        yield len(batch)


def load_sources(ids: Iterable[int]) -> list[Posting]:
    stmt = (
        sa.select(Posting)
        .where(Posting.id.in_(list(ids)))
        .options(selectinload(Posting.org))
        .order_by(Posting.id)
        .execution_options(populate_existing=True)
    )
    return list(db.session.scalars(stmt))


def stale_ids(limit: int) -> list[int]:
    """Postings changed since their matches were computed (or never computed), oldest id first."""
    stmt = (
        sa.select(Posting.id)
        .outerjoin(MatchState, MatchState.posting_id == Posting.id)
        .where(sa.or_(MatchState.posting_id.is_(None), MatchState.version != Posting.version))
        .order_by(Posting.id)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def embed_changed(limit: int) -> int:
    """Vectors for the postings changed since their matches were computed (bounded by `limit`)."""
    return sum(embed_batches(stale_ids(limit)))


def refresh_changed(limit: int, today: date | None = None) -> int:
    """After a drain: recompute the matches of changed postings, bounded by `limit` sources.

    For each changed posting: its vector (if the model is on), its own matches (or their removal when
    it is no longer published), and then — within the bound — the sources that had it as a target and
    the counterparts it now matches, so either side's change shows on both. The rest waits for the
    next drain or `flask matching run`. Returns the number of sources recomputed.
    """
    changed = stale_ids(limit)
    if not changed:
        return 0
    for _ in embed_batches(changed):
        pass
    ctx = MatchContext.from_config(today or local_today())
    done: set[int] = set()
    affected: dict[int, None] = {}
    for source in load_sources(changed):
        pointing = db.session.scalars(sa.select(Match.source_id).where(Match.target_id == source.id))
        affected.update(dict.fromkeys(pointing))
        results = compute_matches(source, ctx)
        targets = (item.target for items in results.values() for item in items)
        affected.update(dict.fromkeys(t.id for t in targets if t.kind in DIRECTIONS))
        done.add(source.id)
    room = [pid for pid in affected if pid not in done][: max(0, limit - len(done))]
    compute_batch(load_sources(room), ctx)
    db.session.flush()
    return len(done) + len(room)


# --- feedback ----------------------------------------------------------------------------------------


def get_own_match(match_id: int, user) -> Match:
    """A match of one of the user's organisation's postings; anything else is a 404."""
    match = db.session.get(Match, match_id)
    if match is None or not is_owner(user, match.source):
        raise NotFound()
    return match


def record_feedback(match: Match, user, verdict: str, reason: str | None, note: str | None = None) -> MatchFeedback:
    """Store a verdict on a match. 不相关 needs a reason from the list; it removes the pair at once and
    steers later recomputes of this source (see app/matching/scoring.py, step 4)."""
    if not is_owner(user, match.source):
        raise NotFound()
    chosen = MatchVerdict.from_any(verdict)
    if chosen is None:
        raise ValidationFailed("请选择“感兴趣”或“不相关”", errors={"verdict": "请选择“感兴趣”或“不相关”"})
    why = FeedbackReason.from_any(reason) if reason else None
    if reason and why is None:
        raise ValidationFailed("请从列表中选择原因", errors={"reason": "请从列表中选择原因"})
    if chosen == MatchVerdict.IRRELEVANT and why is None:
        raise ValidationFailed("请选择不相关的原因", errors={"reason": "请选择不相关的原因"})
    note = (note or "").strip()[:NOTE_MAX] or None
    feedback = MatchFeedback(
        match_id=match.id,
        source_id=match.source_id,
        target_id=match.target_id,
        user_id=user.id,
        org_id=match.source.org_id,
        verdict=chosen,
        reason=why,
        note=note,
    )
    db.session.add(feedback)
    if chosen == MatchVerdict.IRRELEVANT:
        feedback.match_id = None
        db.session.delete(match)
    db.session.flush()
    return feedback


# --- reading -----------------------------------------------------------------------------------------


def verdicts_for(match_ids: Iterable[int]) -> dict[int, MatchFeedback]:
    """The latest verdict on each match."""
    ids = list(match_ids)
    if not ids:
        return {}
    rows = db.session.scalars(
        sa.select(MatchFeedback).where(MatchFeedback.match_id.in_(ids)).order_by(MatchFeedback.at, MatchFeedback.id)
    )
    return {f.match_id: f for f in rows}


def matches_for_posting(posting: Posting, per_kind: int = 5) -> list[Match]:
    """The best matches of one source, per target kind, targets still live."""
    stmt = (
        sa.select(Match)
        .join(Posting, Posting.id == Match.target_id)
        .where(Match.source_id == posting.id, Match.rank <= per_kind, eligible_clause(local_today()))
        .options(selectinload(Match.target).selectinload(Posting.org))
        .order_by(Match.target_kind, Match.rank)
    )
    return list(db.session.scalars(stmt))


def org_matches_query(org_id: int, best_first: bool = False):
    """Matches across an organisation's postings (targets still live): per source, newest sources
    first, each source's matches by rank; or, with best_first, by score alone."""
    source, target = sa.orm.aliased(Posting), sa.orm.aliased(Posting)
    today = local_today()
    stmt = (
        sa.select(Match)
        .join(source, source.id == Match.source_id)
        .join(target, target.id == Match.target_id)
        .where(
            source.org_id == org_id,
            target.status == PostingStatus.PUBLISHED,
            sa.or_(target.deadline.is_(None), target.deadline >= today),
        )
        .options(selectinload(Match.source), selectinload(Match.target).selectinload(Posting.org))
    )
    if best_first:
        return stmt.order_by(Match.score.desc(), Match.id)
    return stmt.order_by(source.published_at.desc(), source.id.desc(), Match.target_kind, Match.rank)


def _ref(posting_ref: str | None, posting_id: int) -> str:
    return posting_ref or f"posting:{posting_id}"


def benchmark_rows(top: int = 20) -> Iterator[dict]:
    """One row per match of the benchmark's directions, ranked, by the records' ref."""
    source = sa.orm.aliased(Posting)
    target = sa.orm.aliased(Posting)
    for source_kind, target_kind in BENCHMARK:
        stmt = (
            sa.select(Match, source.ref, target.ref)
            .join(source, source.id == Match.source_id)
            .join(target, target.id == Match.target_id)
            .where(source.kind == source_kind, Match.target_kind == target_kind, Match.rank <= top)
            .order_by(source.ref, source.id, Match.rank)
        )
        for match, source_ref, target_ref in db.session.execute(stmt):
            yield {
                "source_ref": _ref(source_ref, match.source_id),
                "target_ref": _ref(target_ref, match.target_id),
                "rank": match.rank,
                "score": round(match.score, 4),
                "reasons": match.reasons,
            }


def current_run(top: int = 20) -> dict[str, list[str]]:
    """The stored matches as an evaluation run: {source_ref: [target_ref by rank]}."""
    run: dict[str, list[str]] = {}
    for row in benchmark_rows(top):
        run.setdefault(row["source_ref"], []).append(row["target_ref"])
    return run
