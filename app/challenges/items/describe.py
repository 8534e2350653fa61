"""An item's rules in plain Chinese, for its public page, the desk and other areas' pages (template globals)."""

from __future__ import annotations

from decimal import Decimal

from app.challenges.items.models import ChallengeItem
from app.core.challenge_enums import BatchStatus, ChallengeMode, ItemStatus
from app.core.enums import OrgType
from app.core.regions import region_name
from app.postings.listing import decimal_text


def wan(amount: Decimal | None) -> str:
    """12.50 → "12.5 万元"; None → "—"."""
    return f"{decimal_text(amount.quantize(Decimal('0.01')))} 万元" if amount is not None else "—"


def mode_text(item: ChallengeItem) -> str:
    if item.mode == ChallengeMode.HORSE_RACE:
        return f"赛马制：首阶段支持 {item.teams_stage1} 支团队并行攻关，阶段评估后保留 {item.teams_kept} 支"
    return "揭榜挂帅：择优确定一家揭榜单位（或联合体）承担攻关任务"


def consortium_text(item: ChallengeItem) -> str:
    if not item.consortium_allowed:
        return "不接受联合体，须由一家单位独立揭榜"
    return f"允许联合体揭榜：由一家单位牵头，另有成员单位不超过 {item.max_partners} 家，成员单位须在平台注册并确认参与"


def condition_lines(item: ChallengeItem) -> list[str]:
    """揭榜条件, one sentence each; "不限" where the issuer set nothing."""
    types = [OrgType(v).label for v in item.eligible_org_types or []]
    regions = [region_name(code) for code in item.eligible_regions or []]
    lines = [
        "可揭榜单位：" + ("、".join(types) if types else "不限单位类型（不问出身）"),
        "所在地区：" + ("、".join(r for r in regions if r) if regions else "不限地区"),
    ]
    if item.min_tier is not None:
        lines.append(f"梯度培育层级：须为{item.min_tier.label}及以上")
    if item.required_certificates:
        lines.append("须具备的资质：" + "、".join(item.required_certificates))
    if item.other_conditions:
        lines.append(f"其他条件：{item.other_conditions}")
    lines.append(consortium_text(item))
    return lines


def plan_lines(item: ChallengeItem) -> list[str]:
    """Each tranche: "首付款 30%（15 万元），签订任务书后支付"."""
    return [
        f"{t.name} {t.percent}%（{wan(item.funding_wan * t.percent / 100)}），{t.trigger.label}后支付"
        for t in item.tranches
    ]


def history_label(code: str, kind: str) -> str:
    """An audit row's status code in Chinese ("batch" or "item" statuses)."""
    found = (BatchStatus if kind == "batch" else ItemStatus).from_any(code)
    return found.label if found is not None else {"deleted": "已删除"}.get(code, code)
