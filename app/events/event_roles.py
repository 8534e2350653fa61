"""Who may do what at an event, for the event page and every feature's pages: who may register now, the
organiser (app.events.services.can_manage), the participating organisations (those with a confirmed
registration), and the event's own rows looked up by an id from a URL."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, url_for

from app.core.enums import EventType, RegistrationStatus
from app.core.errors import NotFound
from app.events.models import Event, Registration
from app.events.services import get_managed_event, get_visible_event
from app.events.status import event_status
from app.extensions import db
from app.organizations.services import is_verified


def registration_open(event: Event, now: datetime | None = None) -> bool:
    return event_status(event, now).registration_open


def registration_refusal(event: Event, user, now: datetime | None = None) -> str | None:
    """Why this user cannot register now (a Chinese sentence), or None when they may. The event's own
    reason comes from app.events.status, the same words the event's badge stands for."""
    if refusal := event_status(event, now).refusal:
        return refusal
    if not getattr(user, "is_authenticated", False):
        return "请先登录后报名"
    org = user.org
    if org is None:
        return "报名需以机构名义进行：请先加入或注册机构"
    if not is_verified(org):
        return "机构尚未通过平台认证，认证通过后才能报名活动"
    if event.audience and org.org_type.value not in event.audience:
        return "本活动仅面向特定类型的机构，贵机构不在报名范围内"
    return None


def participant_org_ids(event_id: int) -> set[int]:
    """Organisations with a confirmed registration for the event."""
    return set(
        db.session.scalars(
            sa.select(Registration.org_id).where(
                Registration.event_id == event_id,
                Registration.status == RegistrationStatus.CONFIRMED,
                Registration.org_id.is_not(None),
            )
        )
    )


def get_event_row(model, row_id: int | None, event: Event, message: str | None = None):
    """A row of `model` (a table with event_id) that belongs to this event. An id from another event's
    row is not found, so a page of one event can never act on another's judges, booths or slots."""
    row = db.session.get(model, row_id) if row_id else None
    if row is None or row.event_id != event.id:
        raise NotFound(message) if message else NotFound()
    return row


def is_participant(user, event: Event) -> bool:
    org_id = getattr(user, "org_id", None)
    return org_id is not None and org_id in participant_org_ids(event.id)


def _typed(event: Event, types: Iterable[EventType]) -> Event:
    if event.event_type not in tuple(types):
        raise NotFound()
    return event


def get_typed_event(event_id: int, user, types: Iterable[EventType]) -> Event:
    """A visible event of one of the given types; anything else is not found."""
    return _typed(get_visible_event(event_id, user), types)


def get_managed_typed_event(event_id: int, user, types: Iterable[EventType]) -> Event:
    """The event of one of the given types, for its organiser (or a platform admin) only."""
    return _typed(get_managed_event(event_id, user), types)


def event_page_url(event: Event) -> str | None:
    """The event's own page, when the events blueprint provides one (for breadcrumbs)."""
    if "events.detail" not in current_app.view_functions:
        return None
    return url_for("events.detail", event_id=event.id)
