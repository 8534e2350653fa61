"""Meeting requests and meetings at docking events: send (with the sender's preferred slots), accept
(booking a slot and a table: app/events/meetings/booking.py), decline, withdraw, expire, cancel a booked
meeting, block busy slots, and record the outcome. Services flush, never commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.core.enums import EventStatus, EventType, MeetingOutcome, MeetingRequestStatus, NotificationKind
from app.core.errors import InvalidTransition, NotFound, ValidationFailed
from app.core.models import record_change, utcnow
from app.core.web import local_time
from app.events.event_roles import get_event_row, get_typed_event, is_participant, participant_org_ids
from app.events.meetings.booking import book_request, check_preferred_slots, save_preferred_slots
from app.events.meetings.docking import carry_intent_to_docking
from app.events.meetings.models import (
    Meeting,
    MeetingHold,
    MeetingRequest,
    MeetingSettings,
    MeetingSlot,
    MeetingTable,
)
from app.events.models import Event
from app.extensions import db
from app.notifications.services import notify, org_user_ids
from app.organizations.models import Organization

S = MeetingRequestStatus
MESSAGE_MAX = 500
DEFAULT_ANSWER_HOURS = 48


def meetings_link(event_id: int) -> str:
    return f"/events/{event_id}/meetings"


def open_key(org_a: int, org_b: int) -> str:
    low, high = sorted((org_a, org_b))
    return f"{low}-{high}"


def get_participant_event(event_id: int, user) -> Event:
    """A docking event the user's organisation takes part in (confirmed registration); else not found."""
    event = get_typed_event(event_id, user, [EventType.DOCKING])
    if not is_participant(user, event):
        raise NotFound()
    return event


def get_counterpart(event: Event, org_id: int, user) -> Organization:
    """Another organisation taking part in the event; one's own or one not taking part is not found."""
    if org_id == user.org_id or org_id not in participant_org_ids(event.id):
        raise NotFound("对方机构未参加本次对接会")
    return db.session.get(Organization, org_id)


def _ensure_open(event: Event, now: datetime) -> None:
    if event.status == EventStatus.CANCELLED or now >= event.ends_at:
        raise InvalidTransition("活动已结束或已取消，不能再预约洽谈")


def send_meeting_request(
    event: Event,
    user,
    recipient_org_id: int,
    message: str,
    slot_ids: Sequence[int] = (),
    now: datetime | None = None,
) -> MeetingRequest:
    """Ask another participating organisation for a meeting. Not one's own organisation, not an
    organisation outside the event, and not while a request between the two is pending or accepted.
    The sender may propose up to three preferred slots, each of this event, still ahead and free for
    both sides (booking.check_preferred_slots). The request expires `answer_hours` (default 48) after
    it is sent if nobody answers."""
    now = now or utcnow()
    _ensure_open(event, now)
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX:
        raise ValidationFailed(f"留言不能超过 {MESSAGE_MAX} 字", errors={"message": f"留言不能超过 {MESSAGE_MAX} 字"})
    if recipient_org_id == user.org_id:
        raise ValidationFailed("不能向本机构发送洽谈邀请")
    participants = participant_org_ids(event.id)
    if user.org_id not in participants or recipient_org_id not in participants:
        raise NotFound("对方机构未参加本次对接会")
    preferred = check_preferred_slots(event, (user.org_id, recipient_org_id), slot_ids, now)
    settings = db.session.get(MeetingSettings, event.id)
    hours = settings.answer_hours if settings else DEFAULT_ANSWER_HOURS
    req = MeetingRequest(
        event_id=event.id,
        sender_org_id=user.org_id,
        recipient_org_id=recipient_org_id,
        sender_user_id=user.id,
        message=message,
        status=S.PENDING,
        open_key=open_key(user.org_id, recipient_org_id),
        created_at=now,
        expires_at=now + timedelta(hours=hours),
    )
    try:
        with db.session.begin_nested():
            db.session.add(req)
            db.session.flush()
            save_preferred_slots(req, preferred)
            db.session.flush()
    except IntegrityError:
        raise InvalidTransition("你们之间已有待答复或已确认的洽谈邀请，无需重复发送") from None
    record_change("meeting_request", req.id, None, S.PENDING, user)
    sender = db.session.get(Organization, user.org_id)
    notify(
        org_user_ids(recipient_org_id),
        NotificationKind.MEETING_REQUEST,
        f"meeting_request:{req.id}:received",
        f"{sender.name} 邀请您在“{event.title}”洽谈",
        "\n".join(filter(None, [message, _proposed(preferred)])),
        meetings_link(event.id),
    )
    return req


def _proposed(slots: Sequence[MeetingSlot]) -> str:
    times = "、".join(local_time(s.starts_at, "%m-%d %H:%M") for s in slots)
    return f"希望的时段：{times}" if times else ""


def _own_request(event: Event, request_id: int, user, side: str) -> MeetingRequest:
    req = get_event_row(MeetingRequest, request_id, event)
    if getattr(req, f"{side}_org_id") != user.org_id:
        raise NotFound()
    return req


