"""The firm side of the policy service: the public library, 可申报政策 with its verdicts, and the gaps in a
firm's 企业画像 that hold verdicts at 可能符合.

Services flush and never commit; the request commits once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.core.clock import local_today
from app.core.enums import LabelledEnum
from app.core.errors import NotFound
from app.core.policy_enums import BenefitType, PolicyStatus, Verdict
from app.extensions import db
from app.organizations.models import Organization
from app.organizations.profile import FACTS, profile_of
from app.policies.evaluation import NO, UNKNOWN, Evaluation, evaluate, facts_of, is_open
from app.policies.fields import FIELDS
from app.policies.marks import PolicyMark
from app.policies.models import Policy, PolicyItem
from app.policies.places import AUTONOMOUS_REGION, place_key
from app.policies.rules import scoped_rule
from app.policies.services import evaluate_org, open_items_filter
from search.policy_filters import CLOSING_DAYS  # the one definition of 即将截止, shared with the search facets

VISIBLE = (PolicyStatus.PUBLISHED, PolicyStatus.EXPIRED)  # what the public may open; drafts and withdrawn: 404


class WindowState(LabelledEnum):
    UPCOMING = ("upcoming", "未开始")
    OPEN = ("open", "申报中")
    CLOSING = ("closing", "即将截止")
    CLOSED = ("closed", "已截止")


FILTER_STATES = (WindowState.OPEN, WindowState.CLOSING, WindowState.CLOSED)


def window_state(item: PolicyItem, today: date) -> WindowState:
    if is_open(item, today):
        closing = item.closes_on is not None and item.closes_on - today <= timedelta(days=CLOSING_DAYS)
        return WindowState.CLOSING if closing else WindowState.OPEN
    upcoming = item.policy.status == PolicyStatus.PUBLISHED and item.opens_on is not None and item.opens_on > today
    return WindowState.UPCOMING if upcoming else WindowState.CLOSED


def _state_filter(state: WindowState, today: date):
    """申报中 is every open item (即将截止 included); 已截止 a window that has closed or a policy no longer in force."""
    if state == WindowState.OPEN:
        return open_items_filter(today)
    if state == WindowState.CLOSING:
        return sa.and_(open_items_filter(today), PolicyItem.closes_on <= today + timedelta(days=CLOSING_DAYS))
    return sa.or_(
        PolicyItem.closes_on < today,
        Policy.status == PolicyStatus.EXPIRED,
        sa.and_(Policy.expires_on.is_not(None), Policy.expires_on < today),
    )


@dataclass
class LibraryFilters:
    region: str | None = None  # a 盟市 code: its own policies, its 旗县区' and the 自治区's
    benefit_type: BenefitType | None = None
    state: WindowState | None = None
    text: str | None = None


def library_query(filters: LibraryFilters, today: date | None = None) -> sa.Select:
    """Policies the public may read, newest first; an item filter keeps a policy with at least one such item."""
    today = today or local_today()
    statuses = VISIBLE if filters.state == WindowState.CLOSED else (PolicyStatus.PUBLISHED,)
    query = sa.select(Policy).where(Policy.status.in_(statuses))
    item_conditions = []
    if filters.benefit_type:
        item_conditions.append(PolicyItem.benefit_type == filters.benefit_type)
    if filters.state:
        item_conditions.append(_state_filter(filters.state, today))
    if filters.region:
        query = query.where(
            sa.or_(Policy.region == AUTONOMOUS_REGION, Policy.region.startswith(place_key(filters.region)))
        )
    if filters.text:
        text = filters.text
        matches_item = sa.and_(PolicyItem.policy_id == Policy.id, PolicyItem.title.icontains(text, autoescape=True))
        query = query.where(
            sa.or_(
                Policy.title.icontains(text, autoescape=True),
                Policy.issuer.icontains(text, autoescape=True),
                Policy.doc_number.icontains(text, autoescape=True),
                sa.exists().where(matches_item),
            )
        )
    if item_conditions:
        query = query.where(sa.exists().where(PolicyItem.policy_id == Policy.id, *item_conditions))
    return query.options(selectinload(Policy.items)).order_by(
        Policy.published_on.is_(None), Policy.published_on.desc(), Policy.id.desc()
    )


def get_visible_policy(policy_id: int) -> Policy:
    policy = db.session.get(Policy, policy_id)
    if policy is None or policy.status not in VISIBLE:
        raise NotFound("该政策不存在或已撤回")
    return policy


def get_visible_item(item_id: int) -> PolicyItem:
    item = db.session.get(PolicyItem, item_id)
    if item is None or item.policy.status not in VISIBLE:
        raise NotFound("该申报事项不存在或已撤回")
    return item


# ── verdicts for one firm ───────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Gap:
    """A fact a rule asked about and the firm's profile lacks: where the firm fills it in."""

    field: str  # the rule's field name
    label: str
    fact: str  # the profile fact, or the organisation's own field (region, industry)
    on_profile: bool


