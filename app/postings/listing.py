"""The list pages: filters read from the query string, the SQL they become, and how a posting is shown
(the detail page and the .xlsx/.csv export use the same labelled fields).

The keyword box is a plain SQL LIKE for now; the search engine replaces it later.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import joinedload, lazyload, selectinload

from app.core.clock import local_today
from app.core.enums import ACHIEVEMENT_MODES, NEED_MODES, CooperationMode, PostingKind, PostingStatus, Tier
from app.core.glossary import trl_label
from app.core.industries import normalize_industry
from app.core.regions import parse_region
from app.core.web import local_time
from app.postings.models import Posting, PostingMode
from app.postings.queries import is_platform_admin
from app.postings.schema import AMOUNT_UNIT, FIELD_LABELS, NEGOTIABLE, parse_int

QUERY_MAX = 100
TERMS_MAX = 5
EXPORT_MAX_ROWS = 5000
TRUE_VALUES = {"1", "on", "true", "yes"}
DEADLINE_KINDS = (PostingKind.NEED, PostingKind.PROCUREMENT)


def sorts_for(kind: PostingKind) -> dict[str, str]:
    sorts = {"new": "最新发布", "title": "按标题"}
    if kind in DEADLINE_KINDS:
        sorts["deadline"] = "截止日期最近"
    return sorts


def modes_for(kind: PostingKind) -> list[CooperationMode]:
    return {PostingKind.ACHIEVEMENT: ACHIEVEMENT_MODES, PostingKind.NEED: NEED_MODES}.get(kind, [])


@dataclass
class PostingFilters:
    q: str = ""
    industry: str | None = None
    region: str | None = None
    trl_min: int | None = None
    mode: CooperationMode | None = None
    challenge: bool = False
    tier: Tier | None = None
    open_only: bool = False
    mine: bool = False  # the "我的" view: the user's own organisation, any status (or `status`)
    status: PostingStatus | None = None
    sort: str = "new"

    @classmethod
    def from_args(cls, kind: PostingKind, args: Mapping) -> PostingFilters:
        """Read the query string. A value that makes no sense is ignored, never an error."""
        trl = parse_int(args.get("trl") or "")
        mode = CooperationMode.from_any(args.get("mode"))
        status_arg = (args.get("status") or "").strip()
        status = PostingStatus.from_any(status_arg)
        return cls(
            q=" ".join(str(args.get("q") or "").split())[:QUERY_MAX],
            industry=normalize_industry(args.get("industry")),
            region=parse_region(args.get("region")),
            trl_min=trl if kind == PostingKind.ACHIEVEMENT and trl is not None and 1 <= trl <= 9 else None,
            mode=mode if mode in modes_for(kind) else None,
            challenge=kind == PostingKind.NEED and args.get("challenge") in TRUE_VALUES,
            tier=Tier.from_any(args.get("tier")) if kind == PostingKind.CAPABILITY else None,
            open_only=kind in DEADLINE_KINDS and args.get("open") in TRUE_VALUES,
            mine=status_arg == "all" or status is not None,
            status=status,
            sort=args.get("sort") if args.get("sort") in sorts_for(kind) else "new",
        )

    @property
    def terms(self) -> list[str]:
        return self.q.split()[:TERMS_MAX]


def _contains(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _keyword_clause(term: str):
    # Keywords are a JSON array whose text may hold "\uXXXX" escapes, so the term is matched both as typed
    # and as JSON would spell it.
    keywords = sa.cast(Posting.keywords, sa.Text)
    patterns = {_contains(term), _contains(json.dumps(term)[1:-1])}
    return sa.or_(
        Posting.title.ilike(_contains(term), escape="\\"),
        Posting.body.ilike(_contains(term), escape="\\"),
        *(keywords.ilike(p, escape="\\") for p in sorted(patterns)),
    )


def _scope(stmt, filters: PostingFilters, user) -> tuple[sa.Select, bool]:
    """Everyone sees published postings; an org member in the "我的" view sees their own organisation's
    postings in any status, and a platform admin sees every organisation's. (select, published only)"""
    admin = is_platform_admin(user)
    member_org = getattr(user, "org_id", None) if getattr(user, "is_authenticated", False) else None
    if filters.mine and (admin or member_org):
        if not admin:
            stmt = stmt.where(Posting.org_id == member_org)
        return (stmt.where(Posting.status == filters.status) if filters.status else stmt), False
    return stmt.where(Posting.status == PostingStatus.PUBLISHED), True


