"""Foundation section: bulk import rate through `flask catalog import`, and list/detail page latency
(p50/p95) over the imported corpus (BENCH_IMPORT_ROWS rows, BENCH_REQUESTS requests per page)."""

from __future__ import annotations

import json
import shutil

from tests.benchmarks.common import env_int, fmt, load_average, make_app, p50_p95, say, stopwatch, table
from tests.benchmarks.corpus import make_records

N_IMPORT = env_int("BENCH_IMPORT_ROWS", 10_000)
N_REQUESTS = env_int("BENCH_REQUESTS", 200)


def _page_latency(client, url: str, n: int) -> tuple[float, float]:
    client.get(url)  # warm caches
    samples = []
    for _ in range(n):
        with stopwatch() as elapsed:
            response = client.get(url)
        samples.append(elapsed() * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    return p50_p95(samples)


def run() -> None:
    app, tmp, url = make_app("lq-bench-")
    try:
        path = tmp / "corpus.jsonl"
        with path.open("w", encoding="utf-8") as fh:
            for rec in make_records(N_IMPORT):
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        runner = app.test_cli_runner()
        say(f"\n[foundation] importing {N_IMPORT:,} rows … ({load_average()})")
        args = ["catalog", "import", str(path), "--publish", "--verified"]
        with stopwatch() as first:
            result = runner.invoke(args=args)
        if result.exit_code != 0:
            raise SystemExit(result.output)
        with stopwatch() as second:
            again = runner.invoke(args=args)
        rows = [
            ["import (new rows), rows/s", fmt(N_IMPORT / first(), 0), ""],
            ["import, total s", fmt(first(), 2), ""],
            [
                "re-import (no change), rows/s",
                fmt(N_IMPORT / second(), 0) + ("" if again.exit_code == 0 else " (failed)"),
                "",
            ],
        ]

        client = app.test_client()
        with app.app_context():
            from app.extensions import db
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
        say(f"[foundation] {len(pages)} pages × {N_REQUESTS} requests …")
        for label, page in pages:
            p50, p95 = _page_latency(client, page, N_REQUESTS)
            rows.append([f"{label}, ms", fmt(p50), fmt(p95)])
        with stopwatch() as exported:
            response = client.get("/postings/achievement?format=xlsx")
        rows.append([f"export all achievements to xlsx ({len(response.data) // 1024} KiB), s", fmt(exported(), 2), ""])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    database = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    say(
        table(
            f"Foundation · {database} · {N_IMPORT:,} rows · pages as an anonymous visitor",
            ["measure", "value / p50", "p95"],
            rows,
            f"measured at {load_average()}",
        )
    )
