"""The event lock: every change to an event's seats or waitlist happens while holding it (app.core.locking),
so the seats read next are the last committed ones and no other writer can move them before this transaction
commits."""

from __future__ import annotations

import sqlalchemy as sa

from app.core.locking import lock_row
from app.events.models import Event, EventSession, TicketCategory
from app.extensions import db


def lock_event(event_id: int) -> Event:
    """Take the event's lock and return the event as committed now (identity-map copy refreshed)."""
    event = lock_row(Event, event_id)
    # Quotas and session places are counted under the same lock: refresh them too.
    for model in (TicketCategory, EventSession):
        db.session.scalars(
            sa.select(model).where(model.event_id == event.id).execution_options(populate_existing=True)
        ).all()
    return event
