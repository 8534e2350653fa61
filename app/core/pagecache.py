"""Anonymous visitors' public pages, served from memory until the data behind them changes.

Most traffic on a fair day is anonymous: people who scanned a QR code on a poster open the home page, the
event list, a posting. Those pages are the same for every visitor, so each worker keeps the rendered page
and serves it again, until either

- the data changes: any write transaction that changed a row of a table pages are made of raises one
  database-wide version number (`content_version`, one row, raised inside that same transaction, so the new
  number and the new rows become visible at the same moment, to every worker and the jobs process); or
- PAGE_CACHE_SECONDS pass (10 s): pages that depend on the clock alone (an event whose registration
  deadline just passed, 即将截止 badges) are at most that late.

Never cached: a signed-in user's page, a page with a flashed message, a page that set a cookie or any header of
its own (a download), one that put a CSRF token in its forms, any status but 200. The search page logs every query also when it is served from memory
(`on_hit`). Each worker keeps PAGE_CACHE_ENTRIES pages (least recently used dropped). PAGE_CACHE = False
switches it off.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps

import sqlalchemy as sa
from flask import Flask, Response, current_app, g, request, session
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.extensions import db

# Tables whose rows no anonymous page shows: writing them leaves cached pages valid. Everything else counts.
PRIVATE_TABLES = frozenset(
    {
        "content_version",
        "alembic_version",
        "users",
        "invitations",
        "notifications",
        "notification_settings",
        "mail_outbox",
        "job_locks",
        "search_query_log",
        "match_states",
        "match_feedback",
        "policy_marks",
        "policy_notices",
        "policy_calculator_uses",
    }
)
_DML = re.compile(r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
_CHANGED = "lq_public_rows_changed"


class ContentVersion(db.Model):
    """One row: raised by every transaction that changed what public pages show."""

    __tablename__ = "content_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, default=0)


def _note_write(conn, cursor, statement, parameters, context, executemany) -> None:
    """After each statement: remember on the connection that a public table changed (a statement that
    matched no row changes nothing)."""
    found = _DML.match(statement)
    if found and found.group(1).lower() not in PRIVATE_TABLES and cursor.rowcount != 0:
        conn.info[_CHANGED] = True


def _raise_version(session: Session) -> None:
    """Before a commit that changed public rows: raise the version in the same transaction."""
    if not session.in_transaction():
        return
    session.flush()  # what is still pending must reach the database (and _note_write) before we look
    conn = session.connection()
    if conn.info.pop(_CHANGED, False):
        updated = session.execute(sa.update(ContentVersion).values(version=ContentVersion.version + 1))
        if updated.rowcount == 0:  # a database made by create_all, before any migration wrote the row
            session.add(ContentVersion(id=1, version=1))
            session.flush()


def _forget_writes(conn) -> None:
    """A rolled-back transaction changed nothing."""
    conn.info.pop(_CHANGED, None)


def content_version() -> int:
    return db.session.execute(sa.select(ContentVersion.version)).scalar() or 0


@dataclass
class _Page:
    body: bytes
    mimetype: str
    extra: object = None


@dataclass
class _Store:
    limit: int
    pages: OrderedDict = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, key):
        with self.lock:
            page = self.pages.get(key)
            if page is not None:
                self.pages.move_to_end(key)
            return page

    def put(self, key, page: _Page) -> None:
        with self.lock:
            self.pages[key] = page
            self.pages.move_to_end(key)
            while len(self.pages) > self.limit:
                self.pages.popitem(last=False)


def _store() -> _Store:
    store = current_app.extensions.get("lq_page_cache")
    if store is None:
        store = current_app.extensions["lq_page_cache"] = _Store(current_app.config.get("PAGE_CACHE_ENTRIES", 512))
    return store


def _writes_pending() -> bool:
    """This session changed public rows it has not committed yet (a request sees its own writes)."""
    current = db.session()
    return current.in_transaction() and current.connection().info.get(_CHANGED, False)


def _cacheable_request() -> bool:
    return (
        current_app.config.get("PAGE_CACHE", True)
        and request.method == "GET"
        and not current_user.is_authenticated
        and not session.get("_flashes")
        and not _writes_pending()
    )


def _storable(response: Response) -> bool:
    return (
        response.status_code == 200
        and not response.direct_passthrough
        and {name.lower() for name in response.headers.keys()} <= {"content-type", "content-length"}  # noqa: SIM118
        and not session.modified
        and b'name="csrf_token"' not in response.get_data()
    )


def public_page(on_hit: Callable[[object], None] | None = None):
    """Decorate a view whose page is the same for every anonymous visitor. The view may leave a value in
    `g.page_cache_extra`; it is kept with the page and handed to `on_hit` each time the page is served
    from memory (the search page logs the query with it)."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not _cacheable_request():
                return view(*args, **kwargs)
            seconds = current_app.config.get("PAGE_CACHE_SECONDS", 10)
            key = (content_version(), int(time.time() // seconds), request.full_path)
            store = _store()
            page = store.get(key)
            if page is not None:
                if on_hit is not None:
                    on_hit(page.extra)
                return Response(page.body, mimetype=page.mimetype)
            response = current_app.make_response(view(*args, **kwargs))
            if _storable(response):
                store.put(key, _Page(response.get_data(), response.mimetype, g.get("page_cache_extra")))
            return response

        return wrapper

    return decorate


def init_page_cache(app: Flask) -> None:
    """Watch writes on the app's engine(s) and raise the version in the transactions that made them."""
    with app.app_context():
        engine = db.engine
    if not event.contains(engine, "after_cursor_execute", _note_write):
        event.listen(engine, "after_cursor_execute", _note_write)
        event.listen(engine, "rollback", _forget_writes)
    if not event.contains(Session, "before_commit", _raise_version):
        event.listen(Session, "before_commit", _raise_version)
