"""Scoring one source posting against the postings it may be matched with: the single function used
by `flask matching run` and by the recompute after a drain.

Directions: need → achievement and capability (SMEs as solution providers), achievement → need,
procurement → capability, capability → procurement. Matches are kept per (source, target kind).

Score, for each candidate target:
1. Candidates. Lexical: the search backend (engine, or the embedded fallback) asked with the source's
   title + keywords + body through the shared query builder (multi_match only, any-term semantics),
   top 50 of the target kind. Dense, when vectors exist: cosine top 50 from the engine's vector search
   where it has one (backend.supports_vectors; the engine filters published, open deadline, kind and
   the excluded organisations and 集团 during its HNSW walk), otherwise from a VectorStore (numpy) of the
   targets' stored vectors; plus the cosine of every lexical candidate. Only published postings with an
   open deadline (checked in the database, not trusted from the index) of another organisation outside
   the source's 集团 are candidates — every side's list is post-filtered against that set — and pairs
   marked 不相关 never come back.
2. Fusion: the union of both lists with each candidate's raw lexical score and cosine (search/fusion.py).
3. Relevance: the ranking model orders the list (calibration.py: the cosine, the cosine with the list's
   anchor — its closest candidate, anchor_of — and a little of the lexical score relative to the list);
   the label model gives the calibrated probability that the candidate is relevant (the cosine, the
   coverage, the industry), stored as the score. Both are fitted on the tuning half of the hard labelled
   set. Field signals, also shown as reasons:
   - same industry 大类 (same_division), else same 门类 (same_section);
   - TRL (achievement ↔ need): a need with a budget wants something ready to deploy (trl_ready TRL ≥ 6,
     trl_early TRL ≤ 4); a need without a budget is open to joint development (trl_joint TRL ≥ 4);
   - region (procurement ↔ capability): same 盟市 (same_city), both inside the 自治区 (same_province);
   - shown only, not weighed: the tier of a capability target, freshness, an open deadline.
4. Feedback on the same source (services.record_feedback): a 不相关 pair is excluded; each 不相关 on a
   target of organisation X multiplies the relevance of X's candidates by 0.7 (已有合作方: X is excluded outright);
   and by reason: 领域不符 −0.10 for candidates in the rejected target's 大类, 技术成熟度不够 −0.10 for
   candidates with a TRL no higher, 地域不便 −0.10 for candidates in its 盟市, 预算不符 −0.10 for needs
   whose budget is no higher.
5. Keep the top MATCH_TOP_N per target kind whose score ≥ MATCH_MIN_SCORE; pages show those at or above
   calibration.FLOOR, labelled 高 / 较高 / 一般.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from app.core.enums import PostingKind
from app.matching.calibration import (
    ListStats,
    anchor_of,
    coverage,
    features,
    monotone,
    ranking_score,
    relevance,
)
from app.matching.context import MatchContext
from app.matching.feedback import Rejection, excluded_orgs, feedback_adjustment
from app.matching.reasons import build_reasons, pick_terms, source_terms
from app.matching.signals import pair_signals
from app.matching.targets import Target
from app.postings.models import Posting
from app.search.embeddings import store_of
from search.fusion import FusedHit, fuse
from search.query import Filters, SearchRequest
from search.vectors import from_bytes

log = logging.getLogger(__name__)

K = PostingKind
DIRECTIONS: dict[PostingKind, tuple[PostingKind, ...]] = {
    K.NEED: (K.ACHIEVEMENT, K.CAPABILITY),
    K.ACHIEVEMENT: (K.NEED,),
    K.PROCUREMENT: (K.CAPABILITY,),
    K.CAPABILITY: (K.PROCUREMENT,),
}
CANDIDATES = 50  # per side before fusion (the query builder's page limit)


@dataclass
class Scored:
    target: Target
    score: float  # the calibrated probability shown as the label (monotone down the list)
    lexical: float | None
    dense: float | None
    reasons: dict
    order: float = 0.0  # the ranking model's score: what the list is sorted by


# --- candidates --------------------------------------------------------------------------------------


def lexical_text(posting: Posting) -> str:
    return " ".join([posting.title, *(posting.keywords or []), posting.body or ""])


def _lexical(ctx: MatchContext, source: Posting, kind: PostingKind) -> list[tuple[int, float]]:
    group_id = source.org.group_id if source.org is not None else None
    request = SearchRequest(
        text=lexical_text(source),
        kinds=(kind.value,),
        per_page=CANDIDATES,
        exclude_org_ids=(source.org_id,),
        exclude_group_ids=(group_id,) if group_id else (),
        today=ctx.today,
        facets=False,
        highlight=False,
    )
    result, _ = ctx.service.read(lambda backend: backend.execute(backend.plan(request).candidates()))
    return [(hit.id, hit.score) for hit in result.hits]


def _engine_dense(
    ctx: MatchContext, source: Posting, kind: PostingKind, vector: bytes, allowed: set[int], orgs: set[int]
) -> list[tuple[int, float]] | None:
    """The engine's nearest targets, or None when it has no vector search (or just failed)."""
    if not ctx.engine_vectors:
        return None
    group_id = source.org.group_id if source.org is not None else None
    filters = Filters(
        kinds=(kind.value,),
        today=ctx.today,
        exclude_org_ids=(source.org_id, *sorted(orgs)),
        exclude_group_ids=(group_id,) if group_id else (),
    )
    # Twice as many: the engine cannot know the targets excluded one by one (不相关 feedback), nor the
    # database's changes it has not received yet; the list is checked against `allowed` below.
    try:
        found = ctx.service.primary.vector_search(kind.value, from_bytes(vector), 2 * CANDIDATES, filters)
    except Exception:  # noqa: BLE001 - numpy still answers
        log.warning("vector search on %s failed; using the numpy store", ctx.service.primary.name, exc_info=True)
        ctx._engine_vectors = False
        return None
    return [(pid, cosine) for pid, cosine in found if pid in allowed][:CANDIDATES]


