"""The SQL translation gives every firm the verdict the Python evaluation gives it (generated firms and rules)."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.core.policy_enums import Verdict
from app.organizations.models import Organization
from app.organizations.profile import OrganizationProfile
from app.policies.evaluation import Facts, evaluate, facts_of
from app.policies.pushdown import count_verdicts, verdicts
from app.policies.rules import validate_rule
from tests.policies.generate import insert_firms, random_rule

TODAY = date(2026, 12, 4)


def all_facts(db, today) -> dict[int, Facts]:
    """Every firm's facts, loaded once (organisations with their tiers, profiles with their certificates)."""
    orgs = db.session.scalars(sa.select(Organization).options(selectinload(Organization.tiers))).all()
    query = sa.select(OrganizationProfile).options(selectinload(OrganizationProfile.certificates))
    profiles = {p.org_id: p for p in db.session.scalars(query)}
    return {org.id: facts_of(org, profiles.get(org.id), today) for org in orgs}


def python_verdicts(firms: dict[int, Facts], rule, today) -> dict[int, Verdict]:
    return {org_id: evaluate(rule, facts, today).verdict for org_id, facts in firms.items()}


def assert_sql_agrees_with_python(db, firms: int, rules: int, seed: int) -> None:
    insert_firms(firms, seed=seed, today=TODAY)
    rng = random.Random(seed)
    generated = [validate_rule(random_rule(rng)) for _ in range(rules)]
    counts = count_verdicts(generated, TODAY)
    firms_facts = all_facts(db, TODAY)
    seen = Counter()
    for rule, (eligible, maybe) in zip(generated, counts, strict=True):
        expected = python_verdicts(firms_facts, rule, TODAY)
        assert verdicts(rule, TODAY) == expected, rule
        tally = Counter(expected.values())
        assert (eligible, maybe) == (tally[Verdict.ELIGIBLE], tally[Verdict.MAYBE]), rule
        seen.update(tally)
    # the generated cases exercise every verdict, so agreement is not agreement on "nobody"
    assert all(seen[v] > firms for v in Verdict)


def test_sql_verdicts_equal_python_verdicts_on_generated_firms(db):
    assert_sql_agrees_with_python(db, firms=300, rules=80, seed=20261204)


@pytest.mark.pg
def test_sql_verdicts_equal_python_verdicts_on_postgresql(db):
    assert db.engine.dialect.name == "postgresql"
    assert_sql_agrees_with_python(db, firms=300, rules=80, seed=7)


def test_counts_come_back_for_more_rules_than_one_query_holds(db):
    insert_firms(40, seed=3, today=TODAY)
    rule = validate_rule({"field": "employees", "op": ">=", "value": 50})
    counts = count_verdicts([rule] * 230, TODAY)
    assert len(counts) == 230 and len(set(counts)) == 1
    tally = Counter(verdicts(rule, TODAY).values())
    assert counts[0] == (tally[Verdict.ELIGIBLE], tally[Verdict.MAYBE])


def test_counts_can_be_limited_to_some_firms(db):
    insert_firms(30, seed=5, today=TODAY)
    first = db.session.scalar(sa.select(sa.func.min(Organization.id)))
    assert count_verdicts([None], TODAY, where=Organization.id == first) == [(1, 0)]
