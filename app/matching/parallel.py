"""A full matching run on several processes (`flask matching run`, MATCH_WORKERS).

Scoring one source is independent of every other (the lexical query, the dense top-k, the signals and
the reasons read the index and the postings only), so the batches of a full run are shared among
worker processes, each with its own MatchContext, and each worker stores and commits its own batches
exactly as the one-process run does (compute_batch). On a 2-core machine two workers take the run from
about 95 to about 50 seconds for 11,000 sources.

Workers are forked from the command's process, so they start with the app, its settings and the
analyzer already loaded. Nothing that holds a database or engine connection may cross the fork: the
parent commits (workers write on their own connections, and on SQLite they would wait for the parent's
write lock otherwise), empties the SQLAlchemy pool and closes the embedded index's connections first;
each worker then opens its own, and gets a new engine client (SearchBackend.after_fork).

Only where forking is safe and worthwhile: a database other processes can open (not in-memory SQLite),
more than one batch, and a command process (the CLI). The jobs scheduler's nightly run stays in one
process: its other threads would be forked mid-work. ProcessPoolExecutor forks every worker before it
starts its own management thread.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.util
import os
from collections.abc import Iterator
from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait
from datetime import date

from flask import Flask, current_app

from app.extensions import db
from app.matching.computing import compute_batch, load_sources
from app.matching.context import MatchContext
from app.search.backend import get_search

# What a forked worker inherits from the parent: set just before the pool starts.
_parent: dict = {}
# The worker's own app context and MatchContext (one per process).
_worker: dict = {}


MAX_WORKERS = 16  # each worker holds its own vectors and caches


def _cpus() -> int:
    """The CPUs this process may run on (its affinity, e.g. a container's cpuset), not the host's."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def worker_count(requested: int | None = None) -> int:
    """MATCH_WORKERS (0: one per CPU this process may use), or the number asked for; 1 to MAX_WORKERS."""
    configured = current_app.config.get("MATCH_WORKERS", 0) if requested is None else requested
    count = int(configured or 0) or _cpus()
    return min(max(1, count), MAX_WORKERS)


def can_fork() -> bool:
    """Whether this process may fork workers that reach the same database and indexes (module doc)."""
    url = db.engine.url
    in_memory = url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")
    backends = current_app.extensions["search"].backends
    return (
        "fork" in multiprocessing.get_all_start_methods()
        and not in_memory
        and all(backend.fork_safe for backend in backends)
    )


def _start_worker() -> None:
    app: Flask = _parent["app"]
    context = app.app_context()
    context.push()
    _worker["context"] = context
    db.engine.dispose(close=False)  # the parent's pool is the parent's (and was emptied before the fork)
    for backend in app.extensions["search"].backends:
        backend.after_fork()
    _worker["match"] = MatchContext.from_config(_parent["today"])
    # A worker ends with os._exit: close its database connections on the way out (multiprocessing runs
    # its finalizers first), so PostgreSQL sees a goodbye rather than a dropped connection.
    multiprocessing.util.Finalize(None, db.engine.dispose, exitpriority=10)


def _compute(batch: list[int]) -> int:
    try:
        compute_batch(load_sources(batch), _worker["match"])
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return len(batch)


def run_parallel(batches: list[list[int]], today: date, workers: int) -> Iterator[int]:
    """Compute and commit every batch on `workers` forked processes; yields each batch's size as it
    is committed (in completion order). The first failure stops the run and is raised here; the
    batches committed before it stay, as in the one-process run."""
    # The analyzer (jieba's dictionary and the domain terms) loads once here, not once per worker.
    service = get_search()
    service.primary.analyzer.tokens("联桥")
    db.session.commit()
    db.session.remove()
    db.engine.dispose()
    for backend in service.backends:
        backend.before_fork()
    _parent.update(app=current_app._get_current_object(), today=today)
    context = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start_worker)
    try:
        pending = {pool.submit(_compute, batch) for batch in batches}
        while pending:
            done, pending = wait(pending, return_when=FIRST_EXCEPTION)
            for future in done:
                if future.exception() is not None:
                    raise future.exception()
                yield future.result()
    finally:
        # A failure, or a caller that stops reading: the batches not started yet are dropped.
        pool.shutdown(wait=True, cancel_futures=True)
        _parent.clear()
