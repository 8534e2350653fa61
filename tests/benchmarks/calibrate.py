"""Fit the match-relevance model (app/matching/calibration.json) on the tuning half of the hard labelled set.

    .venv/bin/python -m tests.benchmarks.calibrate [--data tests/data/eval_hard] [--write]

Runs the app's matching on the set (import → drain → run, vectors from the set's vectors.npz) keeping
every candidate (MATCH_TOP_N 100, no floor), measures each candidate's features exactly as scoring does
(app.matching.calibration.features), and fits one logistic model with vectors ("hybrid") and one without
("lexical") to predict grade ≥ 2 on the sources of split.tsv marked "tune": for each, a ranking model and a label
model (calibration.py). It prints the test half's
ranking figures and each label's precision, and with --write stores the models and those figures.
scikit-learn is a test dependency: the app only evaluates the fitted sigmoid.
"""

from __future__ import annotations

import argparse
import itertools
import json
import shutil
from collections import defaultdict
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegressionCV

from app.matching.calibration import (
    FAIR,
    FLOOR,
    HIGH,
    MODEL_FILE,
    ListStats,
    anchor_of,
    coverage,
    features,
    monotone,
)
from search.evaluation import evaluate, read_qrels
from tests.benchmarks.common import invoke, make_app

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA = ROOT / "tests" / "data" / "eval_hard"
DIRECTIONS = {"need": "achievement", "procurement": "capability"}
COVER = ("keyword_cover", "title_cover")
# Kept because they help on the tune half (see the README's 排序质量): the field signals and the coverage
# did not improve the ranking with vectors (they cost lay-worded needs most), so the hybrid model leaves
# them out; without vectors the coverage is the only absolute measure the labels can rest on.
HYBRID = ("dense", "anchor", "lexical")
LEXICAL = ("lexical", "lexical_hit", *COVER)
# The label models use absolute measures only (the cosine, the coverage, the industry): a list-relative score
# makes every list's best look strong, even for a need the catalogue has no answer to.
HYBRID_LABEL = ("dense", *COVER, "same_division", "same_section")
LEXICAL_LABEL = (*LEXICAL, "same_division", "same_section")


def read_split(path: Path) -> dict[str, tuple[str, str]]:
    """source ref → (half, writing style) from split.tsv (source_ref, half, style)."""
    rows = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith(("#", "source_ref")):
            ref, half, style = line.split("\t")[:3]
            rows[ref] = (half, style)
    return rows


