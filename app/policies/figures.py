"""The authority's figures per policy item (政策兑现统计): who qualifies, who was told, who looked, watched,
applied and was approved, for how much, and how satisfied they were, in total, by 盟市 and by 梯度培育 tier.

Counting rules (the page and its download say them too):
- 符合企业: verified firms (not 主管部门) with an active user whose verdict on the item is 符合 today (pushdown.py,
  the same population the push speaks to).
- 已推送: PolicyNotice "eligible" rows. 已查看 / 已关注 / 已申报 / 已获批 and 获批金额: the firms' PolicyMark rows,
  whoever set them (a firm may apply while the platform still lacks one of its facts).
- 知晓率 = 符合企业中已查看的 ÷ 符合企业; 惠及率 = 符合企业中已获批的 ÷ 符合企业 (so neither passes 100 %).
- 满意率 = ratings of 4 or 5 ÷ all ratings (given after 获批), with the mean rating.
Ratios come from app.core.rates: no 符合企业 means no rate ("—"), not 0 %.

Authority staff see the items of their own organisation's policies, platform admins every item; anyone else 404.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask import Blueprint, render_template, request
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from app.core.clock import local_today
from app.core.enums import OrgType, Tier
from app.core.errors import NotFound
from app.core.exports import export_sheets
from app.core.rates import percent, ratio
from app.core.regions import REGION_NAMES
from app.extensions import db
from app.policies.marks import NOTICE_ELIGIBLE, PolicyMark, PolicyNotice
from app.policies.models import Policy, PolicyItem
from app.policies.push import qualifying_firms
from app.policies.pushdown import source_for

bp = Blueprint("policy_figures", __name__)

NO_TIER = "未入库"
NO_REGION = "未填写"
HEADERS = [
    "符合企业",
    "已推送",
    "已查看",
    "已关注",
    "已申报",
    "已获批",
    "获批金额（万元）",
    "知晓率",
    "惠及率",
    "满意率",
    "平均评分",
]
NOTE = (
    "符合企业：已认证、有在用账号的企业中，按今天的企业画像判定为“符合”的；知晓率 = 符合企业中已查看的 ÷ 符合企业；"
    "惠及率 = 符合企业中已获批的 ÷ 符合企业；满意率 = 4 分及以上的评价 ÷ 全部评价（获批后评价）。"
)


@dataclass
class Figures:
    """One row of the page: an item in total, or one 盟市 / tier of it."""

    qualifying: int = 0
    notified: int = 0
    viewed: int = 0
    watched: int = 0
    applied: int = 0
    approved: int = 0
    amount_wan: Decimal = Decimal(0)
    viewed_qualifying: int = 0
    approved_qualifying: int = 0
    ratings: list[int] = field(default_factory=list)

    @property
    def awareness(self) -> float | None:  # 知晓率
        return ratio(self.viewed_qualifying, self.qualifying)

    @property
    def reach(self) -> float | None:  # 惠及率
        return ratio(self.approved_qualifying, self.qualifying)

    @property
    def satisfaction(self) -> float | None:  # 满意率
        return ratio(sum(1 for r in self.ratings if r >= 4), len(self.ratings))

    @property
    def mean_rating(self) -> float | None:
        return ratio(sum(self.ratings), len(self.ratings))

    def cells(self) -> list:
        mean = "—" if self.mean_rating is None else f"{self.mean_rating:.1f}"
        counts = [self.qualifying, self.notified, self.viewed, self.watched, self.applied, self.approved]
        return [
            *counts,
            self.amount_wan,
            percent(self.awareness),
            percent(self.reach),
            percent(self.satisfaction),
            mean,
        ]


@dataclass
class ItemFigures:
    item: PolicyItem
    total: Figures = field(default_factory=Figures)
    by_region: dict[str, Figures] = field(default_factory=lambda: defaultdict(Figures))
    by_tier: dict[str, Figures] = field(default_factory=lambda: defaultdict(Figures))

    def rows(self, groups: dict[str, Figures], order: list[str]) -> list[list]:
        return [[name, *groups[name].cells()] for name in order if name in groups]

    def region_rows(self) -> list[list]:
        return self.rows(self.by_region, [*REGION_NAMES.values(), NO_REGION])

    def tier_rows(self) -> list[list]:
        return self.rows(self.by_tier, [t.label for t in reversed(Tier)] + [NO_TIER])


# --- access -------------------------------------------------------------------------------------------------


def visible_policies(user):
    """A select of the policies the user may see figures of; NotFound for anyone but authority staff and admins."""
    query = sa.select(Policy)
    if user.is_platform_admin:
        return query
    org = user.org if user.org_id else None
    if org is None or org.org_type != OrgType.AUTHORITY:
        raise NotFound()
    return query.where(Policy.issuing_org_id == org.id)


def visible_items(user) -> list[PolicyItem]:
    policies = visible_policies(user).subquery()
    return db.session.scalars(
        sa.select(PolicyItem)
        .join(policies, PolicyItem.policy_id == policies.c.id)
        .options(selectinload(PolicyItem.policy))
        .order_by(PolicyItem.closes_on.desc().nulls_last(), PolicyItem.policy_id.desc(), PolicyItem.id)
    ).all()


def get_visible_item(item_id: int, user) -> PolicyItem:
    policies = visible_policies(user).subquery()
    item = db.session.scalar(
        sa.select(PolicyItem).join(policies, PolicyItem.policy_id == policies.c.id).where(PolicyItem.id == item_id)
    )
    if item is None:
        raise NotFound()
    return item


# --- counting -----------------------------------------------------------------------------------------------


def _tier_label(key: int) -> str:
    rank = int(key or 0) // 10000
    return list(Tier)[rank - 1].label if rank else NO_TIER


def _qualifying(items: list[PolicyItem], today: date, firms: dict) -> dict[int, set[int]]:
    """item id → the ids of firms qualifying today; fills `firms` (id → (盟市, tier)) for them."""
    found: dict[int, set[int]] = {item.id: set() for item in items}
    for firm in qualifying_firms(items, today):
        firms[firm.org_id] = (REGION_NAMES.get(firm.region or "", NO_REGION), _tier_label(firm.tier_key))
        for item in firm.items:
            found[item.id].add(firm.org_id)
    return found


def _describe_firms(org_ids: set[int], today: date, firms: dict) -> None:
    """盟市 and tier of firms that marked or were told but do not qualify today."""
    missing = sorted(org_ids - set(firms))
    src = source_for([], today)
    for start in range(0, len(missing), 500):
        query = (
            sa.select(src.org.c.id, src.org.c.region, src.tier_key)
            .select_from(src.from_)
            .where(src.org.c.id.in_(missing[start : start + 500]))
        )
        for org_id, region, tier_key in db.session.execute(query):
            firms[org_id] = (REGION_NAMES.get(region or "", NO_REGION), _tier_label(tier_key))


def compute_figures(items: list[PolicyItem], today: date | None = None) -> list[ItemFigures]:
    """The figures of each item, in total and by 盟市 and tier (see the module docstring for the rules)."""
    today = today or local_today()
    ids = [item.id for item in items]
    firms: dict[int, tuple[str, str]] = {}
    qualifying = _qualifying(items, today, firms)
    marks = db.session.scalars(sa.select(PolicyMark).where(PolicyMark.item_id.in_(ids))).all() if ids else []
    notices = (
        db.session.execute(
            sa.select(PolicyNotice.item_id, PolicyNotice.org_id).where(
                PolicyNotice.item_id.in_(ids), PolicyNotice.kind == NOTICE_ELIGIBLE
            )
        ).all()
        if ids
        else []
    )
    _describe_firms({m.org_id for m in marks} | {org_id for _, org_id in notices}, today, firms)
    result = {item.id: ItemFigures(item) for item in items}

    def groups(item_id: int, org_id: int) -> list[Figures]:
        one = result[item_id]
        region, tier = firms.get(org_id, (NO_REGION, NO_TIER))
        return [one.total, one.by_region[region], one.by_tier[tier]]

    for item_id, org_ids in qualifying.items():
        for org_id in org_ids:
            for f in groups(item_id, org_id):
                f.qualifying += 1
    for item_id, org_id in notices:
        for f in groups(item_id, org_id):
            f.notified += 1
    for mark in marks:
        counted = mark.org_id in qualifying[mark.item_id]
        for f in groups(mark.item_id, mark.org_id):
            _count_mark(f, mark, counted)
    return [result[item.id] for item in items]


def _count_mark(f: Figures, mark: PolicyMark, qualifies: bool) -> None:
    f.viewed += mark.first_viewed_at is not None
    f.watched += mark.watched_at is not None
    f.applied += mark.applied_at is not None
    if mark.approved_at is not None:
        f.approved += 1
        f.amount_wan += mark.approved_amount_wan or 0
        f.approved_qualifying += qualifies
    f.viewed_qualifying += qualifies and mark.first_viewed_at is not None
    if mark.rating is not None:
        f.ratings.append(mark.rating)


# --- pages --------------------------------------------------------------------------------------------------


def _item_cells(one: ItemFigures) -> list:
    item, policy = one.item, one.item.policy
    window = f"{item.opens_on or '—'} 至 {item.closes_on or '长期'}"
    return [policy.title, policy.doc_number or "", policy.status.label, item.title, window, *one.total.cells()]


def chart_of(f: Figures) -> dict:
    labels = ["符合企业", "已推送", "已查看", "已关注", "已申报", "已获批"]
    values = [f.qualifying, f.notified, f.viewed, f.watched, f.applied, f.approved]
    return {"kind": "bar", "horizontal": True, "labels": labels, "series": [{"name": "企业数", "values": values}]}


@bp.get("/policies/figures")
@login_required
def overview():
    figures = compute_figures(visible_items(current_user))
    if fmt := request.args.get("format"):
        headers = ["政策", "文号", "状态", "申报事项", "申报时间", *HEADERS]
        return export_sheets(fmt, "政策兑现统计", [("政策兑现统计", headers, [_item_cells(f) for f in figures])])
    return render_template("policies/figures.html", figures=figures, headers=HEADERS, note=NOTE, one=None)


@bp.get("/policies/figures/<int:item_id>")
@login_required
def item(item_id):
    one = compute_figures([get_visible_item(item_id, current_user)])[0]
    if fmt := request.args.get("format"):
        name = f"政策兑现统计-{one.item.title[:40]}"
        return export_sheets(
            fmt,
            name,
            [
                ("总体", ["申报事项", *HEADERS], [[one.item.title, *one.total.cells()]]),
                ("按盟市", ["盟市", *HEADERS], one.region_rows()),
                ("按梯度层级", ["梯度培育层级", *HEADERS], one.tier_rows()),
            ],
        )
    return render_template(
        "policies/figures.html", one=one, headers=HEADERS, note=NOTE, chart=chart_of(one.total), figures=None
    )
