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
2. Fusion: weighted min-max fusion (search/fusion.py), alpha = MATCH_FUSION_ALPHA (dense weight).
3. Field signals, added to the fused score in [0, 1]:
   - same industry 大类 +0.10; otherwise same 门类 +0.04;
   - TRL (achievement ↔ need): a need with a budget wants something ready to deploy, so TRL ≥ 6 +0.05
     and TRL ≤ 4 −0.05; a need without a budget is open to joint development, so TRL ≥ 4 +0.03;
   - region (procurement ↔ capability): same 盟市 +0.08, both inside the 自治区 +0.04, else nothing;
   - tier of a capability target: +0.02 per tier step (创新型 +0.02 … 小巨人 +0.06);
   - freshness: target published within 90 days +0.03;
   - a target's deadline still open: +0.02 (expired ones are no candidates at all).
4. Feedback on the same source (services.record_feedback): a 不相关 pair is excluded; each 不相关 on a
   target of organisation X multiplies the candidates of X by 0.7 (已有合作方: X is excluded outright);
   and by reason: 领域不符 −0.10 for candidates in the rejected target's 大类, 技术成熟度不够 −0.10 for
   candidates with a TRL no higher, 地域不便 −0.10 for candidates in its 盟市, 预算不符 −0.10 for needs
   whose budget is no higher.
5. Keep the top MATCH_TOP_N per target kind whose score ≥ MATCH_MIN_SCORE.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from app.core.enums import FeedbackReason, MatchVerdict, PostingKind, PostingStatus, Tier
from app.core.industries import industry_name
from app.core.regions import OUTSIDE, region_name
from app.extensions import db
from app.matching.backend import SearchService, get_search
from app.matching.documents import current_vectors
from app.matching.embeddings import get_embedder, load_store, store_of
from app.matching.models import MatchFeedback
from app.matching.reasons import Signal, build_reasons, pick_terms, posting_tokens, source_terms, target_fields
from app.organizations.models import Organization
from app.postings.models import Posting
from search.analysis import Analyzer
from search.fusion import fuse
from search.query import Filters, SearchRequest
from search.vectors import VectorStore, from_bytes

log = logging.getLogger(__name__)

K = PostingKind
DIRECTIONS: dict[PostingKind, tuple[PostingKind, ...]] = {
    K.NEED: (K.ACHIEVEMENT, K.CAPABILITY),
    K.ACHIEVEMENT: (K.NEED,),
    K.PROCUREMENT: (K.CAPABILITY,),
    K.CAPABILITY: (K.PROCUREMENT,),
}
CANDIDATES = 50  # per side before fusion (the query builder's page limit)
FRESH_DAYS = 90
ORG_PENALTY = 0.7
REASON_PENALTY = 0.10


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


@dataclass
class Scored:
    target: Target
    score: float
    lexical: float | None
    dense: float | None
    reasons: dict


@dataclass
class _Rejection:
    target_id: int
    org_id: int
    reason: FeedbackReason | None
    industry: str | None
    region: str | None
    trl: int | None
    budget: float | None


def eligible_clause(today: date) -> sa.ColumnElement:
    """Published with an open deadline: the only postings that are sources or targets."""
    return sa.and_(
        Posting.status == PostingStatus.PUBLISHED, sa.or_(Posting.deadline.is_(None), Posting.deadline >= today)
    )


