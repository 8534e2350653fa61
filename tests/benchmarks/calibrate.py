"""Fit the match-relevance model (app/matching/calibration.json) on the tuning half of the hard labelled set.

    .venv/bin/python -m tests.benchmarks.calibrate [--data tests/data/eval_hard] [--write]

Runs the app's matching on the set (import → drain → run, vectors from the set's vectors.npz) keeping
every candidate (MATCH_TOP_N 100, no floor), measures each candidate's features exactly as scoring does
(app.matching.calibration.features), and fits one logistic model with vectors ("hybrid") and one without
("lexical") to predict grade ≥ 2 on the sources of split.tsv marked "tune". It prints the test half's
ranking figures and each label's precision, and with --write stores the models and those figures.
scikit-learn is a test dependency: the app only evaluates the fitted sigmoid.
"""

from __future__ import annotations

import argparse
import json
import shutil
from collections import defaultdict
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegressionCV

from app.matching.calibration import FAIR, FLOOR, HIGH, MODEL_FILE, SIGNAL_CODES, ListStats, features
from search.evaluation import evaluate, read_qrels
from tests.benchmarks.common import invoke, make_app

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA = ROOT / "tests" / "data" / "eval_hard"
DIRECTIONS = {"need": "achievement", "procurement": "capability"}
HYBRID = ("lexical", "lexical_hit", "dense", "dense_norm", "dense_gap", *SIGNAL_CODES)
LEXICAL = ("lexical", "lexical_hit", *SIGNAL_CODES)


def read_split(path: Path) -> dict[str, tuple[str, str]]:
    """source ref → (half, writing style) from split.tsv (source_ref, half, style)."""
    rows = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith(("#", "source_ref")):
            ref, half, style = line.split("\t")[:3]
            rows[ref] = (half, style)
    return rows


def candidates(data: Path) -> list[dict]:
    """Every candidate the app scored for the benchmark's directions, with its raw features."""
    import sqlalchemy as sa

    from app.extensions import db
    from app.matching.models import Match
    from app.postings.models import Posting

    app, tmp, _ = make_app(
        "lq-calibrate-",
        EMBEDDINGS=True,
        EMBEDDING_PRECOMPUTED=str(data / "vectors.npz"),
        MATCH_TOP_N=100,
        MATCH_MIN_SCORE=-1.0,
        MATCH_RECOMPUTE_MAX=0,
    )
    try:
        invoke(app, "catalog", "import", str(data / "corpus.jsonl"), "--publish", "--verified")
        invoke(app, "search", "drain")
        invoke(app, "matching", "run")
        with app.app_context():
            refs = dict(db.session.execute(sa.select(Posting.id, Posting.ref)).all())
            kinds = dict(db.session.execute(sa.select(Posting.id, Posting.kind)).all())
            return [
                {
                    "source": refs[m.source_id],
                    "target": refs[m.target_id],
                    "lexical": m.lexical_score,
                    "dense": m.dense_score,
                    "signals": {s["code"]: s["weight"] for s in (m.reasons or {}).get("signals", [])},
                }
                for m in db.session.scalars(sa.select(Match))
                if DIRECTIONS.get(kinds[m.source_id].value) == m.target_kind.value
            ]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def feature_rows(rows: list[dict], hybrid: bool) -> dict[str, list[tuple[str, dict]]]:
    """source → [(target, features)], measured against the source's list as scoring measures them."""
    by_source: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        if hybrid or row["lexical"] is not None:
            by_source[row["source"]].append(row)
    out = {}
    for source, items in by_source.items():
        dense = [r["dense"] for r in items if r["dense"] is not None] if hybrid else []
        stats = ListStats.of([r["lexical"] for r in items if r["lexical"] is not None], dense)
        out[source] = [
            (r["target"], features(r["lexical"], r["dense"] if hybrid else None, r["signals"], stats)) for r in items
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


def probability(spec: dict, values: dict) -> float:
    z = spec["intercept"] + sum(c * values[f] for f, c in zip(spec["features"], spec["coef"], strict=True))
    return float(1 / (1 + np.exp(-z)))


def ranked(lists, spec, sources) -> dict[str, list[tuple[str, float]]]:
    return {
        s: sorted(((t, probability(spec, v)) for t, v in lists.get(s, [])), key=lambda p: (-p[1], p[0]))[:20]
        for s in sources
    }


def report(runs, qrels, split, half: str) -> dict:
    """The half's ranking figures overall and by writing style, and each label's precision in the top 20."""
    sources = [s for s, (h, _) in split.items() if h == half and s in qrels]
    styles = sorted({split[s][1] for s in sources})
    figures = {}
    for style in ["all", *styles]:
        chosen = [s for s in sources if style == "all" or split[s][1] == style]
        result = evaluate({s: [t for t, _ in runs[s]] for s in chosen}, {s: qrels[s] for s in chosen})
        figures[style] = {**{k: round(v, 3) for k, v in result.mean.items()}, "sources": len(chosen)}
    labels = {}
    for name, low, high in (("高", HIGH, 2.0), ("较高", FAIR, HIGH), ("一般（展示）", FLOOR, FAIR)):
        picked = [(s, t) for s in sources for t, p in runs[s] if low <= p < high]
        good = sum(qrels[s].get(t, 0) >= 2 for s, t in picked)
        labels[name] = {"count": len(picked), "precision": round(good / len(picked), 3) if picked else None}
    return {"ranking": figures, "labels": labels}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--write", action="store_true", help=f"store the models in {MODEL_FILE}")
    args = parser.parse_args(argv)
    qrels, split = read_qrels(args.data / "qrels.tsv"), read_split(args.data / "split.tsv")
    rows = candidates(args.data)
    tune = [s for s, (h, _) in split.items() if h == "tune"]
    out = {"fitted_on": f"{args.data.relative_to(ROOT)} (tune half, {len(tune)} sources)", "models": {}, "test": {}}
    for name, names, hybrid in (("hybrid", HYBRID, True), ("lexical", LEXICAL, False)):
        lists = feature_rows(rows, hybrid)
        spec = fit(lists, names, qrels, tune)
        out["models"][name] = spec
        out["test"][name] = report(ranked(lists, spec, list(split)), qrels, split, "test")
    print(json.dumps(out, ensure_ascii=False, indent=1))
    if args.write:
        MODEL_FILE.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
