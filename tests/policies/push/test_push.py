"""Precise push: a qualifying firm hears of an open item once, whatever publishes, edits or re-runs; watchers of
an item are reminded 7 days and 1 day before it closes (Beijing dates), once each; closed policies say nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from app.auth.models import User
from app.core.enums import EmailState, NotificationKind, OrgType, Tier, VerificationStatus
from app.core.models import utcnow
from app.core.policy_enums import BenefitType, PolicyScope, PolicyStatus, ProfileSource
from app.extensions import db as _db
from app.notifications.jobs import send_emails
from app.notifications.models import Notification
from app.notifications.services import update_settings
from app.organizations.models import Organization
from app.organizations.profile import OrganizationProfile, set_certificates, update_profile
from app.organizations.services import add_tier_record
from app.policies.marks import NOTICE_CLOSING_1, NOTICE_CLOSING_7, NOTICE_ELIGIBLE, PolicyMark, PolicyNotice
from app.policies.models import Policy, PolicyItem
from app.policies.push import push_items, push_open_items, send_closing_reminders
from app.policies.services import change_policy_status, expire_policies
from tests.conftest import race
from tests.factories import OrgFactory, UserFactory

RD = {"field": "rd_ratio", "op": ">=", "value": 3}
TODAY = date(2026, 12, 4)  # tests/conftest.py's clock: 2026-12-04 10:00 Beijing


def firm(rd=None, region="150200", **org):
    """A verified SME with one active user; its R&D ratio set when given."""
    user = UserFactory(org=OrgFactory(region=region, **org))
    if rd is not None:
        update_profile(user.org, {"rd_ratio": rd}, ProfileSource.SELF)
    return user


def policy(db, rules=RD, status=PolicyStatus.DRAFT, closes_on=date(2026, 12, 31), **changes) -> Policy:
    p = Policy(
        title="包头市研发投入后补助办法",
        issuer="包头市工业和信息化局",
        scope=PolicyScope.LEAGUE_CITY,
        region="150200",
        status=status,
        **changes,
    )
    p.items = [
        PolicyItem(
            title="研发费用后补助",
            benefit_type=BenefitType.SUBSIDY,
            rules=rules,
            opens_on=date(2026, 11, 1),
            closes_on=closes_on,
        )
    ]
    db.session.add(p)
    db.session.flush()
    return p


def notes(user, kind=NotificationKind.POLICY_ELIGIBLE) -> list[Notification]:
    return _db.session.scalars(
        sa.select(Notification)
        .where(Notification.user_id == user.id, Notification.kind == kind)
        .order_by(Notification.id)
    ).all()


def eligible_notes(user) -> list[Notification]:
    return notes(user)


def notices(db, kind=NOTICE_ELIGIBLE) -> list[tuple[int, int]]:
    return db.session.execute(
        sa.select(PolicyNotice.org_id, PolicyNotice.item_id)
        .where(PolicyNotice.kind == kind)
        .order_by(PolicyNotice.org_id)
    ).all()


def test_publishing_notifies_each_qualifying_firm_once_and_nobody_else(db):
    yes = firm(rd=5)
    colleague = UserFactory(org=yes.org)
    maybe, no, elsewhere = firm(), firm(rd=1), firm(rd=9, region="150100")
    unverified = firm(rd=5, verification=VerificationStatus.PENDING)
    authority = firm(rd=5, org_type=OrgType.AUTHORITY)
    p = policy(db)

    change_policy_status(p, PolicyStatus.PUBLISHED)

    item = p.items[0]
    assert notices(db) == [(yes.org_id, item.id)]
    for user in (yes, colleague):
        [note] = eligible_notes(user)
        assert note.title == "可申报政策：研发费用后补助"
        assert note.link == f"/policies/{p.id}#item-{item.id}"
        assert "2026-12-31" in note.body
    for user in (maybe, no, elsewhere, unverified, authority):
        assert eligible_notes(user) == []


def test_editing_and_re_running_the_push_notify_nobody_twice(db):
    first = firm(rd=5)
    p = policy(db)
    change_policy_status(p, PolicyStatus.PUBLISHED)
    second = firm(rd=2.5)  # below the rule as published, above it as edited

    p.items[0].title = "研发费用后补助（修订）"
    p.items[0].rules = {"field": "rd_ratio", "op": ">=", "value": 2}
    assert push_items(p.items) == 1
    assert push_items(p.items) == 0
    assert push_open_items(utcnow()) == "推送可申报政策 0 条"

    assert len(eligible_notes(first)) == len(eligible_notes(second)) == 1
    assert len(notices(db)) == 2


def test_an_item_whose_window_opens_later_is_pushed_by_the_job_on_its_first_day(db):
    user = firm(rd=5)
    p = policy(db)
    p.items[0].opens_on = date(2026, 12, 10)
    change_policy_status(p, PolicyStatus.PUBLISHED)
    assert eligible_notes(user) == []

    assert push_open_items(datetime(2026, 12, 9, 15, 59)) == "推送可申报政策 0 条"  # 23:59 on the 9th, Beijing
    assert push_open_items(datetime(2026, 12, 9, 16, 0)) == "推送可申报政策 1 条"  # 00:00 on the 10th
    assert len(eligible_notes(user)) == 1


def test_two_pushes_racing_notify_a_firm_once(app, db):
    user = firm(rd=5)
    p = policy(db, status=PolicyStatus.PUBLISHED)
    db.session.commit()
    item_id = p.items[0].id

    def work(_):
        item = db.session.get(PolicyItem, item_id)
        told = push_items([item])
        db.session.commit()
        return told

    assert sorted(race(app, work)) == [0, 1]
    assert len(eligible_notes(user)) == 1


def test_a_firm_whose_profile_change_makes_it_qualify_is_notified_once(db):
    user = firm()
    p = policy(db)
    change_policy_status(p, PolicyStatus.PUBLISHED)
    assert eligible_notes(user) == []

    update_profile(user.org, {"rd_ratio": 4}, ProfileSource.SELF)
    assert len(eligible_notes(user)) == 1
    update_profile(user.org, {"rd_ratio": 6}, ProfileSource.SELF)
    update_profile(user.org, {"employees": 80}, ProfileSource.SELF)
    assert len(eligible_notes(user)) == 1


def test_certificates_and_a_new_tier_re_evaluate_the_firm(db):
    user = firm()
    certified = policy(db, rules={"field": "certificates", "op": "has", "value": "高新技术企业"})
    tiered = policy(db, rules={"field": "tier", "op": "at_least", "value": "专精特新中小企业"})
    for p in (certified, tiered):
        change_policy_status(p, PolicyStatus.PUBLISHED)
    assert eligible_notes(user) == []

    set_certificates(user.org, [("高新技术企业", date(2028, 1, 1))], ProfileSource.SELF)
    assert [n.key for n in eligible_notes(user)] == [f"policy-item:{certified.items[0].id}:eligible"]
    add_tier_record(user.org, Tier.SPECIALIZED, 2026, user, expires_on=date(2029, 12, 31))
    assert len(eligible_notes(user)) == 2


@pytest.mark.parametrize(
    "status", [PolicyStatus.WITHDRAWN, PolicyStatus.EXPIRED, PolicyStatus.DRAFT], ids=lambda s: s.value
)
def test_withdrawn_expired_and_draft_policies_notify_nobody(db, status):
    user = firm()
    p = policy(db, status=status)
    update_profile(user.org, {"rd_ratio": 5}, ProfileSource.SELF)
    assert push_items(p.items) == 0
    assert push_open_items(utcnow()) == "推送可申报政策 0 条"
    assert eligible_notes(user) == []


def test_a_policy_past_its_expiry_date_or_window_notifies_nobody(db):
    user = firm(rd=5)
    lapsed = policy(db, expires_on=date(2026, 12, 3))
    closed = policy(db, closes_on=date(2026, 12, 3))
    for p in (lapsed, closed):
        change_policy_status(p, PolicyStatus.PUBLISHED)
    expire_policies()
    assert eligible_notes(user) == []


def test_withdrawing_after_publication_stops_further_notices(db):
    early = firm(rd=5)
    p = policy(db)
    change_policy_status(p, PolicyStatus.PUBLISHED)
    change_policy_status(p, PolicyStatus.WITHDRAWN, reason="被新办法替代")
    late = firm(rd=5)
    update_profile(late.org, {"employees": 20}, ProfileSource.SELF)
    push_open_items(utcnow())
    assert (len(eligible_notes(early)), eligible_notes(late)) == (1, [])


def test_preferences_and_digests_apply_to_policy_notices(db):
    digest, muted = firm(rd=5), firm(rd=5)
    update_settings(digest, "daily", [k.value for k in NotificationKind])
    update_settings(muted, "instant", [k.value for k in NotificationKind if k != NotificationKind.POLICY_ELIGIBLE])
    change_policy_status(policy(db), PolicyStatus.PUBLISHED)
    db.session.commit()
    send_emails(utcnow())
    db.session.expire_all()
    assert [n.email_state for n in eligible_notes(digest)] == [EmailState.DIGEST]  # waits for the daily digest
    assert [n.email_state for n in eligible_notes(muted)] == [EmailState.SKIPPED]  # in the app, no e-mail


# --- reminders -----------------------------------------------------------------------------------------------


def mark(user, item, watched=True, applied=False, approved=False):
    """The firm's own marks on the item, as the firm pages set them."""
    now = utcnow()
    row = PolicyMark(
        org_id=user.org_id,
        item_id=item.id,
        watched_at=now if watched else None,
        applied_at=now if applied or approved else None,
        approved_at=now if approved else None,
    )
    _db.session.add(row)
    _db.session.flush()
    return row


