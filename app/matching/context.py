"""What one matching run (or one recompute) shares across its sources, read or analysed once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from app.core.enums import PostingKind, Tier
from app.extensions import db
from app.matching.feedback import Rejection, rejections_of
from app.matching.reasons import Signal, TargetWords, WordFrequencies, posting_tokens, target_fields
from app.matching.signals import target_signals_of
from app.matching.targets import Target, eligible_clause
from app.organizations.models import Organization
from app.postings.models import Posting
from app.search.backend import SearchService, get_search
from app.search.documents import current_vectors
from app.search.embeddings import get_embedder, load_store
from search.analysis import Analyzer
from search.vectors import VectorStore

K = PostingKind


@dataclass
class MatchContext:
    """What one run (or one recompute) shares across sources: the search service, the targets that
    may be matched (id → org, group), the vectors, the settings, and what is read or analysed once per
    context rather than once per source: the candidates' plain data and their tokens per field."""

    today: date
    service: SearchService = field(default_factory=get_search)
    alpha: float = 0.7
    top_n: int = 20
    floor: float = 0.0
    _pool: dict[PostingKind, dict[int, tuple[int, int | None]]] = field(default_factory=dict)
    _owners: dict[PostingKind, tuple[set[int], dict[int, set[int]], dict[int, set[int]]]] = field(default_factory=dict)
    _store: VectorStore | None = None
    _dense: bool | None = None
    _engine_vectors: bool | None = None
    _targets: dict[int, Target] = field(default_factory=dict)
    _org_tiers: dict[int, Tier | None] = field(default_factory=dict)
    _tokens: dict[int, tuple[tuple[str, ...], ...]] = field(default_factory=dict)
    _fields: dict[int, TargetWords] = field(default_factory=dict)
    _frequencies: tuple[Analyzer, WordFrequencies] | None = None
    _fields_analyzer: Analyzer | None = None
    _source_vectors: dict[int, bytes | None] = field(default_factory=dict)
    _verdicts: dict[int, list[Rejection]] = field(default_factory=dict)
    _own_signals: dict[int, list[Signal]] = field(default_factory=dict)

    @classmethod
    def from_config(cls, today: date) -> MatchContext:
        config = current_app.config
        return cls(
            today=today,
            alpha=float(config.get("MATCH_FUSION_ALPHA", 0.7)),
            top_n=int(config.get("MATCH_TOP_N", 20)),
            floor=float(config.get("MATCH_MIN_SCORE", 0.0)),
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

    def fields(self, analyzer: Analyzer, target: Target) -> TargetWords:
        """The target's words that the reasons may show, per field."""
        tokens = self.tokens(analyzer, target)
        if target.id not in self._fields:
            self._fields[target.id] = target_fields(tokens, self.frequencies(analyzer))
        return self._fields[target.id]

    def frequencies(self, analyzer: Analyzer) -> WordFrequencies:
        """How many eligible postings (of every kind) use each word, counted once per context from the
        whole pool, so every worker of a run counts the same: the reasons show no common word."""
        if self._frequencies is None or self._frequencies[0] is not analyzer:
            pool = self.targets([pid for kind in PostingKind for pid in self.pool(kind)])
            counted = WordFrequencies.count(self.tokens(analyzer, target) for target in pool.values())
            self._frequencies = (analyzer, counted)
        return self._frequencies[1]

    def prefetch(self, ids: Iterable[int]) -> None:
        """Read the current vectors and the 不相关 verdicts of the batch of sources about to be scored,
        one query each."""
        wanted = list(ids)
        found = current_vectors(wanted)
        self._source_vectors = {pid: found.get(pid) for pid in wanted}
        verdicts = rejections_of(wanted)
        self._verdicts = {pid: verdicts.get(pid, []) for pid in wanted}

    def rejections(self, source: Posting) -> list[Rejection]:
        if source.id in self._verdicts:
            return self._verdicts[source.id]
        return rejections_of([source.id]).get(source.id, [])

    def target_signals(self, target: Target) -> list[Signal]:
        """The signals of the target alone (tier, freshness, open deadline), once per context."""
        if target.id not in self._own_signals:
            self._own_signals[target.id] = target_signals_of(target, self.today)
        return self._own_signals[target.id]

    def source_vector(self, source: Posting) -> bytes | None:
        """The source's current vector, if it has one."""
        if source.id in self._source_vectors:
            return self._source_vectors[source.id]
        return current_vectors([source.id]).get(source.id)
