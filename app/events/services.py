"""Events themselves: create, edit, publish, close, reopen, finish, cancel, and who may manage or see one.

Organisers manage their own events, platform admins every event; anyone else gets a 404 for a draft and for
the management pages. Status moves write a StatusChange row; cancelling tells every live registrant.
Seats and the waitlist are app/events/waitlist.py; registering is app/events/registration/.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

import sqlalchemy as sa

from app.core.enums import EventStatus, EventType, NotificationKind, OrgType, TicketType
from app.core.errors import DomainError, InvalidTransition, NotFound, ValidationFailed
from app.core.models import record_change, utcnow
from app.core.regions import REGION_NAMES
from app.events.locking import lock_event
from app.events.models import (
    LIVE_STATUSES,
    Event,
    EventSession,
    Registration,
    TicketCategory,
    registration_sessions,
)
from app.events.waitlist import promote_waitlist, registrant_ids
from app.extensions import db
from app.notifications.services import notify

S = EventStatus
T = TypeVar("T")
MAX_SEATS = 100_000
TITLE_MAX, VENUE_MAX, URL_MAX, CONTACT_MAX, REASON_MAX = 200, 300, 500, 200, 1000
TICKET_NAME_MAX = 100


@dataclass
class SessionInput:
    title: str
    starts_at: datetime | None
    ends_at: datetime | None
    speaker: str = ""
    room: str = ""
    capacity: int | None = None
    id: int | None = None


@dataclass
class TicketInput:
    ticket_type: TicketType
    name: str = ""
    quota: int | None = None


@dataclass
class EventInput:
    """What the event form gives the services; times are naive UTC."""

    event_type: EventType | None
    title: str
    starts_at: datetime | None
    ends_at: datetime | None
    description: str = ""
    venue: str = ""
    online_url: str = ""
    region: str = ""
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None
    capacity: int | None = None
    audience: list[str] = field(default_factory=list)
    requires_approval: bool = False
    contact: str = ""
    sessions: list[SessionInput] = field(default_factory=list)
    tickets: list[TicketInput] = field(default_factory=list)


# --- checking the input -----------------------------------------------------------------------------


def _count_error(value: int | None, what: str) -> str | None:
    if value is not None and not 0 <= value <= MAX_SEATS:
        return f"{what}应为 0 到 {MAX_SEATS} 之间的整数（留空表示不限）"
    return None


def _session_errors(data: EventInput) -> list[str]:
    errors = []
    for i, s in enumerate(data.sessions, 1):
        label = f"第 {i} 个议程（{s.title or '未命名'}）"
        if not s.title.strip():
            errors.append(f"{label}：请填写议程标题")
        elif s.starts_at is None or s.ends_at is None:
            errors.append(f"{label}：请填写开始和结束时间")
        elif s.ends_at < s.starts_at:
            errors.append(f"{label}：结束时间不能早于开始时间")
        elif data.starts_at and data.ends_at and (s.starts_at < data.starts_at or s.ends_at > data.ends_at):
            errors.append(f"{label}：时间应在活动起止时间之内")
        elif message := _count_error(s.capacity, "容量"):
            errors.append(f"{label}：{message}")
        elif len(s.title) > TITLE_MAX or len(s.speaker) > TITLE_MAX or len(s.room) > 100:
            errors.append(f"{label}：标题、嘉宾或会场名称过长")
    return errors


def _ticket_errors(tickets: list[TicketInput]) -> list[str]:
    too_long = [t for t in tickets if len(t.name.strip()) > TICKET_NAME_MAX]
    errors = [f"{t.ticket_type.label}的显示名称不超过 {TICKET_NAME_MAX} 字" for t in too_long]
    return errors + [m for t in tickets if (m := _count_error(t.quota, f"{t.ticket_type.label}名额"))]


def clean_event(data: EventInput) -> EventInput:
    """Every rule about an event's own fields; all broken rules are reported at once, by field."""
    e: dict[str, str] = {}
    data.title = data.title.strip()
    if data.event_type is None:
        e["event_type"] = "请选择活动类型"
    if not data.title:
        e["title"] = "请填写活动名称"
    elif len(data.title) > TITLE_MAX:
        e["title"] = f"活动名称不超过 {TITLE_MAX} 字"
    if data.region and data.region not in REGION_NAMES:
        e["region"] = "请选择盟市"
    if not data.venue.strip() and not data.online_url.strip():
        e["venue"] = "请填写举办地点，或填写线上参会链接"
    elif len(data.venue) > VENUE_MAX:
        e["venue"] = f"地点不超过 {VENUE_MAX} 字"
    if data.online_url and (len(data.online_url) > URL_MAX or not data.online_url.startswith(("http://", "https://"))):
        e["online_url"] = "线上链接应以 http:// 或 https:// 开头"
    if len(data.contact) > CONTACT_MAX:
        e["contact"] = f"联系方式不超过 {CONTACT_MAX} 字"
    if data.starts_at is None:
        e["starts_at"] = "请填写开始时间"
    if data.ends_at is None:
        e["ends_at"] = "请填写结束时间"
    elif data.starts_at and data.ends_at < data.starts_at:
        e["ends_at"] = "结束时间不能早于开始时间"
    opens, closes = data.registration_opens_at, data.registration_closes_at
    if closes and data.starts_at and closes > data.starts_at:
        e["registration_closes_at"] = "报名截止时间不能晚于活动开始时间"
    elif opens and closes and closes <= opens:
        e["registration_closes_at"] = "报名截止时间应晚于报名开始时间"
    if message := _count_error(data.capacity, "人数上限"):
        e["capacity"] = message
    if bad := [a for a in data.audience if a not in OrgType.values()]:
        e["audience"] = f"未知的机构类型：{'、'.join(bad)}"
    if ticket_errors := _ticket_errors(data.tickets):
        e["tickets"] = "；".join(ticket_errors)
    if session_errors := _session_errors(data):
        e["sessions"] = "；".join(session_errors)
    if e:
        raise ValidationFailed(errors=e)
    return data