# The rule fields whose fact the firm states in its 企业画像; region and industry live on 机构资料.
PROFILE_FACT_OF = {"years_since_established": "established_on"} | {f: f for f in FACTS if f in FIELDS}


def gap_of(field_name: str) -> Gap:
    fact = PROFILE_FACT_OF.get(field_name)
    if fact is not None:
        return Gap(field_name, FACTS[fact], fact, True)
    return Gap(field_name, FIELDS[field_name].label, field_name, False)


@dataclass
class ItemRow:
    item: PolicyItem
    result: Evaluation
    state: WindowState
    mark: PolicyMark | None = None
    gaps: list[Gap] = field(default_factory=list)

    @property
    def verdict(self) -> Verdict:
        return self.result.verdict

    @property
    def failing(self) -> list[str]:
        return [reason for reason in self.result.reasons if reason.endswith(NO)]

    @property
    def unknowns(self) -> list[str]:
        return [reason for reason in self.result.reasons if reason.endswith(UNKNOWN)]


def amount_key(item: PolicyItem) -> Decimal:
    return item.amount_max_wan or item.amount_min_wan or Decimal(0)


def sort_key(item: PolicyItem) -> tuple:
    """Closing soonest first (no closing date last), then the larger benefit."""
    return (item.closes_on is None, item.closes_on or date.max, -amount_key(item), item.id)


def rows_for(pairs, today: date, marks: dict[int, PolicyMark] | None = None) -> list[ItemRow]:
    rows = [
        ItemRow(
            item, result, window_state(item, today), (marks or {}).get(item.id), [gap_of(f) for f in result.missing]
        )
        for item, result in pairs
    ]
    return sorted(rows, key=lambda row: sort_key(row.item))


def marks_of(org: Organization, item_ids) -> dict[int, PolicyMark]:
    ids = list(item_ids)
    if not ids:
        return {}
    found = db.session.scalars(sa.select(PolicyMark).where(PolicyMark.org_id == org.id, PolicyMark.item_id.in_(ids)))
    return {mark.item_id: mark for mark in found}


def my_items(org: Organization, today: date | None = None) -> list[ItemRow]:
    """可申报政策: every open item with the firm's verdict and its marks, closing soonest first."""
    today = today or local_today()
    pairs = evaluate_org(org, today)
    return rows_for(pairs, today, marks_of(org, (item.id for item, _ in pairs)))


def blocked_by_fact(rows: list[ItemRow]) -> dict[str, list[tuple[ItemRow, bool]]]:
    """fact → the 可能符合 items waiting for it, each with True when that fact is the only one missing."""
    blocked: dict[str, list[tuple[ItemRow, bool]]] = {}
    for row in rows:
        if row.verdict != Verdict.MAYBE:
            continue
        facts = list(dict.fromkeys(gap.fact for gap in row.gaps))
        for fact in facts:
            blocked.setdefault(fact, []).append((row, len(facts) == 1))
    return blocked


def verdicts_for_policy(org: Organization, policy: Policy, today: date | None = None) -> dict[int, ItemRow]:
    """The firm's verdict on each of the policy's items (closed ones too: the reasons still say why)."""
    today = today or local_today()
    facts = facts_of(org, profile_of(org), today)
    pairs = [(item, evaluate(scoped_rule(item.rules, policy.region), facts, today)) for item in policy.items]
    return {row.item.id: row for row in rows_for(pairs, today, marks_of(org, (item.id for item in policy.items)))}
