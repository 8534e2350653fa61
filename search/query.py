"""The one query builder: a `SearchRequest` from the UI becomes a `QueryPlan`, and a plan becomes
engine DSL (`build_search_body`) for OpenSearch and Elasticsearch alike; the embedded backend
compiles the same plan to FTS5 + SQL, so every backend answers with the same semantics.

Text semantics. The user's text is cut at spaces and punctuation into chunks; each chunk is
segmented into concepts (jieba precise mode), each concept expanded with its synonyms. A chunk
matches a posting when every concept matches one of its alternatives in the segmented fields, or
when the chunk occurs as a substring of the title/body (a phrase over the CJK-bigram field, which
is how a partial word such as 永磁体 still finds 钕铁硼永磁体材料). All chunks must match. When
nothing matches that way the backend retries once with any-term semantics (`relaxed`), which the
UI can announce.

Safety. User text reaches the engines only inside `multi_match` clauses (best_fields and phrase),
never a query-string parser, and only as letter/digit runs: punctuation never survives chunking.
Input is bounded (200 characters, 8 chunks, 16 concepts, 6 alternatives each, a result window
of 1,000); text with no letters or digits falls back to "match all" with a flag for the UI.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date

from search.analysis import Analyzer, cjk_bigrams, is_han, normalize_text
from search.documents import KINDS, POLICY_KIND
from search.policy_filters import TERM_FACETS, WINDOW_FACET, WINDOWS, window_aggregation, window_clause

MAX_QUERY_CHARS = 200
MAX_CHUNKS = 8
MAX_CONCEPTS = 16
MAX_ALTERNATIVES = 6
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 50
MAX_WINDOW = 1000  # deepest result reachable by paging (from + size)
MAX_IDS = 500  # an ids filter names at most this many postings
FACET_SIZE = 50
FACETS: tuple[str, ...] = ("kind", "industry_section", "industry", "region", "trl", "cooperation", "tier")
SORTS: tuple[str, ...] = ("relevance", "date")

# Field weights, shared by the DSL (title_seg^3 …) and the embedded bm25() call.
SEG_WEIGHTS: tuple[tuple[str, float], ...] = (("title_seg", 3.0), ("keywords_seg", 2.0), ("body_seg", 1.0))
BIGRAM_WEIGHTS: tuple[tuple[str, float], ...] = (("title", 1.5), ("body", 0.5))
HIGHLIGHT_TAGS = ("<mark>", "</mark>")
BODY_FRAGMENT_CHARS = 120
SOURCE_EXCLUDES = ["*_seg", "vector"]

_CHUNK = re.compile(r"[^\W_]+")
_INDUSTRY = re.compile(r"^[A-T](\d{2})?$")
_REGION = re.compile(r"^\d{6}$")


@dataclass(frozen=True)
class SearchRequest:
    """What a search page asks for; every field is untrusted and bounded by `plan_search`."""

    text: str = ""
    kinds: tuple[str, ...] | list[str] | str = ()  # empty: all four kinds
    industry: str | None = None  # "C" (门类, prefix) or "C39" (大类, exact)
    region: str | None = None
    trl_min: int | None = None
    cooperation: str | None = None
    tier: str | None = None
    challenge: bool | None = None
    exclude_org_ids: tuple[int, ...] = ()
    exclude_group_ids: tuple[int, ...] = ()
    ids: tuple[int, ...] = ()  # only these postings (the search page's semantic candidates); empty: any
    sort: str = "relevance"
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    today: date | None = None  # postings whose deadline is before today are not searchable
    issuer: str | None = None  # policy items only (kinds=("policy",)): 发文部门
    benefit: str | None = None  # policy items only: BenefitType value
    window: str | None = None  # policy items only: open | closing | closed (search.policy_filters)
    facets: bool = True
    highlight: bool = True


@dataclass(frozen=True)
class Chunk:
    text: str
    phrase: str | None  # matched as a substring through the bigram fields
    concepts: tuple[tuple[str, ...], ...]  # each: a token and its synonyms


@dataclass(frozen=True)
class Filters:
    kinds: tuple[str, ...]
    today: date
    industry: str | None = None
    industry_section: str | None = None
    region: str | None = None
    trl_min: int | None = None
    cooperation: str | None = None
    tier: str | None = None
    challenge: bool | None = None
    exclude_org_ids: tuple[int, ...] = ()
    exclude_group_ids: tuple[int, ...] = ()
    ids: tuple[int, ...] = ()  # only these postings; empty: any
    issuer: str | None = None
    benefit: str | None = None
    window: str | None = None

    @property
    def policies(self) -> bool:
        return self.kinds == (POLICY_KIND,)

    @property
    def facet_names(self) -> tuple[str, ...]:
        """The term facets of this search: the posting ones, or the policy items' (plus their window)."""
        return TERM_FACETS if self.policies else FACETS


