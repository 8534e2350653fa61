"""What "我的对接" lists: requests received and sent by an organisation, and its docking records."""

from __future__ import annotations

import sqlalchemy as sa

from app.core.enums import DockingRequestStatus, DockingStage, PostingStatus
from app.docking.models import DockingRecord, DockingRequest
from app.extensions import db
from app.postings.models import Posting

TABS = {"received": "收到的请求", "sent": "发出的请求", "records": "对接记录"}


def requests_query(org_id: int, tab: str, status: DockingRequestStatus | None = None):
    column = DockingRequest.to_org_id if tab == "received" else DockingRequest.from_org_id
    stmt = sa.select(DockingRequest).where(column == org_id)
    if status is not None:
        stmt = stmt.where(DockingRequest.status == status)
    return stmt.order_by(DockingRequest.created_at.desc(), DockingRequest.id.desc())


def records_query(org_id: int, stage: DockingStage | None = None):
    stmt = (
        sa.select(DockingRecord)
        .join(DockingRequest, DockingRecord.request_id == DockingRequest.id)
        .where(sa.or_(DockingRequest.from_org_id == org_id, DockingRequest.to_org_id == org_id))
    )
    if stage is not None:
        stmt = stmt.where(DockingRecord.stage == stage)
    return stmt.order_by(DockingRecord.updated_at.desc(), DockingRecord.id.desc())


def pending_received_count(org_id: int) -> int:
    stmt = sa.select(sa.func.count(DockingRequest.id)).where(
        DockingRequest.to_org_id == org_id, DockingRequest.status == DockingRequestStatus.PENDING
    )
    return db.session.scalar(stmt) or 0


def own_posting_choices(org_id: int) -> list[tuple[str, str]]:
    """The organisation's published postings, for "本机构的相关信息"."""
    stmt = (
        sa.select(Posting.id, Posting.kind, Posting.title)
        .where(Posting.org_id == org_id, Posting.status == PostingStatus.PUBLISHED)
        .order_by(Posting.published_at.desc())
        .limit(200)
    )
    return [(str(pid), f"【{kind.label}】{title}") for pid, kind, title in db.session.execute(stmt)]
