"""Pages section: requests per second of the platform's pages served as `make serve` serves them (gunicorn,
2 sync workers, development settings, SQLite, embedded search), side by side with a bare Flask +
Flask-SQLAlchemy app over the same database and search index (bare_app.py: one query per page, a tiny
template). Target: each page serves at least half the bare page's requests per second.

Data: a fresh SQLite file with `flask demo seed`, `flask search drain` and `flask matching run` (what
`make run` seeds), plus BENCH_PAGE_ROWS generated postings (`flask catalog import`, 0 by default).
Load: wrk (Debian package `wrk`) with BENCH_PAGE_CONNECTIONS connections for BENCH_PAGE_SECONDS per
measurement, the app and the bare app alternately, BENCH_PAGE_ROUNDS rounds; the median is printed. Without
wrk a Python client (threads, keep-alive) stands in and says so; it costs more CPU, so the figures are lower.
The search pages repeat one text, so after the warm-up the query vector comes from the app's LRU cache.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import quote

from tests.benchmarks.common import check, env_int, fmt, invoke, load_average, make_app, say, table
from tests.benchmarks.corpus import make_records

ROOT = Path(__file__).resolve().parents[2]
SECONDS = env_int("BENCH_PAGE_SECONDS", 5)
ROUNDS = env_int("BENCH_PAGE_ROUNDS", 3)
CONNECTIONS = env_int("BENCH_PAGE_CONNECTIONS", 4)
EXTRA_ROWS = env_int("BENCH_PAGE_ROWS", 0)
WORKERS = 2
TARGET = 0.5
TWO_WORDS = "稀土 永磁"
LAY_SENTENCE = "车间粉尘太大，想找个靠谱的除尘方案"


@dataclass
class Measure:
    rps: float
    failures: int  # non-2xx answers and socket errors
    requests: int
    cpu_ms: float | None = None  # the server's CPU time per request (its workers, from /proc)


@dataclass
class Page:
    label: str
    path: str
    runs: dict[str, list[Measure]] = field(default_factory=lambda: {"app": [], "bare": []})

    def median(self, side: str, attr: str = "rps") -> float | None:
        values = [getattr(m, attr) for m in self.runs[side] if getattr(m, attr) is not None]
        return statistics.median(values) if values else None

    def failures(self) -> int:
        return sum(m.failures for side in self.runs.values() for m in side)


# --- the servers --------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """One gunicorn (its own process group), stopped by its own pid."""

    def __init__(self, name: str, target: str, env: dict[str, str], log: Path) -> None:
        self.name, self.port = name, _free_port()
        self.log = log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--bind", f"127.0.0.1:{self.port}", target],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def cpu_seconds(self) -> float | None:
        """User + system CPU of the master and its workers so far (Linux /proc; None elsewhere): unlike the
        requests per second, this does not move with what else the machine is doing."""
        ticks, found = 0, False
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if stat.parent.name == str(self.process.pid) or fields[1] == str(self.process.pid):
                ticks += int(fields[11]) + int(fields[12])
                found = True
        return ticks / os.sysconf("SC_CLK_TCK") if found else None

    def measure(self, load, path: str, seconds: float) -> Measure:
        before = self.cpu_seconds()
        measured = load(self.url(path), seconds)
        after = self.cpu_seconds()
        if before is not None and after is not None and measured.requests:
            measured.cpu_ms = (after - before) * 1000 / measured.requests
        return measured

    def wait_ready(self, path: str, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} server exited; see {self.log.name}")
            try:
                with urllib.request.urlopen(self.url(path), timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"{self.name} server not ready after {timeout:.0f} s; see {self.log.name}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


# --- load ---------------------------------------------------------------------------------------

_WRK_RPS = re.compile(r"Requests/sec:\s+([\d.]+)")
_WRK_COUNT = re.compile(r"(\d+) requests in")
_WRK_NON2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
_WRK_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")


def wrk_load(url: str, seconds: float) -> Measure:
    out = subprocess.run(
        ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    errors, non2xx = _WRK_ERRORS.search(out), _WRK_NON2XX.search(out)
    return Measure(
        rps=float(_WRK_RPS.search(out).group(1)),
        failures=(sum(map(int, errors.groups())) if errors else 0) + (int(non2xx.group(1)) if non2xx else 0),
        requests=int(_WRK_COUNT.search(out).group(1)),
    )


def python_load(url: str, seconds: float) -> Measure:
    """CONNECTIONS threads, each GET in a loop on its own connection (reopened when the server closes it)."""
    host, _, path = url.removeprefix("http://").partition("/")
    stop_at = time.monotonic() + seconds
    counts = {"done": 0, "failed": 0}
    lock = threading.Lock()

    def client() -> None:
        conn, done, failed = HTTPConnection(host, timeout=30), 0, 0
        while time.monotonic() < stop_at:
            try:
                conn.request("GET", "/" + path)
                response = conn.getresponse()
                response.read()
                done += 1
                failed += response.status != 200
            except OSError:
                failed += 1
                conn.close()
        conn.close()
        with lock:
            counts["done"] += done
            counts["failed"] += failed

    threads = [threading.Thread(target=client) for _ in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Measure(counts["done"] / seconds, counts["failed"], counts["done"])


# --- the section --------------------------------------------------------------------------------


def _seed(extra_rows: int) -> tuple[str, Path, int]:
    """A fresh database seeded as `make run` seeds it: (database URL, instance folder, a detail page's id)."""
    app, tmp, url = make_app("lq-bench-pages-", SEARCH_BACKEND="embedded")
    say(f"\n[pages] seeding the demo data … ({load_average()})")
    invoke(app, "demo", "seed")
    if extra_rows:
        path = tmp / "corpus.jsonl"
        path.write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in make_records(extra_rows)), encoding="utf-8"
        )
        say(f"[pages] importing {extra_rows:,} generated postings …")
        invoke(app, "catalog", "import", str(path), "--publish", "--verified")
    invoke(app, "search", "drain")
    say("[pages] computing matches (flask matching run) …")
    invoke(app, "matching", "run", "--if-missing")
    with app.app_context():
        import sqlalchemy as sa

        from app.core.enums import PostingKind, PostingStatus
        from app.extensions import db
        from app.postings.models import Posting

        detail_id = db.session.scalar(
            sa.select(Posting.id)
            .where(Posting.kind == PostingKind.ACHIEVEMENT, Posting.status == PostingStatus.PUBLISHED)
            .order_by(Posting.published_at.desc(), Posting.id.desc())
            .limit(1)
        )
        db.session.remove()
    return url, tmp, detail_id


