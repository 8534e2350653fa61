"""The search page's service: untrusted query args → one search on the configured engine (or the
embedded fallback) → what the page shows: hits from the database, safe highlights, tabs, facets, notices.

Every failure ends as a notice, never an exception: the page always renders.
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from markupsafe import Markup
from sqlalchemy.orm import joinedload, lazyload

from app.core.enums import CooperationMode, PostingKind, Tier
from app.core.industries import industry_name
from app.core.policy_enums import BenefitType
from app.core.regions import region_name
from app.extensions import db
from app.postings.models import Posting
from app.search.backend import get_search
from app.search.dictionary import log_search
from app.search.policy_search import FACET_ARGS, TAB_LABEL, facet_options, policy_hits
from app.search.policy_search import FACET_LABELS as POLICY_FACET_LABELS
from app.search.semantic import fused_result, policy_semantic_hits, semantic_hits
from search import SearchRequest, SearchResult
from search.documents import POLICY_KIND
from search.policy_filters import WINDOWS
from search.query import HIGHLIGHT_TAGS, MAX_QUERY_CHARS, MAX_WINDOW

log = logging.getLogger(__name__)
SNIPPET_CHARS = 120
FACET_SHOWN = 12
FALLBACK_NOTICE = "搜索服务暂不可用，当前显示本地索引结果"
RELATED = 5  # "意思相近" postings added to page 1 when the words matched
_MARKS = re.compile("(" + "|".join(map(re.escape, HIGHLIGHT_TAGS)) + ")")
ARGS = ("q", "kind", "industry", "region", "trl", "coop", "tier", "issuer", "benefit", "window", "sort")


def safe_highlight(fragment: str) -> Markup:
    """A highlighted fragment with only <mark> kept as markup: everything else is (re-)escaped.

    Backends return escaped text with <mark> tags; a literal "<mark>" typed by a user arrives
    escaped, so splitting on the real tags and escaping each piece cannot let any other tag through.
    """
    out = []
    for piece in _MARKS.split(fragment):
        out.append(piece if piece in HIGHLIGHT_TAGS else html.escape(html.unescape(piece), quote=False))
    return Markup("".join(out))


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class SearchArgs:
    q: str = ""
    kind: PostingKind | None = None
    industry: str = ""
    region: str = ""
    trl: int | None = None
    coop: str = ""
    tier: str = ""
    sort: str = "relevance"
    page: int = 1
    policies: bool = False  # the 惠企政策 tab (policy items), with its own facets:
    issuer: str = ""
    benefit: str = ""
    window: str = ""

    @property
    def tab(self) -> str | None:
        return POLICY_KIND if self.policies else (self.kind.value if self.kind else None)

    @classmethod
    def from_args(cls, args) -> SearchArgs:
        def text(name: str, limit: int = 20) -> str:
            return str(args.get(name) or "").strip()[:limit]

        kind = text("kind")
        coop, tier = text("coop"), text("tier")
        trl = _int(args.get("trl"))
        return cls(
            q=str(args.get("q") or "")[: MAX_QUERY_CHARS * 5],
            kind=PostingKind(kind) if kind in PostingKind.values() else None,
            industry=text("industry", 3).upper(),
            region=text("region", 6),
            trl=trl if trl is not None and 1 <= trl <= 9 else None,
            coop=coop if coop in CooperationMode.values() else "",
            tier=tier if tier in Tier.values() else "",
            sort="date" if args.get("sort") == "date" else "relevance",
            page=max(1, min(_int(args.get("page")) or 1, 10**6)),
            policies=kind == POLICY_KIND,
            issuer=text("issuer", 200),
            benefit=text("benefit") if text("benefit") in BenefitType.values() else "",
            window=text("window") if text("window") in WINDOWS else "",
        )

    def request(self, per_page: int, today, kinds=None, page=None, **overrides) -> SearchRequest:
        return SearchRequest(
            text=self.q,
            kinds=kinds if kinds is not None else ((self.tab,) if self.tab else ()),
            industry=self.industry or None,
            region=self.region or None,
            trl_min=self.trl,
            cooperation=self.coop or None,
            tier=self.tier or None,
            sort=self.sort,
            page=page or self.page,
            per_page=per_page,
            today=today,
            issuer=self.issuer or None,
            benefit=self.benefit or None,
            window=self.window or None,
            **overrides,
        )

    def url_args(self, **changes) -> dict:
        """Query args for a link: these args with `changes` (None removes one); the page starts over."""
        values = {name: getattr(self, name) for name in ARGS}
        values["kind"] = self.tab
        values.update(changes)
        return {k: v for k, v in values.items() if v not in (None, "", "relevance")}


@dataclass
class HitView:
    posting: Posting
    title: Markup
    snippet: Markup
    url_kind: str

    is_policy = False  # the 惠企政策 tab shows policy_search.PolicyHitView instead


@dataclass
class FacetOption:
    value: str
    label: str
    count: int
    active: bool


@dataclass
class Facet:
    name: str  # the query arg
    label: str
    options: list[FacetOption]


@dataclass
class SearchPage:
    args: SearchArgs
    total: int = 0
    hits: list[HitView] = field(default_factory=list)
    tabs: list[tuple[str | None, str, int]] = field(default_factory=list)
    facets: list[Facet] = field(default_factory=list)
    notices: list[tuple[str, str]] = field(default_factory=list)  # (bootstrap category, text)
    page: int = 1
    pages: int = 1
    fell_back: bool = False
    relaxed: bool = False
    blended: bool = False  # ranked by words and meaning together (semantic.fused_result)
    related: list[HitView] = field(default_factory=list)  # same meaning, other words (page 1)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


FACET_LABELS = {
    "industry": "行业",
    "region": "地区",
    "trl": "技术成熟度",
    "cooperation": "合作方式",
    "tier": "梯度培育",
}
_FACET_ARG = {"industry": "industry", "region": "region", "trl": "trl", "cooperation": "coop", "tier": "tier"}


def _label(name: str, value) -> str:
    if name == "industry":
        return industry_name(value) or str(value)
    if name == "region":
        return region_name(value) or str(value)
    if name == "trl":
        return f"TRL {value} 及以上"
    enum = CooperationMode if name == "cooperation" else Tier
    try:
        return enum(value).label
    except ValueError:
        return str(value)


def _facets(result: SearchResult, args: SearchArgs) -> list[Facet]:
    facets = []
    for name, label in FACET_LABELS.items():
        buckets = list(result.facets.get(name, []))
        if name == "trl":  # the filter is "at least", so each option counts everything at or above it
            counts = dict(buckets)
            buckets = [(v, sum(n for t, n in counts.items() if t >= v)) for v in sorted(counts, reverse=True)]
        current = str(getattr(args, _FACET_ARG[name]) or "")
        options = [
            FacetOption(str(value), _label(name, value), count, str(value) == current)
            for value, count in buckets[:FACET_SHOWN]
        ]
        if current and not any(o.active for o in options):
            options.insert(0, FacetOption(current, _label(name, current), 0, True))
        if options:
            facets.append(Facet(_FACET_ARG[name], label, options))
    return facets


def _policy_facets(result: SearchResult, args: SearchArgs) -> list[Facet]:
    facets = []
    for name, label in POLICY_FACET_LABELS.items():
        arg = FACET_ARGS[name]
        current = str(getattr(args, arg) or "")
        options = [
            FacetOption(value, text, count, value == current)
            for value, text, count in facet_options(result, name)[:FACET_SHOWN]
        ]
        if current and not any(o.active for o in options):
            options.insert(0, FacetOption(current, current, 0, True))
        if options:
            facets.append(Facet(arg, label, options))
    return facets


def _shown_postings(ids) -> dict[int, Posting]:
    """The postings a page shows, each with its organisation, in one query (the cards show no cooperation
    modes and no tiers, which load_postings also reads for the index)."""
    if not ids:
        return {}
    stmt = (
        sa.select(Posting)
        .where(Posting.id.in_(list(ids)))
        .options(joinedload(Posting.org, innerjoin=True), lazyload(Posting.modes))
    )
    return {posting.id: posting for posting in db.session.scalars(stmt)}


def _views_of(ids: list[int]) -> list[HitView]:
    """Plain views (no highlights) of these postings, in this order."""
    postings = _shown_postings(ids)
    return [_view(postings[pid], {}) for pid in ids if pid in postings and postings[pid].is_public]


def _view(posting: Posting, highlights: dict) -> HitView:
    title, body = highlights.get("title"), highlights.get("body")
    plain = (posting.body or "")[:SNIPPET_CHARS] + ("…" if len(posting.body or "") > SNIPPET_CHARS else "")
    return HitView(
        posting=posting,
        title=safe_highlight(title[0]) if title else Markup.escape(posting.title),
        snippet=safe_highlight(body[0]) if body else Markup.escape(plain),
        url_kind=posting.kind.value,
    )


def _hit_views(result: SearchResult) -> list[HitView]:
    """The page's hits, read fresh from the database; one that is no longer public is left out."""
    postings = _shown_postings(result.ids)
    return [
        _view(postings[hit.id], hit.highlights)
        for hit in result.hits
        if hit.id in postings and postings[hit.id].is_public
    ]


