"""SQLite settings: foreign keys on, WAL so readers don't block the writer, a busy timeout.

With WAL, synchronous=NORMAL syncs at checkpoints rather than on every commit (what SQLite recommends for
WAL): the database stays consistent whatever happens, only the last commits before a power cut can be
lost. FULL costs one fsync per commit, ~10 ms here, which the search page pays for its query log.
"""

from sqlalchemy import event


def configure_sqlite(engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=10000")
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()