def closing_notes(user) -> list[str]:
    return sorted(n.key for n in notes(user, NotificationKind.POLICY_CLOSING))


def beijing(day: date, hour: int, minute: int = 0) -> datetime:
    """A Beijing wall-clock time as the naive UTC a job receives."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) - timedelta(hours=8)


def test_watchers_who_have_not_applied_are_reminded_7_days_and_1_day_before_closing_once_each(db):
    closes = date(2026, 12, 20)
    p = policy(db, status=PolicyStatus.PUBLISHED, closes_on=closes)
    item = p.items[0]
    watcher, applied, approved, unwatched = firm(), firm(), firm(), firm()
    mark(watcher, item)
    mark(applied, item, applied=True)
    mark(approved, item, approved=True)
    mark(unwatched, item, watched=False)

    sent = {}
    for day in (date(2026, 12, 12), date(2026, 12, 13), date(2026, 12, 14), date(2026, 12, 19), date(2026, 12, 20)):
        with time_machine.travel(beijing(day, 9).replace(tzinfo=UTC), tick=False):
            sent[day] = [send_closing_reminders(beijing(day, 9)), send_closing_reminders(beijing(day, 15))]
    assert sent[date(2026, 12, 13)] == ["发送截止提醒 1 条", "发送截止提醒 0 条"]
    assert sent[date(2026, 12, 19)] == ["发送截止提醒 1 条", "发送截止提醒 0 条"]
    assert all(
        s == ["发送截止提醒 0 条"] * 2 for d, s in sent.items() if d not in (date(2026, 12, 13), date(2026, 12, 19))
    )

    assert closing_notes(watcher) == [f"policy-item:{item.id}:closing_1d", f"policy-item:{item.id}:closing_7d"]
    assert closing_notes(applied) == closing_notes(approved) == closing_notes(unwatched) == []
    assert len(notices(db, NOTICE_CLOSING_7)) == len(notices(db, NOTICE_CLOSING_1)) == 1


def test_the_reminder_day_follows_the_beijing_date_not_the_utc_date(db):
    item = policy(db, status=PolicyStatus.PUBLISHED, closes_on=date(2026, 12, 11)).items[0]
    watcher = firm()
    mark(watcher, item)
    # 2026-12-03 23:59 in Beijing is 8 days before; one minute later it is 7 days before (UTC still the 3rd).
    assert send_closing_reminders(beijing(date(2026, 12, 3), 23, 59)) == "发送截止提醒 0 条"
    assert send_closing_reminders(beijing(date(2026, 12, 4), 0, 0)) == "发送截止提醒 1 条"
    [note] = notes(watcher, NotificationKind.POLICY_CLOSING)
    assert "7 天后（2026-12-11）" in note.body


def test_no_reminder_for_a_withdrawn_policy(db):
    p = policy(db, status=PolicyStatus.PUBLISHED, closes_on=date(2026, 12, 5))
    watcher = firm()
    mark(watcher, p.items[0])
    change_policy_status(p, PolicyStatus.WITHDRAWN, reason="暂停执行")
    assert send_closing_reminders(beijing(TODAY, 9)) == "发送截止提醒 0 条"
    assert closing_notes(watcher) == []


def test_finding_claiming_and_addressing_thousands_of_firms_takes_a_few_dozen_statements(db):
    """The push finds firms in SQL and claims and addresses them in batches, not one query per firm."""
    n = 2500
    db.session.execute(
        sa.insert(Organization),
        [
            {"name": f"规模测试企业{i}", "org_type": OrgType.SME, "credit_code": f"91150200SCALE{i:05d}",
             "region": "150200", "verification": VerificationStatus.VERIFIED}
            for i in range(n)
        ],
    )  # fmt: skip
    ids = db.session.scalars(sa.select(Organization.id).where(Organization.name.like("规模测试企业%"))).all()
    db.session.execute(sa.insert(OrganizationProfile), [{"org_id": i, "rd_ratio": 5} for i in ids])
    db.session.execute(
        sa.insert(User),
        [{"email": f"scale{i}@example.cn", "password_hash": "", "name": "测试", "org_id": i} for i in ids],
    )
    p = policy(db)
    statements = []

    def seen(conn, cursor, statement, *_):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", seen)
    try:
        change_policy_status(p, PolicyStatus.PUBLISHED)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", seen)
    assert len(notices(db)) == n
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == n
    # Everything but the notification rows themselves (one INSERT per row on SQLite, the notifications package's
    # flush) is done per batch: finding the firms, claiming the ledger rows, looking up their users.
    batched = [s for s in statements if not s.startswith("INSERT INTO notifications")]
    assert len(batched) < 60, len(batched)
