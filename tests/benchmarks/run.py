"""`make bench`: measured figures, printed. Not a test: nothing here passes or fails.

Foundation figures: bulk import rate through `flask catalog import`, and list/detail page latency
(p50/p95) over the imported corpus. Uses SQLite by default; BENCH_DATABASE_URL=postgresql://… for PostgreSQL.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tests.benchmarks.corpus import make_records

N_IMPORT = int(os.environ.get("BENCH_IMPORT_ROWS", "10000"))
N_REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200"))


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def timed_requests(client, url: str, n: int) -> tuple[float, float]:
    client.get(url)  # warm caches
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        resp = client.get(url)
        samples.append((time.perf_counter() - t0) * 1000)
        if resp.status_code != 200:
            raise SystemExit(f"{url} answered {resp.status_code}")
    return statistics.median(samples), percentile(samples, 0.95)


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="lq-bench-"))
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp / 'bench.db'}"
    os.environ["INSTANCE_PATH"] = str(tmp)
    os.environ["DATABASE_URL"] = url
    os.environ["APP_ENV"] = "development"
    os.environ["RATELIMIT_ENABLED"] = "0"

    from flask_migrate import downgrade, upgrade

    from app import create_app
    from app.extensions import db

    app = create_app()
    app.logger.setLevel("WARNING")
    with app.app_context():
        if url.startswith("postgres"):
            downgrade(revision="base")
        upgrade()

    path = tmp / "corpus.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for rec in make_records(N_IMPORT):
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")

    runner = app.test_cli_runner()
    t0 = time.perf_counter()
    result = runner.invoke(args=["catalog", "import", str(path), "--publish", "--verified"])
    elapsed = time.perf_counter() - t0
    if result.exit_code != 0:
        print(result.output)
        return 1
    t1 = time.perf_counter()
    again = runner.invoke(args=["catalog", "import", str(path), "--publish", "--verified"])
    elapsed_again = time.perf_counter() - t1

    backend = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    print(f"\n联桥 benchmark · {backend} · {N_IMPORT} rows")
    print(f"{'measure':<44}{'value':>16}")
    print(f"{'import (new rows), rows/s':<44}{N_IMPORT / elapsed:>16.0f}")
    print(f"{'import, total s':<44}{elapsed:>16.2f}")
    print(
        f"{'re-import (no change), rows/s':<44}{N_IMPORT / elapsed_again:>16.0f}"
        + ("" if again.exit_code == 0 else "  (failed)")
    )

    client = app.test_client()
    with app.app_context():
        from app.postings.models import Posting

        some_id = db.session.scalar(db.select(Posting.id).where(Posting.kind == "achievement").limit(1))
    pages = [
        ("home page", "/"),
        ("achievement list, page 1", "/postings/achievement"),
        ("achievement list, page 50", "/postings/achievement?page=50"),
        ("list, keyword 稀土永磁", "/postings/achievement?q=%E7%A8%80%E5%9C%9F%E6%B0%B8%E7%A3%81"),
        ("list, industry+region filters", "/postings/achievement?industry=C32&region=150200"),
        ("need list, keyword + sort by deadline", "/postings/need?q=%E7%BB%BF%E6%B0%A2&sort=deadline"),
        ("achievement detail", f"/postings/achievement/{some_id}"),
    ]
    print(f"\n{'page (anonymous, ' + str(N_REQUESTS) + ' requests)':<44}{'p50 ms':>8}{'p95 ms':>8}")
    for label, page in pages:
        p50, p95 = timed_requests(client, page, N_REQUESTS)
        print(f"{label:<44}{p50:>8.1f}{p95:>8.1f}")
    t2 = time.perf_counter()
    resp = client.get("/postings/achievement?format=xlsx")
    print(
        f"{'export all achievements to xlsx, s':<44}{time.perf_counter() - t2:>16.2f}  ({len(resp.data) // 1024} KiB)"
    )
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    raise SystemExit(main())