def filtered_postings(
    kind: PostingKind, filters: PostingFilters, user, today: date | None = None, export: bool = False
):
    """The list page's select: scope, filters and sort order. Loads each posting's organisation (one join);
    the cooperation modes only for an export (the cards do not show them)."""
    modes = selectinload(Posting.modes) if export else lazyload(Posting.modes)
    base = sa.select(Posting).where(Posting.kind == kind).options(joinedload(Posting.org, innerjoin=True), modes)
    stmt, published_only = _scope(base, filters, user)
    for term in filters.terms:
        stmt = stmt.where(_keyword_clause(term))
    if filters.industry:
        if len(filters.industry) == 1:  # a 门类 covers all its 大类
            stmt = stmt.where(Posting.industry.startswith(filters.industry))
        else:
            stmt = stmt.where(Posting.industry == filters.industry)
    if filters.region:
        stmt = stmt.where(Posting.region == filters.region)
    if filters.trl_min:
        stmt = stmt.where(Posting.trl >= filters.trl_min)
    if filters.mode:
        stmt = stmt.where(Posting.modes.any(PostingMode.mode == filters.mode))
    if filters.challenge:
        stmt = stmt.where(Posting.challenge.is_(True))
    if filters.tier:
        stmt = stmt.where(Posting.tier == filters.tier)
    if filters.open_only:
        today = today or local_today()
        stmt = stmt.where(sa.or_(Posting.deadline.is_(None), Posting.deadline >= today))
    if filters.sort == "deadline":
        return stmt.order_by(sa.case((Posting.deadline.is_(None), 1), else_=0), Posting.deadline, Posting.id.desc())
    if filters.sort == "title":
        return stmt.order_by(Posting.title, Posting.id)
    # Every published posting has its published_at (each way of publishing sets it): the same order as the
    # coalesce, read from the (kind, status, published_at) index instead of sorting every row.
    newest = Posting.published_at if published_only else sa.func.coalesce(Posting.published_at, Posting.updated_at)
    return stmt.order_by(newest.desc(), Posting.id.desc())


# --- how a posting is shown -----------------------------------------------------------------


def decimal_text(value: Decimal | None) -> str:
    """100.00 → "100", 12.50 → "12.5"."""
    return f"{value.normalize():f}" if value is not None else ""


def _amount(value: Decimal | None) -> str:
    return f"{decimal_text(value)} {AMOUNT_UNIT}" if value is not None else ""


def reward_text(posting: Posting) -> str:
    """A 揭榜挂帅 reward: its amount, or 面议 when none was named."""
    return _amount(posting.reward_wan) or (NEGOTIABLE[0] if posting.challenge else "")


def _labels(items) -> str:
    return "、".join(getattr(i, "label", str(i)) for i in items or [])


FACTS = {
    "industry": lambda p: f"{p.industry} {p.industry_name}" if p.industry else "",
    "region": lambda p: p.region_name,
    "trl": lambda p: trl_label(p.trl) if p.trl else "",
    "cooperation": lambda p: _labels(p.cooperation),
    "year": lambda p: str(p.year or ""),
    "patents": lambda p: "；".join(p.patents or []),
    "budget_wan": lambda p: _amount(p.budget_wan),
    "deadline": lambda p: p.deadline.isoformat() if p.deadline else "",
    "challenge": lambda p: "是" if p.challenge else "",
    "reward_wan": reward_text,
    "ip_terms": lambda p: p.ip_terms or "",
    "quantity": lambda p: p.quantity or "",
    "qualifications": lambda p: p.qualifications or "",
    "certifications": lambda p: "；".join(p.certifications or []),
    "tier": lambda p: p.tier.label if p.tier else "",
}
KIND_FACTS: dict[PostingKind, tuple[str, ...]] = {
    PostingKind.ACHIEVEMENT: ("industry", "region", "trl", "cooperation", "year", "patents"),
    PostingKind.NEED: (
        "industry",
        "region",
        "budget_wan",
        "deadline",
        "challenge",
        "reward_wan",
        "cooperation",
        "ip_terms",
    ),
    PostingKind.PROCUREMENT: ("industry", "region", "quantity", "deadline", "qualifications"),
    PostingKind.CAPABILITY: ("industry", "region", "tier", "certifications"),
}


def body_label(kind: PostingKind) -> str:
    return FIELD_LABELS["summary" if kind == PostingKind.ACHIEVEMENT else "description"]


def fact_label(name: str) -> str:
    """A field's label where its value is shown with its unit ("30 万元"): "预算", not "预算(万元)"."""
    return FIELD_LABELS[name].removesuffix(f"({AMOUNT_UNIT})")


def posting_facts(posting: Posting) -> list[tuple[str, str, str]]:
    """(field name, Chinese label, text) of the kind's fields that have a value; the name lets the page add
    help to a term (the industry code)."""
    facts = [(name, fact_label(name), FACTS[name](posting)) for name in KIND_FACTS[posting.kind]]
    return [(name, label, text) for name, label, text in facts if text]


def export_table(kind: PostingKind, postings) -> tuple[list[str], list[list]]:
    """Headers and rows for export_rows. Contact details are never exported."""
    names = KIND_FACTS[kind]
    headers = ["编号", "标题", "发布机构", "状态", "发布时间", FIELD_LABELS["keywords"]]
    headers += [fact_label(n) for n in names] + [body_label(kind), "链接"]
    rows = [
        [p.id, p.title, p.org.name, p.status.label, local_time(p.published_at), p.keywords]
        + [FACTS[n](p) for n in names]
        + [p.body, url_for("postings.detail", kind=kind.value, posting_id=p.id, _external=True)]
        for p in postings
    ]
    return headers, rows
