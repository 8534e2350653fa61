"""发布 / 撤回 from the policy page, the moves that are not allowed, the audit trail, and the expiry job."""

from __future__ import annotations

from datetime import date, datetime

from app.core.models import history_for
from app.core.policy_enums import PolicyStatus
from app.jobs import JOBS
from app.policies.models import Policy
from app.policies.services import expire_due_policies
from tests.policies.staff.conftest import make_policy


def status_of(db, policy_id: int) -> PolicyStatus:
    db.session.expire_all()
    return db.session.get(Policy, policy_id).status


def test_staff_publish_a_draft_and_the_trail_shows_who(db, login, baotou_staff):
    policy = make_policy(db, baotou_staff)
    client = login(baotou_staff)
    page = client.post(f"/policies/manage/{policy.id}/publish", follow_redirects=True).get_data(as_text=True)
    assert status_of(db, policy.id) == PolicyStatus.PUBLISHED
    assert db.session.get(Policy, policy.id).published_on == date(2026, 12, 4)  # today in Beijing, none was set
    assert "政策已发布" in page
    trail = page.split('id="audit-trail"')[1]
    assert baotou_staff.name in trail and "已发布" in trail


def test_a_draft_without_items_cannot_be_published(db, login, baotou_staff):
    policy = make_policy(db, baotou_staff, items=0)
    page = (
        login(baotou_staff).post(f"/policies/manage/{policy.id}/publish", follow_redirects=True).get_data(as_text=True)
    )
    assert "请先添加至少一个申报事项" in page
    assert status_of(db, policy.id) == PolicyStatus.DRAFT


def test_withdrawing_needs_a_reason_and_records_it(db, login, baotou_staff):
    policy = make_policy(db, baotou_staff, status=PolicyStatus.PUBLISHED)
    client = login(baotou_staff)
    page = client.post(f"/policies/manage/{policy.id}/withdraw", data={"reason": "  "}, follow_redirects=True)
    assert "请填写撤回原因" in page.get_data(as_text=True)
    assert status_of(db, policy.id) == PolicyStatus.PUBLISHED
    client.post(f"/policies/manage/{policy.id}/withdraw", data={"reason": "文件已被新文件替代"})
    assert status_of(db, policy.id) == PolicyStatus.WITHDRAWN
    assert history_for("policy", policy.id)[-1].reason == "文件已被新文件替代"


def test_a_withdrawn_policy_cannot_be_published_or_edited(db, login, baotou_staff):
    policy = make_policy(db, baotou_staff, status=PolicyStatus.WITHDRAWN)
    client = login(baotou_staff)
    page = client.post(f"/policies/manage/{policy.id}/publish", follow_redirects=True).get_data(as_text=True)
    assert "不能改为已发布" in page
    assert status_of(db, policy.id) == PolicyStatus.WITHDRAWN
    response = client.post(f"/policies/manage/{policy.id}/edit", data={"title": "改名"}, follow_redirects=True)
    assert "不能再修改" in response.get_data(as_text=True)
    assert db.session.get(Policy, policy.id).title != "改名"


def test_an_expired_policy_cannot_be_withdrawn(db, login, baotou_staff):
    policy = make_policy(db, baotou_staff, status=PolicyStatus.EXPIRED)
    login(baotou_staff).post(f"/policies/manage/{policy.id}/withdraw", data={"reason": "不再适用"})
    assert status_of(db, policy.id) == PolicyStatus.EXPIRED


def test_the_expiry_job_expires_policies_past_their_date_by_beijing_time(db, baotou_staff):
    due = make_policy(db, baotou_staff, status=PolicyStatus.PUBLISHED, expires_on=date(2026, 12, 3))
    today = make_policy(db, baotou_staff, status=PolicyStatus.PUBLISHED, expires_on=date(2026, 12, 4))
    # 2026-12-03 16:30 UTC is already 12-04 00:30 in Beijing: the policy that ended on 12-03 is due.
    assert expire_due_policies(datetime(2026, 12, 3, 16, 30)) == 1
    assert expire_due_policies(datetime(2026, 12, 3, 16, 30)) == 0
    assert status_of(db, due.id) == PolicyStatus.EXPIRED
    assert status_of(db, today.id) == PolicyStatus.PUBLISHED
    assert history_for("policy", due.id)[-1].reason == "已过失效日期"


def test_the_expiry_job_is_declared():
    assert any(job.func == "app.policies.services:expire_due_policies" for job in JOBS)