@dataclass
class MatchContext:
    """What one run (or one recompute) shares across sources: the search service, the targets that
    may be matched (id → org, group), the vectors, the settings, and what is read or analysed once per
    context rather than once per source: the candidates' plain data and their tokens per field."""

    today: date
    service: SearchService = field(default_factory=get_search)
    alpha: float = 0.7
    top_n: int = 20
    floor: float = 0.05
    _pool: dict[PostingKind, dict[int, tuple[int, int | None]]] = field(default_factory=dict)
    _owners: dict[PostingKind, tuple[set[int], dict[int, set[int]], dict[int, set[int]]]] = field(default_factory=dict)
    _store: VectorStore | None = None
    _dense: bool | None = None
    _engine_vectors: bool | None = None
    _targets: dict[int, Target] = field(default_factory=dict)
    _org_tiers: dict[int, Tier | None] = field(default_factory=dict)
    _tokens: dict[int, tuple[tuple[str, ...], ...]] = field(default_factory=dict)
    _fields: dict[int, dict[str, frozenset[str]]] = field(default_factory=dict)
    _fields_analyzer: Analyzer | None = None
    _source_vectors: dict[int, bytes | None] = field(default_factory=dict)
    _verdicts: dict[int, list[_Rejection]] = field(default_factory=dict)
    _own_signals: dict[int, list[Signal]] = field(default_factory=dict)

    @classmethod
    def from_config(cls, today: date) -> MatchContext:
        config = current_app.config
        return cls(
            today=today,
            alpha=float(config.get("MATCH_FUSION_ALPHA", 0.7)),
            top_n=int(config.get("MATCH_TOP_N", 20)),
            floor=float(config.get("MATCH_MIN_SCORE", 0.05)),
        )

    def pool(self, kind: PostingKind) -> dict[int, tuple[int, int | None]]:
        if kind not in self._pool:
            rows = db.session.execute(
                sa.select(Posting.id, Posting.org_id, Organization.group_id)
                .join(Organization, Organization.id == Posting.org_id)
                .where(Posting.kind == kind, eligible_clause(self.today))
            ).all()
            self._pool[kind] = {pid: (org_id, group_id) for pid, org_id, group_id in rows}
        return self._pool[kind]

    def owners(self, kind: PostingKind) -> tuple[set[int], dict[int, set[int]], dict[int, set[int]]]:
        """The pool's ids, and its ids per organisation and per 集团, to exclude whole owners at once."""
        if kind not in self._owners:
            by_org: dict[int, set[int]] = {}
            by_group: dict[int, set[int]] = {}
            for pid, (org_id, group_id) in self.pool(kind).items():
                by_org.setdefault(org_id, set()).add(pid)
                if group_id is not None:
                    by_group.setdefault(group_id, set()).add(pid)
            self._owners[kind] = (set(self.pool(kind)), by_org, by_group)
        return self._owners[kind]

    @property
    def dense(self) -> bool:
        if self._dense is None:
            self._dense = get_embedder().available()
        return self._dense

    @property
    def engine_vectors(self) -> bool:
        """Whether the engine searches the vectors (looked at once per context); else numpy."""
        if self._engine_vectors is None:
            service = self.service
            self._engine_vectors = not service.primary_suspended() and service.primary.supports_vectors
        return self._engine_vectors

    def store(self) -> VectorStore:
        if self._store is None:
            self._store = load_store(list(PostingKind), eligible_clause(self.today))
        return self._store

    def targets(self, ids: list[int]) -> dict[int, Target]:
        """The given postings' plain data; those not read yet in this context are read in one query
        (a deleted posting is simply missing)."""
        missing = [pid for pid in ids if pid not in self._targets]
        if missing:
            rows = db.session.execute(
                sa.select(
                    Posting.id,
                    Posting.kind,
                    Posting.org_id,
                    Posting.industry,
                    Posting.region,
                    Posting.trl,
                    Posting.budget_wan,
                    Posting.tier,
                    Posting.published_at,
                    Posting.deadline,
                    Posting.title,
                    Posting.keywords,
                    Posting.body,
                ).where(Posting.id.in_(missing))
            ).all()
            tiers = self._tiers({row.org_id for row in rows if row.tier is None and row.kind == K.CAPABILITY})
            for row in rows:
                tier = row.tier or (tiers.get(row.org_id) if row.kind == K.CAPABILITY else None)
                self._targets[row.id] = Target(*row[:7], tier, *row[8:])
        return {pid: self._targets[pid] for pid in ids if pid in self._targets}

    def _tiers(self, org_ids: set[int]) -> dict[int, Tier | None]:
        """Each organisation's current tier (Organization.current_tier), read once per context."""
        missing = [oid for oid in org_ids if oid not in self._org_tiers]
        if missing:
            orgs = db.session.scalars(
                sa.select(Organization).where(Organization.id.in_(missing)).options(selectinload(Organization.tiers))
            )
            self._org_tiers.update({org.id: org.current_tier(self.today) for org in orgs})
        return self._org_tiers

    def tokens(self, analyzer: Analyzer, posting: Posting | Target) -> tuple[tuple[str, ...], ...]:
        """A posting's tokens of keywords, title and body, analysed once per context and analyzer
        whether the posting is a source or a target (in a full run most are both)."""
        if analyzer is not self._fields_analyzer:
            self._tokens, self._fields, self._fields_analyzer = {}, {}, analyzer
        if posting.id not in self._tokens:
            self._tokens[posting.id] = posting_tokens(analyzer, posting)
        return self._tokens[posting.id]

    def fields(self, analyzer: Analyzer, target: Target) -> dict[str, frozenset[str]]:
        """The target's tokens per field (for the reasons)."""
        tokens = self.tokens(analyzer, target)
        if target.id not in self._fields:
            self._fields[target.id] = target_fields(tokens)
        return self._fields[target.id]

    def prefetch(self, ids: Iterable[int]) -> None:
        """Read the current vectors and the 不相关 verdicts of the batch of sources about to be scored,
        one query each."""
        wanted = list(ids)
        found = current_vectors(wanted)
        self._source_vectors = {pid: found.get(pid) for pid in wanted}
        verdicts = _rejections(wanted)
        self._verdicts = {pid: verdicts.get(pid, []) for pid in wanted}

    def rejections(self, source: Posting) -> list[_Rejection]:
        if source.id in self._verdicts:
            return self._verdicts[source.id]
        return _rejections([source.id]).get(source.id, [])

    def target_signals(self, target: Target) -> list[Signal]:
        """The signals of the target alone (tier, freshness, open deadline), once per context."""
        if target.id not in self._own_signals:
            self._own_signals[target.id] = _target_signals(target, self.today)
        return self._own_signals[target.id]

    def source_vector(self, source: Posting) -> bytes | None:
        """The source's current vector, if it has one."""
        if source.id in self._source_vectors:
            return self._source_vectors[source.id]
        return current_vectors([source.id]).get(source.id)


