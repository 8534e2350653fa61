"""The docking funnel for organisers: matches → requests → accepted → intention → signed → completed, with the
total contract amount, for requests created in a period, by region, industry and organisation type.

Region and organisation type apply to one side, chosen by the user: the requesting organisation (for a match,
the owner of the source posting) or the owner of the target posting. Industry is the target posting's 门类.
A record counts at the furthest stage it reached, so a deal terminated after signing still counts as signed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from app.core.clock import local_today, to_utc
from app.core.enums import DockingStage, OrgType
from app.core.industries import SECTIONS
from app.core.rates import percent, ratio
from app.core.regions import REGION_NAMES
from app.docking.models import DockingRecord, DockingRequest
from app.extensions import db
from app.matching.models import Match
from app.organizations.models import Organization
from app.postings.models import Posting

ST = DockingStage
SIDES = {"from": "发起方（需求/匹配一方）", "to": "信息发布方（被对接一方）"}
SIDE_NAMES = {"from": "发起方", "to": "信息发布方"}
INTENT_OR_LATER = [ST.INTENT.value, ST.SIGNED.value, ST.COMPLETED.value]
SIGNED_OR_LATER = [ST.SIGNED.value, ST.COMPLETED.value]
STEPS = ("匹配推荐", "对接请求", "已接受", "达成意向", "已签约", "已完成")


def _day(text: str | None, default: date) -> date:
    try:
        day = date.fromisoformat((text or "").strip())
    except ValueError:
        return default
    return day if date(2000, 1, 1) <= day <= date(2100, 12, 31) else default


@dataclass(frozen=True)
class FunnelFilters:
    start: date
    end: date
    side: str = "from"
    region: str | None = None
    industry: str | None = None  # a 门类 letter
    org_type: OrgType | None = None

    @classmethod
    def from_args(cls, args) -> FunnelFilters:
        """Anything that is not a known value is simply ignored (default: this year, no filter)."""
        today = local_today()
        start = _day(args.get("start"), date(today.year, 1, 1))
        end = _day(args.get("end"), today)
        if end < start:
            start, end = end, start
        region = args.get("region")
        industry = (args.get("industry") or "").strip().upper()
        return cls(
            start=start,
            end=end,
            side=args.get("side") if args.get("side") in SIDES else "from",
            region=region if region in REGION_NAMES else None,
            industry=industry if industry in SECTIONS else None,
            org_type=OrgType.from_any(args.get("org_type")) if args.get("org_type") else None,
        )

    def utc_range(self) -> tuple[datetime, datetime]:
        """The Beijing dates start..end (inclusive) as a half-open range of stored naive-UTC times."""
        low = to_utc(datetime.combine(self.start, datetime.min.time()))
        high = to_utc(datetime.combine(self.end + timedelta(days=1), datetime.min.time()))
        return low, high

    def describe(self) -> str:
        parts = [f"{self.start:%Y-%m-%d} 至 {self.end:%Y-%m-%d}"]
        if self.region:
            parts.append(f"{SIDE_NAMES[self.side]}盟市：{REGION_NAMES[self.region]}")
        if self.org_type:
            parts.append(f"{SIDE_NAMES[self.side]}类型：{self.org_type.label}")
        if self.industry:
            parts.append(f"行业：{SECTIONS[self.industry]}")
        return "；".join(parts)


@dataclass(frozen=True)
class FunnelStep:
    label: str
    count: int
    rate: float | None  # of the step before; None for the first step and after an empty one
    share: float | None  # of the first step

    @property
    def rate_text(self) -> str:
        return percent(self.rate)

    @property
    def share_text(self) -> str:
        return percent(self.share)


@dataclass(frozen=True)
class Funnel:
    counts: list[tuple[str, int]]
    amount_wan: Decimal

    @property
    def steps(self) -> list[FunnelStep]:
        first = self.counts[0][1] if self.counts else 0
        out, before = [], None
        for i, (label, n) in enumerate(self.counts):
            out.append(FunnelStep(label, n, ratio(n, before) if i else None, ratio(n, first)))
            before = n
        return out

    @property
    def overall(self) -> list[tuple[str, float | None]]:
        """The whole way to 已完成: from the matches suggested and from the requests sent."""
        (last_label, last), *_ = reversed(self.counts)
        return [(f"{label}→{last_label}", ratio(last, n)) for label, n in self.counts[:2]]

    @property
    def overall_text(self) -> list[tuple[str, str]]:
        return [(label, percent(rate)) for label, rate in self.overall]

    @property
    def chart(self) -> dict:
        """What app/static/charts.js draws: the counts on a log scale (small stages stay visible beside
        thousands of matches), each labelled with its count and the rate from the step before."""
        steps = self.steps
        return {
            "kind": "funnel",
            "labels": [s.label for s in steps],
            "values": [s.count for s in steps],
            "rates": [None if i == 0 else s.rate_text for i, s in enumerate(steps)],
            "note": "横轴为对数刻度；括号内为相对上一环节的转化率",
        }

    def export_table(self) -> tuple[list[str], list[list]]:
        headers = ["环节", "数量", "转化率（相对上一环节）", f"占{STEPS[0]}比例"]
        rows = [[s.label, s.count, s.rate_text if i else "", s.share_text] for i, s in enumerate(self.steps)]
        rows += [[f"总体转化率（{label}）", "", text, ""] for label, text in self.overall_text]
        rows.append(["合同总金额（万元）", float(self.amount_wan), "", ""])
        return headers, rows


def _side_filters(filters: FunnelFilters, org) -> list:
    conditions = []
    if filters.region:
        conditions.append(org.region == filters.region)
    if filters.org_type:
        conditions.append(org.org_type == filters.org_type)
    return conditions


def _industry_filter(filters: FunnelFilters, target) -> list:
    return [target.industry.like(f"{filters.industry}%")] if filters.industry else []


# Matches count by `first_matched_at`: when the pair's row was first stored. Recomputes keep the row
# (and that date); a pair that falls out of the top N and later returns is a new row, counted again.
def _match_count(filters: FunnelFilters) -> int:
    source, target, org = aliased(Posting), aliased(Posting), aliased(Organization)
    low, high = filters.utc_range()
    side_posting = source if filters.side == "from" else target
    stmt = (
        sa.select(sa.func.count(Match.id))
        .join(source, Match.source_id == source.id)
        .join(target, Match.target_id == target.id)
        .join(org, org.id == side_posting.org_id)
        .where(Match.first_matched_at >= low, Match.first_matched_at < high)
        .where(*_side_filters(filters, org), *_industry_filter(filters, target))
    )
    return db.session.scalar(stmt) or 0


def _reached(stages: list[str]):
    return sa.func.coalesce(sa.func.sum(sa.case((DockingRecord.peak_stage.in_(stages), 1), else_=0)), 0)


def compute_funnel(filters: FunnelFilters) -> Funnel:
    target, org = aliased(Posting), aliased(Organization)
    low, high = filters.utc_range()
    side_org_id = DockingRequest.from_org_id if filters.side == "from" else DockingRequest.to_org_id
    signed_amount = sa.case((DockingRecord.peak_stage.in_(SIGNED_OR_LATER), DockingRecord.amount_wan), else_=None)
    stmt = (
        sa.select(
            sa.func.count(DockingRequest.id),
            sa.func.count(DockingRecord.id),
            _reached(INTENT_OR_LATER),
            _reached(SIGNED_OR_LATER),
            _reached([ST.COMPLETED.value]),
            sa.func.coalesce(sa.func.sum(signed_amount), 0),
        )
        .select_from(DockingRequest)
        .join(target, DockingRequest.target_posting_id == target.id)
        .join(org, org.id == side_org_id)
        .outerjoin(DockingRecord, DockingRecord.request_id == DockingRequest.id)
        .where(DockingRequest.created_at >= low, DockingRequest.created_at < high)
        .where(*_side_filters(filters, org), *_industry_filter(filters, target))
    )
    requests, accepted, intent, signed, completed, amount = db.session.execute(stmt).one()
    numbers = (_match_count(filters), requests, accepted, intent, signed, completed)
    return Funnel(
        list(zip(STEPS, (int(n) for n in numbers), strict=True)), Decimal(amount or 0).quantize(Decimal("0.01"))
    )