def _run(backend, args: SearchArgs, per_page: int, today) -> tuple[SearchResult, SearchResult, int]:
    """(the page, counts per posting kind, the policy items' count): the counts ignore the kind tab, with
    the page's relaxation; the policy items are counted with their own (they are searched apart)."""
    result = backend.search(args.request(per_page, today))
    if result.total and not result.hits and result.page > 1:  # past the last page: show the last one
        last = min(result.pages, MAX_WINDOW // per_page)
        result = backend.search(args.request(per_page, today, page=last))
    if args.policies:
        policies = result.total
    else:
        policy_request = args.request(1, today, kinds=(POLICY_KIND,), page=1, facets=False, highlight=False)
        policies = backend.search(policy_request).total
    if args.tab is None:
        return result, result, policies
    plan = backend.plan(args.request(1, today, kinds=(), page=1, highlight=False))
    counts = backend.execute(plan.relax() if result.relaxed and plan.can_relax else plan)
    return result, counts, policies


def _notices(args: SearchArgs, result: SearchResult, blended: bool = False) -> list[tuple[str, str]]:
    notices = []
    if not args.q.strip():
        notices.append(("info", "请输入关键词进行搜索，例如：稀土永磁、羊绒、氢能。下面是最新发布的信息。"))
    elif result.match_all:
        notices.append(("warning", "关键词里没有可以搜索的文字（只有标点或符号），下面显示全部信息。"))
    if result.truncated:
        notices.append(("warning", f"关键词太长，只按前 {MAX_QUERY_CHARS} 个字搜索。"))
    if blended:
        notices.append(("info", "没有同时包含全部关键词的结果，下面按意思相近程度与部分关键词综合排序。"))
    elif result.relaxed:
        notices.append(("info", "没有同时包含全部关键词的结果，下面是包含部分关键词的结果。"))
    if result.page_clamped or result.total > MAX_WINDOW:
        notices.append(("secondary", f"结果较多，最多可翻看前 {MAX_WINDOW} 条，请增加关键词或筛选条件。"))
    return notices


def search_postings(args: SearchArgs, per_page: int, today) -> SearchPage:
    """Run the search page's query; log what was searched (page 1 only) for the admins' dictionary work.

    The words first (exact, facets, counts). Sorted by relevance, the text's meaning too (semantic.py):
    when no posting had all the words, the page ranks the any-term and the semantic hits together; when
    the words matched, page 1 adds up to RELATED postings that mean the same but share no words."""
    page = SearchPage(args=args)
    try:
        service = get_search()
        (result, counts, policies), page.fell_back = service.read(lambda b: _run(b, args, per_page, today))
    except Exception:
        log.exception("search failed on every backend")
        page.notices.append(("danger", "搜索暂时出错了，请稍后再试。"))
        page.tabs = [(None, "全部", 0)] + [(k.value, k.label, 0) for k in PostingKind] + [(POLICY_KIND, TAB_LABEL, 0)]
        return page
    semantic = []
    if args.sort == "relevance" and args.q.strip() and not result.match_all:
        request = args.request(per_page, today)
        if args.policies:
            semantic = policy_semantic_hits(service, request)
        else:
            semantic = semantic_hits(service, request, frozenset(result.ids))
    if semantic and (result.relaxed or not result.total):
        result = fused_result(service, args, per_page, today, semantic, result)
        page.blended = True
    elif semantic and args.page == 1 and not args.policies:
        shown = set(result.ids)
        page.related = _views_of([pid for pid, _ in semantic if pid not in shown][:RELATED])
    if page.fell_back:
        page.notices.append(("warning", FALLBACK_NOTICE))
    page.notices += _notices(args, result, page.blended)
    by_kind = dict(counts.facets.get("kind", []))
    page.tabs = [(None, "全部", counts.total)] + [(k.value, k.label, by_kind.get(k.value, 0)) for k in PostingKind]
    page.tabs.append((POLICY_KIND, TAB_LABEL, policies))
    page.total, page.page, page.pages, page.relaxed = result.total, result.page, result.pages, result.relaxed
    if args.policies:
        page.hits = policy_hits(result, today, safe_highlight, SNIPPET_CHARS)
        page.facets = _policy_facets(result, args)
    else:
        page.hits = _hit_views(result)
        page.facets = _facets(result, args)
    if args.q.strip() and args.page == 1 and not result.match_all:
        log_search(" ".join(args.q.split())[:MAX_QUERY_CHARS], args.tab, result.total)
    return page