@dataclass(frozen=True)
class QueryPlan:
    text: str
    chunks: tuple[Chunk, ...]
    filters: Filters
    sort: str = "relevance"
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    facets: bool = True
    highlight: bool = True
    truncated: bool = False  # the text was cut to MAX_QUERY_CHARS
    match_all: bool = False  # text given but nothing searchable in it: everything is listed
    relaxed: bool = False  # any-term semantics after an all-terms search found nothing
    page_clamped: bool = False  # the page asked for lies beyond MAX_WINDOW
    ids_only: bool = False  # candidates for matching: ids and scores, no total, no source (see candidates)

    @property
    def has_text(self) -> bool:
        return bool(self.chunks)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def can_relax(self) -> bool:
        terms = sum(len(c.concepts) for c in self.chunks) + sum(1 for c in self.chunks if c.phrase)
        return self.has_text and not self.relaxed and terms > 1

    def relax(self) -> QueryPlan:
        return replace(self, relaxed=True)

    def candidates(self) -> QueryPlan:
        """The matching's candidate query ("more like this"): any-term semantics, and only the ids and
        scores of the best hits — no total (the engines can then skip non-competitive documents
        instead of scoring every match), no stored document, no facets or highlights."""
        return replace(self, relaxed=True, ids_only=True, facets=False, highlight=False, page=1, sort="relevance")

    def highlight_terms(self) -> list[str]:
        """Distinct strings to mark in titles and bodies: chunks and every alternative."""
        terms: list[str] = []
        for chunk in self.chunks:
            candidates = [chunk.phrase] if chunk.phrase else []
            candidates += [alt for alts in chunk.concepts for alt in alts]
            for term in candidates:
                if term not in terms and not (len(term) == 1 and is_han(term)):
                    terms.append(term)
        return terms


def normalize_query(text: str | None) -> tuple[str, bool]:
    """NFKC, control characters dropped, whitespace collapsed, at most MAX_QUERY_CHARS."""
    text = unicodedata.normalize("NFKC", str(text or ""))
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    truncated = len(text) > MAX_QUERY_CHARS
    return text[:MAX_QUERY_CHARS].strip(), truncated


def phrase_able(text: str) -> bool:
    """Bigram phrases need two characters of Han text (a lone character is no partial word)."""
    return any(is_han(ch) for ch in text) and any(len(t) > 1 or not is_han(t) for t in cjk_bigrams(text))


def _chunks(text: str, analyzer: Analyzer) -> tuple[Chunk, ...]:
    chunks: list[Chunk] = []
    seen: set[str] = set()
    budget = MAX_CONCEPTS
    for raw in _CHUNK.findall(normalize_text(text))[:MAX_CHUNKS]:
        concepts = []
        for alts in analyzer.expand_query(raw):
            if budget and alts[0] not in seen:
                seen.add(alts[0])
                budget -= 1
                concepts.append(alts[:MAX_ALTERNATIVES])
        phrase = raw if phrase_able(raw) else None
        if concepts or phrase:
            chunks.append(Chunk(raw, phrase, tuple(concepts)))
    return tuple(chunks)


