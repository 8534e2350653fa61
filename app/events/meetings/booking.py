"""Where a meeting can go: the slots two organisations both have free, the preferred slots a sender
proposes, and booking an accepted request onto a (slot, table).

Booking rule: the slot the recipient picked among the proposed ones, and only that one; without a pick,
the proposed slots first (earliest first), then any other slot ahead; within a slot, tables in their
order. A slot counts only where neither organisation has a meeting or a blocked slot and a table is
free. The unique constraints on (slot, table) and (slot, org) decide races: a booking that loses one is
rolled back to its savepoint and the next free pair is tried.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.core.errors import DomainError, ValidationFailed
from app.core.web import local_time
from app.events.meetings.models import (
    Meeting,
    MeetingHold,
    MeetingRequest,
    MeetingRequestSlot,
    MeetingSlot,
    MeetingTable,
)
from app.events.models import Event
from app.extensions import db

MAX_PREFERRED = 3


class NoFreeSlot(DomainError):
    code = "no_free_slot"
    status = 409


def _held(slot_ids: Iterable[int], org_ids: Iterable[int]) -> set[int]:
    slot_ids, org_ids = list(slot_ids), list(org_ids)
    if not slot_ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(MeetingHold.slot_id).where(MeetingHold.org_id.in_(org_ids), MeetingHold.slot_id.in_(slot_ids))
        )
    )


def _tables(event_id: int) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(MeetingTable.id).where(MeetingTable.event_id == event_id).order_by(MeetingTable.position)
        )
    )


def _taken(event_id: int) -> set[tuple[int, int]]:
    return {
        tuple(row)
        for row in db.session.execute(sa.select(Meeting.slot_id, Meeting.table_id).where(Meeting.event_id == event_id))
    }


def free_slots(event: Event, org_ids: Sequence[int], now: datetime) -> list[MeetingSlot]:
    """The event's slots still ahead where neither organisation is held and at least one table is free."""
    slots = db.session.scalars(
        sa.select(MeetingSlot)
        .where(MeetingSlot.event_id == event.id, MeetingSlot.starts_at > now)
        .order_by(MeetingSlot.starts_at)
    ).all()
    held = _held((s.id for s in slots), org_ids)
    tables, taken = _tables(event.id), _taken(event.id)
    return [s for s in slots if s.id not in held and any((s.id, t) not in taken for t in tables)]


def _slot_label(slot: MeetingSlot) -> str:
    return local_time(slot.starts_at, "%m-%d %H:%M")


def check_preferred_slots(
    event: Event, org_ids: Sequence[int], slot_ids: Sequence[int], now: datetime
) -> list[MeetingSlot]:
    """The proposed slots, each of this event, still ahead and free for both sides; at most three."""
    slot_ids = list(dict.fromkeys(slot_ids))
    if len(slot_ids) > MAX_PREFERRED:
        raise ValidationFailed(
            f"最多选择 {MAX_PREFERRED} 个希望的洽谈时段", errors={"slots": f"最多选择 {MAX_PREFERRED} 个时段"}
        )
    slots = []
    for slot_id in slot_ids:
        slot = db.session.get(MeetingSlot, slot_id)
        if slot is None or slot.event_id != event.id:
            raise ValidationFailed("所选时段不属于本次活动，请重新选择", errors={"slots": "所选时段不属于本次活动"})
        if slot.starts_at <= now:
            raise ValidationFailed(f"时段 {_slot_label(slot)} 已经过去，请另选", errors={"slots": "所选时段已过去"})
        slots.append(slot)
    free = {s.id for s in free_slots(event, org_ids, now)}
    for slot in slots:
        if slot.id not in free:
            message = f"时段 {_slot_label(slot)} 已被占用（一方已有安排或洽谈桌已满），请另选"
            raise ValidationFailed(message, errors={"slots": message})
    return sorted(slots, key=lambda s: s.starts_at)


def save_preferred_slots(req: MeetingRequest, slots: Iterable[MeetingSlot]) -> None:
    db.session.add_all(MeetingRequestSlot(request_id=req.id, slot_id=s.id) for s in slots)


def _candidates(req: MeetingRequest, now: datetime, picked: MeetingSlot | None) -> list[int]:
    """Slot ids to try, in order (the booking rule in the module docstring)."""
    if picked is not None:
        return [picked.id]
    preferred = [s.id for s in req.preferred_slots if s.starts_at > now]
    rest = db.session.scalars(
        sa.select(MeetingSlot.id)
        .where(MeetingSlot.event_id == req.event_id, MeetingSlot.starts_at > now, MeetingSlot.id.not_in(preferred))
        .order_by(MeetingSlot.starts_at)
    ).all()
    return [*preferred, *rest]


def _first_free(req: MeetingRequest, candidates: list[int], tried: set) -> tuple[int, int] | None:
    held = _held(candidates, (req.sender_org_id, req.recipient_org_id))
    tables, taken = _tables(req.event_id), _taken(req.event_id)
    for slot_id in candidates:
        if slot_id in held:
            continue
        for table_id in tables:
            if (slot_id, table_id) not in taken and (slot_id, table_id) not in tried:
                return slot_id, table_id
    return None


def book_request(req: MeetingRequest, now: datetime, picked: MeetingSlot | None = None) -> Meeting:
    """Book the accepted request (the booking rule in the module docstring); NoFreeSlot when nothing fits."""
    parties = (req.sender_org_id, req.recipient_org_id)
    candidates = _candidates(req, now, picked)
    tried: set[tuple[int, int]] = set()
    while pair := _first_free(req, candidates, tried):
        tried.add(pair)
        slot_id, table_id = pair
        try:
            with db.session.begin_nested():
                meeting = Meeting(event_id=req.event_id, request_id=req.id, slot_id=slot_id, table_id=table_id)
                db.session.add(meeting)
                db.session.flush()
                db.session.add_all(MeetingHold(slot_id=slot_id, org_id=o, meeting_id=meeting.id) for o in parties)
                db.session.flush()
            return meeting
        except IntegrityError:
            continue  # another booking took this table or one of the parties first: try the next pair
    if picked is not None:
        raise NoFreeSlot(f"时段 {_slot_label(picked)} 已被占用（一方已有安排或洽谈桌已满），请选择其他时段或由系统安排")
    raise NoFreeSlot("双方已没有共同的空闲时段或洽谈桌已满，暂时无法接受；请先调整忙碌时段或联系组织方")
