"""Row locks for the rules that counts must obey (an event's seats, a challenge item's money).

PostgreSQL: a row lock on the row (SELECT … FOR UPDATE), held until commit. SQLite: the database write lock
(BEGIN IMMEDIATE). Either way what the caller reads next is the last committed state and no other writer can
change it before this transaction commits.
"""

from __future__ import annotations

import sqlalchemy as sa

from app.core.errors import NotFound
from app.extensions import db


def _begin_immediate_on_sqlite() -> None:
    raw = db.session.connection().connection.driver_connection
    # pysqlite opens a transaction only before a write, so "already in a transaction" means this connection
    # has written and so already holds the write lock.
    if not raw.in_transaction:
        raw.execute("BEGIN IMMEDIATE")


def lock_row(model, row_id: int):
    """Take the lock for `model`'s row `row_id` and return the row as committed now (identity-map copy
    refreshed); NotFound when there is no such row."""
    stmt = sa.select(model).where(model.id == row_id)
    if db.session.get_bind().dialect.name == "sqlite":
        _begin_immediate_on_sqlite()
    else:
        stmt = stmt.with_for_update()
    row = db.session.scalar(stmt.execution_options(populate_existing=True))
    if row is None:
        raise NotFound()
    return row
