"""What "我的对接" lists: requests received and sent by an organisation, and its docking records."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload

from app.core.enums import DockingRequestStatus, DockingStage, PostingStatus
from app.core.models import utcnow
from app.docking.models import DockingFollowUp, DockingRecord, DockingRequest
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


def awaiting_reply(org_id: int, limit: int = 5) -> list[DockingRequest]:
    """Requests addressed to the organisation that it can still answer, the soonest to expire first."""
    stmt = (
        sa.select(DockingRequest)
        .where(
            DockingRequest.to_org_id == org_id,
            DockingRequest.status == DockingRequestStatus.PENDING,
            DockingRequest.expires_at > utcnow(),
        )
        .options(joinedload(DockingRequest.from_org), joinedload(DockingRequest.target).lazyload(Posting.modes))
        .order_by(DockingRequest.expires_at, DockingRequest.id)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def follow_ups_due(org_id: int, limit: int = 5) -> list[DockingRecord]:
    """The organisation's open docking records with a follow-up question (回访, asked by
    app/docking/followups.py) that neither side has answered yet, the longest-waiting first."""
    asked = (
        sa.select(sa.func.min(DockingFollowUp.asked_at))
        .where(DockingFollowUp.record_id == DockingRecord.id, DockingFollowUp.answered_at.is_(None))
        .scalar_subquery()
    )
    stmt = (
        sa.select(DockingRecord)
        .join(DockingRecord.request)
        .where(
            asked.is_not(None),
            DockingRecord.stage.not_in([DockingStage.COMPLETED, DockingStage.TERMINATED]),
            sa.or_(DockingRequest.from_org_id == org_id, DockingRequest.to_org_id == org_id),
        )
        .options(
            contains_eager(DockingRecord.request).options(
                joinedload(DockingRequest.target).lazyload(Posting.modes),
                joinedload(DockingRequest.from_org),
                joinedload(DockingRequest.to_org),
            )
        )
        .order_by(asked, DockingRecord.id)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))
