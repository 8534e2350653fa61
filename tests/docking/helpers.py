"""Docking tests' shared pieces: the contact details that must stay hidden, and short ways to act as a user,
send a request and find what it produced."""

from __future__ import annotations

import io
from datetime import datetime

import sqlalchemy as sa

from app.core.enums import DockingRequestStatus, DockingStage, NotificationKind
from app.docking.models import DockingRecord, DockingRequest
from app.extensions import db as _db
from app.notifications.models import Notification
from tests.conftest import as_user
from tests.factories import DockingRecordFactory, DockingRequestFactory

R = DockingRequestStatus
ST = DockingStage
NOW = datetime(2026, 12, 4, 2, 0)  # 10:00 in Beijing
POSTING_PHONE, POSTING_EMAIL = "0472-5999888", "lab-secret@imust.example.cn"
UNI_PHONE, UNI_EMAIL = "13947100001", "uni-office@imust.example.cn"
SME_PHONE, SME_EMAIL = "13804720002", "boss@xibao.example.cn"
UNI_SECRETS = (POSTING_PHONE, POSTING_EMAIL, UNI_PHONE, UNI_EMAIL)
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def send(client, user, posting, message="我公司希望就该成果开展合作，盼复。", **extra):
    return as_user(client, user).post(f"/docking/new/{posting.id}", data={"message": message, **extra})


def requests_count() -> int:
    _db.session.rollback()
    return _db.session.scalar(sa.select(sa.func.count(DockingRequest.id)))


def notifications(kind: NotificationKind, user=None) -> list[Notification]:
    stmt = sa.select(Notification).where(Notification.kind == kind)
    if user is not None:
        stmt = stmt.where(Notification.user_id == user.id)
    return _db.session.scalars(stmt.order_by(Notification.id)).all()


def pending_request(w, **kw) -> DockingRequest:
    req = DockingRequestFactory(sender=w.sme_user, target=w.achievement, **kw)
    _db.session.commit()
    return req


def accepted_record(w, **kw) -> DockingRecord:
    record = DockingRecordFactory(request__sender=w.sme_user, request__target=w.achievement, **kw)
    _db.session.commit()
    return record


def page_of(client, user, url) -> str:
    return as_user(client, user).get(url).text


def upload(client, user, record, content: bytes, name: str):
    return as_user(client, user).post(
        f"/docking/records/{record.id}/files",
        data={"attachment": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )
