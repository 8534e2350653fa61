"""The desk's one box, like pretix's check-in search: a scanned QR payload, a typed 签到码, a name, a phone
number (whole or its last 4 digits) or an organisation's name. A ticket found by its code is admitted at
once; anything else gives a short list of people to pick from, each admitted by its id.

What the box says when nothing matches depends on what was typed: 8 letters and digits are a code that does
not exist (没有这个签到码); other letters and digits are a malformed code; anything else is a search that
found nobody.
"""

from __future__ import annotations

import re
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.core.enums import RegistrationStatus
from app.events.checkin.services import (
    BAD_FORMAT,
    MAX_INPUT,
    NO_SUCH_CODE,
    CheckinRefused,
    admit,
    find_ticket,
)
from app.events.checkin.tickets import looks_signed, normalise_short_code
from app.events.models import Attendee, Event, Registration
from app.extensions import db
from app.organizations.models import Organization

MAX_MATCHES = 10
PHONE_TAIL = 4
_DIGITS = re.compile(r"\+?[\d\s\-]+")
_CODE_LIKE = re.compile(r"[A-Za-z0-9\s\-_—–]+")


def search_attendees(event: Event, text: str) -> tuple[list[Attendee], int]:
    """This event's attendees whose name or organisation contains the text, or whose phone ends with its
    digits (4 or more): confirmed registrations first, at most MAX_MATCHES, and how many more there are."""
    text = text.strip()
    conditions = [
        Attendee.name.contains(text, autoescape=True),
        sa.func.lower(Organization.name).contains(text.lower(), autoescape=True),
    ]
    digits = re.sub(r"\D", "", text) if _DIGITS.fullmatch(text) else ""
    if len(digits) >= PHONE_TAIL:
        conditions.append(sa.func.replace(Attendee.phone, "-", "").endswith(digits, autoescape=True))
    confirmed_first = sa.case((Registration.status == RegistrationStatus.CONFIRMED, 0), else_=1)
    stmt = (
        sa.select(Attendee)
        .join(Attendee.registration)
        .outerjoin(Organization, Registration.org_id == Organization.id)
        .where(Attendee.event_id == event.id, sa.or_(*conditions))
        .options(
            joinedload(Attendee.registration).joinedload(Registration.org),
            joinedload(Attendee.registration).joinedload(Registration.ticket_category),
        )
        .order_by(confirmed_first, Registration.queue_no, Attendee.id)
    )
    found = list(db.session.scalars(stmt.limit(MAX_MATCHES + 1)))
    if len(found) <= MAX_MATCHES:
        return found, 0
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    return found[:MAX_MATCHES], total - MAX_MATCHES


def _nobody(text: str) -> CheckinRefused:
    """Why nobody matched, in the terms of what was typed."""
    if normalise_short_code(text) is not None:
        return CheckinRefused("unknown", NO_SUCH_CODE)
    if _DIGITS.fullmatch(text):
        return CheckinRefused("nobody", f"没有找到手机号为 {text} 或尾号为 {text[-PHONE_TAIL:]} 的参会人")
    if _CODE_LIKE.fullmatch(text):
        return CheckinRefused("bad_format", f"{BAD_FORMAT}（也可以输入姓名、手机号或单位名称查找）")
    return CheckinRefused("nobody", f"没有找到“{text}”：请核对姓名、手机号、单位名称或签到码")


def look_up(event: Event, text: str) -> Attendee | tuple[list[Attendee], int]:
    """The ticket the text names (a QR payload, or a 签到码 of this event), else the people it matches and how
    many more there are. Refused (CheckinRefused) when it is empty, forged, another event's ticket, or
    matches nobody."""
    text = (text or "").strip()
    if not text:
        raise CheckinRefused("empty", "请输入姓名、手机号、单位名称或签到码，或扫描二维码")
    if len(text) > MAX_INPUT:
        raise CheckinRefused("bad_format", "输入过长：请输入姓名、手机号、单位名称或签到码")
    if looks_signed(text):
        return find_ticket(event, text)
    if normalise_short_code(text) is not None:
        try:
            return find_ticket(event, text)
        except CheckinRefused as refused:
            if refused.code != "unknown":
                raise
    matches, more = search_attendees(event, text)
    if not matches:
        raise _nobody(text)
    return matches, more


def pick_attendee(event: Event, attendee_id: object) -> Attendee:
    """The attendee picked from the desk's list: one of this event's, by id (as a form or JSON sends it)."""
    text = str(attendee_id).strip()
    attendee = db.session.get(Attendee, int(text)) if text.isascii() and text.isdigit() and len(text) < 12 else None
    if attendee is None or attendee.event_id != event.id:
        raise CheckinRefused("unknown", "没有这位参会人，请重新查找")
    return attendee


def desk_check_in(
    event: Event,
    actor,
    text: str = "",
    attendee_id: object = None,
    confirm: bool = False,
    now: datetime | None = None,
) -> Attendee | tuple[list[Attendee], int]:
    """One press of the desk's button: admit the attendee picked from the list (by id) or the ticket the box
    names; or, when the box is a search, the people to pick from (nobody is admitted)."""
    if attendee_id not in (None, ""):
        return admit(event, pick_attendee(event, attendee_id), actor, now, confirm)
    found = look_up(event, text)
    if isinstance(found, Attendee):
        return admit(event, found, actor, now, confirm)
    return found
