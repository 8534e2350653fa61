"""People and places of the staff pages: a 包头市 authority, another authority, an 自治区 authority, an SME."""

from __future__ import annotations

import pytest

from app.core.enums import OrgType
from app.core.policy_enums import BenefitType, PolicyScope, PolicyStatus
from app.policies.models import Policy, PolicyItem
from tests.factories import AdminFactory, OrgFactory, UserFactory

RD = {"field": "rd_ratio", "op": ">=", "value": 3}


@pytest.fixture
def baotou_staff(db):
    org = OrgFactory(name="包头市工业和信息化局", org_type=OrgType.AUTHORITY, region="150200")
    return UserFactory(org=org)


@pytest.fixture
def hohhot_staff(db):
    org = OrgFactory(name="呼和浩特市工业和信息化局", org_type=OrgType.AUTHORITY, region="150100")
    return UserFactory(org=org)


@pytest.fixture
def regional_staff(db):
    org = OrgFactory(name="内蒙古自治区工业和信息化厅", org_type=OrgType.AUTHORITY, region="150100")
    return UserFactory(org=org)


@pytest.fixture
def sme_user(db):
    return UserFactory(org=OrgFactory(org_type=OrgType.SME, region="150200"))


@pytest.fixture
def admin(db):
    return AdminFactory()


def make_policy(db, issuer_user=None, status=PolicyStatus.DRAFT, rules=RD, items=1, **changes) -> Policy:
    values = {
        "title": "包头市支持专精特新企业若干措施",
        "issuer": "包头市工业和信息化局",
        "scope": PolicyScope.LEAGUE_CITY,
        "region": "150200",
        "status": status,
        "issuing_org_id": issuer_user.org_id if issuer_user else None,
    }
    values.update(changes)
    policy = Policy(**values)
    policy.items = [
        PolicyItem(title=f"研发补助{i + 1}", benefit_type=BenefitType.SUBSIDY, rules=rules) for i in range(items)
    ]
    db.session.add(policy)
    db.session.commit()
    return policy