# --- writing ---------------------------------------------------------------------------------------

_PLAIN_FIELDS = (
    "event_type", "title", "description", "region", "starts_at", "ends_at", "registration_opens_at",
    "registration_closes_at", "capacity", "audience", "requires_approval",
)  # fmt: skip


def _apply(event: Event, data: EventInput) -> None:
    for name in _PLAIN_FIELDS:
        setattr(event, name, getattr(data, name))
    event.audience = list(data.audience)
    event.region = data.region or None
    event.venue = data.venue.strip() or None
    event.online_url = data.online_url.strip() or None
    event.contact = data.contact.strip() or None
    _apply_sessions(event, data.sessions)
    _apply_tickets(event, data.tickets)


def edited_rows(rows: Iterable[T], ids: Iterable[int | None], field: str, what: str) -> dict[int, T]:
    """The rows an edit form may touch, by id (an event's agenda items, a registration's attendees). A blank
    id is a new row; every other id must name one of `rows`, once. An id of another event's or registration's
    row, or one removed since the form was opened, refuses the whole edit, so nothing else is changed."""
    current = {row.id: row for row in rows}
    sent = [i for i in ids if i is not None]
    if len(set(sent)) != len(sent) or any(i not in current for i in sent):
        message = f"{what}已被修改或不属于这里，请刷新页面后重新填写"
        raise ValidationFailed(message, errors={field: message})
    return current


