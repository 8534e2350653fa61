"""Expo booths: the organiser lays them out, exhibitors apply, the organiser assigns or declines, and
everyone can read the floor list.

Rules: a booth goes to one exhibitor only (a unique constraint); an exhibitor is an organisation with a
confirmed registration for the event — on the 参展商 ticket when the event has one; an organisation has one
application waiting at a time; and an exhibitor holds one booth unless the organiser, when assigning,
explicitly allows another (large exhibitors sometimes take two).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.core.enums import (
    BoothApplicationStatus,
    BoothSize,
    EventStatus,
    HistoryAction,
    NotificationKind,
    PostingKind,
    PostingStatus,
    RegistrationStatus,
    TicketType,
)
from app.core.errors import DomainError, FieldError, InvalidTransition, NotFound
from app.core.models import record_action, record_change, utcnow
from app.events.booths.models import Booth, BoothApplication
from app.events.event_roles import get_event_row
from app.events.models import Event, Registration
from app.extensions import db
from app.notifications.services import link_to, notify, org_user_ids
from app.postings.models import Posting

MAX_BOOTHS_PER_BATCH = 300
TOO_MANY = f"一次最多创建 {MAX_BOOTHS_PER_BATCH} 个展位"
MAX_SHOWCASE = 5
SHOWCASE_KINDS = (PostingKind.CAPABILITY, PostingKind.ACHIEVEMENT)
_RANGE = re.compile(r"^([A-Za-z]{0,4})(\d{1,4})[-–—~～至到]([A-Za-z]{0,4})(\d{1,4})$")
_RANGE_SEPARATOR = re.compile(r"\s*([-–—~～至到])\s*")
_SINGLE = re.compile(r"^[A-Za-z0-9]{1,20}$")
A = BoothApplicationStatus


# --- laying out booths --------------------------------------------------------------------------------


def parse_booth_numbers(spec: str) -> list[str]:
    """Expand a spec such as "A01–A20, B01-B05, C08" into booth numbers (A01 … A20, B01 … B05, C08).

    A range keeps the zero padding of its first number; at most MAX_BOOTHS_PER_BATCH numbers at once."""
    numbers: list[str] = []
    spec = _RANGE_SEPARATOR.sub(r"\1", (spec or "").strip())
    for part in re.split(r"[,，、;；\s]+", spec):
        part = part.strip()
        if not part:
            continue
        if m := _RANGE.match(part):
            prefix, start, prefix_end, end = m.groups()
            if prefix_end and prefix_end.upper() != prefix.upper():
                raise FieldError("numbers", f"“{part}”：范围两端的字母前缀要一致")
            first, last = int(start), int(end)
            if last < first:
                raise FieldError("numbers", f"“{part}”：范围的结束编号应不小于开始编号")
            if last - first + 1 + len(numbers) > MAX_BOOTHS_PER_BATCH:
                raise FieldError("numbers", TOO_MANY)
            numbers += [f"{prefix.upper()}{n:0{len(start)}d}" for n in range(first, last + 1)]
        elif _SINGLE.match(part):
            numbers.append(part.upper())
        else:
            raise FieldError("numbers", f"“{part}”不是有效的展位号：用字母和数字，如 A01 或 A01-A20")
    if not numbers:
        raise FieldError("numbers", "请填写展位号，如 A01-A20")
    if len(numbers) > MAX_BOOTHS_PER_BATCH:
        raise FieldError("numbers", TOO_MANY)
    return list(dict.fromkeys(numbers))


def create_booths(
    event: Event, spec: str, zone: str, size: BoothSize, area_m2: Decimal | None, note: str | None, actor
) -> list[Booth]:
    """Create the booths a spec names, all or none: a number the event already has is refused."""
    numbers = parse_booth_numbers(spec)
    if area_m2 is not None and area_m2 <= 0:
        raise FieldError("area_m2", "面积应大于 0")
    taken = set(
        db.session.scalars(sa.select(Booth.number).where(Booth.event_id == event.id, Booth.number.in_(numbers)))
    )
    if taken:
        raise FieldError("numbers", "这些展位号已存在：" + "、".join(sorted(taken)[:20]))
    booths = [
        Booth(event_id=event.id, number=n, zone=(zone or "").strip(), size=size, area_m2=area_m2, note=note or None)
        for n in numbers
    ]
    try:
        with db.session.begin_nested():  # another organiser may have added one of them a moment ago
            db.session.add_all(booths)
    except IntegrityError:
        raise FieldError("numbers", "部分展位号刚刚已被创建，请刷新后重试") from None
    record_action("event", event.id, HistoryAction.BOOTHS_CREATED, actor, f"{numbers[0]} 等 {len(numbers)} 个展位")
    return booths


def delete_booth(event: Event, booth_id: int, actor) -> None:
    """Remove a booth nobody holds."""
    booth = _booth(event, booth_id)
    if booth.application is not None:
        raise InvalidTransition(f"展位 {booth.number} 已分配给展商，请先改派后再删除")
    record_action("event", event.id, HistoryAction.BOOTH_DELETED, actor, booth.number)
    db.session.delete(booth)
    db.session.flush()


def _booth(event: Event, booth_id: int | None) -> Booth:
    return get_event_row(Booth, booth_id, event, "展位不存在")


def event_booths(event: Event) -> list[Booth]:
    stmt = (
        sa.select(Booth)
        .where(Booth.event_id == event.id)
        .options(
            selectinload(Booth.application).selectinload(BoothApplication.org),
            selectinload(Booth.application).selectinload(BoothApplication.showcase),
        )
        .order_by(Booth.zone, Booth.number)
    )
    return list(db.session.scalars(stmt))


def free_booths(event: Event) -> list[Booth]:
    return [b for b in event_booths(event) if b.application is None]


# --- exhibitors' applications -----------------------------------------------------------------------


def exhibitor_refusal(event: Event, user) -> str | None:
    """Why this user cannot apply for a booth (Chinese), or None when they can."""
    if not getattr(user, "is_authenticated", False) or user.org_id is None:
        return "请先以机构成员身份登录"
    if event.status in (EventStatus.CANCELLED, EventStatus.FINISHED, EventStatus.DRAFT):
        return f"活动{event.status.label}，不能申请展位"
    stmt = sa.select(Registration).where(
        Registration.event_id == event.id,
        Registration.org_id == user.org_id,
        Registration.status == RegistrationStatus.CONFIRMED,
    )
    registrations = list(db.session.scalars(stmt))
    if not registrations:
        return "贵单位尚未成功报名本活动（报名确认后才能申请展位）"
    if any(c.ticket_type == TicketType.EXHIBITOR for c in event.ticket_categories) and not any(
        r.ticket_category and r.ticket_category.ticket_type == TicketType.EXHIBITOR for r in registrations
    ):
        return "展位仅向以“参展商”票种报名的单位开放"
    return None


def showcase_choices(org_id: int) -> list[Posting]:
    """The organisation's published capability and achievement postings: what a booth may showcase."""
    stmt = sa.select(Posting).where(
        Posting.org_id == org_id, Posting.kind.in_(SHOWCASE_KINDS), Posting.status == PostingStatus.PUBLISHED
    )
    return list(db.session.scalars(stmt.order_by(Posting.published_at.desc(), Posting.id.desc())))


