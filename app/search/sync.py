"""Keeping the indexes in step with the database: the outbox drain, full reindex, and status.

Drain. Outbox rows (of every registered entity type, app/search/sources.py: postings, policy items) are
claimed in id order a batch at a time; the batch's postings are loaded as
they are NOW and pushed with their current version (`external_gte`), so rows may be processed in
any order, twice, or by two drains at once without an older state ever overwriting a newer one.
A row is marked processed only when every index (engine and embedded fallback) accepted it; a
failure counts an attempt, records the error and leaves the row pending for the next drain.
Two drains do not work on the same rows: PostgreSQL claims with FOR UPDATE SKIP LOCKED; SQLite
takes its single write lock before reading the batch (an immediate transaction).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask import Flask, current_app

from app.core.clock import local_today
from app.core.models import utcnow
from app.core.outbox import SearchOutbox
from app.extensions import db
from app.search.backend import SearchService, get_search
from app.search.dictionary import mark_index_built
from app.search.embeddings import embed_outdated
from app.search.sources import IndexSource, all_kinds, source_of_kind, sources
from search import EngineUnavailable

log = logging.getLogger(__name__)
BATCH_SIZE = 200
ERROR_MAX = 2000
_NEW, _COMMITTED = "search_outbox_new", "search_outbox_committed"


@dataclass
class DrainReport:
    processed: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


# --- claiming rows --------------------------------------------------------------------------------


def _claim(batch_size: int, after_id: int, ids: list[int] | None) -> list[SearchOutbox]:
    stmt = (
        sa.select(SearchOutbox)
        .where(
            SearchOutbox.processed_at.is_(None),
            SearchOutbox.entity_type.in_(list(sources())),
            SearchOutbox.id > after_id,
        )
        .order_by(SearchOutbox.id)
        .limit(batch_size)
    )
    if ids is not None:
        stmt = stmt.where(SearchOutbox.id.in_(ids))
    if db.session.get_bind().dialect.name == "sqlite":
        # A write first: SQLite then holds its one write lock for this transaction, so a second drain
        # waits here and afterwards sees these rows already processed.
        db.session.execute(sa.update(SearchOutbox).where(sa.false()).values(attempts=SearchOutbox.attempts))
    else:
        stmt = stmt.with_for_update(skip_locked=True)
    return list(db.session.scalars(stmt.execution_options(populate_existing=True)))


# --- pushing documents ----------------------------------------------------------------------------


def _push(backend, docs: list[dict], gone: set[int], kinds) -> tuple[set[int], dict[int, str]]:
    """Write docs and remove deleted entities on one backend; (ids it holds now, id → error)."""
    report = backend.index_many(docs)
    for entity_id in gone:
        for kind in kinds:
            backend.delete(kind.value, entity_id)
    return set(report.indexed) | set(report.skipped) | gone, dict(report.failed)


def _process(service: SearchService, rows: list[SearchOutbox], report: DrainReport, inline: bool, today: date) -> None:
    by_type: dict[str, list[SearchOutbox]] = {}
    for row in rows:
        by_type.setdefault(row.entity_type, []).append(row)
    for entity_type, group in by_type.items():
        errors = _sync_source(service, sources()[entity_type], group, inline, today)
        _settle(group, errors, report)


def _sync_source(
    service: SearchService, source: IndexSource, rows: list[SearchOutbox], inline: bool, today: date
) -> dict[int, list[str]]:
    """Push one entity type's rows to every backend; id → what went wrong (absent: done everywhere)."""
    wanted = {row.entity_id for row in rows}
    docs, errors_by_id, gone = source.documents(wanted, today)
    errors: dict[int, list[str]] = {pid: [msg] for pid, msg in errors_by_id.items()}
    for backend in service.backends:
        if inline and backend is service.primary and service.primary_suspended():
            done, failed, general = set(), {}, f"{backend.name}: 暂不可用，稍后重试"
        else:
            try:
                done, failed = _push(backend, docs, gone, source.kinds)
                general = None
                if backend is service.primary:
                    service.mark_up()
            except EngineUnavailable as exc:
                if backend is service.primary:
                    service.mark_down(exc)
                done, failed, general = set(), {}, f"{backend.name}: {exc}"
            except Exception as exc:  # a bad batch must not stop the drain; the rows say why
                log.exception("search drain failed on %s", backend.name)
                done, failed, general = set(), {}, f"{backend.name}: {exc}"
        for posting_id in wanted:
            if posting_id in failed:
                errors.setdefault(posting_id, []).append(f"{backend.name}: {failed[posting_id]}")
            elif posting_id not in done and posting_id not in errors_by_id:
                errors.setdefault(posting_id, []).append(general or f"{backend.name}: 未写入")
    return errors