def _apply_sessions(event: Event, sessions: list[SessionInput]) -> None:
    """Sessions keep their ids when edited (registrations point at them); ones left out are removed unless
    someone signed up for them, and a capacity cannot drop below the places already confirmed."""
    current = edited_rows(event.sessions, (s.id for s in sessions), "sessions", "议程")
    keep = {s.id for s in sessions if s.id is not None}
    for session_id, session in current.items():
        if session_id not in keep:
            if _session_chosen(session_id):
                raise ValidationFailed(errors={"sessions": f"已有单位报名分会场“{session.title}”，不能删除"})
            event.sessions.remove(session)
    for s in sessions:
        if s.id in keep:
            row = current[s.id]
        else:
            row = EventSession(taken=0)
            event.sessions.append(row)
        if s.capacity is not None and s.capacity < row.taken:
            raise ValidationFailed(errors={"sessions": f"分会场“{row.title}”已确认 {row.taken} 人，容量不能少于这个数"})
        row.title, row.starts_at, row.ends_at = s.title.strip(), s.starts_at, s.ends_at
        row.speaker, row.room, row.capacity = s.speaker.strip() or None, s.room.strip() or None, s.capacity


def _apply_tickets(event: Event, tickets: list[TicketInput]) -> None:
    """One category per ticket type offered; a type still held by a live registration cannot be dropped and
    its quota cannot go below the attendees it has confirmed."""
    wanted = {t.ticket_type: t for t in tickets}
    for category in list(event.ticket_categories):
        if category.ticket_type not in wanted:
            if _category_in_use(category):
                raise ValidationFailed(errors={"tickets": f"“{category.label}”已有报名，不能取消该票种"})
            event.ticket_categories.remove(category)
    by_type = {c.ticket_type: c for c in event.ticket_categories}
    for ticket_type, t in wanted.items():
        category = by_type.get(ticket_type)
        if category is None:
            category = TicketCategory(ticket_type=ticket_type, taken=0)
            event.ticket_categories.append(category)
        if t.quota is not None and t.quota < category.taken:
            raise ValidationFailed(
                errors={"tickets": f"“{category.label}”已确认 {category.taken} 人，名额不能少于这个数"}
            )
        category.name, category.quota = t.name.strip() or None, t.quota


def _session_chosen(session_id: int) -> bool:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(registration_sessions)
            .join(Registration, Registration.id == registration_sessions.c.registration_id)
            .where(registration_sessions.c.session_id == session_id, Registration.status.in_(LIVE_STATUSES))
        )
        > 0
    )


def _category_in_use(category: TicketCategory) -> bool:
    if category.id is None:
        return False
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Registration)
            .where(Registration.ticket_category_id == category.id, Registration.status.in_(LIVE_STATUSES))
        )
        > 0
    )


def create_event(organiser, data: EventInput) -> Event:
    """A new event starts as a draft of the organiser who made it; only they and platform admins see it."""
    clean_event(data)
    event = Event(organiser_id=organiser.id, status=S.DRAFT, seats_taken=0)
    _apply(event, data)
    db.session.add(event)
    db.session.flush()
    record_change("event", event.id, None, S.DRAFT, organiser)
    return event


def update_event(event: Event, actor, data: EventInput) -> list[Registration]:
    """Edit an event that has not finished or been cancelled. Capacity cannot drop below the seats already
    confirmed; raising it (or a ticket quota) promotes the waitlist at once. Returns those promoted."""
    clean_event(data)
    event = lock_event(event.id)
    if event.status in (S.FINISHED, S.CANCELLED):
        raise InvalidTransition(f"活动{event.status.label}，不能再修改")
    if data.capacity is not None and data.capacity < event.seats_taken:
        raise ValidationFailed(errors={"capacity": f"已确认 {event.seats_taken} 人，人数上限不能少于这个数"})
    _apply(event, data)
    db.session.flush()
    return promote_waitlist(event, actor) if event.status != S.DRAFT else []


def set_capacity(event: Event, actor, capacity: int | None) -> list[Registration]:
    """The dashboard's quick capacity edit: same rule as the form, promotes the waitlist when raised."""
    if message := _count_error(capacity, "人数上限"):
        raise ValidationFailed(message, errors={"capacity": message})
    event = lock_event(event.id)
    if capacity is not None and capacity < event.seats_taken:
        raise ValidationFailed(f"已确认 {event.seats_taken} 人，人数上限不能少于这个数")
    event.capacity = capacity
    db.session.flush()
    return promote_waitlist(event, actor) if event.status in (S.PUBLISHED, S.CLOSED) else []


