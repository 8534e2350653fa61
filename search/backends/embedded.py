"""Search without a server: SQLite FTS5 in its own database file.

Per posting kind and generation (the embedded "index"), three tables:
- `<stem>_docs`: one row per posting with the filter/sort/facet columns, its version, a
  tombstone flag and the source document as JSON;
- `<stem>_coop`: (mode, id) rows so a cooperation filter is an index lookup;
- `<stem>_fts`: FTS5 (unicode61) over the jieba-segmented fields, the CJK bigrams of title/body
  (partial words, as the engines' `.cjk` subfields) and title/body split into characters, which
  highlight()/snippet() mark on the original text.
`<prefix>_indices` maps each kind to its live generation (the alias) and to a rebuild in progress.

This module keeps the connections, the tables and the writing; searching them is embedded_search.py
(EmbeddedSearch, mixed in), and the plan → FTS5/SQL compilation is fts.py.

Differences from the engines, by design: a tombstone (delete with a version) is kept for good
rather than for `index.gc_deletes`; bm25 scores are on another scale, so only the order of
clearly ranked results is expected to agree.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from search.analysis import Analyzer, cjk_bigrams
from search.backends.base import EngineUnavailable, IndexReport, SearchBackend
from search.backends.embedded_search import EmbeddedSearch
from search.backends.fts import FTS_COLUMNS, char_split, filter_sql
from search.documents import INDEX_KINDS, KINDS, POLICY_FIELDS, POLICY_KIND
from search.mappings import DEFAULT_PREFIX
from search.query import Filters


class EmbeddedBackend(EmbeddedSearch, SearchBackend):
    name = "embedded"

    def __init__(self, path: str | Path, analyzer: Analyzer | None = None, prefix: str = DEFAULT_PREFIX) -> None:
        super().__init__(analyzer, prefix)
        self.path = str(path)
        self.stem_prefix = prefix.replace("-", "_")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", self.stem_prefix):
            raise ValueError(f"embedded index prefix {prefix!r} must be lower-case letters, digits, - or _")
        self._meta = f"{self.stem_prefix}_indices"
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    # -- connection and transactions --------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            try:
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
                conn.execute("PRAGMA temp_store=MEMORY")
            except (OSError, sqlite3.OperationalError) as exc:
                raise EngineUnavailable(f"embedded index at {self.path}: {exc}") from exc
            conn.row_factory = sqlite3.Row
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    @contextmanager
    def _transaction(self, write: bool) -> Iterator[sqlite3.Connection]:
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        if write:  # its own writes do not move this connection's data_version
            self._local.counts = None

    def _stems(self, conn: sqlite3.Connection, column: str = "live") -> dict[str, str]:
        """kind → table stem of its live generation (or of its rebuild, column="building")."""
        try:
            rows = conn.execute(f"SELECT kind, {column} AS gen FROM {self._meta} WHERE {column} IS NOT NULL")
        except sqlite3.OperationalError:  # ensure_indices has not run yet: nothing is indexed
            return {}
        return {row["kind"]: self._stem(row["kind"], row["gen"]) for row in rows}

    def _stem(self, kind: str, gen: int) -> str:
        return f"{self.stem_prefix}_{kind}_{int(gen)}"

    # -- schema -----------------------------------------------------------------------------

    def _create_meta(self, conn: sqlite3.Connection) -> None:
        conn.execute(f"CREATE TABLE IF NOT EXISTS {self._meta} (kind TEXT PRIMARY KEY, live INTEGER, building INTEGER)")
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {self.stem_prefix}_generations "
            "(gen INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL)"
        )

    def _create_generation(self, conn: sqlite3.Connection, kind: str) -> int:
        gen = conn.execute(f"INSERT INTO {self.stem_prefix}_generations (kind) VALUES (?)", (kind,)).lastrowid
        stem = self._stem(kind, gen)
        conn.execute(
            f"""CREATE TABLE {stem}_docs (
                id INTEGER PRIMARY KEY, version INTEGER NOT NULL, deleted INTEGER NOT NULL DEFAULT 0,
                status TEXT, industry TEXT, industry_section TEXT, region TEXT, trl INTEGER, tier TEXT,
                challenge INTEGER NOT NULL DEFAULT 0, deadline TEXT, published_at TEXT,
                org_id INTEGER, group_id INTEGER, cooperation TEXT NOT NULL DEFAULT '[]',
                source TEXT NOT NULL DEFAULT '{{}}', issuer TEXT, benefit TEXT, opens_on TEXT, closes_on TEXT)"""
        )
        conn.execute(f"CREATE INDEX {stem}_docs_listing ON {stem}_docs (status, published_at)")
        conn.execute(f"CREATE TABLE {stem}_coop (mode TEXT, id INTEGER, PRIMARY KEY (mode, id)) WITHOUT ROWID")
        conn.execute(f"CREATE INDEX {stem}_coop_id ON {stem}_coop (id)")
        conn.execute(
            f"CREATE VIRTUAL TABLE {stem}_fts USING fts5({', '.join(FTS_COLUMNS)}, "
            "tokenize = 'unicode61 remove_diacritics 2')"
        )
        return gen

    def _drop_generation(self, conn: sqlite3.Connection, stem: str) -> None:
        for suffix in ("fts", "coop", "docs"):
            conn.execute(f"DROP TABLE IF EXISTS {stem}_{suffix}")

    def _ensure(self, conn: sqlite3.Connection) -> dict[str, str]:
        self._create_meta(conn)
        live = self._stems(conn)
        for kind in INDEX_KINDS:
            if kind not in live:
                gen = self._create_generation(conn, kind)
                conn.execute(
                    f"INSERT INTO {self._meta} (kind, live) VALUES (?, ?) "
                    "ON CONFLICT(kind) DO UPDATE SET live = excluded.live",
                    (kind, gen),
                )
                live[kind] = self._stem(kind, gen)
        return live

    def ensure_indices(self) -> None:
        with self._transaction(write=True) as conn:
            self._ensure(conn)

    # -- writing ----------------------------------------------------------------------------

    def _upsert(self, conn: sqlite3.Connection, stem: str, doc: dict) -> bool:
        """Store a prepared doc unless a newer version is stored; True if it was stored."""
        source = {k: v for k, v in doc.items() if not k.endswith("_seg") and k != "vector"}
        row = conn.execute(
            f"""INSERT INTO {stem}_docs (id, version, deleted, status, industry, industry_section, region,
                    trl, tier, challenge, deadline, published_at, org_id, group_id, cooperation, source)
                VALUES (?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET version = excluded.version, deleted = 0,
                    status = excluded.status, industry = excluded.industry,
                    industry_section = excluded.industry_section, region = excluded.region,
                    trl = excluded.trl, tier = excluded.tier, challenge = excluded.challenge,
                    deadline = excluded.deadline, published_at = excluded.published_at,
                    org_id = excluded.org_id, group_id = excluded.group_id,
                    cooperation = excluded.cooperation, source = excluded.source
                WHERE excluded.version >= {stem}_docs.version""",
            (
                doc["id"],
                doc["version"],
                doc["status"],
                doc["industry"],
                doc["industry_section"],
                doc["region"],
                doc["trl"],
                doc["tier"],
                int(doc["challenge"]),
                doc["deadline"],
                doc["published_at"],
                doc["org_id"],
                doc["group_id"],
                json.dumps(doc["cooperation"], ensure_ascii=False),
                json.dumps(source, ensure_ascii=False),
            ),
        )
        if not row.rowcount:
            return False
        if doc["kind"] == POLICY_KIND:  # a posting table made before policies were indexed lacks these columns
            assignments = ", ".join(f"{name} = ?" for name in POLICY_FIELDS)
            conn.execute(
                f"UPDATE {stem}_docs SET {assignments} WHERE id = ?", [*(doc[n] for n in POLICY_FIELDS), doc["id"]]
            )
        self._clear_text(conn, stem, doc["id"])
        conn.executemany(
            f"INSERT INTO {stem}_coop (mode, id) VALUES (?, ?)", [(m, doc["id"]) for m in doc["cooperation"]]
        )
        conn.execute(
            f"INSERT INTO {stem}_fts (rowid, {', '.join(FTS_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                doc["id"],
                doc["title_seg"],
                doc["keywords_seg"],
                doc["body_seg"],
                " ".join(cjk_bigrams(doc["title"])),
                " ".join(cjk_bigrams(doc["body"])),
                char_split(doc["title"]),
                char_split(doc["body"]),
            ),
        )
        return True

    def _clear_text(self, conn: sqlite3.Connection, stem: str, doc_id: int) -> None:
        conn.execute(f"DELETE FROM {stem}_fts WHERE rowid = ?", (doc_id,))
        conn.execute(f"DELETE FROM {stem}_coop WHERE id = ?", (doc_id,))

    def _write_live(self, docs: list[dict], refresh: bool) -> IndexReport:
        report = IndexReport()
        if not docs:
            return report
        with self._transaction(write=True) as conn:
            live, building = self._ensure(conn), self._stems(conn, "building")
            for doc in docs:
                stored = self._upsert(conn, live[doc["kind"]], doc)
                (report.indexed if stored else report.skipped).append(doc["id"])
                if doc["kind"] in building:
                    self._upsert(conn, building[doc["kind"]], doc)
        return report

    def delete(self, kind: str, doc_id: int, version: int | None = None) -> bool:
        with self._transaction(write=True) as conn:
            stems = [s for s in (self._stems(conn).get(kind), self._stems(conn, "building").get(kind)) if s]
            removed = [self._tombstone(conn, stem, doc_id, version) for stem in stems]
        return bool(removed and removed[0])

    def _tombstone(self, conn: sqlite3.Connection, stem: str, doc_id: int, version: int | None) -> bool:
        """Mark deleted (keeping the version, so older updates stay out); True if it was live."""
        row = conn.execute(f"SELECT version, deleted FROM {stem}_docs WHERE id = ?", (doc_id,)).fetchone()
        if version is None:
            if row is None or row["deleted"]:
                return False
            version = row["version"]
        elif row is not None and row["version"] > version:
            return False
        conn.execute(
            f"""INSERT INTO {stem}_docs (id, version, deleted, source) VALUES (?, ?, 1, '{{}}')
                ON CONFLICT(id) DO UPDATE SET version = excluded.version, deleted = 1, source = '{{}}',
                    status = NULL, cooperation = '[]'""",
            (doc_id, version),
        )
        self._clear_text(conn, stem, doc_id)
        return row is not None and not row["deleted"]

    def _begin_rebuild(self, kind: str) -> str:
        with self._transaction(write=True) as conn:
            self._create_meta(conn)
            stale = self._stems(conn, "building").get(kind)
            if stale:
                self._drop_generation(conn, stale)
            gen = self._create_generation(conn, kind)
            conn.execute(
                f"INSERT INTO {self._meta} (kind, building) VALUES (?, ?) "
                "ON CONFLICT(kind) DO UPDATE SET building = excluded.building",
                (kind, gen),
            )
        return self._stem(kind, gen)

    def _write_target(self, target: str, docs: list[dict]) -> IndexReport:
        report = IndexReport()
        with self._transaction(write=True) as conn:
            for doc in docs:
                (report.indexed if self._upsert(conn, target, doc) else report.skipped).append(doc["id"])
        return report

    def _finish_rebuild(self, kind: str, target: str) -> None:
        with self._transaction(write=True) as conn:
            old = self._stems(conn).get(kind)
            gen = int(target.rsplit("_", 1)[1])
            conn.execute(f"UPDATE {self._meta} SET live = ?, building = NULL WHERE kind = ?", (gen, kind))
            if old and old != target:
                self._drop_generation(conn, old)

    def _abort_rebuild(self, kind: str, target: str) -> None:
        with self._transaction(write=True) as conn:
            self._drop_generation(conn, target)
            conn.execute(f"UPDATE {self._meta} SET building = NULL WHERE kind = ?", (kind,))

    def count(self, kind: str | None = None, searchable: bool = False, today: date | None = None) -> int:
        conn = self._conn()
        total = 0
        for stem_kind, stem in self._stems(conn).items():
            if stem_kind != kind if kind else stem_kind not in KINDS:  # no kind: the postings, as the engines count
                continue
            if searchable:
                where, params = filter_sql(stem, Filters(kinds=KINDS, today=today or date.today()))
            else:
                where, params = "d.deleted = 0", []
            total += conn.execute(f"SELECT count(*) FROM {stem}_docs d WHERE {where}", params).fetchone()[0]
        return total

    def versions(self, kind: str) -> dict[int, int]:
        conn = self._conn()
        stem = self._stems(conn).get(kind)
        if not stem:
            return {}
        return dict(conn.execute(f"SELECT id, version FROM {stem}_docs WHERE deleted = 0").fetchall())

    def get(self, kind: str, doc_id: int) -> dict | None:
        conn = self._conn()
        stem = self._stems(conn).get(kind)
        if not stem:
            return None
        row = conn.execute(f"SELECT source FROM {stem}_docs WHERE id = ? AND deleted = 0", (doc_id,)).fetchone()
        return json.loads(row["source"]) if row else None

    # -- operations -------------------------------------------------------------------------

    def health(self) -> dict:
        try:
            self._conn().execute("SELECT 1").fetchone()
        except Exception as exc:  # noqa: BLE001 - health reports, never raises
            return {"backend": self.name, "ok": False, "status": "down", "detail": str(exc)}
        return {"backend": self.name, "ok": True, "status": "green", "detail": self.path}

    def drop_all(self) -> None:
        with self._transaction(write=True) as conn:
            self._create_meta(conn)
            for row in conn.execute(f"SELECT gen, kind FROM {self.stem_prefix}_generations").fetchall():
                self._drop_generation(conn, self._stem(row["kind"], row["gen"]))
            conn.execute(f"DROP TABLE {self._meta}")
            conn.execute(f"DROP TABLE {self.stem_prefix}_generations")

    def before_fork(self) -> None:
        self.close()  # a SQLite connection must not cross a fork; each process opens its own

    def close(self) -> None:
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()
