"""One row per scheduled job: who runs it now (a lease), and how its last run went.

The lease is taken with one conditional UPDATE and committed before the job's work starts, so two
scheduler processes (or a slow run overlapping the next) never do the same work at once; a lease left
by a crashed process runs out after the job's lock_minutes and is then taken over.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

RESULT_MAX = 500
ERROR_MAX = 4000


class JobLock(db.Model):
    __tablename__ = "job_locks"

    name: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    locked_by: Mapped[str | None] = mapped_column(sa.String(200))  # host:pid:uuid of the running process
    locked_until: Mapped[datetime | None] = mapped_column(sa.DateTime)
    last_started_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    last_finished_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    last_result: Mapped[str | None] = mapped_column(sa.String(RESULT_MAX))
    last_error: Mapped[str | None] = mapped_column(sa.Text)


def new_owner() -> str:
    """Names one run of one process: host:pid:uuid."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def _ensure_row(name: str) -> None:
    if db.session.get(JobLock, name) is not None:
        return
    try:
        with db.session.begin_nested():
            db.session.add(JobLock(name=name))
    except IntegrityError:
        pass  # another process inserted it first: the primary key settles the race


def acquire(name: str, owner: str, now: datetime, minutes: int) -> bool:
    """Take the job's lease until now + minutes, if nobody holds an unexpired one. Commits."""
    _ensure_row(name)
    result = db.session.execute(
        sa.update(JobLock)
        .where(JobLock.name == name, sa.or_(JobLock.locked_until.is_(None), JobLock.locked_until < now))
        .values(locked_by=owner, locked_until=now + timedelta(minutes=minutes), last_started_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def release(name: str, owner: str, finished_at: datetime, result: str | None, error: str | None) -> None:
    """Record the run and give the lease back. Commits. A lease taken over meanwhile (this run outlived
    lock_minutes) belongs to the newer run and is left alone."""
    db.session.execute(
        sa.update(JobLock)
        .where(JobLock.name == name, JobLock.locked_by == owner)
        .values(
            locked_by=None,
            locked_until=None,
            last_finished_at=finished_at,
            last_result=(result or "")[:RESULT_MAX] or None,
            last_error=error[:ERROR_MAX] if error else None,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def lock_rows() -> dict[str, JobLock]:
    return {row.name: row for row in db.session.scalars(sa.select(JobLock))}
