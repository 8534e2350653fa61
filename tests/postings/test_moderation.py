"""Moderation: the platform admins' queue, approving and rejecting, one by one and in bulk."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from tests.factories import PostingFactory
from tests.postings.helpers import K, S, act_as, page_text


def test_moderation_queue_is_for_platform_admins_only(client, db, owner, admin):
    assert act_as(client, None).get("/postings/admin/moderation").status_code == 302
    assert act_as(client, owner).get("/postings/admin/moderation").status_code == 403
    assert act_as(client, admin).get("/postings/admin/moderation").status_code == 200
    posting = PostingFactory(org=owner.org, status=S.SUBMITTED)
    db.session.commit()
    assert act_as(client, owner).post(f"/postings/achievement/{posting.id}/approve").status_code == 403
    assert posting.status == S.SUBMITTED


def test_moderation_queue_lists_submitted_postings_oldest_first(client, db, admin):
    now = datetime(2025, 5, 1)
    PostingFactory(title="后提交", status=S.SUBMITTED, submitted_at=now)
    PostingFactory(title="先提交", status=S.SUBMITTED, submitted_at=now - timedelta(days=2))
    PostingFactory(title="已发布")
    db.session.commit()

    text = page_text(act_as(client, admin).get("/postings/admin/moderation"))

    assert text.index("先提交") < text.index("后提交") and "已发布" not in text


def test_admin_approves_and_rejects_from_the_queue(client, db, admin):
    first = PostingFactory(status=S.SUBMITTED, published_at=None)
    second = PostingFactory(status=S.SUBMITTED, published_at=None)
    db.session.commit()
    act_as(client, admin)

    client.post(f"/postings/achievement/{first.id}/approve")
    missing_reason = client.post(
        f"/postings/achievement/{second.id}/reject", data={"reason": ""}, follow_redirects=True
    )
    assert "请填写退回原因" in page_text(missing_reason) and second.status == S.SUBMITTED
    client.post(f"/postings/achievement/{second.id}/reject", data={"reason": "请补充专利证明"})

    assert first.status == S.PUBLISHED and first.published_at is not None
    assert second.status == S.REJECTED and second.reject_reason == "请补充专利证明"


def test_bulk_approve_publishes_what_it_can_and_says_why_not_the_rest(client, db, admin):
    ok = PostingFactory(kind=K.NEED, status=S.SUBMITTED, published_at=None)
    late = PostingFactory(kind=K.NEED, status=S.SUBMITTED, published_at=None, deadline=date.today() - timedelta(days=1))
    db.session.commit()

    resp = act_as(client, admin).post(
        "/postings/admin/moderation/approve", data={"ids": [str(ok.id), str(late.id), "x"]}, follow_redirects=True
    )

    assert "已审核通过 1 条" in page_text(resp) and "截止日期已过" in page_text(resp)
    assert ok.status == S.PUBLISHED and late.status == S.SUBMITTED
