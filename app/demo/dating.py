"""Dating the services' rows back: the demo plays its stories through the real services today, then moves
what they wrote (timeline lines, status changes, notifications, touched docking records) to the moment the
story says it happened."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.auth.models import User
from app.core.enums import EmailState
from app.core.models import StatusChange, utcnow
from app.demo.compose import account_email
from app.demo.data.orgs import ORGS
from app.docking.models import DockingEvent, DockingRecord
from app.extensions import db
from app.notifications.models import Notification

READ_AFTER_DAYS = 10  # older notifications were read back then; newer ones wait in the bell


def org_admins() -> dict[str, User]:
    """Each demo organisation's admin, by organisation key: the people who act in the stories."""
    keys = {account_email(seed): seed.key for seed in ORGS}
    return {keys[user.email]: user for user in db.session.scalars(sa.select(User).where(User.email.in_(keys)))}


def _last_id(model) -> int:
    return db.session.scalar(sa.select(sa.func.max(model.id))) or 0


@contextmanager
def dated(when: datetime, now: datetime) -> Iterator[None]:
    """The timeline lines, status changes and notifications the services write inside the block happened at
    `when`; its notifications were e-mailed then, and read unless they are recent. A docking record the
    block moved was last updated then."""
    marks = {model: _last_id(model) for model in (DockingEvent, StatusChange, Notification)}
    started = utcnow()
    yield
    db.session.flush()
    for model, column in ((DockingEvent, "at"), (StatusChange, "at")):
        db.session.execute(sa.update(model).where(model.id > marks[model]).values({column: when}))
    db.session.execute(sa.update(DockingRecord).where(DockingRecord.updated_at >= started).values(updated_at=when))
    read = when + timedelta(hours=2) if now - when > timedelta(days=READ_AFTER_DAYS) else None
    db.session.execute(
        sa.update(Notification)
        .where(Notification.id > marks[Notification])
        .values(created_at=when, read_at=read, email_state=EmailState.SENT, email_sent_at=when, email_attempts=1)
    )
