"""Registration tests' shared pieces: attendees, registering through the service, and what a user was told."""

from __future__ import annotations

import sqlalchemy as sa

from app.core.enums import NotificationKind, RegistrationStatus
from app.events.models import Registration
from app.events.registration.services import AttendeeInput, register_for_event
from app.notifications.models import Notification
from tests.factories import UserFactory

R = RegistrationStatus


def people(n: int, prefix: str = "参会人") -> list[AttendeeInput]:
    return [AttendeeInput(f"{prefix}{i}", f"1391234{i:04d}", "经理") for i in range(n)]


def register(event, user=None, n=1, **kwargs) -> Registration:
    user = user or UserFactory()
    reg, _ = register_for_event(event.id, user, people(n), **kwargs)
    return reg


def kinds_for(db, user_id) -> list[NotificationKind]:
    return list(db.session.scalars(sa.select(Notification.kind).where(Notification.user_id == user_id)))