# --- the lifecycle ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    verb: str
    sources: frozenset[EventStatus]
    target: EventStatus


PUBLISH = Move("发布", frozenset({S.DRAFT}), S.PUBLISHED)
CLOSE = Move("截止报名", frozenset({S.PUBLISHED}), S.CLOSED)
REOPEN = Move("重新开放报名", frozenset({S.CLOSED}), S.PUBLISHED)
FINISH = Move("结束", frozenset({S.PUBLISHED, S.CLOSED}), S.FINISHED)
CANCEL = Move("取消", frozenset({S.DRAFT, S.PUBLISHED, S.CLOSED}), S.CANCELLED)


def _move(event: Event, move: Move, actor, reason: str | None = None) -> None:
    if event.status not in move.sources:
        raise InvalidTransition(f"活动当前状态为“{event.status.label}”，不能{move.verb}")
    before = event.status
    event.status = move.target
    db.session.flush()
    record_change("event", event.id, before, move.target, actor, reason)


def publish_event(event: Event, actor, now: datetime | None = None) -> None:
    """A draft goes public (报名中) only while its start is still ahead."""
    now = now or utcnow()
    if event.starts_at <= now:
        raise DomainError("活动开始时间已过，请先修改活动时间再发布")
    _move(event, PUBLISH, actor)
    event.published_at = event.published_at or now


def close_event_registration(event: Event, actor, reason: str | None = None) -> None:
    _move(event, CLOSE, actor, reason)


def reopen_event_registration(event: Event, actor, now: datetime | None = None) -> None:
    """Only while the registration deadline and the start are still ahead."""
    now = now or utcnow()
    if now >= event.starts_at or (event.registration_closes_at and now >= event.registration_closes_at):
        raise DomainError("报名截止时间已过，请先修改报名截止时间再重新开放")
    _move(event, REOPEN, actor)


def finish_event(event: Event, actor, now: datetime | None = None) -> None:
    if (now or utcnow()) < event.starts_at:
        raise DomainError("活动尚未开始，不能标记为已结束")
    _move(event, FINISH, actor)


def cancel_event(event: Event, actor, reason: str | None) -> int:
    """Cancel with a reason from any non-final state; every live registrant is told (EVENT_CANCELLED).
    Returns how many people were notified."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("请填写取消原因，报名单位会收到这条说明", errors={"reason": "请填写取消原因"})
    if len(reason) > REASON_MAX:
        raise ValidationFailed(f"取消原因不超过 {REASON_MAX} 字")
    event = lock_event(event.id)
    _move(event, CANCEL, actor, reason)
    event.cancel_reason = reason
    live = db.session.scalars(
        sa.select(Registration).where(Registration.event_id == event.id, Registration.status.in_(LIVE_STATUSES))
    ).all()
    users = list(dict.fromkeys(uid for reg in live for uid in registrant_ids(reg)))
    notify(
        users,
        NotificationKind.EVENT_CANCELLED,
        f"event:{event.id}:cancelled",
        f"活动取消：{event.title}",
        f"取消原因：{reason}",
        f"/events/{event.id}",
    )
    return len(users)


# --- who may see and manage -----------------------------------------------------------------------


def can_manage(user, event: Event) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_platform_admin or (user.is_organiser and event.organiser_id == user.id)


def get_managed_event(event_id: int, user) -> Event:
    """The event for its organiser or a platform admin; for anyone else it does not exist."""
    event = db.session.get(Event, event_id)
    if event is None or not can_manage(user, event):
        raise NotFound()
    return event


def get_visible_event(event_id: int, user) -> Event:
    """Drafts exist only for the people who manage them."""
    event = db.session.get(Event, event_id)
    if event is None or (event.status == S.DRAFT and not can_manage(user, event)):
        raise NotFound()
    return event