def _pages(detail_id: int) -> list[Page]:
    return [
        Page("home /", "/"),
        Page("achievement list", "/postings/achievement"),
        Page("achievement detail", f"/postings/achievement/{detail_id}"),
        Page("events list", "/events/"),
        Page(f"search “{TWO_WORDS}”", f"/search?q={quote(TWO_WORDS)}"),
        Page("search, a lay sentence", f"/search?q={quote(LAY_SENTENCE)}"),
    ]


def _servers(url: str, tmp: Path) -> dict[str, Server]:
    app_env = {
        "APP_ENV": "development",
        "FLASK_DEBUG": "0",
        "DATABASE_URL": url,
        "INSTANCE_PATH": str(tmp),
        "SEARCH_BACKEND": "embedded",
    }
    bare_env = {
        "BARE_DATABASE_URL": url,
        "BARE_SEARCH_PATH": str(tmp / "search" / "lianqiao-search.db"),
    }
    servers = {
        "app": Server("app", "wsgi:app", app_env, tmp / "gunicorn-app.log"),
        "bare": Server("bare", "tests.benchmarks.bare_app:create_app()", bare_env, tmp / "gunicorn-bare.log"),
    }
    servers["app"].wait_ready("/healthz")
    servers["bare"].wait_ready("/")
    return servers


def run() -> list[Page]:
    load = wrk_load if shutil.which("wrk") else python_load
    client = "wrk" if load is wrk_load else "a Python client (wrk not installed: apt-get install wrk)"
    url, tmp, detail_id = _seed(EXTRA_ROWS)
    pages = _pages(detail_id)
    servers = _servers(url, tmp)
    try:
        say(f"[pages] warming up both servers (2 s per page; loads the query encoder) · client: {client}")
        for page in pages:
            for server in servers.values():
                load(server.url(page.path), 2)
        for n in range(ROUNDS):
            say(f"[pages] round {n + 1}/{ROUNDS}: {len(pages)} pages × 2 servers × {SECONDS} s … ({load_average()})")
            order = ("app", "bare") if n % 2 == 0 else ("bare", "app")
            for page in pages:
                for side in order:
                    page.runs[side].append(servers[side].measure(load, page.path, SECONDS))
    finally:
        for server in servers.values():
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print_pages(pages, client)
    return pages


def print_pages(pages: list[Page], client: str) -> None:
    rows = []
    for page in pages:
        app_rps, bare_rps = page.median("app"), page.median("bare")
        app_cpu, bare_cpu = page.median("app", "cpu_ms"), page.median("bare", "cpu_ms")
        ratio = app_rps / bare_rps if app_rps and bare_rps else None
        rows.append(
            [
                page.label,
                fmt(app_rps, 0),
                fmt(bare_rps, 0),
                fmt(ratio, 2),
                fmt(app_cpu, 2),
                fmt(bare_cpu, 2),
                fmt(bare_cpu / app_cpu if app_cpu and bare_cpu else None, 2),
                f"≥ {TARGET}",
                check(ratio, TARGET, at_most=False),
            ]
        )
    spread = "\n".join(
        f"  {p.label}: app {'/'.join(f'{m.rps:.0f}' for m in p.runs['app'])}, "
        f"bare {'/'.join(f'{m.rps:.0f}' for m in p.runs['bare'])}"
        for p in pages
    )
    failed = [f"{p.label} {p.failures()}" for p in pages if p.failures()]
    note = (
        f"rps: median of {ROUNDS} rounds of {SECONDS} s, {CONNECTIONS} connections ({client}), the app and the bare app\n"
        f"alternately, both under gunicorn with {WORKERS} sync workers; ratio = app ÷ bare, the target. CPU ms: the\n"
        "server's own CPU time per request (master + workers, /proc), which does not move with the machine's load;\n"
        "CPU ratio = bare ÷ app. bare = tests/benchmarks/bare_app.py: one query per page (home: two) and a tiny\n"
        "template; its search: one FTS5 query over the embedded index's tables. The load generator runs on the same\n"
        "machine and other people's work shares its CPUs: compare the columns, not the figures with another day's.\n"
        f"rps per round:\n{spread}\n"
        + (f"FAILED requests (non-2xx or socket errors): {', '.join(failed)}\n" if failed else "")
        + f"measured at {load_average()} (ended)"
    )
    rows_note = f" · {EXTRA_ROWS:,} generated postings added" if EXTRA_ROWS else ""
    say(
        table(
            f"Pages · demo data{rows_note} · SQLite · anonymous visitor · requests per second · page cache "
            + (
                "off (PAGE_CACHE=0)"
                if os.environ.get("PAGE_CACHE", "1").lower() in ("0", "false", "no", "off")
                else "on"
            ),
            ["page", "app rps", "bare rps", "ratio", "app CPU ms", "bare CPU ms", "CPU ratio", "target", "met"],
            rows,
            note,
        )
    )
