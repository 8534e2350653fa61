"""The jobs runner: every job declared in app/jobs.py, run by APScheduler in its own process
(`flask jobs run`), each run guarded by its lease in job_locks (app/core/job_locks.py).

A run: take the lease (committed) → call the job with `now` → commit → record the result and release.
A run that cannot take the lease returns "skipped"; a job that raises is rolled back, its error recorded,
its lease released, and the scheduler carries on with the next run.
"""

from __future__ import annotations

import importlib
import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import Flask

from app.core.job_locks import acquire, new_owner, release
from app.core.models import utcnow
from app.extensions import db
from app.jobs import JOBS, Job

log = logging.getLogger("app.jobs")
MISFIRE_GRACE_SECONDS = 300
SKIPPED = "skipped"


class UnknownJob(LookupError):
    def __init__(self, name: str):
        names = "、".join(job.id for job in JOBS)
        super().__init__(f"没有名为“{name}”的定时任务。可用的任务：{names}")


@dataclass(frozen=True)
class RunOutcome:
    status: str  # "ok", "skipped" or "error"
    result: str


def find_job(name: str) -> Job:
    for job in JOBS:
        if job.id == name:
            return job
    raise UnknownJob(name)


def resolve(func: str) -> Callable[[datetime], object]:
    """Find the function a job names as "package.module:function" (ImportError or AttributeError if none)."""
    module_name, _, attr = func.partition(":")
    return getattr(importlib.import_module(module_name), attr)


def run_job(job: Job, now: datetime | None = None) -> RunOutcome:
    """Run one job now, guarded by its lease. Needs an app context."""
    now = now or utcnow()
    owner = new_owner()
    if not acquire(job.id, owner, now, job.lock_minutes):
        log.info("job %s skipped: another run holds its lock", job.id)
        return RunOutcome(SKIPPED, SKIPPED)
    try:
        result = str(resolve(job.func)(now))
        db.session.commit()
    except Exception as exc:  # noqa: BLE001 - a failing job must not stop the scheduler
        db.session.rollback()
        log.exception("job %s failed", job.id)
        release(job.id, owner, utcnow(), "error", traceback.format_exc())
        return RunOutcome("error", f"{type(exc).__name__}: {exc}")
    release(job.id, owner, utcnow(), result, None)
    log.info("job %s: %s", job.id, result)
    return RunOutcome("ok", result)


def run_in_context(app: Flask, job: Job) -> RunOutcome:
    """What the scheduler calls: one run in its own app context (its own database session)."""
    with app.app_context():
        try:
            return run_job(job)
        finally:
            db.session.remove()


def make_trigger(job: Job):
    """The APScheduler trigger for a job, in UTC (cron hours in app/jobs.py are UTC)."""
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    if job.trigger == "cron":
        return CronTrigger(timezone=UTC, **job.schedule)
    if job.trigger == "interval":
        return IntervalTrigger(timezone=UTC, **job.schedule)
    raise ValueError(f"job {job.id}: unknown trigger {job.trigger!r}")


def next_run_time(job: Job, now: datetime | None = None, last_started: datetime | None = None) -> datetime:
    """When the job runs next (naive UTC): a cron job at its next fire time after `now`; an interval job one
    interval after its last start (or after now when it never ran), never earlier than now."""
    now = now or utcnow()
    if job.trigger == "interval":
        step = timedelta(**job.schedule)
        return max(now, last_started + step) if last_started else now + step
    fire = make_trigger(job).get_next_fire_time(None, now.replace(tzinfo=UTC))
    return fire.astimezone(UTC).replace(tzinfo=None)


def build_scheduler(app: Flask, jobs: list[Job] | None = None):
    """A BlockingScheduler with every declared job: one instance of each at a time, missed runs coalesced."""
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.schedulers.blocking import BlockingScheduler

    # Each run logs its own result line (run_job); APScheduler's two lines per run would drown it.
    logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)
    scheduler = BlockingScheduler(timezone=UTC, executors={"default": ThreadPoolExecutor(4)})
    for job in jobs or JOBS:
        scheduler.add_job(
            run_in_context,
            trigger=make_trigger(job),
            args=(app, job),
            id=job.id,
            name=job.description or job.id,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=MISFIRE_GRACE_SECONDS,
        )
    return scheduler
