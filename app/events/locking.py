"""The event lock: every change to an event's seats or waitlist happens while holding it.

PostgreSQL: a row lock on the event (SELECT … FOR UPDATE), held until commit. SQLite: the database write lock
(BEGIN IMMEDIATE), so the seats read next are the last committed ones and no other writer can move them
before this transaction commits. Either way the caller reads the event again under the lock.
"""

from __future__ import annotations

import sqlalchemy as sa

from app.core.errors import NotFound
from app.events.models import Event, EventSession, TicketCategory
from app.extensions import db


def _begin_immediate_on_sqlite() -> None:
    raw = db.session.connection().connection.driver_connection
    # pysqlite opens a transaction only before a write, so "already in a transaction" means this connection
    # has written and so already holds the write lock.
    if not raw.in_transaction:
        raw.execute("BEGIN IMMEDIATE")


def lock_event(event_id: int) -> Event:
    """Take the event's lock and return the event as committed now (identity-map copy refreshed)."""
    if db.session.get_bind().dialect.name == "sqlite":
        _begin_immediate_on_sqlite()
        stmt = sa.select(Event).where(Event.id == event_id)
    else:
        stmt = sa.select(Event).where(Event.id == event_id).with_for_update()
    event = db.session.scalar(stmt.execution_options(populate_existing=True))
    if event is None:
        raise NotFound()
    # Quotas and session places are counted under the same lock: refresh them too.
    for model in (TicketCategory, EventSession):
        db.session.scalars(
            sa.select(model).where(model.event_id == event.id).execution_options(populate_existing=True)
        ).all()
    return event
