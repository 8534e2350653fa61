"""Each field and operator on a table of cases: the truth (True / None for "cannot tell" / False) and its reason.

Facts are given directly (what facts_of reads from an organisation and its profile); today is 2026-12-04."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.core.enums import OrgType, Tier
from app.core.policy_enums import RevenueBand
from app.policies.evaluation import Facts, check
from app.policies.rules import validate_rule

TODAY = date(2026, 12, 4)
SME = OrgType.SME


def facts(**values) -> Facts:
    return Facts(org_type=values.pop("org_type", SME), **values)


# (condition, facts, expected truth, a phrase the reason must contain)
CASES = [
    # org_type: in
    ({"field": "org_type", "op": "in", "value": ["sme", "大型企业"]}, facts(), True, "为中小企业或大型企业 ✓"),
    (
        {"field": "org_type", "op": "in", "value": "中小企业"},
        facts(org_type=OrgType.UNIVERSITY),
        False,
        "机构类型为高校，要求为中小企业 ✗",
    ),
    # tier: in / at_least, with the order 创新型 < 专精特新 < 小巨人; no recognition is a plain no
    (
        {"field": "tier", "op": "in", "value": ["专精特新中小企业"]},
        facts(tier=Tier.SPECIALIZED),
        True,
        "为专精特新中小企业 ✓",
    ),
    (
        {"field": "tier", "op": "in", "value": ["specialized"]},
        facts(tier=Tier.LITTLE_GIANT),
        False,
        '梯度培育层级为专精特新"小巨人"',
    ),
    ({"field": "tier", "op": "at_least", "value": "specialized"}, facts(tier=Tier.LITTLE_GIANT), True, "或更高层级 ✓"),
    ({"field": "tier", "op": "at_least", "value": "specialized"}, facts(tier=Tier.SPECIALIZED), True, "✓"),
    (
        {"field": "tier", "op": "at_least", "value": "specialized"},
        facts(tier=Tier.INNOVATIVE),
        False,
        "梯度培育层级为创新型中小企业",
    ),
    ({"field": "tier", "op": "at_least", "value": "innovative"}, facts(), False, "未入选梯度培育库"),
    # tier_year
    (
        {"field": "tier_year", "op": ">=", "value": 2024},
        facts(tier=Tier.SPECIALIZED, tier_year=2024),
        True,
        "不早于 2024 年 ✓",
    ),
    (
        {"field": "tier_year", "op": ">=", "value": 2024},
        facts(tier=Tier.SPECIALIZED, tier_year=2023),
        False,
        "梯度培育认定年份 2023 年，早于 2024 年 ✗",
    ),
    (
        {"field": "tier_year", "op": "between", "value": [2023, 2025]},
        facts(tier=Tier.INNOVATIVE, tier_year=2025),
        True,
        "✓",
    ),
    ({"field": "tier_year", "op": "<=", "value": 2025}, facts(), False, "未入选梯度培育库"),
    # industry: 门类 letter or 大类 code; a firm known only by its 门类 cannot be placed in a 大类
    (
        {"field": "industry", "op": "in", "value": ["C"]},
        facts(industry="C39"),
        True,
        "所属行业为计算机、通信和其他电子设备制造业（C39）",
    ),
    ({"field": "industry", "op": "in", "value": ["C39"]}, facts(industry="C39"), True, "✓"),
    ({"field": "industry", "op": "in", "value": ["14"]}, facts(industry="C39"), False, "要求属于食品制造业（C14） ✗"),
    (
        {"field": "industry", "op": "in", "value": ["C39"]},
        facts(industry="C"),
        None,
        "所属行业只知道为制造业（C），无法判断是否属于",
    ),
    ({"field": "industry", "op": "in", "value": ["C39"]}, facts(), None, "所属行业未填写"),
    ({"field": "industry", "op": "prefix", "value": ["C3"]}, facts(industry="C39"), True, "✓"),
    ({"field": "industry", "op": "prefix", "value": ["C3"]}, facts(industry="C26"), False, "✗"),
    ({"field": "industry", "op": "prefix", "value": ["C3"]}, facts(industry="C"), None, "？"),
    ({"field": "industry", "op": "prefix", "value": ["C3"]}, facts(industry="A"), False, "✗"),
    # region: within the 自治区, a 盟市 or a 旗县; a firm in a 旗县 is within its 盟市 and the 自治区
    ({"field": "region", "op": "within", "value": ["包头市"]}, facts(region="150200"), True, "注册地在包头市 ✓"),
    (
        {"field": "region", "op": "within", "value": ["包头市"]},
        facts(region="150203"),
        True,
        "注册地在昆都仑区（包头市），在包头市 ✓",
    ),
    ({"field": "region", "op": "within", "value": ["内蒙古自治区"]}, facts(region="150203"), True, "在内蒙古自治区 ✓"),
    ({"field": "region", "op": "within", "value": ["150000"]}, facts(region="999999"), False, "注册地在区外"),
    (
        {"field": "region", "op": "within", "value": ["包头市"]},
        facts(region="150100"),
        False,
        "注册地在呼和浩特市，要求注册地在包头市 ✗",
    ),
    (
        {"field": "region", "op": "within", "value": ["昆都仑区"]},
        facts(region="150200"),
        None,
        "注册地只知道在包头市，无法判断是否在昆都仑区（包头市）",
    ),
    ({"field": "region", "op": "within", "value": ["昆都仑区"]}, facts(region="150202"), False, "✗"),
    ({"field": "region", "op": "within", "value": ["包头市"]}, facts(), None, "注册地未填写"),
    # years_since_established: whole years in Beijing today
    (
        {"field": "years_since_established", "op": ">=", "value": 3},
        facts(established_on=date(2023, 12, 4)),
        True,
        "成立年限 3 年，不少于 3 年 ✓",
    ),
    (
        {"field": "years_since_established", "op": ">=", "value": 3},
        facts(established_on=date(2023, 12, 5)),
        False,
        "成立年限 2 年，不满 3 年 ✗",
    ),
    ({"field": "years_since_established", "op": "<=", "value": 5}, facts(established_on=date(2020, 12, 5)), True, "✓"),
    (
        {"field": "years_since_established", "op": "<=", "value": 5},
        facts(established_on=date(2020, 12, 4)),
        False,
        "成立年限 6 年，超过 5 年 ✗",
    ),
    (
        {"field": "years_since_established", "op": "between", "value": [1, 2]},
        facts(established_on=date(2024, 2, 29)),
        True,
        "成立年限 2 年",
    ),
    (
        {"field": "years_since_established", "op": ">=", "value": 1},
        facts(),
        None,
        "成立年限未填写，无法判断是否不少于 1 年 ？",
    ),
    # employees
    ({"field": "employees", "op": ">=", "value": 50}, facts(employees=50), True, "从业人数 50 人，不少于 50 人 ✓"),
    ({"field": "employees", "op": ">=", "value": 50}, facts(employees=49), False, "从业人数 49 人，少于 50 人 ✗"),
    ({"field": "employees", "op": "between", "value": [10, 300]}, facts(employees=301), False, "多于 300 人 ✗"),
    ({"field": "employees", "op": "between", "value": [10, 300]}, facts(employees=9), False, "少于 10 人 ✗"),
    ({"field": "employees", "op": "<=", "value": 300}, facts(employees=0), True, "✓"),
    # revenue: exact, or only its band [low, high)
    (
        {"field": "revenue", "op": ">=", "value": 2000},
        facts(revenue=Decimal("2000.00")),
        True,
        "上年度营业收入 2000 万元，不低于 2000 万元 ✓",
    ),
    (
        {"field": "revenue", "op": ">=", "value": 2000},
        facts(revenue_band=RevenueBand.FROM_2000),
        True,
        "在 2000万–1亿元 区间",
    ),
    ({"field": "revenue", "op": ">=", "value": 2000}, facts(revenue_band=RevenueBand.FROM_500), False, "✗"),
    (
        {"field": "revenue", "op": ">=", "value": 1000},
        facts(revenue_band=RevenueBand.FROM_500),
        None,
        "无法判断是否不低于 1000 万元 ？",
    ),
    ({"field": "revenue", "op": "<=", "value": 2000}, facts(revenue_band=RevenueBand.FROM_500), True, "✓"),
    ({"field": "revenue", "op": "<=", "value": 40000}, facts(revenue_band=RevenueBand.FROM_40000), None, "？"),
    ({"field": "revenue", "op": "<=", "value": 30000}, facts(revenue_band=RevenueBand.FROM_40000), False, "✗"),
    (
        {"field": "revenue", "op": ">=", "value": 1000},
        facts(revenue=Decimal(900), revenue_band=RevenueBand.FROM_500),
        False,
        "900 万元，低于 1000 万元",
    ),
    # rd_ratio: exactly 3 % qualifies for ">= 3"
    (
        {"field": "rd_ratio", "op": ">=", "value": 3},
        facts(rd_ratio=Decimal("3.00")),
        True,
        "研发投入占比 3%，不低于 3% ✓",
    ),
    (
        {"field": "rd_ratio", "op": ">=", "value": 3},
        facts(rd_ratio=Decimal("2.5")),
        False,
        "研发投入占比 2.5%，低于 3% ✗",
    ),
    ({"field": "rd_ratio", "op": ">=", "value": 3}, facts(rd_ratio=Decimal("2.99")), False, "✗"),
    ({"field": "rd_ratio", "op": "<=", "value": 2.9}, facts(rd_ratio=Decimal("2.90")), True, "✓"),
    ({"field": "rd_ratio", "op": ">=", "value": 3}, facts(), None, "研发投入占比未填写，无法判断是否不低于 3% ？"),
    # certificates: held and valid today (or on a given day); undeclared is unknown, declared-without is no
    (
        {"field": "certificates", "op": "has", "value": "高新技术企业"},
        facts(certificates=(("高新技术企业", TODAY),)),
        True,
        "持有有效的“高新技术企业”证书 ✓",
    ),
    (
        {"field": "certificates", "op": "has", "value": "高新技术企业"},
        facts(certificates=(("高新技术企业", None),)),
        True,
        "✓",
    ),
    (
        {"field": "certificates", "op": "has", "value": "高新技术企业"},
        facts(certificates=(("高新技术企业", date(2026, 12, 3)),)),
        False,
        "“高新技术企业”证书有效期至 2026-12-03",
    ),
    (
        {"field": "certificates", "op": "has", "value": "高新技术企业"},
        facts(certificates=()),
        False,
        "未持有“高新技术企业”证书",
    ),
    ({"field": "certificates", "op": "has", "value": "高新技术企业"}, facts(), None, "资质证书未填写"),
    (
        {"field": "certificates", "op": "has", "value": {"name": "ISO9001", "valid_on": "2027-06-30"}},
        facts(certificates=(("ISO9001", date(2027, 6, 30)),)),
        True,
        "有效期至 2027-06-30 或以后 ✓",
    ),
    (
        {"field": "certificates", "op": "has", "value": {"name": "ISO9001", "valid_on": "2027-06-30"}},
        facts(certificates=(("ISO9001", date(2027, 6, 29)),)),
        False,
        "✗",
    ),
    # above_scale, listed
    ({"field": "above_scale", "op": "is", "value": True}, facts(above_scale=True), True, "为规上企业 ✓"),
    (
        {"field": "above_scale", "op": "is", "value": True},
        facts(above_scale=False),
        False,
        "不是规上企业，要求为规上企业 ✗",
    ),
    ({"field": "listed", "op": "is", "value": False}, facts(listed=False), True, "不是上市企业 ✓"),
    ({"field": "listed", "op": "is", "value": False}, facts(), None, "上市企业未填写"),
]


@pytest.mark.parametrize(("condition", "given", "truth", "phrase"), CASES)
def test_condition(condition, given, truth, phrase):
    result, reason = check(validate_rule(condition), given, TODAY)
    assert result is truth
    assert phrase in reason
    assert reason.endswith({True: "✓", False: "✗", None: "？"}[truth])
