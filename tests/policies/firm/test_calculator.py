"""政策计算器: the visitor's answers judged by evaluate() itself, nothing kept but the day's count, bad answers
refused in Chinese."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup

from app.core.enums import OrgType, Tier
from app.core.policy_enums import BenefitType, RevenueBand, Verdict
from app.extensions import db as _db
from app.policies.calculator import Answers, calculate, evaluate_answers, facts_from
from app.policies.evaluation import Facts, evaluate
from app.policies.marks import CalculatorUse
from app.policies.models import PolicyItem
from app.policies.rules import scoped_rule, validate_rule
from app.policies.services import open_items
from tests.policies.firm.conftest import make_policy

TODAY = date(2026, 12, 4)
ANSWERS = {
    "org_type": "sme",
    "region": "150200",
    "industry": "C",
    "tier": "specialized",
    "tier_year": "2025",
    "years": "6",
    "employees": "80",
    "revenue_band": "500-2000",
    "rd_ratio": "3.5",
    "high_tech": "",
}


def row_counts() -> dict[str, int]:
    return {
        table.name: _db.session.execute(sa.select(sa.func.count()).select_from(table)).scalar()
        for table in _db.metadata.sorted_tables
    }


def results(html: str) -> dict[int, str]:
    soup = BeautifulSoup(html, "html.parser")
    return {int(a["data-result"]): a.select_one("[data-verdict]")["data-verdict"] for a in soup.select("[data-result]")}


def test_results_are_evaluate_on_the_same_facts(db, client, policy):
    response = client.post("/policies/calculator", data=ANSWERS)
    assert response.status_code == 200
    facts = Facts(
        org_type=OrgType.SME,
        tier=Tier.SPECIALIZED,
        tier_year=2025,
        industry="C",
        region="150200",
        established_on=date(2020, 12, 4),
        employees=80,
        revenue_band=RevenueBand.FROM_500,
        rd_ratio=Decimal("3.5"),
    )
    expected = {
        item.id: evaluate(scoped_rule(item.rules, item.policy.region), facts, TODAY).verdict.value
        for item in open_items(TODAY)
    }
    assert results(response.text) == {i: v for i, v in expected.items() if v != "ineligible"}
    assert set(expected.values()) == {"eligible", "ineligible"}  # 80 employees: not a 龙头企业


def test_an_unknown_answer_makes_an_item_maybe_and_says_what_to_check(client, policy):
    response = client.post("/policies/calculator", data=ANSWERS | {"rd_ratio": ""})
    rd = next(item for item in policy.items if item.title == "研发投入后补助")
    assert results(response.text)[rd.id] == "maybe"
    result = BeautifulSoup(response.text, "html.parser").select_one(f"[data-result='{rd.id}']")
    assert "请核实：研发投入占比" in result.text


def test_nothing_is_stored_but_the_days_count(db, client, policy):
    db.session.commit()
    before = row_counts()
    client.post("/policies/calculator", data=ANSWERS)
    client.post("/policies/calculator", data=ANSWERS | {"high_tech": "yes"})
    after = row_counts()
    assert {name for name in after if after[name] != before[name]} == {"policy_calculator_uses"}
    use = db.session.get(CalculatorUse, TODAY)
    assert use.uses == 2


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"org_type": ""}, "请选择机构类型"),
        ({"region": "990000"}, "不是有效的选择"),
        ({"employees": "-5"}, "从业人数应在 0 以上"),
        ({"rd_ratio": "120"}, "研发投入占比应在 0 至 100 之间"),
        ({"tier_year": ""}, "请填写认定年份"),
        ({"years": "很多"}, "整数"),
    ],
)
def test_a_bad_answer_is_refused_in_chinese_and_not_counted(db, client, policy, changes, message):
    response = client.post("/policies/calculator", data=ANSWERS | changes)
    assert response.status_code == 422 and message in response.text
    assert db.session.get(CalculatorUse, TODAY) is None


HIGH_TECH = {"field": "certificates", "op": "has", "value": "高新技术企业"}
ISO = {"field": "certificates", "op": "has", "value": "ISO9001"}


@pytest.mark.parametrize(
    ("rule", "high_tech", "verdict"),
    [
        (HIGH_TECH, True, Verdict.ELIGIBLE),
        (HIGH_TECH, False, Verdict.INELIGIBLE),
        (HIGH_TECH, None, Verdict.MAYBE),
        ({"any": [HIGH_TECH, ISO]}, True, Verdict.ELIGIBLE),
        ({"any": [HIGH_TECH, ISO]}, False, Verdict.MAYBE),  # the visitor was not asked about ISO9001
        ({"all": [HIGH_TECH, ISO]}, False, Verdict.INELIGIBLE),
        ({"all": [HIGH_TECH, ISO]}, True, Verdict.MAYBE),
    ],
)
def test_only_the_high_tech_certificate_is_known(rule, high_tech, verdict):
    facts = facts_from(Answers(org_type=OrgType.SME, region="150200", high_tech=high_tech), TODAY)
    result = evaluate_answers(validate_rule(rule), facts, TODAY)
    assert result.verdict == verdict
    if verdict == Verdict.MAYBE:
        assert "certificates" in result.missing


def test_with_only_high_tech_rules_the_calculator_is_evaluate_itself():
    rule = validate_rule({"all": [HIGH_TECH, {"field": "employees", "op": "<=", "value": 300}]})
    for high_tech in (True, False, None):
        facts = facts_from(Answers(org_type=OrgType.SME, employees=50, high_tech=high_tech), TODAY)
        assert evaluate_answers(rule, facts, TODAY) == evaluate(rule, facts, TODAY)


def test_calculate_lists_only_open_items(db):
    policy = make_policy(
        db,
        items=[
            PolicyItem(title="已截止事项", benefit_type=BenefitType.REWARD, closes_on=date(2026, 11, 30)),
            PolicyItem(title="申报中事项", benefit_type=BenefitType.REWARD, closes_on=date(2026, 12, 30)),
        ],
    )
    rows = calculate(Answers(org_type=OrgType.SME, region="150200"), TODAY)
    assert [row.item.title for row in rows] == ["申报中事项"] and rows[0].item.policy_id == policy.id


def test_the_calculator_page_and_its_links(client):
    page = client.get("/policies/calculator")
    assert page.status_code == 200 and "政策计算器" in page.text
    assert 'href="/policies/calculator"' in client.get("/policies/").text
    assert 'href="/policies/calculator"' in client.get("/").text


def test_the_calculator_is_rate_limited_per_client(make_app):
    app = make_app(RATELIMIT_ENABLED=True, CALCULATOR_RATE_LIMIT="2 per minute")
    client = app.test_client()
    with app.app_context():
        codes = [client.post("/policies/calculator", data=ANSWERS).status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        assert client.get("/policies/calculator").status_code == 200  # reading the form is never limited
