"""What an applicant typed, checked row by row before anything is stored: the team, the budget, the proposed
milestones, the consortium partners and the linked postings. Every problem is collected (field → Chinese
message) and raised at once, so the form shows them all and nothing changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa

from app.challenges.items.models import ChallengeItem
from app.core.enums import PostingKind, PostingStatus, VerificationStatus
from app.core.errors import ValidationFailed
from app.extensions import db
from app.organizations.models import Organization
from app.postings.models import Posting

TITLE_MAX = 200
SUMMARY_MAX = 2000
PLAN_MAX = 20000
CELL_MAX = 100
PART_MAX = 300
MONTHS_MAX = 120
ROWS_MAX = 30
LINKABLE = (PostingKind.ACHIEVEMENT, PostingKind.CAPABILITY)


@dataclass
class PartnerInput:
    org_name: str
    part: str
    budget_share: str = ""


@dataclass
class ApplicationInput:
    """The apply form as plain data. Rows are dicts of the row's cells as typed; blank rows are left out by the
    form. `indicator_plans` maps an indicator id of the item to its text."""

    project_title: str = ""
    summary: str = ""
    technical_plan: str = ""
    team: list[dict] = field(default_factory=list)
    indicator_plans: dict[int, str] = field(default_factory=dict)
    budget: list[dict] = field(default_factory=list)
    milestones: list[dict] = field(default_factory=list)
    linked_posting_ids: list[int] = field(default_factory=list)
    partners: list[PartnerInput] = field(default_factory=list)
    commitment: bool = False
    uploads: list = field(default_factory=list)


@dataclass
class CleanInput:
    """ApplicationInput after the checks: amounts as Decimal, partner names resolved to organisations."""

    project_title: str
    summary: str
    technical_plan: str
    team: list[dict]
    indicator_plans: dict[str, str]
    budget: list[dict]
    milestones: list[dict]
    linked_posting_ids: list[int]
    partners: list[tuple[Organization, str, Decimal | None]]
    commitment: bool


def money(text, *, allow_zero: bool = False) -> Decimal | None:
    """An amount in 万元 with at most two decimals; None when it is not one."""
    try:
        value = Decimal(str(text).strip().replace(",", ""))
    except InvalidOperation:
        return None
    if not value.is_finite() or value < 0 or (value == 0 and not allow_zero) or value.as_tuple().exponent < -2:
        return None
    return value if value < Decimal("1e10") else None


def wan(value: Decimal) -> str:
    """An amount as stored in the JSON rows and shown: "12.5", "100"."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def budget_total(rows: list[dict]) -> Decimal:
    return sum((Decimal(r["amount_wan"]) for r in rows), Decimal(0))


class _Errors(dict):
    def add(self, name: str, message: str) -> None:
        self.setdefault(name, message)