def get_received_request(event: Event, request_id: int, user) -> MeetingRequest:
    """A request of this event addressed to the user's organisation; any other is not found."""
    return _own_request(event, request_id, user, "recipient")


def get_sent_request(event: Event, request_id: int, user) -> MeetingRequest:
    """A request of this event sent by the user's organisation; any other is not found."""
    return _own_request(event, request_id, user, "sender")


def _move_request(
    req: MeetingRequest,
    status: MeetingRequestStatus,
    now: datetime,
    user=None,
    from_status: MeetingRequestStatus = S.PENDING,
) -> bool:
    """One conditional UPDATE, so an answer and the expiry job (or both sides cancelling) racing cannot both
    move the request. A request that is no longer open frees the pair (open_key) for a new request."""
    values = {"status": status}
    if user is not None:
        values.update(answered_at=now, answered_by_id=user.id)
    if status != S.ACCEPTED:
        values["open_key"] = None
    moved = db.session.execute(
        sa.update(MeetingRequest)
        .where(MeetingRequest.id == req.id, MeetingRequest.status == from_status)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(req)
    return moved == 1


def _claim_pending(req: MeetingRequest, status: MeetingRequestStatus, user, now: datetime) -> None:
    if req.expires_at <= now and req.status == S.PENDING:
        raise InvalidTransition("该邀请已过答复期限")
    if not _move_request(req, status, now, user):
        raise InvalidTransition("该邀请已处理，无需重复操作")


def _picked_slot(req: MeetingRequest, slot_id: int | None, now: datetime) -> MeetingSlot | None:
    """The proposed slot the recipient chose; a slot that was not proposed, or has passed, is refused."""
    if slot_id is None:
        return None
    picked = next((s for s in req.preferred_slots if s.id == slot_id), None)
    if picked is None:
        raise ValidationFailed("请选择对方建议的时段之一，或交由系统安排")
    if picked.starts_at <= now:
        raise ValidationFailed(f"时段 {local_time(picked.starts_at, '%m-%d %H:%M')} 已经过去，请另选")
    return picked


def accept_meeting_request(
    req: MeetingRequest, user, slot_id: int | None = None, now: datetime | None = None
) -> Meeting:
    """The recipient accepts, optionally at one of the sender's proposed slots; the meeting is booked at
    once (booking rule in app/events/meetings/booking.py). When the picked slot, or without a pick every
    slot, is no longer free the whole accept fails and the request stays pending."""
    now = now or utcnow()
    event = db.session.get(Event, req.event_id)
    _ensure_open(event, now)
    picked = _picked_slot(req, slot_id, now)
    _claim_pending(req, S.ACCEPTED, user, now)
    meeting = book_request(req, now, picked)
    record_change("meeting_request", req.id, S.PENDING, S.ACCEPTED, user)
    slot, table = db.session.get(MeetingSlot, meeting.slot_id), db.session.get(MeetingTable, meeting.table_id)
    notify(
        [*org_user_ids(req.sender_org_id), *org_user_ids(req.recipient_org_id)],
        NotificationKind.MEETING_ACCEPTED,
        f"meeting_request:{req.id}:accepted",
        f"“{event.title}”洽谈已确认：{local_time(slot.starts_at, '%m-%d %H:%M')} {table.name}号桌",
        f"{req.sender_org.name} 与 {req.recipient_org.name}",
        meetings_link(event.id) + "/agenda",
    )
    return meeting


def decline_meeting_request(req: MeetingRequest, user, now: datetime | None = None) -> None:
    """The recipient declines a pending request; the two may ask each other again later."""
    now = now or utcnow()
    _claim_pending(req, S.DECLINED, user, now)
    record_change("meeting_request", req.id, S.PENDING, S.DECLINED, user)
    notify(
        org_user_ids(req.sender_org_id),
        NotificationKind.MEETING_DECLINED,
        f"meeting_request:{req.id}:declined",
        f"{req.recipient_org.name} 婉拒了您的洽谈邀请",
        link=meetings_link(req.event_id),
    )
    db.session.flush()


def withdraw_meeting_request(req: MeetingRequest, user, now: datetime | None = None) -> None:
    """The sender takes back a request nobody has answered yet; the two may ask each other again later.
    The request keeps no answerer: withdrawing is not an answer (the audit row says who did it)."""
    now = now or utcnow()
    if not _move_request(req, S.WITHDRAWN, now):
        raise InvalidTransition("该邀请已处理，无法撤回")
    record_change("meeting_request", req.id, S.PENDING, S.WITHDRAWN, user)
    db.session.flush()


def cancel_meeting(meeting: Meeting, user, reason: str = "", now: datetime | None = None) -> None:
    """Either side cancels a booked meeting before its slot starts, with an optional reason. The meeting
    and both parties' holds are deleted, so the unique (slot, table) and (slot, org) constraints no
    longer hold them and another accepted request can be booked there; the request becomes cancelled
    with its pair key cleared, so the two may ask each other again. The other side is notified; the
    reason stays in the audit trail. The status move comes first so two sides cancelling at once
    cannot both succeed."""
    now = now or utcnow()
    reason = (reason or "").strip()
    if len(reason) > MESSAGE_MAX:
        raise ValidationFailed(f"取消原因不能超过 {MESSAGE_MAX} 字")
    slot = meeting.slot
    if slot.starts_at <= now:
        raise InvalidTransition("洽谈时段已开始，不能再取消；可在洽谈后记录结果为“未到场”")
    req, other = meeting.request, meeting.other_org(user.org_id)
    if not _move_request(req, S.CANCELLED, now, from_status=S.ACCEPTED):
        raise InvalidTransition("该洽谈已取消")
    db.session.execute(sa.delete(MeetingHold).where(MeetingHold.meeting_id == meeting.id))
    db.session.delete(meeting)
    db.session.flush()
    record_change("meeting_request", req.id, S.ACCEPTED, S.CANCELLED, user, reason or None)
    mine = db.session.get(Organization, user.org_id)
    event = db.session.get(Event, req.event_id)
    notify(
        org_user_ids(other.id),
        NotificationKind.MEETING_CANCELLED,
        f"meeting_request:{req.id}:cancelled",
        f"{mine.name} 取消了“{event.title}”{local_time(slot.starts_at, '%m-%d %H:%M')} 的洽谈",
        f"取消原因：{reason}" if reason else "对方未填写原因。您可以重新发送洽谈邀请。",
        meetings_link(event.id) + "/agenda",
    )


def expire_meeting_requests(now: datetime) -> int:
    """Requests still pending at their deadline expire; each sender is told once. Run twice, the second
    run finds nothing left to expire."""
    due = db.session.scalars(
        sa.select(MeetingRequest)
        .where(MeetingRequest.status == S.PENDING, MeetingRequest.expires_at <= now)
        .order_by(MeetingRequest.id)
    ).all()
    expired = 0
    for req in due:
        if not _move_request(req, S.EXPIRED, now):
            continue  # answered since it was read
        expired += 1
        record_change("meeting_request", req.id, S.PENDING, S.EXPIRED, None, "超过答复期限")
        notify(
            org_user_ids(req.sender_org_id),
            NotificationKind.MEETING_EXPIRED,
            f"meeting_request:{req.id}:expired",
            f"您向 {req.recipient_org.name} 发出的洽谈邀请已过期",
            "对方未在答复期限内回复，您可以重新发送邀请。",
            meetings_link(req.event_id),
        )
    db.session.flush()
    return expired


def get_event_slot(event: Event, slot_id: int) -> MeetingSlot:
    return get_event_row(MeetingSlot, slot_id, event)


def block_slot(event: Event, user, slot_id: int) -> None:
    """Mark a slot busy for the user's organisation: no meeting will be booked there. A slot that
    already holds a meeting (or is already blocked) cannot be blocked."""
    slot = get_event_slot(event, slot_id)
    try:
        with db.session.begin_nested():
            db.session.add(MeetingHold(slot_id=slot.id, org_id=user.org_id))
            db.session.flush()
    except IntegrityError:
        raise InvalidTransition("该时段已被占用（已有洽谈或已标记忙碌）") from None


def unblock_slot(event: Event, user, slot_id: int) -> None:
    """Free a slot the organisation blocked; a slot with a meeting stays taken."""
    slot = get_event_slot(event, slot_id)
    db.session.execute(
        sa.delete(MeetingHold).where(
            MeetingHold.slot_id == slot.id, MeetingHold.org_id == user.org_id, MeetingHold.meeting_id.is_(None)
        )
    )
    db.session.flush()


def get_party_meeting(event: Event, meeting_id: int, user) -> Meeting:
    """A meeting of this event the user's organisation is one of the two sides of; else not found."""
    meeting = get_event_row(Meeting, meeting_id, event)
    if user.org_id not in meeting.org_ids:
        raise NotFound()
    return meeting


def record_meeting_outcome(
    meeting: Meeting, user, outcome: str, note: str = "", now: datetime | None = None
) -> str | None:
    """Either side records how it went (未到场 / 已洽谈 / 有合作意向) once the slot has begun; a later entry
    by either side replaces the earlier one and both are kept in the audit trail. A new 有合作意向 carries
    on in docking (app/events/meetings/docking.py); the sentence returned says how."""
    now = now or utcnow()
    chosen = MeetingOutcome.from_any(outcome)
    if chosen is None:
        raise ValidationFailed("请选择洽谈结果")
    if meeting.slot.starts_at > now:
        raise InvalidTransition("洽谈尚未开始，开始后再记录结果")
    note = (note or "").strip()
    if len(note) > MESSAGE_MAX:
        raise ValidationFailed(f"备注不能超过 {MESSAGE_MAX} 字")
    before = meeting.outcome
    docking = None
    if chosen == MeetingOutcome.INTENT and before != MeetingOutcome.INTENT:
        # Before our own writes: the docking service may roll the session back when it loses a race.
        docking = carry_intent_to_docking(meeting, db.session.get(Event, meeting.event_id), user, note)
    meeting.outcome, meeting.outcome_note = chosen, note or None
    meeting.outcome_by_id, meeting.outcome_at = user.id, now
    db.session.flush()
    record_change("meeting", meeting.id, before, chosen, user, note or None)
    return docking