def _settle(rows: list[SearchOutbox], errors: dict[int, list[str]], report: DrainReport) -> None:
    now = utcnow()
    for row in rows:
        problems = errors.get(row.entity_id)
        if problems:
            row.attempts += 1
            row.last_error = "; ".join(problems)[:ERROR_MAX]
            report.failed += 1
            report.errors.extend(p for p in problems if p not in report.errors)
        else:
            row.processed_at = now
            row.last_error = None
            report.processed += 1


def drain_outbox(
    service: SearchService | None = None,
    *,
    batch_size: int = BATCH_SIZE,
    ids: list[int] | None = None,
    inline: bool = False,
    today: date | None = None,
) -> DrainReport:
    """Push every pending posting row to the indexes, committing after each batch (idempotent).

    A drain outside a request then computes the changed postings' vectors and pushes the documents
    that now carry them (embedding queues their rows), and ends with the engine refreshed, so what
    follows it (the matches' recompute in app.matching.jobs, a `flask matching run`) finds every write.
    """
    service = service or get_search()
    today = today or local_today()
    report, cursor, vectors_done = DrainReport(), 0, inline
    while True:
        try:
            rows = _claim(batch_size, cursor, ids)
            if not rows:
                db.session.rollback()
                if not vectors_done:
                    vectors_done = True
                    if _embed_changed():
                        continue
                if not inline and report.processed:
                    _make_searchable(service)
                return report
            cursor = rows[-1].id
            _process(service, rows, report, inline, today)
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise


def _make_searchable(service: SearchService) -> None:
    """An engine shows new writes at its next refresh (about a second later): the recompute that
    follows, or a `flask matching run` started right after the drain, must already find them."""
    try:
        service.primary.refresh()
    except Exception as exc:  # noqa: BLE001 - the engine refreshes on its own a moment later
        log.warning("refresh after the drain failed on %s: %s", service.primary.name, exc)


def _embed_changed() -> int:
    """Vectors of the postings changed since theirs were computed (MATCH_RECOMPUTE_MAX of them), in the
    drain's own process: never in a web request, where the inline drain runs. Commits; a failure is
    logged and leaves the work for `flask matching embed`."""
    try:
        limit = int(current_app.config.get("MATCH_RECOMPUTE_MAX", 50))
        done = embed_outdated(limit)
        done += sum(source.embed_outdated(limit) for source in sources().values() if source.embed_outdated)
        db.session.commit()
        return done
    except Exception:
        log.exception("embedding the changed postings failed; `flask matching embed` will catch up")
        db.session.rollback()
        return 0


# --- draining right after a request ---------------------------------------------------------------


def _remember_new_rows(session, _flush_context) -> None:
    ids = [obj.id for obj in session.new if isinstance(obj, SearchOutbox)]
    if ids:
        session.info.setdefault(_NEW, []).extend(ids)


def _rows_committed(session) -> None:
    if ids := session.info.pop(_NEW, None):
        session.info.setdefault(_COMMITTED, []).extend(ids)


def _rows_rolled_back(session) -> None:
    session.info.pop(_NEW, None)


