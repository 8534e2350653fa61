"""Milestone reports and their review, and the reminders job."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
import time_machine

from app.challenges.delivery.models import MilestoneReport
from app.challenges.delivery.services import send_milestone_reminders
from app.core.challenge_enums import MilestoneStatus
from app.core.models import utcnow
from app.extensions import db as _db
from app.notifications.models import Notification
from tests.challenges.delivery.support import awarded, issuer_user, item_in_delivery, member_of, sign
from tests.conftest import as_user

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _setup(db):
    issuer = issuer_user()
    item = item_in_delivery(issuer)
    application = awarded(item)
    contract = sign(item, application, issuer)
    db.session.commit()
    return issuer, item, member_of(application), contract


def _report_url(contract, milestone):
    return f"/challenges/contracts/{contract.id}/milestones/{milestone.id}/report"


def test_a_report_sent_twice_creates_one(app, db, client):
    issuer, item, member, contract = _setup(db)
    milestone = contract.milestones[0]
    c = as_user(client, member)
    data = {"body": "已完成小批量试制", f"ind_{item.indicators[0].id}": "52.3", "form_token": "same"}
    for _ in range(2):
        data["files"] = (io.BytesIO(PDF), "检测报告.pdf")
        assert (
            c.post(_report_url(contract, milestone), data=data, content_type="multipart/form-data").status_code == 302
        )
    reports = db.session.scalars(sa.select(MilestoneReport)).all()
    assert len(reports) == 1
    assert reports[0].indicator_values == {str(item.indicators[0].id): "52.3"}
    assert [f.original_name for f in reports[0].files] == ["检测报告.pdf"]
    db.session.refresh(milestone)
    assert milestone.status == MilestoneStatus.SUBMITTED
    file_url = f"/challenges/contracts/{contract.id}/files/{reports[0].files[0].id}"
    assert as_user(client, issuer).get(file_url).data == PDF


def test_a_report_without_text_or_with_a_fake_pdf_is_refused_in_chinese(app, db, client):
    _issuer, _item, member, contract = _setup(db)
    c = as_user(client, member)
    url = _report_url(contract, contract.milestones[0])
    page = c.post(url, data={"body": "  ", "form_token": "a"}, follow_redirects=True)
    assert "请填写里程碑完成情况" in page.text
    data = {"body": "进展", "form_token": "b", "files": (io.BytesIO(b"MZ..."), "病毒.pdf")}
    page = c.post(url, data=data, content_type="multipart/form-data", follow_redirects=True)
    assert "不是有效的 PDF 文件" in page.text
    assert db.session.scalar(sa.select(sa.func.count(MilestoneReport.id))) == 0


def test_the_issuer_returns_with_a_reason_then_approves_the_new_report(app, db, client):
    issuer, _item, member, contract = _setup(db)
    milestone = contract.milestones[0]
    as_user(client, member).post(_report_url(contract, milestone), data={"body": "第一版", "form_token": "r1"})
    first = db.session.scalar(sa.select(MilestoneReport))
    c = as_user(client, issuer)
    review_url = f"/challenges/contracts/{contract.id}/reports/{first.id}/review"
    page = c.post(review_url, data={"decision": "return", "note": ""}, follow_redirects=True)
    assert "退回时请写明原因" in page.text
    c.post(review_url, data={"decision": "return", "note": "缺少第三方检测报告"})
    db.session.refresh(milestone)
    assert milestone.status == MilestoneStatus.RETURNED
    as_user(client, member).post(_report_url(contract, milestone), data={"body": "补充检测报告", "form_token": "r2"})
    second = db.session.scalars(sa.select(MilestoneReport).order_by(MilestoneReport.id.desc())).first()
    as_user(client, issuer).post(
        f"/challenges/contracts/{contract.id}/reports/{second.id}/review", data={"decision": "approve"}
    )
    db.session.refresh(milestone)
    assert milestone.status == MilestoneStatus.APPROVED
    told = db.session.scalar(
        sa.select(sa.func.count(Notification.id)).where(
            Notification.user_id == member.id, Notification.key.like("challenge_report:%")
        )
    )
    assert told == 2  # returned, then approved


def test_the_issuer_and_strangers_cannot_submit_reports(app, db, client):
    issuer, _item, _member, contract = _setup(db)
    url = _report_url(contract, contract.milestones[0])
    assert as_user(client, issuer).post(url, data={"body": "x", "form_token": "i"}).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(MilestoneReport.id))) == 0


def _keys(user_id) -> list[str]:
    stmt = sa.select(Notification.key).where(
        Notification.user_id == user_id, Notification.key.like("challenge_milestone:%")
    )
    return sorted(_db.session.scalars(stmt))


def test_reminders_seven_days_before_and_when_overdue_once_each(app, db):
    issuer, _item, member, contract = _setup(db)
    milestone = contract.milestones[0]
    due = datetime.combine(milestone.due_on, datetime.min.time(), tzinfo=UTC)

    with time_machine.travel(due - timedelta(days=8), tick=False):
        send_milestone_reminders(utcnow())
    assert _keys(member.id) == []

    with time_machine.travel(due - timedelta(days=7), tick=False):
        send_milestone_reminders(utcnow())
        send_milestone_reminders(utcnow())
    assert _keys(member.id) == [f"challenge_milestone:{milestone.id}:due_soon"]
    assert _keys(issuer.id) == []

    with time_machine.travel(due + timedelta(days=2), tick=False):
        send_milestone_reminders(utcnow())
        send_milestone_reminders(utcnow())
    overdue = f"challenge_milestone:{milestone.id}:overdue"
    assert _keys(member.id).count(overdue) == 1 and _keys(issuer.id) == [overdue]


def test_no_reminder_for_a_submitted_milestone(app, db, client):
    _issuer, _item, member, contract = _setup(db)
    milestone = contract.milestones[0]
    as_user(client, member).post(_report_url(contract, milestone), data={"body": "按期完成", "form_token": "x"})
    due = datetime.combine(milestone.due_on, datetime.min.time(), tzinfo=UTC)
    with time_machine.travel(due + timedelta(days=3), tick=False):
        send_milestone_reminders(utcnow())
    assert _keys(member.id) == []


def test_the_job_is_declared(app):
    from app.jobs import JOBS

    job = next(j for j in JOBS if j.id == "challenges_milestone_reminders")
    assert job.func == "app.challenges.delivery.services:send_milestone_reminders"
