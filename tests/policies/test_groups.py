"""all / any groups with three-valued logic, the verdict, the missing facts and the rule read as a sentence."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.core.enums import OrgType, Tier
from app.core.policy_enums import Verdict
from app.policies.evaluation import Facts, evaluate
from app.policies.rules import render_rule, validate_rule

TODAY = date(2026, 12, 4)
IN_BAOTOU = {"field": "region", "op": "within", "value": ["包头市"]}
SPECIALIZED = {"field": "tier", "op": "in", "value": ["专精特新中小企业"]}
RD_3 = {"field": "rd_ratio", "op": ">=", "value": 3}
HIGH_TECH = {"field": "certificates", "op": "has", "value": "高新技术企业"}
T = Facts(org_type=OrgType.SME, region="150200", tier=Tier.SPECIALIZED, tier_year=2025, rd_ratio=Decimal(4))
F = Facts(org_type=OrgType.SME, region="150100", tier=Tier.INNOVATIVE, tier_year=2025, rd_ratio=Decimal(1))
U = Facts(org_type=OrgType.SME)  # nothing filled in

# (rule, facts, verdict, missing)
CASES = [
    ({"all": [IN_BAOTOU, SPECIALIZED, RD_3]}, T, Verdict.ELIGIBLE, []),
    (
        {"all": [IN_BAOTOU, SPECIALIZED, RD_3]},
        Facts(org_type=OrgType.SME, region="150200", tier=Tier.SPECIALIZED),
        Verdict.MAYBE,
        ["rd_ratio"],
    ),
    # all: any false → 不符合, even beside unknowns
    ({"all": [IN_BAOTOU, RD_3]}, Facts(org_type=OrgType.SME, region="150100"), Verdict.INELIGIBLE, []),
    ({"all": [IN_BAOTOU, RD_3, HIGH_TECH]}, U, Verdict.MAYBE, ["region", "rd_ratio", "certificates"]),
    # any: any true → 符合, even beside unknowns; else any unknown → 可能符合
    ({"any": [IN_BAOTOU, RD_3]}, Facts(org_type=OrgType.SME, region="150200"), Verdict.ELIGIBLE, []),
    ({"any": [IN_BAOTOU, RD_3]}, Facts(org_type=OrgType.SME, region="150100"), Verdict.MAYBE, ["rd_ratio"]),
    ({"any": [IN_BAOTOU, SPECIALIZED]}, F, Verdict.INELIGIBLE, []),
    # nesting: a decided inner group hides its unknowns from `missing`
    (
        {"all": [SPECIALIZED, {"any": [IN_BAOTOU, HIGH_TECH]}, RD_3]},
        Facts(org_type=OrgType.SME, tier=Tier.SPECIALIZED, region="150200"),
        Verdict.MAYBE,
        ["rd_ratio"],
    ),
    (
        {"all": [SPECIALIZED, {"any": [IN_BAOTOU, HIGH_TECH]}]},
        Facts(org_type=OrgType.SME, tier=Tier.SPECIALIZED, region="150100"),
        Verdict.MAYBE,
        ["certificates"],
    ),
    # a bare condition is a rule; no rule is open to everyone
    (RD_3, Facts(org_type=OrgType.SME, rd_ratio=Decimal("3")), Verdict.ELIGIBLE, []),
    (None, U, Verdict.ELIGIBLE, []),
]


@pytest.mark.parametrize(("rule", "given", "verdict", "missing"), CASES)
def test_verdict_and_missing_facts(rule, given, verdict, missing):
    result = evaluate(validate_rule(rule), given, TODAY)
    assert result.verdict == verdict
    assert result.missing == missing


def test_every_condition_gets_its_reason_in_order():
    result = evaluate(
        validate_rule({"all": [IN_BAOTOU, SPECIALIZED, RD_3]}),
        Facts(org_type=OrgType.SME, region="150200", tier=Tier.SPECIALIZED, rd_ratio=Decimal("2.5")),
        TODAY,
    )
    assert result.reasons == ["注册地在包头市 ✓", "为专精特新中小企业 ✓", "研发投入占比 2.5%，低于 3% ✗"]
    assert result.verdict == Verdict.INELIGIBLE


SENTENCES = [
    ({"all": [IN_BAOTOU, SPECIALIZED, RD_3]}, "注册地在包头市，且为专精特新中小企业，且研发投入占比不低于 3%"),
    (
        {"any": [HIGH_TECH, {"all": [RD_3, {"field": "employees", "op": "<=", "value": 300}]}]},
        "持有有效的“高新技术企业”证书，或（研发投入占比不低于 3%，且从业人数不超过 300 人）",
    ),
    (
        {
            "all": [
                {"field": "tier", "op": "at_least", "value": "专精特新中小企业"},
                {"field": "years_since_established", "op": ">=", "value": 3},
            ]
        },
        "为专精特新中小企业或更高层级，且成立年限不少于 3 年",
    ),
    (
        {
            "all": [
                {"field": "org_type", "op": "in", "value": ["sme"]},
                {"field": "industry", "op": "in", "value": ["C", "I65"]},
            ]
        },
        "为中小企业，且属于制造业（C）或软件和信息技术服务业（I65）",
    ),
    (
        {
            "all": [
                {"field": "above_scale", "op": "is", "value": False},
                {"field": "revenue", "op": "between", "value": [500, 2000]},
            ]
        },
        "不是规上企业，且上年度营业收入在 500 万元至 2000 万元之间",
    ),
    ({"field": "region", "op": "within", "value": ["昆都仑区", "150000"]}, "注册地在昆都仑区（包头市）或内蒙古自治区"),
    ({"any": [{"all": [IN_BAOTOU]}]}, "注册地在包头市"),
    (None, "不限条件"),
]


@pytest.mark.parametrize(("rule", "sentence"), SENTENCES)
def test_rule_reads_as_one_sentence(rule, sentence):
    assert render_rule(validate_rule(rule)) == sentence