def _text(errors: _Errors, name: str, label: str, value: str, limit: int, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        errors.add(name, f"请填写{label}")
    elif len(value) > limit:
        errors.add(name, f"{label}不能超过 {limit} 个字")
    return value


def _cells(errors: _Errors, name: str, noun: str, rows: list[dict], cells: dict[str, str]) -> list[dict]:
    """Rows of short text cells: the first cell is required, none longer than CELL_MAX."""
    if len(rows) > ROWS_MAX:
        errors.add(name, f"{noun}最多 {ROWS_MAX} 行")
    clean = []
    first = next(iter(cells))
    for n, row in enumerate(rows[:ROWS_MAX], start=1):
        values = {key: (row.get(key) or "").strip() for key in cells}
        if not values[first]:
            errors.add(name, f"{noun}第 {n} 行：请填写{cells[first]}")
        for key, label in cells.items():
            if len(values[key]) > CELL_MAX:
                errors.add(name, f"{noun}第 {n} 行：{label}不能超过 {CELL_MAX} 个字")
        clean.append(values)
    return clean


def _budget(errors: _Errors, rows: list[dict], item: ChallengeItem) -> list[dict]:
    clean = _cells(errors, "budget", "经费预算", [{"item": r.get("item")} for r in rows], {"item": "预算科目"})
    for n, (row, out) in enumerate(zip(rows, clean, strict=False), start=1):
        amount = money(row.get("amount_wan", ""))
        if amount is None:
            errors.add("budget", f"经费预算第 {n} 行：金额应为大于 0 的数字（万元，最多两位小数）")
        else:
            out["amount_wan"] = wan(amount)
    if "budget" not in errors and budget_total(clean) > item.funding_wan:
        errors.add(
            "budget",
            f"经费预算合计 {wan(budget_total(clean))} 万元，超过了本榜总经费 {wan(item.funding_wan)} 万元",
        )
    return clean


def _milestones(errors: _Errors, rows: list[dict]) -> list[dict]:
    clean = _cells(errors, "milestones", "进度安排", rows, {"name": "节点名称", "deliverable": "交付成果"})
    for n, (row, out) in enumerate(zip(rows, clean, strict=False), start=1):
        months = str(row.get("months") or "").strip()
        if not (months.isascii() and months.isdigit() and 1 <= int(months) <= MONTHS_MAX):
            errors.add("milestones", f"进度安排第 {n} 行：签约后月数应为 1 到 {MONTHS_MAX} 的整数")
        else:
            out["months"] = int(months)
    return sorted(clean, key=lambda r: r.get("months", 0))


def _partners(errors: _Errors, rows: list[PartnerInput]) -> list[tuple[Organization, str, Decimal | None]]:
    clean = []
    for n, row in enumerate(rows, start=1):
        name, part = row.org_name.strip(), row.part.strip()
        org = db.session.scalar(sa.select(Organization).where(Organization.name == name)) if name else None
        if org is None:
            errors.add("partners", f"合作单位第 {n} 行：未找到名为“{name}”的注册机构，请从列表中选择")
            continue
        if not part:
            errors.add("partners", f"合作单位第 {n} 行：请填写“{name}”承担的任务")
        elif len(part) > PART_MAX:
            errors.add("partners", f"合作单位第 {n} 行：承担任务不能超过 {PART_MAX} 个字")
        share = None
        if row.budget_share.strip():
            share = money(row.budget_share, allow_zero=True)
            if share is None:
                errors.add("partners", f"合作单位第 {n} 行：经费份额应为不小于 0 的数字（万元，最多两位小数）")
        clean.append((org, part, share))
    return clean


def linkable_postings(org_id: int) -> list[Posting]:
    """The organisation's own published 科技成果 and 企业能力 postings an application may cite."""
    return list(
        db.session.scalars(
            sa.select(Posting)
            .where(Posting.org_id == org_id, Posting.kind.in_(LINKABLE), Posting.status == PostingStatus.PUBLISHED)
            .order_by(Posting.published_at.desc(), Posting.id.desc())
        )
    )


def partner_choices(exclude: set[int]) -> list[str]:
    """Names of verified organisations for the partner picker (a searchable list), without `exclude`."""
    return list(
        db.session.scalars(
            sa.select(Organization.name)
            .where(Organization.verification == VerificationStatus.VERIFIED, Organization.id.not_in(exclude or {0}))
            .order_by(Organization.name)
        )
    )


def clean_input(data: ApplicationInput, item: ChallengeItem, org: Organization) -> CleanInput:
    """Check every part of the form; raise ValidationFailed with each problem next to its field."""
    errors = _Errors()
    title = _text(errors, "project_title", "项目名称", data.project_title, TITLE_MAX, required=True)
    summary = _text(errors, "summary", "项目摘要", data.summary, SUMMARY_MAX)
    plan = _text(errors, "technical_plan", "技术方案", data.technical_plan, PLAN_MAX)
    team = _cells(errors, "team", "团队成员", data.team, {"name": "姓名", "title": "职称/职务", "role": "项目分工"})
    plans = {}
    for indicator in item.indicators:
        text = _text(errors, "indicator_plans", "指标实现说明", data.indicator_plans.get(indicator.id, ""), PLAN_MAX)
        if text:
            plans[str(indicator.id)] = text
    own = {p.id for p in linkable_postings(org.id)}
    if any(pid not in own for pid in data.linked_posting_ids):
        errors.add("linked_postings", "只能关联本机构已发布的科技成果或企业能力信息")
    clean = CleanInput(
        project_title=title,
        summary=summary,
        technical_plan=plan,
        team=team,
        indicator_plans=plans,
        budget=_budget(errors, data.budget, item),
        milestones=_milestones(errors, data.milestones),
        linked_posting_ids=list(dict.fromkeys(pid for pid in data.linked_posting_ids if pid in own)),
        partners=_partners(errors, data.partners),
        commitment=data.commitment,
    )
    if errors:
        raise ValidationFailed(errors=dict(errors))
    return clean
