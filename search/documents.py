"""The plain document the app hands to search, and the analysed form the engines index.

The app (app/matching/) turns a Posting into a `PostingDocument`; nothing here knows about
models. `prepare_document` validates the shape and adds the segmented fields.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypedDict

from search.analysis import Analyzer

KINDS: tuple[str, ...] = ("achievement", "need", "procurement", "capability")
# Policy items (惠企政策申报事项) are indexed beside the postings, in an index of their own; a search asks
# for them alone (never mixed with posting kinds), and the posting kinds stay the default of every search.
POLICY_KIND = "policy"
INDEX_KINDS: tuple[str, ...] = (*KINDS, POLICY_KIND)
POLICY_FIELDS: tuple[str, ...] = ("issuer", "benefit", "opens_on", "closes_on")
SEG_FIELDS: tuple[str, ...] = ("title_seg", "keywords_seg", "body_seg")
_INDUSTRY = re.compile(r"^[A-T](\d{2})?$")


class PostingDocument(TypedDict, total=False):
    """One posting as search sees it. id, kind, version, status, title are required."""

    id: int
    kind: str  # achievement | need | procurement | capability
    version: int  # posting.version: a newer version always wins in the index
    status: str  # only "published" is searchable
    title: str
    body: str
    keywords: list[str]
    industry: str | None  # GB/T 4754 门类+大类 ("C39") or a bare 门类 ("C")
    region: str | None  # 6-digit 盟市 code
    trl: int | None
    cooperation: list[str]  # CooperationMode values
    tier: str | None  # Tier value
    deadline: str | None  # ISO date; past deadline = not searchable
    published_at: str | None  # ISO datetime
    org_id: int | None
    group_id: int | None
    challenge: bool  # 揭榜挂帅
    budget_wan: float | None
    vector: list[float] | None  # the posting's dense vector, when computed (engines with vector search)
    # policy items only (kind "policy"): facets, the application window, and what a result shows
    issuer: str | None
    benefit: str | None  # BenefitType value
    opens_on: str | None  # ISO date
    closes_on: str | None  # ISO date; a closed window stays searchable (the 已截止 facet)
    display: dict | None  # stored, not indexed: the policy's id, title, 文号, amount…


def _iso_date(value: Any) -> str | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return date.fromisoformat(str(value)[:10]).isoformat()


def _iso_datetime(value: Any) -> str | None:
    if value in (None, ""):
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if not isinstance(value, datetime):
        value = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return value.replace(tzinfo=None, microsecond=0).isoformat()


def _optional_int(value: Any) -> int | None:
    return None if value in (None, "") else int(value)


def _optional_str(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def _str_list(value: Any) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        return [value]
    return [str(getattr(v, "value", v)) for v in value if v not in (None, "")]


def clean_document(doc: PostingDocument | dict) -> dict:
    """The document with every field present and in its indexed type; ValueError if malformed."""
    missing = [f for f in ("id", "kind", "version", "status", "title") if doc.get(f) in (None, "")]
    if missing:
        raise ValueError(f"search document lacks {', '.join(missing)}")
    kind = str(getattr(doc["kind"], "value", doc["kind"]))
    if kind not in INDEX_KINDS:
        raise ValueError(f"unknown posting kind {kind!r}")
    industry = _optional_str(doc.get("industry"))
    if industry is not None:
        industry = industry.strip().upper()
        if not _INDUSTRY.match(industry):
            raise ValueError(f"industry code {industry!r} is not 门类 or 门类+大类")
    budget = doc.get("budget_wan")
    cleaned = {
        "id": int(doc["id"]),
        "kind": kind,
        "version": int(doc["version"]),
        "status": str(getattr(doc["status"], "value", doc["status"])),
        "title": str(doc["title"]),
        "body": str(doc.get("body") or ""),
        "keywords": _str_list(doc.get("keywords")),
        "industry": industry,
        "industry_section": industry[0] if industry else None,
        "region": _optional_str(doc.get("region")),
        "trl": _optional_int(doc.get("trl")),
        "cooperation": _str_list(doc.get("cooperation")),
        "tier": _optional_str(getattr(doc.get("tier"), "value", doc.get("tier"))),
        "deadline": _iso_date(doc.get("deadline")),
        "published_at": _iso_datetime(doc.get("published_at")),
        "org_id": _optional_int(doc.get("org_id")),
        "group_id": _optional_int(doc.get("group_id")),
        "challenge": bool(doc.get("challenge")),
        "budget_wan": None if budget in (None, "") else float(Decimal(str(budget))),
    }
    if doc.get("vector") is not None:
        cleaned["vector"] = [float(x) for x in doc["vector"]]
    if kind == POLICY_KIND:
        cleaned.update(_policy_fields(doc))
    return cleaned


def _policy_fields(doc: dict) -> dict:
    """Only policy documents carry these: the posting indexes' strict mappings predate them."""
    return {
        "issuer": _optional_str(doc.get("issuer")),
        "benefit": _optional_str(getattr(doc.get("benefit"), "value", doc.get("benefit"))),
        "opens_on": _iso_date(doc.get("opens_on")),
        "closes_on": _iso_date(doc.get("closes_on")),
        "display": dict(doc.get("display") or {}),
    }


def prepare_document(doc: PostingDocument | dict, analyzer: Analyzer) -> dict:
    """The cleaned document plus title_seg, keywords_seg and body_seg for indexing."""
    out = clean_document(doc)
    out["title_seg"] = analyzer.segment(out["title"])
    out["keywords_seg"] = " ".join(s for s in map(analyzer.segment, out["keywords"]) if s)
    out["body_seg"] = analyzer.segment(out["body"])
    return out
