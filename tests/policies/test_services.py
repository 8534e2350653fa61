"""Policy statuses, the policy's place as part of every item's rule, and the staff preview's reach."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from app.core.enums import OrgType, VerificationStatus
from app.core.errors import InvalidTransition, NotFound
from app.core.models import history_for
from app.core.policy_enums import BenefitType, PolicyScope, PolicyStatus, ProfileSource
from app.organizations.profile import update_profile
from app.policies.models import Policy, PolicyItem
from app.policies.rules import scoped_rule, validate_rule
from app.policies.services import change_policy_status, evaluate_org, expire_policies, find_org, preview_reach
from tests.factories import OrgFactory

RD = {"field": "rd_ratio", "op": ">=", "value": 3}
BAOTOU = {"field": "region", "op": "within", "value": ["150200"]}
SCOPES = [
    (None, BAOTOU),
    (RD, {"all": [BAOTOU, RD]}),
    ({"all": [RD]}, {"all": [BAOTOU, RD]}),
    ({"any": [RD]}, {"all": [BAOTOU, {"any": [RD]}]}),
    (
        {"all": [{"field": "region", "op": "within", "value": ["150000"]}, RD]},
        {"all": [{"field": "region", "op": "within", "value": ["150000"]}, RD]},
    ),
]


@pytest.mark.parametrize(("rule", "scoped"), SCOPES)
def test_an_item_is_judged_within_its_policy_place(rule, scoped):
    assert scoped_rule(validate_rule(rule), "150200") == scoped


def baotou_policy(db, status=PolicyStatus.PUBLISHED, **changes) -> Policy:
    policy = Policy(
        title="包头市稀土产业扶持办法",
        issuer="包头市工业和信息化局",
        scope=PolicyScope.LEAGUE_CITY,
        region="150200",
        status=status,
        **changes,
    )
    policy.items = [PolicyItem(title="研发补助", benefit_type=BenefitType.SUBSIDY, rules=RD)]
    db.session.add(policy)
    db.session.flush()
    return policy


def test_a_firm_elsewhere_is_told_where_the_policy_applies(db):
    baotou_policy(db)
    firm = OrgFactory(region="150100")
    update_profile(firm, {"rd_ratio": 5}, ProfileSource.SELF)
    [(item, result)] = evaluate_org(firm)
    assert result.verdict.label == "不符合"
    assert result.reasons == ["注册地在呼和浩特市，要求注册地在包头市 ✗", "研发投入占比 5%，不低于 3% ✓"]


def test_preview_counts_verified_firms_within_the_policy_place(db):
    policy = baotou_policy(db)
    for region, rd, verification in [
        ("150200", 5, VerificationStatus.VERIFIED),  # 符合
        ("150203", None, VerificationStatus.VERIFIED),  # 可能符合: 昆都仑区 lies in 包头市, rd unknown
        (None, 5, VerificationStatus.VERIFIED),  # 可能符合: region unknown
        ("150100", 5, VerificationStatus.VERIFIED),  # 不符合
        ("150200", 5, VerificationStatus.PENDING),  # not counted
    ]:
        firm = OrgFactory(region=region, verification=verification)
        if rd is not None:
            update_profile(firm, {"rd_ratio": rd}, ProfileSource.SELF)
    assert preview_reach(policy.items) == [(1, 2)]


def test_statuses_move_forward_only_and_leave_a_trail(db):
    policy = baotou_policy(db, status=PolicyStatus.DRAFT)
    change_policy_status(policy, PolicyStatus.PUBLISHED)
    with pytest.raises(InvalidTransition, match="当前为已发布，不能改为草稿"):
        change_policy_status(policy, PolicyStatus.DRAFT)
    change_policy_status(policy, PolicyStatus.WITHDRAWN, reason="被新办法替代")
    assert [(c.from_status, c.to_status, c.reason) for c in history_for("policy", policy.id)] == [
        ("draft", "published", None),
        ("published", "withdrawn", "被新办法替代"),
    ]


def test_published_policies_past_their_expiry_expire_once(db):
    due = baotou_policy(db, expires_on=date(2026, 12, 3))
    current = baotou_policy(db, expires_on=date(2026, 12, 4))
    assert expire_policies(date(2026, 12, 4)) == 1
    assert expire_policies(date(2026, 12, 4)) == 0
    assert (due.status, current.status) == (PolicyStatus.EXPIRED, PolicyStatus.PUBLISHED)


def test_an_organisation_is_found_by_id_or_credit_code(db):
    firm = OrgFactory(org_type=OrgType.SME)
    assert find_org(str(firm.id)) is firm and find_org(firm.credit_code.lower()) is firm
    with pytest.raises(NotFound, match="没有找到机构“abc”"):
        find_org("abc")
    assert db.session.scalar(sa.select(sa.func.count(Policy.id))) == 0