def _int(value, default: int, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return min(max(number, low), high)


def _filters(request: SearchRequest) -> Filters:
    kinds = (request.kinds,) if isinstance(request.kinds, str) else tuple(request.kinds or ())
    # Policy items are searched on their own: asking for them ignores any posting kind asked beside them.
    kinds = (POLICY_KIND,) if POLICY_KIND in kinds else (tuple(k for k in KINDS if k in kinds) or KINDS)
    industry = (request.industry or "").strip().upper()
    industry = industry if _INDUSTRY.match(industry) else ""
    region = (request.region or "").strip()
    trl = None if request.trl_min in (None, "") else _int(request.trl_min, 1, 1, 9)
    return Filters(
        kinds=kinds,
        today=request.today or date.today(),
        industry=industry if len(industry) == 3 else None,
        industry_section=industry if len(industry) == 1 else None,
        region=region if _REGION.match(region) else None,
        trl_min=trl,
        cooperation=(request.cooperation or "").strip() or None,
        tier=(request.tier or "").strip() or None,
        challenge=request.challenge,
        exclude_org_ids=tuple(int(i) for i in request.exclude_org_ids),
        exclude_group_ids=tuple(int(i) for i in request.exclude_group_ids),
        ids=tuple(int(i) for i in request.ids)[:MAX_IDS],
        **(_policy_filters(request) if kinds == (POLICY_KIND,) else {}),
    )


def _policy_filters(request: SearchRequest) -> dict:
    return {
        "issuer": (request.issuer or "").strip()[:200] or None,
        "benefit": (request.benefit or "").strip()[:30] or None,
        "window": request.window if request.window in WINDOWS else None,
    }


def plan_search(request: SearchRequest, analyzer: Analyzer) -> QueryPlan:
    """Normalise and bound a request; the plan is what every backend executes."""
    text, truncated = normalize_query(request.text)
    chunks = _chunks(text, analyzer)
    per_page = _int(request.per_page, DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
    page = _int(request.page, 1, 1, 10**6)
    last_page = max(1, MAX_WINDOW // per_page)
    return QueryPlan(
        text=text,
        chunks=chunks,
        filters=_filters(request),
        sort=request.sort if request.sort in SORTS else "relevance",
        page=min(page, last_page),
        per_page=per_page,
        facets=request.facets,
        highlight=request.highlight,
        truncated=truncated,
        match_all=bool(text) and not chunks,
        page_clamped=page > last_page,
    )


# --- DSL -----------------------------------------------------------------------------------


def _seg_clause(term: str) -> dict:
    fields = [f"{name}^{weight:g}" for name, weight in SEG_WEIGHTS]
    return {"multi_match": {"query": term, "fields": fields, "type": "best_fields", "operator": "and"}}


def _phrase_clause(text: str) -> dict:
    fields = [f"{name}.cjk^{weight:g}" for name, weight in BIGRAM_WEIGHTS]
    return {"multi_match": {"query": text, "fields": fields, "type": "phrase"}}


def synonym_phrases(alts: tuple[str, ...]) -> list[str]:
    """A concept's synonyms (not the typed word), each also matched as a substring: text indexed
    before an admin added the synonym was segmented without it, so only the bigram field knows it."""
    return [alt for alt in alts[1:] if phrase_able(alt)]


def _concept_clauses(alts: tuple[str, ...]) -> list[dict]:
    return [_seg_clause(alt) for alt in alts] + [_phrase_clause(alt) for alt in synonym_phrases(alts)]


def _any(clauses: list[dict]) -> dict:
    return clauses[0] if len(clauses) == 1 else {"bool": {"should": clauses, "minimum_should_match": 1}}


def _all(clauses: list[dict]) -> dict:
    return clauses[0] if len(clauses) == 1 else {"bool": {"must": clauses}}


def text_query(plan: QueryPlan) -> dict | None:
    if not plan.has_text:
        return None
    if plan.relaxed:
        clauses = [_phrase_clause(c.phrase) for c in plan.chunks if c.phrase]
        clauses += [clause for c in plan.chunks for alts in c.concepts for clause in _concept_clauses(alts)]
        return _any(clauses)
    per_chunk = []
    for chunk in plan.chunks:
        options = [_phrase_clause(chunk.phrase)] if chunk.phrase else []
        if chunk.concepts:
            options.append(_all([_any(_concept_clauses(alts)) for alts in chunk.concepts]))
        per_chunk.append(_any(options))
    return _all(per_chunk)


def filter_clauses(filters: Filters) -> tuple[list[dict], list[dict]]:
    """(filter, must_not) clauses: published, unexpired, and the facet selections."""
    clauses: list[dict] = [
        {"terms": {"kind": list(filters.kinds)}},
        {"term": {"status": "published"}},
        {
            "bool": {
                "should": [
                    {"bool": {"must_not": {"exists": {"field": "deadline"}}}},
                    {"range": {"deadline": {"gte": filters.today.isoformat()}}},
                ],
                "minimum_should_match": 1,
            }
        },
    ]
    for name in ("industry", "industry_section", "region", "cooperation", "tier", "challenge", "issuer", "benefit"):
        value = getattr(filters, name)
        if value is not None:
            clauses.append({"term": {name: value}})
    if filters.window is not None:
        clauses.append(window_clause(filters.window, filters.today))
    if filters.trl_min is not None:
        clauses.append({"range": {"trl": {"gte": filters.trl_min}}})
    if filters.ids:
        clauses.append({"terms": {"id": list(filters.ids)}})
    must_not = []
    if filters.exclude_org_ids:
        must_not.append({"terms": {"org_id": list(filters.exclude_org_ids)}})
    if filters.exclude_group_ids:
        must_not.append({"terms": {"group_id": list(filters.exclude_group_ids)}})
    return clauses, must_not


def sort_clause(plan: QueryPlan) -> list:
    newest = [{"published_at": {"order": "desc", "missing": "_last"}}, {"id": {"order": "desc"}}]
    return newest if plan.sort == "date" else [{"_score": {"order": "desc"}}, *newest]


def highlight_clause(plan: QueryPlan) -> dict | None:
    terms = plan.highlight_terms() if plan.highlight else []
    if not terms:
        return None
    fields = [f"{name}.cjk" for name, _ in BIGRAM_WEIGHTS]
    return {
        "pre_tags": [HIGHLIGHT_TAGS[0]],
        "post_tags": [HIGHLIGHT_TAGS[1]],
        "encoder": "html",
        "type": "unified",
        "highlight_query": _any([{"multi_match": {"query": t, "fields": fields, "type": "phrase"}} for t in terms]),
        "fields": {
            "title.cjk": {"number_of_fragments": 0},
            "body.cjk": {"fragment_size": BODY_FRAGMENT_CHARS, "number_of_fragments": 1},
        },
    }


def build_search_body(plan: QueryPlan) -> dict:
    """The search request body, valid for OpenSearch 2/3 and Elasticsearch 8/9."""
    filters, must_not = filter_clauses(plan.filters)
    query: dict = {"filter": filters}
    text = text_query(plan)
    if text:
        query["must"] = [text]
    if must_not:
        query["must_not"] = must_not
    if plan.ids_only:
        # Score order alone (ties in index order) and no hit count: Lucene's block-max WAND then
        # skips the documents that cannot reach the top (half the time of a counted, tie-sorted query).
        return {"query": {"bool": query}, "size": plan.per_page, "track_total_hits": False, "_source": False}
    body: dict = {
        "query": {"bool": query},
        "sort": sort_clause(plan),
        "from": plan.offset,
        "size": plan.per_page,
        "track_total_hits": True,
        "track_scores": True,
        "_source": {"excludes": SOURCE_EXCLUDES},
    }
    if plan.facets:
        body["aggs"] = {name: {"terms": {"field": name, "size": FACET_SIZE}} for name in plan.filters.facet_names}
        if plan.filters.policies:
            body["aggs"][WINDOW_FACET] = window_aggregation(plan.filters.today)
    highlight = highlight_clause(plan)
    if highlight:
        body["highlight"] = highlight
    return body