def own_applications(event: Event, org_id: int) -> list[BoothApplication]:
    stmt = sa.select(BoothApplication).where(BoothApplication.event_id == event.id, BoothApplication.org_id == org_id)
    return list(db.session.scalars(stmt.order_by(BoothApplication.id.desc())))


@dataclass
class BoothRequest:
    preferred_zone: str | None = None
    preferred_size: BoothSize | None = None
    note: str | None = None
    posting_ids: list[int] = field(default_factory=list)


def apply_for_booth(event: Event, user, request: BoothRequest) -> BoothApplication:
    """An exhibitor asks for a booth; one waiting application per organisation, showcasing only its own
    published capability/achievement postings."""
    if refusal := exhibitor_refusal(event, user):
        raise DomainError(refusal, "not_exhibitor")
    allowed = {p.id: p for p in showcase_choices(user.org_id)}
    if any(pid not in allowed for pid in request.posting_ids):
        raise FieldError("postings", "只能选择本单位已发布的企业能力或科技成果")
    if len(request.posting_ids) > MAX_SHOWCASE:
        raise FieldError("postings", f"最多选择 {MAX_SHOWCASE} 项展示内容")
    application = BoothApplication(
        event_id=event.id,
        org_id=user.org_id,
        user_id=user.id,
        status=A.PENDING,
        preferred_zone=(request.preferred_zone or "").strip() or None,
        preferred_size=request.preferred_size,
        note=(request.note or "").strip() or None,
        showcase=[allowed[pid] for pid in dict.fromkeys(request.posting_ids)],
    )
    try:
        with db.session.begin_nested():
            db.session.add(application)
    except IntegrityError:
        raise DomainError("贵单位已有一份待分配的展位申请，请等待主办方处理", "duplicate") from None
    record_change("booth_application", application.id, None, A.PENDING, user)
    return application


def withdraw_application(event: Event, application_id: int, user) -> BoothApplication:
    """The exhibitor takes back an application the organiser has not decided yet."""
    application = _application(event, application_id)
    if not user.belongs_to(application.org_id):
        raise NotFound()
    _move(application, A.PENDING, A.WITHDRAWN, user)
    return application


