"""Follow-ups (回访): the platform asks both parties how a docking is going, 14 days after acceptance and
6 months after signing, and asks again every week until either side answers with a stage change or a note."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app.core.clock import local_date
from app.core.enums import DockingStage, NotificationKind
from app.docking.models import DockingFollowUp, DockingRecord
from app.docking.services import record_link
from app.extensions import db
from app.notifications.services import notify, org_user_ids

ACCEPTED, SIGNED = "accepted", "signed"
QUESTIONS = {
    ACCEPTED: "对接已接受{days}天，请更新对接进展",
    SIGNED: "合同签订已满{days}天，请更新合作进展",
}
OPEN_STAGES = [s for s in DockingStage if s not in (DockingStage.COMPLETED, DockingStage.TERMINATED)]


def _due(now: datetime) -> list[tuple[DockingRecord, str, int]]:
    """(record, milestone, days) for every open record whose milestone has come."""
    cfg = current_app.config
    after_accept, after_sign = cfg["DOCKING_FOLLOW_UP_ACCEPTED_DAYS"], cfg["DOCKING_FOLLOW_UP_SIGNED_DAYS"]
    today = local_date(now)  # contract dates are Beijing dates
    accepted = sa.select(DockingRecord).where(
        DockingRecord.stage.in_(OPEN_STAGES), DockingRecord.created_at <= now - timedelta(days=after_accept)
    )
    signed = sa.select(DockingRecord).where(
        DockingRecord.stage == DockingStage.SIGNED, DockingRecord.signed_on <= today - timedelta(days=after_sign)
    )
    return [(r, ACCEPTED, after_accept) for r in db.session.scalars(accepted)] + [
        (r, SIGNED, after_sign) for r in db.session.scalars(signed)
    ]


def _follow_up(record: DockingRecord, milestone: str, now: datetime) -> DockingFollowUp:
    row = db.session.scalar(
        sa.select(DockingFollowUp).where(DockingFollowUp.record_id == record.id, DockingFollowUp.milestone == milestone)
    )
    if row is None:
        row = DockingFollowUp(record_id=record.id, milestone=milestone, asked_at=now)
        db.session.add(row)
        db.session.flush()
    return row


def send_docking_follow_ups(now: datetime) -> int:
    """Ask both parties of every due, unanswered (record, milestone) for an update; again every
    DOCKING_FOLLOW_UP_REPEAT_DAYS days until answered. The notification key names the record, the milestone
    and the week of asking, so running twice in the same week asks once. Returns how many records were asked."""
    repeat = current_app.config["DOCKING_FOLLOW_UP_REPEAT_DAYS"]
    asked = 0
    for record, milestone, days in _due(now):
        row = _follow_up(record, milestone, now)
        if row.answered_at is not None:
            continue
        week = (now - row.asked_at).days // repeat
        req = record.request
        created = notify(
            org_user_ids(req.from_org_id) + org_user_ids(req.to_org_id),
            NotificationKind.DOCKING_FOLLOW_UP,
            f"docking_record:{record.id}:follow_up:{milestone}:{week}",
            QUESTIONS[milestone].format(days=days),
            f"《{req.target.title}》（{req.from_org.name} ↔ {req.to_org.name}）当前阶段：{record.stage.label}。"
            "请在对接记录中更新阶段或添加备注。",
            record_link(record),
        )
        asked += bool(created)
    return asked
