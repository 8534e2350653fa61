"""Quality section: the shipped ranking and labels on the test half of the hard labelled set
(tests/data/eval_hard, written as SME owners and procurement staff write), by writing style, beside
lexical-only and dense-only rankings of the same candidates; embedded and OpenSearch.

The model is the shipped one (app/matching/calibration.json, fitted on the tune half by
`python -m tests.benchmarks.calibrate --write`); nothing is refitted here.
"""

from __future__ import annotations

import json

from app.matching.calibration import MODEL_FILE
from tests.benchmarks.calibrate import DEFAULT_DATA, benchmark_qrels, feature_rows, ranked, read_split, report
from tests.benchmarks.calibrate import candidates as app_candidates
from tests.benchmarks.common import fmt, load_average, say, table

TARGETS = {"all": 0.90, "lay": 0.80}
RECALL_TARGET = 0.97
AGREE = 0.02
STYLE_SLACK = 0.01  # the hybrid may trail the better single ranking by this much on one writing style


def _by(lists, key) -> dict[str, list[tuple[str, float]]]:
    return {s: sorted(((t, key(v)) for t, v in items), key=lambda p: (-p[1], p[0]))[:20] for s, items in lists.items()}


def rankings(rows) -> dict[str, dict]:
    """The same candidates ranked three ways; the shipped one as scoring stores it (labels monotone)."""
    lists = feature_rows(rows, True)
    shipped = json.loads(MODEL_FILE.read_text(encoding="utf-8"))["models"]
    return {
        "lexical only": _by(lists, lambda v: v["lexical"] if v["lexical_hit"] else -1.0),
        "dense only": _by(lists, lambda v: v["dense"]),
        "shipped hybrid": ranked(lists, shipped["hybrid"], list(lists), shipped["hybrid_label"]),
    }


def versus_single(figures: dict, name: str, styles: list[str]) -> str:
    """The shipped hybrid against the better of lexical-only and dense-only, overall and per writing style."""

    def ndcg(label: str, style: str) -> float:
        return figures[(name, label)]["ranking"][style]["ndcg@10"]

    gaps = {s: ndcg("shipped hybrid", s) - max(ndcg("lexical only", s), ndcg("dense only", s)) for s in styles}
    worst = min((s for s in styles if s != "all"), key=gaps.get)
    verdict = "beats" if gaps["all"] > 0 else "does NOT beat"
    within = "within" if gaps[worst] >= -STYLE_SLACK else "NOT within"
    return (
        f"hybrid {verdict} the better single ranking overall ({gaps['all']:+.3f}); "
        f"worst style {worst} {gaps[worst]:+.3f} ({within} {STYLE_SLACK})"
    )


def run(search_url: str, engine_why: str | None, data=DEFAULT_DATA) -> dict:
    say(f"\n[quality] hard labelled set {data} (test half) … ({load_average()})")
    qrels, split = benchmark_qrels(data), read_split(data / "split.tsv")
    backends = {"embedded": {}}
    if engine_why is None:
        backends["OpenSearch"] = {"SEARCH_BACKEND": "opensearch", "SEARCH_URL": search_url, "SEARCH_PREFIX": "lqq"}
    figures = {}
    for name, settings in backends.items():
        for label, runs in rankings(app_candidates(data, **settings)).items():
            figures[(name, label)] = report(runs, qrels, split, "test")
    styles = list(figures[("embedded", "shipped hybrid")]["ranking"])
    rows = []
    for (name, label), result in figures.items():
        ranking = result["ranking"]
        rows.append(
            [f"{label} · {name}", *(fmt(ranking[s]["ndcg@10"], 3) for s in styles), fmt(ranking["all"]["recall@20"], 3)]
        )
    shipped = figures[("embedded", "shipped hybrid")]
    notes = [
        f"targets: nDCG@10 all ≥ {TARGETS['all']}, lay ≥ {TARGETS['lay']}, Recall@20 ≥ {RECALL_TARGET}; "
        f"sources per style: " + ", ".join(f"{s} {shipped['ranking'][s]['sources']}" for s in styles),
        "label precision (share judged relevant, grade ≥ 2) in the top 20: "
        + "; ".join(f"{k} {v['precision']} of {v['count']}" for k, v in shipped["labels"].items()),
    ]
    for name in dict.fromkeys(n for n, _ in figures):
        notes.append(f"{name}: " + versus_single(figures, name, styles))
    if ("OpenSearch", "shipped hybrid") in figures:
        gap = abs(
            shipped["ranking"]["all"]["ndcg@10"]
            - figures[("OpenSearch", "shipped hybrid")]["ranking"]["all"]["ndcg@10"]
        )
        notes.append(
            f"embedded vs OpenSearch (shipped hybrid): gap {gap:.3f} nDCG@10 ({'within' if gap <= AGREE else 'NOT within'} {AGREE})"
        )
    else:
        notes.append(f"OpenSearch NOT MEASURED: {engine_why}")
    notes.append(f"measured at {load_average()}")
    say(
        table(
            "Ranking quality · hard labelled set, test half · nDCG@10 by writing style",
            ["ranking · backend", *styles, "recall@20"],
            rows,
            "\n".join(notes),
        )
    )
    return figures
