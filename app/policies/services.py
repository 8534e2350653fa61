"""Policy rules: importing, moving a policy through its statuses, the 政策计算器 for one firm, the staff preview.

Services flush and never commit; the request or command commits once.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.core.clock import local_date, local_today
from app.core.errors import InvalidTransition, NotFound
from app.core.models import record_change
from app.core.policy_enums import PolicyStatus
from app.core.validators import normalize_credit_code
from app.extensions import db
from app.organizations.models import Organization
from app.organizations.profile import profile_of
from app.policies.evaluation import Evaluation, evaluate, facts_of
from app.policies.importing import ParsedPolicy
from app.policies.models import Policy, PolicyItem
from app.policies.push import firms_filter, push_items
from app.policies.pushdown import count_verdicts
from app.policies.rules import scoped_rule
from app.policies.windows import open_items_filter

# Which status a policy may move to from which.
TRANSITIONS = {
    PolicyStatus.DRAFT: {PolicyStatus.PUBLISHED, PolicyStatus.WITHDRAWN},
    PolicyStatus.PUBLISHED: {PolicyStatus.EXPIRED, PolicyStatus.WITHDRAWN},
    PolicyStatus.EXPIRED: set(),
    PolicyStatus.WITHDRAWN: set(),
}


def import_policies(parsed: list[ParsedPolicy], publish: bool = False, actor=None) -> int:
    """Write policies that check_file accepted (the caller checked the whole file first). A line without a
    status becomes a draft, or published with `publish`."""
    for entry in parsed:
        fields = dict(entry.fields)
        if not entry.explicit_status:
            fields["status"] = PolicyStatus.PUBLISHED if publish else PolicyStatus.DRAFT
        policy = Policy(**fields)
        policy.items = [PolicyItem(**item) for item in entry.items]
        db.session.add(policy)
        db.session.flush()
        record_change("policy", policy.id, None, policy.status, actor, "导入")
    return len(parsed)


def change_policy_status(policy: Policy, to: PolicyStatus, actor=None, reason: str | None = None) -> Policy:
    """草稿 → 已发布 / 已撤回; 已发布 → 已失效 / 已撤回. Each move is recorded in the audit trail; publishing
    notifies the firms that qualify for its open items (push.py)."""
    to = PolicyStatus(to)
    if to not in TRANSITIONS[policy.status]:
        raise InvalidTransition(f"政策“{policy.title}”当前为{policy.status.label}，不能改为{to.label}")
    record_change("policy", policy.id, policy.status, to, actor, reason)
    policy.status = to
    db.session.flush()
    if to == PolicyStatus.PUBLISHED:
        push_items(policy.items)  # firms that qualify for an open item hear of it in this transaction
    return policy


def expire_policies(today: date | None = None) -> int:
    """Published policies whose 失效日期 has passed (Beijing time) become 已失效; idempotent."""
    today = today or local_today()
    due = db.session.scalars(
        sa.select(Policy).where(Policy.status == PolicyStatus.PUBLISHED, Policy.expires_on < today)
    ).all()
    for policy in due:
        change_policy_status(policy, PolicyStatus.EXPIRED, reason="已过失效日期")
    return len(due)


def expire_due_policies(now: datetime) -> int:
    """The `policies_expire` job (app/jobs.py): expire_policies on the Beijing date of the job's UTC `now`."""
    return expire_policies(local_date(now))


def open_items(today: date | None = None) -> list[PolicyItem]:
    today = today or local_today()
    return db.session.scalars(
        sa.select(PolicyItem)
        .join(Policy)
        .where(open_items_filter(today))
        .options(selectinload(PolicyItem.policy))
        .order_by(PolicyItem.closes_on.is_(None), PolicyItem.closes_on, Policy.id, PolicyItem.id)
    ).all()


def find_org(text: str) -> Organization:
    """An organisation by its id or its 统一社会信用代码."""
    text = (text or "").strip()
    org = None
    if text.isdigit() and len(text) < 12:
        org = db.session.get(Organization, int(text))
    if org is None and text:
        code = normalize_credit_code(text)
        org = db.session.scalar(sa.select(Organization).where(Organization.credit_code == code))
    if org is None:
        raise NotFound(f"没有找到机构“{text}”（请输入机构编号或统一社会信用代码）")
    return org


def evaluate_org(org: Organization, today: date | None = None) -> list[tuple[PolicyItem, Evaluation]]:
    """政策计算器: every item open today, with the firm's verdict, reasons and missing facts (the item's rule
    within its policy's place, see scoped_rule)."""
    today = today or local_today()
    facts = facts_of(org, profile_of(org), today)
    return [(item, evaluate(scoped_rule(item.rules, item.policy.region), facts, today)) for item in open_items(today)]


def preview_reach(items: list[PolicyItem], today: date | None = None) -> list[tuple[int, int]]:
    """For staff before publishing: how many verified firms (not 主管部门) each item's rule reaches, as
    (符合, 可能符合)."""
    today = today or local_today()
    rules = [scoped_rule(item.rules, item.policy.region) for item in items]
    return count_verdicts(rules, today, where=firms_filter())
