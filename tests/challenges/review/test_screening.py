"""形式审查: pass, fail with a reason, 退回补正 with reasons and a future date; only after the deadline; the
applicant is told; every outcome audited; only the issuer's desk."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from app.core.challenge_enums import ApplicationStatus
from app.core.enums import NotificationKind
from app.core.models import StatusChange
from app.notifications.models import Notification
from tests.challenges.helpers import make_item
from tests.challenges.review.helpers import make_application, world
from tests.conftest import as_user
from tests.factories import AdminFactory, OrgFactory, UserFactory


def _url(w, outcome, application=None):
    application = application or w.application
    return f"/challenges/manage/items/{w.item.id}/applications/{application.id}/{outcome}"


def test_the_screening_list_shows_lead_partners_time_and_status(db, client):
    w = world(db)
    page = as_user(client, w.issuer_user).get(f"/challenges/manage/items/{w.item.id}/applications").text
    assert "包头稀土永磁科技有限公司" in page and "内蒙古科技大学材料学院" in page
    assert "鄂尔多斯新材料有限公司" in page and "已提交" in page and "通过" in page


def test_passing_moves_the_application_on_is_audited_and_tells_the_lead(db, client):
    w = world(db)
    lead_user = UserFactory(org=w.lead)
    db.session.commit()
    response = as_user(client, w.issuer_user).post(_url(w, "pass"))
    assert response.status_code == 302
    db.session.expire_all()
    assert w.application.status == ApplicationStatus.SCREENED
    audit = db.session.scalar(
        sa.select(StatusChange).where(
            StatusChange.entity_type == "challenge_application", StatusChange.entity_id == w.application.id
        )
    )
    assert (audit.from_status, audit.to_status, audit.actor_id) == ("submitted", "screened", w.issuer_user.id)
    note = db.session.scalar(sa.select(Notification).where(Notification.user_id == lead_user.id))
    assert note.kind == NotificationKind.CHALLENGE_APPLICATION and "通过形式审查" in note.body


def test_failing_needs_a_reason_and_keeps_it(db, client):
    w = world(db)
    as_user(client, w.issuer_user)
    client.post(_url(w, "fail"), data={"reason": "  "})
    db.session.expire_all()
    assert w.application.status == ApplicationStatus.SUBMITTED
    client.post(_url(w, "fail"), data={"reason": "牵头单位注册地不符合揭榜条件"})
    db.session.expire_all()
    assert w.application.status == ApplicationStatus.SCREEN_FAILED
    audit = db.session.scalars(sa.select(StatusChange).where(StatusChange.entity_id == w.application.id)).all()
    assert audit[-1].reason == "牵头单位注册地不符合揭榜条件"


def test_returning_needs_reasons_and_a_resubmission_date_after_today(db, client):
    w = world(db)
    lead_user = UserFactory(org=w.lead)
    db.session.commit()
    as_user(client, w.issuer_user)
    for data in (
        {"reasons": "缺少检测报告", "resubmit_by": "2026-12-04"},  # today in Beijing
        {"reasons": "缺少检测报告", "resubmit_by": "2026-12-01"},
        {"reasons": "缺少检测报告", "resubmit_by": ""},
        {"reasons": "缺少检测报告", "resubmit_by": "不是日期"},
        {"reasons": "", "resubmit_by": "2026-12-10"},
    ):
        response = client.post(_url(w, "return"), data=data)
        assert response.status_code == 302
        db.session.expire_all()
        assert w.application.status == ApplicationStatus.SUBMITTED, data
    page = client.post(
        _url(w, "return"), data={"reasons": "缺少检测报告", "resubmit_by": ""}, follow_redirects=True
    ).text
    assert "请填写补正截止日期" in page
    client.post(_url(w, "return"), data={"reasons": "缺少第三方检测报告", "resubmit_by": "2026-12-10"})
    db.session.expire_all()
    assert w.application.status == ApplicationStatus.RETURNED
    assert (w.application.return_reason, w.application.resubmit_by) == ("缺少第三方检测报告", date(2026, 12, 10))
    note = db.session.scalar(sa.select(Notification).where(Notification.user_id == lead_user.id))
    assert "退回补正" in note.body and "2026-12-10" in note.body and "缺少第三方检测报告" in note.body


def test_a_returned_application_can_be_failed_only_after_its_resubmission_date(db, client):
    w = world(db)
    w.application.status = ApplicationStatus.RETURNED
    w.application.resubmit_by = date(2026, 12, 8)
    db.session.commit()
    as_user(client, w.issuer_user)
    client.post(_url(w, "fail"), data={"reason": "逾期未补正"})
    db.session.expire_all()
    assert w.application.status == ApplicationStatus.RETURNED
    w.application.resubmit_by = date(2026, 12, 3)
    db.session.commit()
    client.post(_url(w, "fail"), data={"reason": "逾期未补正"})
    db.session.expire_all()
    assert w.application.status == ApplicationStatus.SCREEN_FAILED


def test_screening_waits_for_the_deadline_and_says_so(db, client):
    issuer = OrgFactory()
    issuer_user = UserFactory(org=issuer)
    item = make_item(db, issuer)  # collecting until 2026-12-20
    application = make_application(db, item, OrgFactory())
    db.session.commit()
    as_user(client, issuer_user)
    page = client.get(f"/challenges/manage/items/{item.id}/applications").text
    assert "申报截止（2026-12-20 24:00）后才能进行形式审查" in page
    response = client.post(
        f"/challenges/manage/items/{item.id}/applications/{application.id}/pass", follow_redirects=True
    )
    assert "申报截止后才能进行形式审查" in response.text
    db.session.expire_all()
    assert application.status == ApplicationStatus.SUBMITTED


def test_a_screened_application_cannot_be_screened_again(db, client):
    w = world(db)
    as_user(client, w.issuer_user)
    client.post(_url(w, "pass"))
    page = client.post(_url(w, "fail"), data={"reason": "改主意了"}, follow_redirects=True).text
    assert "不能进行此项审查" in page
    db.session.expire_all()
    assert w.application.status == ApplicationStatus.SCREENED


def test_only_the_issuers_desk_and_admins_reach_screening(db, client):
    w = world(db)
    applicant = UserFactory(org=w.lead)
    stranger = UserFactory()
    admin = AdminFactory()
    db.session.commit()
    url = f"/challenges/manage/items/{w.item.id}/applications"
    assert as_user(client, applicant).get(url).status_code == 404
    assert as_user(client, applicant).post(_url(w, "pass")).status_code == 404
    assert as_user(client, stranger).get(url).status_code == 404
    assert as_user(client, admin).get(url).status_code == 200
    db.session.expire_all()
    assert w.application.status == ApplicationStatus.SUBMITTED


def test_an_application_of_another_item_is_not_on_this_desk(db, client):
    w = world(db)
    mine = make_item(db, w.item.batch.issuer, closes_on=date(2026, 12, 1))
    db.session.commit()
    response = as_user(client, w.issuer_user).post(
        f"/challenges/manage/items/{mine.id}/applications/{w.application.id}/pass"
    )
    assert response.status_code == 404