# --- field signals ---------------------------------------------------------------------------------


# The pair signals are asked for every candidate of every source (300,000 times in a full run) and
# depend on a few field values only: each is computed once per distinct value and shared (Signal is
# frozen).


@lru_cache(maxsize=4096)
def _industry_signals(a: str, b: str) -> tuple[Signal, ...]:
    if len(a) == 3 and a == b:
        return (Signal("same_division", f"同属行业大类：{industry_name(a)}", 0.10),)
    if a and b and a[0] == b[0]:
        return (Signal("same_section", f"同属行业门类：{industry_name(a[0])}", 0.04),)
    return ()


@lru_cache(maxsize=64)
def _trl_signals(trl: int, budget: bool) -> tuple[Signal, ...]:
    """An achievement's TRL seen by a need with (or without) a budget."""
    if budget:
        if trl >= 6:
            return (Signal("trl_ready", f"技术成熟度 TRL {trl}，可直接落地应用", 0.05),)
        if trl <= 4:
            return (Signal("trl_early", f"技术成熟度 TRL {trl}，距离落地应用尚远", -0.05),)
        return ()
    if trl >= 4:
        return (Signal("trl_joint", f"技术成熟度 TRL {trl}，适合合作开发", 0.03),)
    return ()


@lru_cache(maxsize=4096)
def _region_signals(source: str, target: str) -> tuple[Signal, ...]:
    """The 盟市 of a procurement and a capability, either way round."""
    if source == target and source != OUTSIDE:
        return (Signal("same_city", f"同在{region_name(source)}，供货便利", 0.08),)
    if OUTSIDE not in (source, target):
        return (Signal("same_province", f"同在自治区内（{region_name(target)}）", 0.04),)
    return ()


def _target_signals(target: Target, today: date) -> list[Signal]:
    signals = []
    tier = target.tier if target.kind == K.CAPABILITY else None
    if tier is not None:
        signals.append(Signal("tier", f"{tier.label}", 0.02 * tier.rank))
    if target.published_at is not None:
        days = (datetime.combine(today, datetime.min.time()) - target.published_at).days
        if days <= FRESH_DAYS:
            signals.append(Signal("fresh", "近期发布" if days <= 1 else f"{days} 天前发布", 0.03))
    if target.deadline is not None and target.deadline >= today:
        signals.append(Signal("open", f"征集中，截止 {target.deadline.isoformat()}", 0.02))
    return signals