def _application(event: Event, application_id: int) -> BoothApplication:
    return get_event_row(BoothApplication, application_id, event)


def _move(application: BoothApplication, expected, to, actor, reason: str | None = None) -> None:
    if application.status not in (expected if isinstance(expected, tuple) else (expected,)):
        raise InvalidTransition(f"该申请当前为“{application.status.label}”，不能这样操作")
    record_change("booth_application", application.id, application.status, to, actor, reason)
    application.status = to


# --- the organiser's decisions ------------------------------------------------------------------------


def applications_for(event: Event) -> list[BoothApplication]:
    stmt = (
        sa.select(BoothApplication)
        .where(BoothApplication.event_id == event.id)
        .options(selectinload(BoothApplication.org), selectinload(BoothApplication.showcase))
        .order_by(BoothApplication.status != A.PENDING, BoothApplication.id)
    )
    return list(db.session.scalars(stmt))


def assign_booth(event: Event, application_id: int, booth_id: int, actor, allow_extra: bool = False) -> Booth:
    """Give (or move) an application a free booth of the event. A booth held by someone else is refused,
    also when two organisers click at once (the unique booth_id); a second booth for the same exhibitor
    only with `allow_extra`."""
    application = _application(event, application_id)
    booth = _booth(event, booth_id)
    if booth.application is not None and booth.application.id != application.id:
        raise DomainError(f"展位 {booth.number} 已分配给 {booth.application.org.name}", "booth_taken")
    held = db.session.scalars(
        sa.select(Booth.number)
        .join(BoothApplication, BoothApplication.booth_id == Booth.id)
        .where(
            BoothApplication.event_id == event.id,
            BoothApplication.org_id == application.org_id,
            BoothApplication.id != application.id,
        )
    ).all()
    if held and not allow_extra:
        raise DomainError(f"该展商已有展位 {'、'.join(held)}；如确需再分配一个，请勾选“允许多个展位”", "has_booth")
    _move(application, (A.PENDING, A.ASSIGNED), A.ASSIGNED, actor, f"展位 {booth.number}")
    application.booth_id = booth.id
    application.decided_at = utcnow()
    application.decided_by_id = actor.id
    number = booth.number  # read now: after a failed flush the session cannot load it
    try:
        db.session.flush()
    except IntegrityError:
        raise DomainError(f"展位 {number} 刚刚已被分配，请选择其他展位", "booth_taken") from None
    notify(
        org_user_ids(application.org_id),
        NotificationKind.BOOTH_ASSIGNED,
        f"booth_application:{application.id}:assigned:{booth.id}",
        f"{event.title}：您的展位是 {booth.number}",
        f"展区：{booth.zone or '—'}；规格：{booth.size_text}",
        link_to("booths.floor", event_id=event.id),
    )
    return booth


def reject_application(event: Event, application_id: int, reason: str, actor) -> BoothApplication:
    """Decline a waiting application; the exhibitor is told why."""
    reason = (reason or "").strip()
    if not reason:
        raise FieldError("reason", "请填写未通过的原因")
    application = _application(event, application_id)
    _move(application, A.PENDING, A.REJECTED, actor, reason)
    application.reject_reason = reason[:500]
    application.decided_at = utcnow()
    application.decided_by_id = actor.id
    db.session.flush()
    notify(
        org_user_ids(application.org_id),
        NotificationKind.BOOTH_REJECTED,
        f"booth_application:{application.id}:rejected",
        f"{event.title}：展位申请未通过",
        reason,
        link_to("booths.apply", event_id=event.id),
    )
    return application


# --- the public floor list ----------------------------------------------------------------------------


def visible_showcase(application: BoothApplication | None) -> list[Posting]:
    if application is None:
        return []
    return [p for p in application.showcase if p.status == PostingStatus.PUBLISHED]


def _matches(booth: Booth, needle: str) -> bool:
    application = booth.application
    texts = [booth.number, booth.zone or ""]
    if application is not None:
        texts.append(application.org.name)
        for posting in visible_showcase(application):
            texts += [posting.title, *(posting.keywords or [])]
    return any(needle in t.lower() for t in texts)


def floor_plan(event: Event, query: str = "") -> list[tuple[str, list[Booth]]]:
    """Zones in order, each with its booths; with a query, only the booths whose number, zone, exhibitor
    or showcased postings mention it."""
    needle = (query or "").strip().lower()[:50]
    zones: dict[str, list[Booth]] = {}
    for booth in event_booths(event):
        if not needle or _matches(booth, needle):
            zones.setdefault(booth.zone or "未分区", []).append(booth)
    return list(zones.items())
