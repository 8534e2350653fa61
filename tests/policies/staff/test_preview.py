"""The item page's preview counts what the firms themselves would be told: the SQL counts and list equal the
Python evaluation of every verified firm in a small generated world."""

from __future__ import annotations

import random
from collections import Counter

import pytest
import sqlalchemy as sa

from app.core.clock import local_today
from app.core.enums import OrgType, VerificationStatus
from app.core.policy_enums import PolicyScope, Verdict
from app.extensions import db as ext_db
from app.organizations.models import Organization
from app.organizations.profile import profile_of
from app.policies.evaluation import evaluate, facts_of
from app.policies.fields import FIELDS
from app.policies.rules import scoped_rule
from app.policies.staff_preview import preview_item, qualifying_select
from tests.factories import OrgFactory
from tests.policies.generate import insert_firms, random_rule
from tests.policies.staff.conftest import make_policy

RULES = [
    {"field": "rd_ratio", "op": ">=", "value": 3},
    {
        "all": [
            {"field": "region", "op": "within", "value": ["150200"]},
            {
                "any": [
                    {"field": "tier", "op": "at_least", "value": "specialized"},
                    {"field": "employees", "op": "between", "value": [10, 300]},
                ]
            },
        ]
    },
    random_rule(random.Random(7)),
    random_rule(random.Random(11)),
]


def python_verdicts(item, today):
    rule = scoped_rule(item.rules, item.policy.region)
    orgs = ext_db.session.scalars(
        sa.select(Organization).where(
            Organization.verification == VerificationStatus.VERIFIED, Organization.org_type != OrgType.AUTHORITY
        )
    )
    return {org: evaluate(rule, facts_of(org, profile_of(org), today), today) for org in orgs}


@pytest.mark.parametrize("rule", RULES)
def test_preview_counts_equal_the_python_evaluation(db, regional_staff, rule):
    today = local_today()
    insert_firms(150, seed=5, today=today)
    policy = make_policy(db, regional_staff, rules=rule, scope=PolicyScope.AUTONOMOUS_REGION, region="150000")
    item = policy.items[0]
    results = python_verdicts(item, today)
    verdicts = Counter(result.verdict for result in results.values())
    preview = preview_item(item, today)
    assert (preview.eligible, preview.maybe) == (verdicts[Verdict.ELIGIBLE], verdicts[Verdict.MAYBE])
    listed = {org.id for org in ext_db.session.scalars(qualifying_select(item, today))}
    assert listed == {org.id for org, result in results.items() if result.verdict == Verdict.ELIGIBLE}
    blocking = Counter(FIELDS[n].label for r in results.values() if r.verdict == Verdict.MAYBE for n in r.missing)
    assert dict(preview.blocking) == dict(blocking)


def test_the_preview_does_not_count_the_departments_themselves(db, regional_staff):
    """A rule with no condition of its own reaches every firm registered in the 自治区, but a 主管部门 (here the
    issuing department itself, in 呼和浩特) is no firm a policy is for."""
    today = local_today()
    policy = make_policy(db, regional_staff, rules=None, scope=PolicyScope.AUTONOMOUS_REGION, region="150000")
    firm = OrgFactory(org_type=OrgType.SME, region="150100")
    db.session.commit()
    assert regional_staff.org.is_verified and firm.is_verified
    preview = preview_item(policy.items[0], today)
    listed = set(ext_db.session.scalars(qualifying_select(policy.items[0], today)))
    assert listed == {firm} and (preview.eligible, preview.maybe) == (1, 0)


def test_the_item_page_shows_the_counts_and_the_qualifying_firms(db, login, baotou_staff):
    today = local_today()
    insert_firms(80, seed=3, today=today)
    policy = make_policy(db, baotou_staff, rules=RULES[0])
    item = policy.items[0]
    results = python_verdicts(item, today)
    eligible = sorted(org.name for org, r in results.items() if r.verdict == Verdict.ELIGIBLE)
    maybe = sum(r.verdict == Verdict.MAYBE for r in results.values())
    page = login(baotou_staff).get(f"/policies/manage/{policy.id}/items/{item.id}").get_data(as_text=True)
    assert f'data-count="eligible">{len(eligible)}<' in page
    assert f'data-count="maybe">{maybe}<' in page
    assert eligible and all(name in page for name in eligible[:20])
