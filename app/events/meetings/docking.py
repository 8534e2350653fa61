"""有合作意向 after a meeting carries on in docking (对接), through the docking services only.

When one side records 有合作意向:
- if the two organisations already have an open docking record (either direction), it is moved forward to
  达成意向 (app.docking.records.move_docking_stage) unless it is already there or further;
- otherwise a docking request is sent from the recorder's organisation (app.docking.services
  .send_docking_request, origin 活动洽谈, with the event) on the other side's posting of the best Match
  between the two (our posting of that pair named as ours), else on their newest published posting —
  the other side accepts it on the docking pages, which starts the record.
A refusal by the docking rules (e.g. organisation not verified, a request already pending) never blocks
recording the outcome; the returned sentence says what happened.
"""

from __future__ import annotations

import sqlalchemy as sa

from app.core.enums import DockingOrigin, DockingStage, PostingStatus
from app.core.errors import DomainError
from app.docking.models import DockingRecord, DockingRequest
from app.docking.records import move_docking_stage
from app.docking.services import send_docking_request
from app.events.meetings.models import Meeting
from app.events.meetings.recommendations import published_matches_between
from app.events.models import Event
from app.extensions import db
from app.postings.models import Posting

FINAL = (DockingStage.COMPLETED, DockingStage.TERMINATED)


def _open_record(org_a: int, org_b: int) -> DockingRecord | None:
    pair = sa.or_(
        sa.and_(DockingRequest.from_org_id == org_a, DockingRequest.to_org_id == org_b),
        sa.and_(DockingRequest.from_org_id == org_b, DockingRequest.to_org_id == org_a),
    )
    return db.session.scalar(
        sa.select(DockingRecord)
        .join(DockingRequest, DockingRequest.id == DockingRecord.request_id)
        .where(pair, DockingRecord.stage.not_in(FINAL))
        .order_by(DockingRecord.created_at.desc(), DockingRecord.id.desc())
        .limit(1)
    )


def _target(own_org: int, other_org: int) -> tuple[Posting | None, Posting | None]:
    """(their posting, our posting): the pair of the best Match between the two organisations' published
    postings, else their newest published posting alone."""
    best = db.session.scalars(published_matches_between(own_org, [other_org]).limit(1)).first()
    if best is not None:
        src, tgt = best.source, best.target
        return (tgt, src) if src.org_id == own_org else (src, tgt)
    newest = db.session.scalar(
        sa.select(Posting)
        .where(Posting.org_id == other_org, Posting.status == PostingStatus.PUBLISHED)
        .order_by(Posting.published_at.desc(), Posting.id.desc())
        .limit(1)
    )
    return newest, None


def carry_intent_to_docking(meeting: Meeting, event: Event, user, note: str) -> str:
    """Advance or start docking for a meeting that ended with 有合作意向 (rules in the module docstring)."""
    other = meeting.other_org(user.org_id)
    record = _open_record(user.org_id, other.id)
    try:
        with db.session.begin_nested():
            if record is not None:
                if record.stage.rank >= DockingStage.INTENT.rank:
                    return "双方的对接记录已在“达成意向”或之后的阶段"
                move_docking_stage(record, user, DockingStage.INTENT, note=note or f"在“{event.title}”洽谈后达成意向")
                return "已将双方的对接记录推进到“达成意向”"
            theirs, ours = _target(user.org_id, other.id)
            if theirs is None:
                return "对方暂无已发布的信息，未能发起对接；可在对方发布信息后再发起"
            send_docking_request(
                user,
                theirs.id,
                f"在“{event.title}”一对一洽谈后，我方有合作意向。" + (f"\n{note}" if note else ""),
                own_posting_id=ours.id if ours else None,
                origin=DockingOrigin.EVENT_MEETING,
                event_id=event.id,
            )
            return f"已就《{theirs.title}》向对方发起对接请求，对方接受后生成对接记录"
    except DomainError as err:
        return f"未能自动发起对接：{err.message}"
