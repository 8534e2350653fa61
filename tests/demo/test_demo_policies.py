"""Demo 惠企政策: enough realistic policies at both levels, windows dated from the load day, and a demo SME that
sees 符合 and 可能符合 items (the latter for want of its R&D ratio), told once of each item it qualifies for."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from app.auth.models import User
from app.core.enums import NotificationKind, OrgType
from app.core.policy_enums import PolicyScope, PolicyStatus, Verdict
from app.demo.data.orgs import DEMO_PASSWORD
from app.demo.services import seed_demo
from app.extensions import db as _db
from app.notifications.models import Notification
from app.policies.evaluation import is_open
from app.policies.figures import compute_figures, visible_items
from app.policies.models import Policy, PolicyItem
from app.policies.push import push_open_items
from app.policies.services import evaluate_org

LOAD_DAY = date(2027, 3, 10)  # a Beijing day far from the suite's clock: every demo date must follow it
TOPICS = ("专精特新", "小巨人", "小升规", "加计扣除", "助保贷", "信易贷", "首台", "数字化", "绿色", "稳岗", "人才", "展会", "政府采购")  # fmt: skip
ISSUERS = ("内蒙古自治区工业和信息化厅", "内蒙古自治区科学技术厅", "内蒙古自治区财政厅", "内蒙古自治区人力资源和社会保障厅", "内蒙古自治区地方金融管理局", "包头市工业和信息化局")  # fmt: skip


@pytest.fixture
def seeded(db):
    with time_machine.travel(datetime(2027, 3, 10, 1, 30, tzinfo=UTC), tick=False):  # 09:30 in Beijing
        seed_demo(2026)
        db.session.commit()
        yield db


def _user(email: str) -> User:
    return _db.session.scalar(sa.select(User).where(User.email == email))


def test_demo_has_30_realistic_policies_of_the_region_and_its_leagues(seeded):
    policies = _db.session.scalars(sa.select(Policy)).all()
    assert len(policies) >= 30
    assert {p.scope for p in policies} >= {PolicyScope.AUTONOMOUS_REGION, PolicyScope.LEAGUE_CITY}
    assert all(p.doc_number and "〔20" in p.doc_number and p.doc_number.endswith("号") for p in policies)
    text = " ".join(p.title + " ".join(i.title for i in p.items) for p in policies)
    assert [t for t in TOPICS if t not in text] == []
    assert set(ISSUERS) <= {p.issuer for p in policies}
    assert all(p.items and all(i.rules for i in p.items) for p in policies)
    statuses = {p.status for p in policies}
    assert {PolicyStatus.PUBLISHED, PolicyStatus.DRAFT, PolicyStatus.EXPIRED, PolicyStatus.WITHDRAWN} <= statuses


def test_windows_are_dated_from_the_load_day(seeded):
    items = _db.session.scalars(sa.select(PolicyItem)).all()
    open_now = [i for i in items if is_open(i, LOAD_DAY)]
    closing = [i for i in open_now if i.closes_on <= LOAD_DAY + timedelta(days=7)]
    closed = [i for i in items if i.policy.status == PolicyStatus.PUBLISHED and i.closes_on < LOAD_DAY]
    later = [i for i in items if i.opens_on > LOAD_DAY]
    assert len(open_now) >= 20 and closing and closed and later
    assert all(p.published_on <= LOAD_DAY for p in _db.session.scalars(sa.select(Policy)))


def test_the_demo_sme_has_eligible_items_and_maybe_items_missing_its_rd_ratio(seeded):
    sme = _user("sme@lianqiao.demo").org
    verdicts = evaluate_org(sme, LOAD_DAY)
    eligible = [item for item, e in verdicts if e.verdict == Verdict.ELIGIBLE]
    maybe = [e for _, e in verdicts if e.verdict == Verdict.MAYBE]
    assert len(eligible) >= 5
    assert any(e.missing == ["rd_ratio"] for e in maybe)
    told = _db.session.scalars(
        sa.select(Notification.key).where(
            Notification.user_id == _user("sme@lianqiao.demo").id, Notification.kind == NotificationKind.POLICY_ELIGIBLE
        )
    ).all()
    assert sorted(told) == sorted(f"policy-item:{item.id}:eligible" for item in eligible)
    assert push_open_items(datetime(2027, 3, 10, 2, 0)) == "推送可申报政策 0 条"  # the seed left nothing to push
    reminders = _db.session.scalars(
        sa.select(Notification.title).where(
            Notification.user_id == _user("sme@lianqiao.demo").id, Notification.kind == NotificationKind.POLICY_CLOSING
        )
    ).all()
    assert reminders and all(
        t.startswith("申报即将截止（7 天后）") for t in reminders
    )  # it watches an item closing then


def test_the_authority_account_sees_figures_of_its_own_policies(seeded):
    staff = _user("authority@lianqiao.demo")
    assert staff.check_password(DEMO_PASSWORD) and staff.org.org_type == OrgType.AUTHORITY and staff.org.is_verified
    figures = compute_figures(visible_items(staff), LOAD_DAY)
    assert figures and {f.item.policy.issuing_org_id for f in figures} == {staff.org_id}
    assert sum(f.total.approved for f in figures) >= 3 and sum(f.total.amount_wan for f in figures) > 0
    assert any(f.total.ratings for f in figures)