def _dense(
    ctx: MatchContext, source: Posting, kind: PostingKind, allowed: set[int], lexical_ids: list[int], orgs: set[int]
) -> list[tuple[int, float]]:
    if not ctx.dense or not allowed:
        return []
    vector = ctx.source_vector(source)
    if vector is None:
        return []
    top = _engine_dense(ctx, source, kind, vector, allowed, orgs)
    in_numpy = top is None
    if in_numpy:
        top = ctx.store().search(kind.value, vector, CANDIDATES, allowed=allowed)
    found = {doc_id for doc_id, _ in top}
    rest = [i for i in lexical_ids if i not in found]
    # The cosines of the lexical candidates the dense side missed; the engine path never loads the
    # whole matrix, only these candidates' stored vectors.
    store = ctx.store() if in_numpy else store_of(kind.value, rest)
    extra = store.similarities(kind.value, vector, rest)
    return top + sorted(extra.items(), key=lambda item: (-item[1], item[0]))


def _anchored(ctx: MatchContext, kind: PostingKind, dense: list[tuple[int, float]]) -> dict[int, float]:
    """Each dense candidate's cosine with the list's anchor (calibration.anchor_of), from the candidates'
    stored vectors: the numpy store when it searched, else just these candidates' vectors."""
    anchor = anchor_of(dict(dense))
    if anchor is None:
        return {}
    ids = [pid for pid, _ in dense]
    store = store_of(kind.value, ids) if ctx.engine_vectors else ctx.store()
    vector = store.vector(kind.value, anchor)
    return store.similarities(kind.value, vector, ids) if vector is not None else {}


def _allowed(ctx: MatchContext, source: Posting, kind: PostingKind, excluded: set[int], orgs: set[int]) -> set[int]:
    """The pool less the source itself, the postings of its organisation, of its 集团 and of the
    organisations excluded by feedback, and the targets marked 不相关."""
    ids, by_org, by_group = ctx.owners(kind)
    group_id = source.org.group_id if source.org is not None else None
    drop = {source.id, *excluded}
    for org_id in (source.org_id, *orgs):
        drop |= by_org.get(org_id, set())
    if group_id is not None:
        drop |= by_group.get(group_id, set())
    return ids - drop


def _scored(
    ctx: MatchContext,
    source: Posting,
    hits: list[FusedHit],
    rejections: list[Rejection],
    anchored: dict[int, float],
) -> list[Scored]:
    """Each candidate's calibrated relevance (calibration.py), lowered by the source's feedback; those
    under MATCH_MIN_SCORE are dropped (the display floor is calibration.FLOOR, applied when shown).
    `anchored`: the dense candidates' cosines with the list's anchor (none without vectors)."""
    hybrid = any(h.dense is not None for h in hits)
    targets = ctx.targets([hit.id for hit in hits])
    stats = ListStats.of(
        [h.lexical for h in hits if h.lexical is not None],
        [h.dense for h in hits if h.dense is not None],
        list(anchored.values()),
    )
    analyzer = ctx.service.primary.analyzer
    source_tokens = ctx.tokens(analyzer, source)
    scored = []
    for hit in hits:
        target = targets.get(hit.id)
        if target is None:
            continue
        signals = pair_signals(source, target) + ctx.target_signals(target)
        cover = coverage(source_tokens, ctx.tokens(analyzer, target))
        weights = {s.code: s.weight for s in signals}
        values = features(hit.lexical, hit.dense, weights, stats, cover, anchored.get(hit.id))
        multiplier, penalty, notes = feedback_adjustment(target, rejections)
        order = ranking_score(values, hybrid) * multiplier - penalty
        score = relevance(values, hybrid) * multiplier - penalty
        if score < ctx.floor:
            continue
        extra = {"signals": signals, "notes": notes}
        scored.append(Scored(target, score, hit.lexical, hit.dense, extra, order))
    scored.sort(key=lambda s: (-s.order, s.target.id))
    for item, probability in zip(scored, monotone([s.score for s in scored]), strict=True):
        item.score = probability
    return scored


def score_source(ctx: MatchContext, source: Posting) -> dict[PostingKind, list[Scored]]:
    """The best targets of each kind for one published source, best first (see the module doc)."""
    results: dict[PostingKind, list[Scored]] = {}
    rejections = ctx.rejections(source)
    excluded = {r.target_id for r in rejections}
    orgs = excluded_orgs(rejections)
    analyzer = ctx.service.primary.analyzer
    terms = None
    for kind in DIRECTIONS.get(source.kind, ()):
        allowed = _allowed(ctx, source, kind, excluded, orgs)
        if not allowed:  # nothing to find: no query (each side's list is filtered by `allowed`)
            results[kind] = []
            continue
        lexical = [(pid, score) for pid, score in _lexical(ctx, source, kind) if pid in allowed]
        dense = _dense(ctx, source, kind, allowed, [pid for pid, _ in lexical], orgs)
        hits = fuse(lexical, dense, alpha=ctx.alpha if dense else 0.0)
        scored = _scored(ctx, source, hits, rejections, _anchored(ctx, kind, dense))
        scored = scored[: ctx.top_n]
        if scored and terms is None:  # the source's side of the reasons, once for all its targets
            terms = source_terms(analyzer, ctx.tokens(analyzer, source))
        for item in scored:
            extra = item.reasons
            item.reasons = build_reasons(
                pick_terms(terms, ctx.fields(analyzer, item.target)), extra["signals"], item.dense, extra["notes"]
            )
        results[kind] = scored
    return results
