"""Offline quality check of matching on the labelled set, with search/ alone (no Flask, no database).

    .venv/bin/python -m search.evaluate_offline [--corpus tests/data/eval/corpus.jsonl]
        [--qrels tests/data/eval/qrels.tsv] [--alphas 0.3,0.5,0.7] [--source-prefix passage|query]

Reads the corpus in the `flask catalog import` format, indexes the targets of the benchmark's two
directions (need → achievement, procurement → capability) in a temporary embedded backend, and
prints nDCG@10, Recall@20, MRR and P@5 for lexical-only, dense-only and fused rankings of the
top 20, the depth `flask matching export` writes. `flask matching evaluate` reproduces these
figures through the app, where field signals (industry, TRL, region, …) are added on top.

The lexical side asks the backend with the source's title, keywords and description in any-term
(relaxed) semantics, bounded as every search is (search.query). The dense side compares the
source's vector with every target's passage vector; lexical candidates outside the dense top-k
get their cosine filled in, so the fusion sees both scores wherever it can.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from search.backends.embedded import EmbeddedBackend
from search.embedding import create_embedder, document_text
from search.evaluation import METRICS, Evaluation, evaluate, read_qrels
from search.fusion import fuse
from search.query import SearchRequest
from search.vectors import VectorStore

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT / "tests" / "data" / "eval" / "corpus.jsonl"
DEFAULT_QRELS = ROOT / "tests" / "data" / "eval" / "qrels.tsv"
DIRECTIONS = {"need": "achievement", "procurement": "capability"}
TOP = 20  # the depth of `flask matching export --top 20`
CANDIDATES = 50  # per side, before fusion
DEFAULT_ALPHAS = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)

Ranked = list[tuple[int, float]]


def read_corpus(path: str | Path) -> list[dict]:
    """Import-format records as PostingDocuments, numbered from 1 in file order; `ref` kept."""
    docs = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        record = json.loads(line)
        keywords = record.get("keywords") or []
        docs.append(
            {
                "id": number,
                "ref": record["ref"],
                "kind": record["kind"],
                "version": 1,
                "status": "published",
                "title": record["title"],
                "keywords": keywords if isinstance(keywords, list) else [keywords],
                "body": record.get("summary") or record.get("description") or "",
                "industry": record.get("industry"),
                "trl": record.get("trl"),
            }
        )
    return docs


def lexical_text(doc: dict) -> str:
    return " ".join([doc["title"], *doc["keywords"], doc["body"]])


def lexical_ranking(backend: EmbeddedBackend, source: dict, target_kind: str) -> Ranked:
    request = SearchRequest(
        text=lexical_text(source), kinds=(target_kind,), per_page=CANDIDATES, facets=False, highlight=False
    )
    result = backend.execute(backend.plan(request).candidates())
    return [(hit.id, hit.score) for hit in result.hits]


class Runs:
    """Lexical and dense candidate lists per source, computed once, fused many ways."""

    def __init__(self, docs: list[dict], source_prefix: str = "passage", log: Callable[[str], None] = print) -> None:
        self.docs = {d["id"]: d for d in docs}
        self.sources = [d for d in docs if d["kind"] in DIRECTIONS]
        targets = [d for d in docs if d["kind"] in DIRECTIONS.values()]
        with tempfile.TemporaryDirectory() as tmp:
            backend = EmbeddedBackend(Path(tmp) / "offline.db")
            backend.index_many(targets)
            self.lexical = {s["id"]: lexical_ranking(backend, s, DIRECTIONS[s["kind"]]) for s in self.sources}
            backend.close()
        self.dense: dict[int, Ranked] = {}
        embedder = create_embedder()
        if not embedder.available():
            log("dense embeddings unavailable: lexical figures only")
            return
        started = time.perf_counter()
        store = VectorStore()
        for kind in DIRECTIONS.values():
            of_kind = [d for d in targets if d["kind"] == kind]
            store.load(kind, zip([d["id"] for d in of_kind], embedder.encode_documents(of_kind), strict=True))
        if source_prefix == "query":
            vectors = embedder.encode_queries([document_text(s) for s in self.sources])
        else:
            vectors = embedder.encode_documents(self.sources)
        log(f"encoded {len(targets) + len(self.sources)} postings in {time.perf_counter() - started:.1f} s")
        for source, vector in zip(self.sources, vectors, strict=True):
            kind = DIRECTIONS[source["kind"]]
            top = store.search(kind, vector, CANDIDATES)
            found = {doc_id for doc_id, _ in top}
            extra = store.similarities(kind, vector, [i for i, _ in self.lexical[source["id"]] if i not in found])
            self.dense[source["id"]] = top + sorted(extra.items(), key=lambda item: (-item[1], item[0]))

    def run(self, method: str, alpha: float = 0.5) -> dict[str, list[str]]:
        """{source_ref: [target_ref, …]} for "lexical", "dense", "weighted" (with alpha) or "rrf"."""
        run = {}
        for source in self.sources:
            lexical, dense = self.lexical[source["id"]], self.dense.get(source["id"], [])
            if method == "lexical":
                ranked = [doc_id for doc_id, _ in lexical]
            elif method == "dense":
                ranked = [doc_id for doc_id, _ in dense]
            else:
                ranked = [hit.id for hit in fuse(lexical, dense, alpha=alpha, method=method)]
            run[source["ref"]] = [self.docs[doc_id]["ref"] for doc_id in ranked[:TOP]]
        return run


def table(rows: list[tuple[str, Evaluation]]) -> str:
    header = f"{'ranking':<22}" + "".join(f"{m:>11}" for m in METRICS)
    lines = [header, "-" * len(header)]
    for name, result in rows:
        lines.append(f"{name:<22}" + "".join(f"{result.mean[m]:>11.3f}" for m in METRICS))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    parser.add_argument("--qrels", default=str(DEFAULT_QRELS))
    parser.add_argument("--alphas", default=",".join(map(str, DEFAULT_ALPHAS)))
    parser.add_argument("--source-prefix", choices=("passage", "query"), default="passage")
    parser.add_argument("--per-query", action="store_true", help="also print nDCG@10 per query")
    args = parser.parse_args(argv)

    qrels = read_qrels(args.qrels)
    runs = Runs(read_corpus(args.corpus), args.source_prefix)
    rows = [("lexical (bm25)", evaluate(runs.run("lexical"), qrels))]
    if runs.dense:
        rows.append(("dense (e5)", evaluate(runs.run("dense"), qrels)))
        for alpha in (float(a) for a in args.alphas.split(",") if a.strip()):
            rows.append((f"hybrid alpha={alpha:g}", evaluate(runs.run("weighted", alpha), qrels)))
        rows.append(("hybrid rrf k=60", evaluate(runs.run("rrf"), qrels)))
    print(f"{rows[0][1].queries} queries, top {TOP}, source vectors: {args.source_prefix}")
    print(table(rows))
    if args.per_query:
        names = [name for name, _ in rows]
        print("\nnDCG@10 per query\n" + f"{'query':<14}" + "".join(f"{n[:10]:>11}" for n in names))
        for ref in rows[0][1].per_query:
            print(f"{ref:<14}" + "".join(f"{r.per_query[ref]['ndcg@10']:>11.3f}" for _, r in rows))


if __name__ == "__main__":
    main()