def pair_signals(source: Posting, target: Target) -> list[Signal]:
    """The field signals that depend on both sides (industry, TRL, region)."""
    signals = list(_industry_signals(source.industry or "", target.industry or ""))
    kinds = (source.kind, target.kind)
    if kinds in ((K.NEED, K.ACHIEVEMENT), (K.ACHIEVEMENT, K.NEED)):
        need, achievement = (source, target) if source.kind == K.NEED else (target, source)
        if achievement.trl is not None:
            signals += _trl_signals(achievement.trl, need.budget_wan is not None)
    elif kinds in ((K.PROCUREMENT, K.CAPABILITY), (K.CAPABILITY, K.PROCUREMENT)) and source.region and target.region:
        signals += _region_signals(source.region, target.region)
    return signals


# --- feedback ----------------------------------------------------------------------------------------


def _rejections(source_ids: list[int]) -> dict[int, list[_Rejection]]:
    """Each source's 不相关 verdicts with the rejected target's fields, oldest first."""
    found: dict[int, list[_Rejection]] = {}
    if not source_ids:
        return found
    rows = db.session.execute(
        sa.select(
            MatchFeedback.source_id,
            MatchFeedback.target_id,
            Posting.org_id,
            MatchFeedback.reason,
            Posting.industry,
            Posting.region,
            Posting.trl,
            Posting.budget_wan,
        )
        .join(Posting, Posting.id == MatchFeedback.target_id)
        .where(MatchFeedback.source_id.in_(source_ids), MatchFeedback.verdict == MatchVerdict.IRRELEVANT)
        .order_by(MatchFeedback.source_id, MatchFeedback.id)
    )
    for row in rows:
        budget = float(row.budget_wan) if row.budget_wan is not None else None
        found.setdefault(row.source_id, []).append(_Rejection(*row[1:7], budget))
    return found


def _excluded_orgs(rejections: list[_Rejection]) -> set[int]:
    return {r.org_id for r in rejections if r.reason == FeedbackReason.PARTNERED}


def feedback_adjustment(target: Target, rejections: list[_Rejection]) -> tuple[float, float, list[str]]:
    """(multiplier, penalty, notes) for a candidate from the source's 不相关 verdicts (see module doc)."""
    if not rejections:  # most sources: asked for every candidate of every source in a full run
        return 1.0, 0.0, []
    multiplier, penalty, notes = 1.0, 0.0, []
    for r in rejections:
        if r.org_id == target.org_id:
            multiplier *= ORG_PENALTY
            notes.append("同一机构的推荐曾被标为不相关")
        hit = (
            (r.reason == FeedbackReason.FIELD and r.industry and target.industry == r.industry)
            or (r.reason == FeedbackReason.MATURITY and r.trl and target.trl is not None and target.trl <= r.trl)
            or (r.reason == FeedbackReason.DISTANCE and r.region and target.region == r.region)
            or (
                r.reason == FeedbackReason.BUDGET
                and r.budget is not None
                and target.budget_wan is not None
                and float(target.budget_wan) <= r.budget
            )
        )
        if hit:
            penalty += REASON_PENALTY
            notes.append(f"与标为不相关（{r.reason.label}）的推荐相似")
    return multiplier, penalty, list(dict.fromkeys(notes))


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


def score_source(ctx: MatchContext, source: Posting) -> dict[PostingKind, list[Scored]]:
    """The best targets of each kind for one published source, best first (see the module doc)."""
    results: dict[PostingKind, list[Scored]] = {}
    rejections = ctx.rejections(source)
    excluded = {r.target_id for r in rejections}
    orgs = _excluded_orgs(rejections)
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
        targets = ctx.targets([hit.id for hit in hits])
        scored = []
        for hit in hits:
            target = targets.get(hit.id)
            if target is None:
                continue
            signals = pair_signals(source, target) + ctx.target_signals(target)
            multiplier, penalty, notes = feedback_adjustment(target, rejections)
            score = (hit.score + sum(s.weight for s in signals)) * multiplier - penalty
            if score < ctx.floor:
                continue
            scored.append(Scored(target, score, hit.lexical, hit.dense, {"signals": signals, "notes": notes}))
        scored.sort(key=lambda s: (-s.score, s.target.id))
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
