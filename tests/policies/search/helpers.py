"""Policies and items for the search tests, written straight through the models (as import and staff do)."""

from __future__ import annotations

from datetime import date

from app.core.policy_enums import BenefitType, PolicyScope, PolicyStatus
from app.policies.models import Policy, PolicyItem

DIGITAL = {
    "title": "内蒙古自治区中小企业数字化转型专项资金管理办法",
    "issuer": "内蒙古自治区工业和信息化厅",
    "doc_number": "内工信规〔2026〕3号",
    "scope": PolicyScope.AUTONOMOUS_REGION,
    "region": "150000",
    "interpretation": "支持中小企业上云用数赋智，对部署MES制造执行系统、ERP、工业互联网平台的数字化改造项目给予补助。",
}
DIGITAL_ITEM = {
    "title": "数字化改造项目补助",
    "benefit_type": BenefitType.SUBSIDY,
    "amount_min_wan": 10,
    "amount_max_wan": 50,
    "opens_on": date(2026, 11, 1),
    "closes_on": date(2026, 12, 31),
}
JOBS = {
    "title": "包头市稳岗返还实施办法",
    "issuer": "包头市人力资源和社会保障局",
    "doc_number": "包人社发〔2026〕12号",
    "scope": PolicyScope.LEAGUE_CITY,
    "region": "150200",
    "interpretation": "上年度未裁员或裁员率低于规定比例的参保单位，返还其上年度实际缴纳失业保险费的一定比例。",
}
JOBS_ITEM = {"title": "失业保险稳岗返还", "benefit_type": BenefitType.OTHER, "closes_on": date(2026, 12, 20)}


def make_policy(db, base: dict, items: list[dict], status=PolicyStatus.PUBLISHED, **changes) -> Policy:
    """A policy with its items, committed (the session hook writes the items' outbox rows)."""
    policy = Policy(**{**base, **changes}, status=status, published_on=date(2026, 11, 1))
    policy.items = [PolicyItem(**item) for item in items]
    db.session.add(policy)
    db.session.commit()
    return policy
