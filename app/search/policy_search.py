"""The 惠企政策 tab of the search page: policy items (indexed by the policies package through the outbox,
app/policies/indexing.py) found by their words, with facets 发文部门, 地区, 支持方式 and 申报状态.

The items' index documents carry what a result shows (`display`), so this layer needs nothing from the
policies package above it. The 申报状态 (申报中 / 即将截止 / 已截止) is computed at query time from the
window and the Beijing date the page passes (search.policy_filters), never stored. Ranking is by words,
with the postings' analysis (jieba, dictionary, synonyms) and relaxation; when no item has all the words, the
items' vectors (semantic.policy_semantic_hits) are fused in, as for postings.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date

from flask import url_for
from markupsafe import Markup
from werkzeug.routing import BuildError

from app.core.policy_enums import BenefitType
from app.core.regions import region_name
from search import SearchResult
from search.documents import POLICY_KIND
from search.policy_filters import CLOSING_DAYS, WINDOW_FACET, WINDOWS, window_bounds

TAB_LABEL = "惠企政策"
WINDOW_LABELS = {"open": "申报中", "closing": f"即将截止（{CLOSING_DAYS}天内）", "closed": "已截止"}
FACET_LABELS = {"issuer": "发文部门", "region": "地区", "benefit": "支持方式", WINDOW_FACET: "申报状态"}
FACET_ARGS = {"issuer": "issuer", "region": "region", "benefit": "benefit", WINDOW_FACET: "window"}
AUTONOMOUS_REGION = "150000"


def policy_url(policy_id) -> str:
    """The policy's page (the policies package's blueprint); its path when that page is not registered."""
    try:
        return url_for("policies.detail", policy_id=policy_id)
    except BuildError:
        return f"/policies/{int(policy_id)}"


def place_label(code) -> str:
    return "自治区本级" if code == AUTONOMOUS_REGION else (region_name(code) or str(code))


def benefit_label(value) -> str:
    try:
        return BenefitType(value).label
    except ValueError:
        return str(value)


def window_state(opens_on: str | None, closes_on: str | None, today: date) -> str:
    """未开始 / 申报中 / 即将截止 / 已截止 of one window on `today` (the same rules as the facet)."""
    day, closing = window_bounds(today)
    if closes_on and closes_on < day:
        return "已截止"
    if opens_on and opens_on > day:
        return "未开始"
    if closes_on and closes_on <= closing:
        return "即将截止"
    return "申报中"


@dataclass
class PolicyHitView:
    """One policy item on the search page, from its index document."""

    item_id: int
    title: Markup
    snippet: Markup
    url: str
    policy_title: str
    issuer: str
    doc_number: str
    benefit: str
    amount: str
    region: str
    window: str  # 申报期 text
    state: str  # 申报中 / 即将截止 / 已截止 / 未开始

    is_policy = True


def _mark(fragments, plain: str, safe_highlight) -> Markup:
    return safe_highlight(fragments[0]) if fragments else Markup(html.escape(plain, quote=False))


def policy_hits(result: SearchResult, today: date, safe_highlight, snippet_chars: int) -> list[PolicyHitView]:
    views = []
    for hit in result.hits:
        doc, shown = hit.source, hit.source.get("display") or {}
        body = doc.get("body") or ""
        plain = body[:snippet_chars] + ("…" if len(body) > snippet_chars else "")
        views.append(
            PolicyHitView(
                item_id=hit.id,
                title=_mark(hit.highlights.get("title"), doc.get("title", ""), safe_highlight),
                snippet=_mark(hit.highlights.get("body"), plain, safe_highlight),
                url=policy_url(shown.get("policy_id", 0)),
                policy_title=shown.get("policy_title", ""),
                issuer=doc.get("issuer") or "",
                doc_number=shown.get("doc_number") or "",
                benefit=benefit_label(doc.get("benefit")),
                amount=shown.get("amount") or "",
                region=shown.get("region_name") or place_label(doc.get("region")),
                window=shown.get("window") or "",
                state=window_state(doc.get("opens_on"), doc.get("closes_on"), today),
            )
        )
    return views


def facet_options(result: SearchResult, name: str) -> list[tuple[str, str, int]]:
    """(value, label, count) of one policy facet."""
    buckets = result.facets.get(name, [])
    if name == WINDOW_FACET:
        counts = dict(buckets)
        return [(w, WINDOW_LABELS[w], counts.get(w, 0)) for w in WINDOWS]
    label = {"region": place_label, "benefit": benefit_label}.get(name, str)
    return [(str(value), label(value), count) for value, count in buckets]


def policy_request_kinds() -> tuple[str, ...]:
    return (POLICY_KIND,)
