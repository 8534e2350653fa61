"""A published 包头市 policy with three items a test firm is 符合, 可能符合 and 不符合 for."""

from __future__ import annotations

from datetime import date

import pytest

from app.core.enums import OrgType
from app.core.policy_enums import BenefitType, PolicyScope, PolicyStatus, ProfileSource
from app.organizations.profile import update_profile
from app.policies.models import Policy, PolicyItem
from tests.factories import OrgFactory, TierFactory, UserFactory

RD = {"field": "rd_ratio", "op": ">=", "value": 3}
SME_ONLY = {"field": "org_type", "op": "in", "value": ["中小企业"]}
BIG = {"field": "employees", "op": ">=", "value": 1000}


def make_policy(db, title="包头市支持专精特新企业发展若干措施", status=PolicyStatus.PUBLISHED, items=None) -> Policy:
    policy = Policy(
        title=title,
        issuer="包头市工业和信息化局",
        doc_number="包工信发〔2026〕8号",
        scope=PolicyScope.LEAGUE_CITY,
        region="150200",
        status=status,
        published_on=date(2026, 11, 20),
    )
    policy.items = items or [
        PolicyItem(
            title="中小企业数字化转型补助",
            benefit_type=BenefitType.SUBSIDY,
            amount_max_wan=20,
            closes_on=date(2026, 12, 31),
            materials="申报书",
            how_to_apply="政务服务网在线申报",
            contact="0472-1234567",
            rules=SME_ONLY,
        ),
        PolicyItem(
            title="研发投入后补助",
            benefit_type=BenefitType.SUBSIDY,
            amount_min_wan=10,
            amount_max_wan=50,
            closes_on=date(2026, 12, 20),
            rules=RD,
        ),
        PolicyItem(title="龙头企业奖励", benefit_type=BenefitType.REWARD, amount_max_wan=100, rules=BIG),
    ]
    db.session.add(policy)
    db.session.flush()
    return policy


@pytest.fixture
def policy(db):
    return make_policy(db)


@pytest.fixture
def firm_user(db):
    """A member (admin) of a 包头市 SME with 120 employees and no R&D ratio on file."""
    org = OrgFactory(org_type=OrgType.SME, region="150200", industry="C39", name="包头稀宝科技有限公司")
    TierFactory(org=org)
    update_profile(org, {"employees": 120}, ProfileSource.SELF)
    user = UserFactory(org=org)
    db.session.commit()
    return user


def item_named(policy: Policy, title: str) -> PolicyItem:
    return next(item for item in policy.items if item.title == title)
