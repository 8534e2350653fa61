"""Shared helpers for the benchmark sections: percentiles, tables, targets, settings from the environment."""

from __future__ import annotations

import logging
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from pathlib import Path

OK, MISS = "✓", "✗"


def env_list(name: str, default: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def percentile(samples: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in [0, 1]) of a non-empty sample."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def p50_p95(samples: Sequence[float]) -> tuple[float, float]:
    return statistics.median(samples), percentile(samples, 0.95)


def timed(call: Callable[[], object]) -> float:
    """Milliseconds one call took."""
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


@contextmanager
def stopwatch():
    """`with stopwatch() as elapsed: …` then elapsed() is the seconds the block took."""
    started = time.perf_counter()
    end: list[float] = []
    yield lambda: (end[0] if end else time.perf_counter()) - started
    end.append(time.perf_counter())


def check(value: float | None, limit: float, at_most: bool = True) -> str:
    if value is None:
        return ""
    return OK if (value <= limit if at_most else value >= limit) else MISS


def fmt(value, digits: int = 1) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if digits == 0:
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


def table(title: str, headers: Sequence[str], rows: Sequence[Sequence], note: str | None = None) -> str:
    """A plain-text table: first column left-aligned, the others right-aligned."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(_width(r[i]) for r in cells) for i in range(len(headers))]
    lines = [f"\n{title}"]
    for n, row in enumerate(cells):
        parts = [_pad(row[0], widths[0], left=True)] + [_pad(c, w) for c, w in zip(row[1:], widths[1:], strict=True)]
        lines.append("  ".join(parts).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    if note:
        lines.append(note)
    return "\n".join(lines)


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if ord(ch) > 0x2E7F and ch not in "✓✗—" else 1 for ch in text)


def _pad(text: str, width: int, left: bool = False) -> str:
    gap = " " * (width - _width(text))
    return text + gap if left else gap + text


def say(text: str) -> None:
    print(text, flush=True)


def load_average() -> str:
    """The 1/5/15-minute load averages: the machine is shared, so every figure is printed beside them."""
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg()) + f" on {os.cpu_count()} CPUs"


def database_url(tmp: Path) -> str:
    """BENCH_DATABASE_URL (PostgreSQL, emptied first), else a fresh SQLite file in tmp."""
    return os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp / 'bench.db'}"


def make_app(prefix: str, url: str | None = None, **config):
    """A development app with its own instance folder: (app, tmp, url).

    Without `url`: a fresh database (database_url), migrated to head. With `url`: that database as it
    is (a second app on the same data, e.g. with another SEARCH_BACKEND). `config` overrides settings;
    rate limits are off and the app logs at WARNING.
    """
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    fresh = url is None
    url = url or database_url(tmp)
    if url.startswith(("postgres://", "postgresql://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]  # the only driver shipped (see config.py)
    os.environ["INSTANCE_PATH"] = str(tmp)  # read by create_app, not by the config classes

    from flask_migrate import downgrade, upgrade

    from app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False, **config})
    app.logger.setLevel("WARNING")
    if fresh:
        logging.disable(logging.INFO)  # alembic's per-migration lines would bury the figures
        try:
            with app.app_context():
                if url.startswith("postgresql"):
                    downgrade(revision="base")
                upgrade(revision="heads")  # every branch, also while migrations from parallel work are unmerged
        finally:
            logging.disable(logging.NOTSET)
    return app, tmp, url


def invoke(app, *args: str) -> None:
    """Run a `flask …` command of this app; a failure stops the benchmark with the command's output."""
    result = app.test_cli_runner().invoke(args=list(args))
    if result.exit_code != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed: {result.output}{result.exception or ''}")


def engine_unreachable(url: str) -> str | None:
    """None when OpenSearch answers green or yellow at url, else why not (said next to the figures)."""
    from search import create_backend

    backend = create_backend("opensearch", url=url)
    try:
        health = backend.health()
    finally:
        backend.close()
    return None if health["ok"] else f"not reachable at {url} ({health['detail']})"