def benchmark_qrels(data: Path) -> dict[str, dict[str, int]]:
    """The set's labels for the benchmark's directions only (need → achievement, procurement → capability),
    the pairs `flask matching export` writes: a need's labels on capabilities are kept in qrels.tsv for
    other uses but are not this ranking's to find."""
    kinds = {}
    for line in (data / "corpus.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            kinds[record["ref"]] = record["kind"]
    chosen = {}
    for source, targets in read_qrels(data / "qrels.tsv").items():
        kept = {t: g for t, g in targets.items() if kinds.get(t) == DIRECTIONS.get(kinds.get(source))}
        if kept:
            chosen[source] = kept
    return chosen


def candidates(data: Path, **settings) -> list[dict]:
    """Every candidate the app scored for the benchmark's directions, with its raw features. `settings`:
    app overrides (e.g. SEARCH_BACKEND=opensearch)."""
    import sqlalchemy as sa

    from app.extensions import db
    from app.matching.models import Match
    from app.matching.reasons import posting_tokens
    from app.postings.models import Posting
    from app.search.backend import get_search

    app, tmp, _ = make_app(
        "lq-calibrate-",
        EMBEDDINGS=True,
        EMBEDDING_PRECOMPUTED=str(data / "vectors.npz"),
        MATCH_TOP_N=100,
        MATCH_MIN_SCORE=-1.0,
        MATCH_RECOMPUTE_MAX=0,
        **settings,
    )
    try:
        invoke(app, "catalog", "import", str(data / "corpus.jsonl"), "--publish", "--verified")
        invoke(app, "search", "drain")
        invoke(app, "matching", "run")
        with app.app_context():
            analyzer = get_search().primary.analyzer
            postings = {p.id: p for p in db.session.scalars(sa.select(Posting))}
            tokens = {pid: posting_tokens(analyzer, p) for pid, p in postings.items()}
            matches = [
                m
                for m in db.session.scalars(sa.select(Match))
                if DIRECTIONS.get(postings[m.source_id].kind.value) == m.target_kind.value
            ]
            anchored = anchor_similarities(matches)
            return [
                {
                    "source": postings[m.source_id].ref,
                    "target": postings[m.target_id].ref,
                    "lexical": m.lexical_score,
                    "dense": m.dense_score,
                    "anchor": anchored.get((m.source_id, m.target_id)),
                    "signals": {s["code"]: s["weight"] for s in (m.reasons or {}).get("signals", [])},
                    "cover": coverage(tokens[m.source_id], tokens[m.target_id]),
                }
                for m in matches
            ]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def anchor_similarities(matches) -> dict[tuple[int, int], float]:
    """(source id, target id) → the target's cosine with its list's anchor, as scoring measures it
    (every candidate is kept here, so each source's stored matches are its whole candidate list)."""
    from app.search.documents import current_vectors
    from search.vectors import from_bytes

    lists: dict[int, dict[int, float]] = defaultdict(dict)
    for m in matches:
        if m.dense_score is not None:
            lists[m.source_id][m.target_id] = m.dense_score
    vectors = {pid: from_bytes(v) for pid, v in current_vectors({t for c in lists.values() for t in c}).items()}
    out = {}
    for source, cosines in lists.items():
        anchor = vectors[anchor_of(cosines)]
        out.update({(source, t): float(vectors[t] @ anchor) for t in cosines if t in vectors})
    return out


def feature_rows(rows: list[dict], hybrid: bool) -> dict[str, list[tuple[str, dict]]]:
    """source → [(target, features)], measured against the source's list as scoring measures them."""
    by_source: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        if hybrid or row["lexical"] is not None:
            by_source[row["source"]].append(row)
    out = {}
    for source, items in by_source.items():
        dense = [r["dense"] for r in items if r["dense"] is not None] if hybrid else []
        anchor = [r["anchor"] for r in items if r["anchor"] is not None] if hybrid else []
        stats = ListStats.of([r["lexical"] for r in items if r["lexical"] is not None], dense, anchor)
        out[source] = [
            (
                r["target"],
                features(
                    r["lexical"],
                    r["dense"] if hybrid else None,
                    r["signals"],
                    stats,
                    r["cover"],
                    r["anchor"] if hybrid else None,
                ),
            )
            for r in items
        ]
    return out


def matrix(lists, names, qrels, sources) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = [], []
    for source in sources:
        for target, values in lists.get(source, []):
            xs.append([values[n] for n in names])
            ys.append(1 if qrels.get(source, {}).get(target, 0) >= 2 else 0)
    return np.array(xs, dtype=float), np.array(ys)


def fit(lists, names, qrels, tune: list[str]) -> dict:
    x, y = matrix(lists, names, qrels, tune)
    model = LogisticRegressionCV(Cs=10, cv=5, scoring="neg_log_loss", max_iter=5000).fit(x, y)
    return {
        "features": list(names),
        "coef": [round(float(c), 6) for c in model.coef_[0]],
        "intercept": round(float(model.intercept_[0]), 6),
    }


# The ranking model with vectors: z = 10·(cosine + b·anchor + a·lexical − 0.85·(1 + b)), the grid below
# searched for the best nDCG@10 on the tune half (log loss, what LogisticRegression fits, is not the
# ranking's measure: it favoured the words and cost the lay-worded needs). Cross-validated over the tune
# sources (grid chosen on four fifths, measured on the fifth): cosine alone 0.884, with the anchor 0.892,
# with the anchor and the lexical score 0.90; pairwise logistic models over more features (coverage, field
# signals, ranks, lexical ratio) stayed at 0.87–0.88, and a "query: " or title-only second vector did not help.
GRID = {"a": (0, 0.01, 0.02, 0.03, 0.04), "b": (0, 0.25, 0.5, 0.75, 1.0, 1.25)}
SCALE, CENTRE = 10, 0.85


def linear_spec(a: float, b: float) -> dict:
    return {
        "features": list(HYBRID),
        "coef": [SCALE, round(SCALE * b, 6), round(SCALE * a, 6)],
        "intercept": round(-SCALE * CENTRE * (1 + b), 6),
    }


def tune_ranking(lists, qrels, tune: list[str]) -> dict:
    """The grid point with the best tune-half nDCG@10 (ties: the first, i.e. the simplest)."""
    best, best_spec = -1.0, None
    for a, b in itertools.product(GRID["a"], GRID["b"]):
        spec = linear_spec(a, b)
        runs = ranked(lists, spec, tune)
        score = evaluate({s: [t for t, _ in runs[s]] for s in tune}, {s: qrels[s] for s in tune if s in qrels}).mean
        if score["ndcg@10"] > best + 1e-9:
            best, best_spec = score["ndcg@10"], spec
    return best_spec


def probability(spec: dict, values: dict) -> float:
    z = spec["intercept"] + sum(c * values[f] for f, c in zip(spec["features"], spec["coef"], strict=True))
    return float(1 / (1 + np.exp(-max(-40.0, min(40.0, z)))))


def ranked(lists, spec, sources, label_spec: dict | None = None) -> dict[str, list[tuple[str, float]]]:
    """Each source's top 20 by the ranking model, with the label model's probability made monotone down
    the list as scoring stores it (or the ranking model's own probability without a label model)."""
    runs = {}
    for s in sources:
        order = sorted(lists.get(s, []), key=lambda item: (-probability(spec, item[1]), item[0]))
        labels = monotone([probability(label_spec or spec, v) for _, v in order])
        runs[s] = list(zip([t for t, _ in order], labels, strict=True))[:20]
    return runs


def report(runs, qrels, split, half: str) -> dict:
    """The half's ranking figures overall and by writing style, and each label's precision in the top 20."""
    sources = [s for s, (h, _) in split.items() if h == half and s in qrels]
    styles = sorted({split[s][1] for s in sources})
    figures = {}
    for style in ["all", *styles]:
        chosen = [s for s in sources if style == "all" or split[s][1] == style]
        result = evaluate({s: [t for t, _ in runs.get(s, [])] for s in chosen}, {s: qrels[s] for s in chosen})
        figures[style] = {**{k: round(v, 3) for k, v in result.mean.items()}, "sources": len(chosen)}
    labels = {}
    for name, low, high in (("高", HIGH, 2.0), ("较高", FAIR, HIGH), ("一般（展示）", FLOOR, FAIR)):
        picked = [(s, t) for s in sources for t, p in runs.get(s, []) if low <= p < high]
        good = sum(qrels[s].get(t, 0) >= 2 for s, t in picked)
        labels[name] = {"count": len(picked), "precision": round(good / len(picked), 3) if picked else None}
    return {"ranking": figures, "labels": labels}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--write", action="store_true", help=f"store the models in {MODEL_FILE}")
    args = parser.parse_args(argv)
    qrels, split = benchmark_qrels(args.data), read_split(args.data / "split.tsv")
    rows = candidates(args.data)
    tune = [s for s, (h, _) in split.items() if h == "tune"]
    out = {"fitted_on": f"{args.data.name} (tune half, {len(tune)} sources)", "models": {}, "test": {}}
    for name, names, label_names, hybrid in (
        ("hybrid", HYBRID, HYBRID_LABEL, True),
        ("lexical", LEXICAL, LEXICAL_LABEL, False),
    ):
        lists = feature_rows(rows, hybrid)
        spec = tune_ranking(lists, qrels, tune) if hybrid else fit(lists, names, qrels, tune)
        label_spec = fit(lists, label_names, qrels, tune)
        out["models"][name], out["models"][f"{name}_label"] = spec, label_spec
        out["test"][name] = report(ranked(lists, spec, list(split), label_spec), qrels, split, "test")
    print(json.dumps(out, ensure_ascii=False, indent=1))
    if args.write:
        MODEL_FILE.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