def install_inline_drain(app: Flask) -> None:
    """After a request that committed a few outbox rows, push them at once (best effort).

    Never fails the request: errors are logged and the rows stay for `flask search drain`.
    """
    session = db.session
    for name, listener in (
        ("after_flush", _remember_new_rows),
        ("after_commit", _rows_committed),
        ("after_rollback", _rows_rolled_back),
    ):
        if not sa.event.contains(session, name, listener):
            sa.event.listen(session, name, listener)

    @app.after_request
    def drain_committed_rows(response):
        ids = db.session.info.pop(_COMMITTED, None)
        limit = app.config.get("SEARCH_INLINE_MAX", 20)
        if ids and app.config.get("SEARCH_INLINE_DRAIN", True) and len(ids) <= limit:
            try:
                drain_outbox(ids=ids, inline=True)
            except Exception:
                log.warning("inline search drain failed; `flask search drain` will catch up", exc_info=True)
                db.session.rollback()
        return response


# --- full rebuild ---------------------------------------------------------------------------------


@dataclass
class ReindexOutcome:
    backend: str
    kind: object  # a PostingKind or an IndexKind (app/search/sources.py): .value and .label
    index: str | None = None
    error: str | None = None


def reindex(
    service: SearchService | None = None,
    kinds: list | None = None,
    progress: Callable[[str, int], AbstractContextManager[Callable[[int], None]]] | None = None,
    today: date | None = None,
) -> list[ReindexOutcome]:
    """Rebuild each kind into a new index on every backend, then swap its alias (searches keep answering).

    `progress(label, total)` gives a context manager yielding an `advance(n)` callback (a click bar).
    A backend that is down is reported and skipped; the others are still rebuilt.
    """
    service = service or get_search()
    today = today or local_today()
    outcomes = []
    for backend in service.backends:
        for kind in kinds or all_kinds():
            source = source_of_kind(kind.value)
            outcome = ReindexOutcome(backend.name, kind)
            bar = progress(f"{backend.name} · {kind.label}", source.count(kind)) if progress else nullcontext(None)
            try:
                with bar as advance:
                    outcome.index = backend.reindex(kind.value, source.iter_documents(kind, today), progress=advance)
            except EngineUnavailable as exc:
                outcome.error = str(exc)
            outcomes.append(outcome)
    if not any(o.error for o in outcomes):
        mark_index_built()
        db.session.commit()
    return outcomes


# --- status ---------------------------------------------------------------------------------------


@dataclass
class KindStatus:
    kind: object  # PostingKind or IndexKind
    db_total: int
    db_searchable: int
    indexed: dict[str, int | str]  # backend → docs stored, or the error
    searchable: dict[str, int | str]  # backend → searchable docs, or the error


@dataclass
class SyncStatus:
    kinds: list[KindStatus]
    pending: int
    failing: int
    oldest_pending: datetime | None
    health: dict[str, dict]

    @property
    def lag_seconds(self) -> float | None:
        return (utcnow() - self.oldest_pending).total_seconds() if self.oldest_pending else None


def _safe_count(backend, kind: str, searchable: bool, today: date) -> int | str:
    try:
        return backend.count(kind, searchable=searchable, today=today)
    except Exception as exc:  # noqa: BLE001 - status reports, never raises
        return f"不可用 ({type(exc).__name__})"


def sync_status(service: SearchService | None = None, today: date | None = None) -> SyncStatus:
    """Per kind: postings in the DB (all, searchable) vs documents in each index; outbox backlog."""
    service = service or get_search()
    today = today or local_today()
    by_kind = {kind: n for source in sources().values() for kind, n in source.db_counts(today).items()}
    health = {backend.name: backend.health() for backend in service.backends}
    kinds = []
    for kind in all_kinds():
        total, live = by_kind.get(kind, (0, 0))
        indexed, found = {}, {}
        for backend in service.backends:
            up = health[backend.name]["ok"]
            indexed[backend.name] = _safe_count(backend, kind.value, False, today) if up else "不可用"
            found[backend.name] = _safe_count(backend, kind.value, True, today) if up else "不可用"
        kinds.append(KindStatus(kind, total, live, indexed, found))
    pending = sa.and_(SearchOutbox.processed_at.is_(None), SearchOutbox.entity_type.in_(list(sources())))
    n, failing, oldest = db.session.execute(
        sa.select(
            sa.func.count(), sa.func.count().filter(SearchOutbox.attempts > 0), sa.func.min(SearchOutbox.created_at)
        ).where(pending)
    ).one()
    return SyncStatus(kinds, n, failing, oldest, health)
