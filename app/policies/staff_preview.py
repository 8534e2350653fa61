"""The staff preview of one item: how many verified firms qualify now, how many 可能符合 for lack of data and which
missing facts block them most often, and the qualifying firms themselves, page by page.

Counts and the list come from the SQL translation of the rule (pushdown.py); the blocking facts from the Python
evaluation of the undecided firms (at most MAYBE_SAMPLE of them), the same evaluation the firm sees.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from app.core.clock import local_today
from app.core.policy_enums import Verdict
from app.extensions import db
from app.organizations.models import Organization
from app.organizations.profile import profile_of
from app.policies.evaluation import evaluate, facts_of
from app.policies.fields import FIELDS
from app.policies.models import PolicyItem
from app.policies.push import firms_filter
from app.policies.pushdown import rule_sql, source_for, verdict_sql
from app.policies.rules import scoped_rule
from app.policies.services import preview_reach

MAYBE_SAMPLE = 300


@dataclass
class Preview:
    eligible: int
    maybe: int
    blocking: list[tuple[str, int]]  # (field label, firms it blocks), most often first
    sampled: int  # undecided firms read for `blocking`


def item_rule(item: PolicyItem) -> dict:
    return scoped_rule(item.rules, item.policy.region)


def preview_item(item: PolicyItem, today: date | None = None) -> Preview:
    today = today or local_today()
    [(eligible, maybe)] = preview_reach([item], today)
    rule = item_rule(item)
    src = source_for([rule], today)
    undecided = db.session.scalars(
        sa.select(src.org.c.id)
        .select_from(src.from_)
        .where(firms_filter(src.org), verdict_sql(rule, src) == Verdict.MAYBE.value)
        .order_by(src.org.c.id)
        .limit(MAYBE_SAMPLE)
    ).all()
    blocking: Counter[str] = Counter()
    for org in db.session.scalars(sa.select(Organization).where(Organization.id.in_(undecided))):
        result = evaluate(rule, facts_of(org, profile_of(org), today), today)
        blocking.update(FIELDS[name].label for name in result.missing)
    return Preview(eligible, maybe, blocking.most_common(), len(undecided))


def qualifying_select(item: PolicyItem, today: date | None = None):
    """The verified firms (not 主管部门) the item's rule certainly reaches today, by name (a select of Organization)."""
    today = today or local_today()
    rule = item_rule(item)
    src = source_for([rule], today)
    yes, _ = rule_sql(rule, src)
    ids = sa.select(src.org.c.id).select_from(src.from_).where(firms_filter(src.org), yes)
    return sa.select(Organization).where(Organization.id.in_(ids)).order_by(Organization.name, Organization.id)
