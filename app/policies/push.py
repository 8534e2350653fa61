"""Precise push (精准推送): firms hear of the policy items they qualify for, once, and of closing windows they watch.

- When a policy is published (services.change_policy_status), every firm whose verdict on one of its open items
  is 符合 gets one POLICY_ELIGIBLE notification per item. The firms are found in SQL (pushdown.py), so the work
  does not grow with the number of firms loaded into Python.
- When a firm's profile, tier, region or industry changes, organizations sends `profile_changed`; create_app
  connects `on_profile_changed`, which re-evaluates that one firm against the open items.
- The job `policies_push` runs the publishing push for every open item: items whose window opens later, items
  whose rules staff edited, and firms that changed in ways no signal reports are caught within the hour.
- The job `policies_remind` tells firms that marked 关注 and not 已申报 that an item closes in 7 days and in 1 day
  (Beijing dates).

Every notice is claimed first in the PolicyNotice ledger with an INSERT … ON CONFLICT DO NOTHING on its unique
key (organisation, item, kind): only the rows this call inserted are notified, so two publishers, a job and a
profile change racing on PostgreSQL or SQLite still notify a firm once. Recipients are the organisation's active
users; preferences and digests are the notifications package's (kinds POLICY_ELIGIBLE / POLICY_CLOSING).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import selectinload
from werkzeug.routing import BuildError

from app.auth.models import User
from app.core.clock import local_date, local_today
from app.core.enums import NotificationKind, OrgType, VerificationStatus
from app.core.models import utcnow
from app.extensions import db
from app.notifications.services import link_to, notify
from app.organizations.models import Organization
from app.policies.evaluation import is_open
from app.policies.marks import NOTICE_CLOSING_1, NOTICE_CLOSING_7, NOTICE_ELIGIBLE, PolicyMark, PolicyNotice
from app.policies.models import Policy, PolicyItem
from app.policies.pushdown import CHUNK, rule_sql, source_for
from app.policies.rules import scoped_rule
from app.policies.windows import open_items_filter

REMINDERS = {7: NOTICE_CLOSING_7, 1: NOTICE_CLOSING_1}  # days before the window closes → notice kind
CLAIM_BATCH = 1000


def firms_filter(org=None):
    """The organisations a policy is for: verified, and not a 主管部门 (the staff preview counts these).
    `org` is the organisations table (pushdown's Source.org) or the model's."""
    org = Organization.__table__ if org is None else org
    return sa.and_(org.c.verification == VerificationStatus.VERIFIED.value, org.c.org_type != OrgType.AUTHORITY.value)


def recipients_filter(org=None):
    """The firms the push speaks to (and the authority's figures count): firms_filter's, with someone to tell."""
    org = Organization.__table__ if org is None else org
    has_user = sa.exists().where(User.org_id == org.c.id, User.active.is_(True))
    return sa.and_(firms_filter(org), has_user)


def item_rule(item: PolicyItem) -> dict:
    return scoped_rule(item.rules, item.policy.region)


@dataclass
class Firm:
    """A recipient that qualifies for some of the items asked about, with what the figures group it by."""

    org_id: int
    region: str | None
    tier_key: int  # pushdown's rank × 10000 + year of the current tier; 0 when none
    items: list[PolicyItem]


def qualifying_firms(items: list[PolicyItem], today: date, org_id: int | None = None) -> Iterator[Firm]:
    """Every recipient (or only `org_id`) whose verdict on at least one of the items is 符合 today, with those
    items: one query per CHUNK items over the firms, in SQL (pushdown.py)."""
    for start in range(0, len(items), CHUNK):
        chunk = items[start : start + CHUNK]
        rules = [item_rule(item) for item in chunk]
        src = source_for(rules, today)
        yes = [rule_sql(rule, src)[0] for rule in rules]
        query = (
            sa.select(src.org.c.id, src.org.c.region, src.tier_key, *(sa.case((y, 1), else_=0) for y in yes))
            .select_from(src.from_)
            .where(recipients_filter(src.org), sa.or_(*yes))
            .order_by(src.org.c.id)
        )
        if org_id is not None:
            query = query.where(src.org.c.id == org_id)
        for found, region, tier_key, *hits in db.session.execute(query):
            yield Firm(found, region, int(tier_key or 0), [item for item, hit in zip(chunk, hits, strict=True) if hit])


def _unnotified(items: list[PolicyItem], today: date, org_id: int | None = None) -> dict[int, list[int]]:
    """item id → the qualifying recipients not told of it yet."""
    told = set(
        db.session.execute(
            sa.select(PolicyNotice.item_id, PolicyNotice.org_id).where(
                PolicyNotice.item_id.in_([item.id for item in items]),
                PolicyNotice.kind == NOTICE_ELIGIBLE,
                *([PolicyNotice.org_id == org_id] if org_id is not None else []),
            )
        ).all()
    )
    pending: dict[int, list[int]] = defaultdict(list)
    for firm in qualifying_firms(items, today, org_id):
        for item in firm.items:
            if (item.id, firm.org_id) not in told:
                pending[item.id].append(firm.org_id)
    return pending


def claim_notices(item_id: int, kind: str, org_ids: Iterable[int]) -> list[int]:
    """Insert the ledger rows that do not exist yet and return the organisations whose row this call inserted
    (CLAIM_BATCH rows per statement: SQLite allows 32,766 bound values in one)."""
    org_ids = sorted(set(org_ids))
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    now = utcnow()
    claimed: list[int] = []
    for start in range(0, len(org_ids), CLAIM_BATCH):
        rows = [
            {"org_id": org_id, "item_id": item_id, "kind": kind, "sent_at": now}
            for org_id in org_ids[start : start + CLAIM_BATCH]
        ]
        stmt = (
            dialect.insert(PolicyNotice)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["org_id", "item_id", "kind"])
            .returning(PolicyNotice.org_id)
        )
        claimed.extend(db.session.execute(stmt).scalars())
    return sorted(claimed)


def item_link(item: PolicyItem) -> str:
    """The item's page: the firm side's policy page (blueprint "policies"), or its plain path before it exists."""
    try:
        return link_to("policies.detail", policy_id=item.policy_id) + f"#item-{item.id}"
    except BuildError:
        return f"/policies/{item.policy_id}#item-{item.id}"


def _users_by_org(org_ids: list[int]) -> dict[int, list[int]]:
    users: dict[int, list[int]] = defaultdict(list)
    for start in range(0, len(org_ids), 500):
        rows = db.session.execute(
            sa.select(User.org_id, User.id)
            .where(User.org_id.in_(org_ids[start : start + 500]), User.active.is_(True))
            .order_by(User.id)
        )
        for org_id, user_id in rows:
            users[org_id].append(user_id)
    return users


def _tell(item: PolicyItem, kind: str, org_ids: list[int], title: str, body: str) -> int:
    """One notification to every active user of the organisations, keyed by item and kind (notify dedupes too)."""
    users = [u for ids in _users_by_org(org_ids).values() for u in ids]
    notification_kind = NotificationKind.POLICY_ELIGIBLE if kind == NOTICE_ELIGIBLE else NotificationKind.POLICY_CLOSING
    link = item_link(item)
    for start in range(0, len(users), CLAIM_BATCH):
        notify(
            users[start : start + CLAIM_BATCH], notification_kind, f"policy-item:{item.id}:{kind}", title, body, link
        )
    return len(org_ids)


def _window_text(item: PolicyItem) -> str:
    return f"申报截止 {item.closes_on.isoformat()}" if item.closes_on else "长期受理"


def announce_eligible(item: PolicyItem, org_ids: Iterable[int]) -> int:
    """Claim and send the 符合 notice of one item to the given firms; returns how many were told now."""
    claimed = claim_notices(item.id, NOTICE_ELIGIBLE, org_ids)
    if not claimed:
        return 0
    body = f"{item.policy.issuer}《{item.policy.title}》：根据贵单位的企业画像，您符合该事项的申报条件（{_window_text(item)}）。"
    return _tell(item, NOTICE_ELIGIBLE, claimed, f"可申报政策：{item.title}", body)


def push_items(items: Iterable[PolicyItem], today: date | None = None, org_id: int | None = None) -> int:
    """Notify every qualifying firm (or only `org_id`) of each item that is open today, once per firm and item.
    Returns the number of (firm, item) notices sent now; an item not open (draft, withdrawn, expired, window
    shut) notifies nobody."""
    today = today or local_today()
    items = [item for item in items if is_open(item, today)]
    if not items:
        return 0
    pending = _unnotified(items, today, org_id)
    return sum(announce_eligible(item, pending[item.id]) for item in items if pending.get(item.id))


def _open_items(today: date) -> list[PolicyItem]:
    return db.session.scalars(
        sa.select(PolicyItem)
        .join(Policy)
        .where(open_items_filter(today))
        .options(selectinload(PolicyItem.policy))
        .order_by(PolicyItem.id)
    ).all()


def on_profile_changed(org_id: int, today: date | None = None, **_) -> None:
    """Receiver of app.organizations.profile.profile_changed (connected in create_app): re-evaluate the one
    firm against every open item and tell it of those it newly qualifies for."""
    today = today or local_today()
    push_items(_open_items(today), today, org_id)


# --- jobs --------------------------------------------------------------------------------------------


def push_open_items(now: datetime) -> str:
    """Job: the publishing push over every item open today (Beijing); idempotent through the ledger."""
    today = local_date(now)
    told = push_items(_open_items(today), today)
    return f"推送可申报政策 {told} 条"


def send_closing_reminders(now: datetime) -> str:
    """Job: the closing reminders of the Beijing day `now` falls on."""
    return f"发送截止提醒 {remind_closing(local_date(now))} 条"


def remind_closing(today: date) -> int:
    """7 days and 1 day before an item's last day (Beijing dates), firms that marked 关注 and have not marked
    已申报 (nor 已获批) are reminded, once per reminder. Returns how many firms were reminded now."""
    sent = 0
    for days, kind in REMINDERS.items():
        closing = today + timedelta(days=days)
        items = db.session.scalars(
            sa.select(PolicyItem)
            .join(Policy)
            .where(open_items_filter(today), PolicyItem.closes_on == closing)
            .options(selectinload(PolicyItem.policy))
            .order_by(PolicyItem.id)
        ).all()
        for item in items:
            watchers = db.session.scalars(
                sa.select(PolicyMark.org_id).where(
                    PolicyMark.item_id == item.id,
                    PolicyMark.watched_at.is_not(None),
                    PolicyMark.applied_at.is_(None),
                    PolicyMark.approved_at.is_(None),
                )
            ).all()
            claimed = claim_notices(item.id, kind, watchers)
            if claimed:
                left = "明天" if days == 1 else f"{days} 天后"
                body = f"您关注的《{item.policy.title}》中的“{item.title}”将于{left}（{closing.isoformat()}）截止申报，尚未标记已申报。"
                sent += _tell(item, kind, claimed, f"申报即将截止（{left}）：{item.title}", body)
    return sent
