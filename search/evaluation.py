"""Ranking quality of matches against graded judgements (qrels), and the file formats involved.

A run is {source_ref: [target_ref, … best first]}; qrels are {source_ref: {target_ref: grade}}
with grades 0–3 (3 exactly solves it, 2 clearly useful, 1 related, 0 judged not relevant).
Unjudged targets count as grade 0.

- nDCG@10: gain 2^g − 1, discount log2(rank + 1); the ideal ranking is built from every judged
  target of the query, so relevant targets the run missed lower the score.
- Recall@20: share of the relevant targets (grade ≥ 2) found in the first 20.
- MRR: 1 / rank of the first relevant target (grade ≥ 2) in the run, 0 if none.
- P@5: relevant targets (grade ≥ 2) among the first 5, divided by 5.

Every query in the qrels with at least one grade ≥ 1 is evaluated; one the run lacks scores 0
everywhere. A metric that is undefined for a query (Recall@20 and MRR without any grade ≥ 2 target)
is left out of that metric's mean. Queries only in the run are ignored.

Formats:
- qrels (TSV, UTF-8): `source_ref<TAB>target_ref<TAB>grade` per line; blank lines and lines
  starting with # are skipped, as is a first line `source_ref target_ref grade`.
- matching export (JSONL): {"source_ref", "target_ref", "rank", "score", "reasons"} per line, as
  written by `flask matching export`; each source's targets are ordered by rank.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

RELEVANT = 2  # grade from which a target counts as relevant for Recall, MRR and P@5
MAX_GRADE = 3
METRICS = ("ndcg@10", "recall@20", "mrr", "p@5")
QRELS_HEADER = ("source_ref", "target_ref", "grade")

Run = Mapping[str, Sequence[str]]
Qrels = Mapping[str, Mapping[str, int]]


def _dedupe(ranked: Sequence[str]) -> list[str]:
    """A target listed twice keeps its first (better) place."""
    return list(dict.fromkeys(ranked))


def ndcg_at(ranked: Sequence[str], judged: Mapping[str, int], k: int = 10) -> float | None:
    ideal_gains = sorted((2**g - 1 for g in judged.values() if g > 0), reverse=True)[:k]
    ideal = sum(gain / math.log2(i + 2) for i, gain in enumerate(ideal_gains))
    if ideal == 0:
        return None
    gains = (2 ** judged.get(target, 0) - 1 for target in _dedupe(ranked)[:k])
    return sum(gain / math.log2(i + 2) for i, gain in enumerate(gains)) / ideal


def recall_at(ranked: Sequence[str], judged: Mapping[str, int], k: int = 20) -> float | None:
    relevant = {t for t, g in judged.items() if g >= RELEVANT}
    if not relevant:
        return None
    return len(relevant.intersection(_dedupe(ranked)[:k])) / len(relevant)


def reciprocal_rank(ranked: Sequence[str], judged: Mapping[str, int]) -> float | None:
    if not any(g >= RELEVANT for g in judged.values()):
        return None
    for rank, target in enumerate(_dedupe(ranked), start=1):
        if judged.get(target, 0) >= RELEVANT:
            return 1.0 / rank
    return 0.0


def precision_at(ranked: Sequence[str], judged: Mapping[str, int], k: int = 5) -> float:
    return sum(1 for t in _dedupe(ranked)[:k] if judged.get(t, 0) >= RELEVANT) / k


def query_metrics(ranked: Sequence[str], judged: Mapping[str, int]) -> dict[str, float | None]:
    return {
        "ndcg@10": ndcg_at(ranked, judged, 10),
        "recall@20": recall_at(ranked, judged, 20),
        "mrr": reciprocal_rank(ranked, judged),
        "p@5": precision_at(ranked, judged, 5),
    }


@dataclass
class Evaluation:
    per_query: dict[str, dict[str, float | None]]
    mean: dict[str, float]
    missing: list[str]  # judged queries the run has no results for (scored 0)

    @property
    def queries(self) -> int:
        return len(self.per_query)

    def summary(self) -> str:
        """One line: `nDCG@10 0.712  Recall@20 0.853  MRR 0.801  P@5 0.422  (45 queries)`."""
        names = {"ndcg@10": "nDCG@10", "recall@20": "Recall@20", "mrr": "MRR", "p@5": "P@5"}
        figures = "  ".join(f"{names[m]} {self.mean[m]:.3f}" for m in METRICS)
        return f"{figures}  ({self.queries} queries)"


def evaluate(run: Run, qrels: Qrels) -> Evaluation:
    per_query: dict[str, dict[str, float | None]] = {}
    for source in sorted(qrels):
        judged = qrels[source]
        if not any(g > 0 for g in judged.values()):
            continue
        per_query[source] = query_metrics(run.get(source, ()), judged)
    mean = {}
    for metric in METRICS:
        values = [m[metric] for m in per_query.values() if m[metric] is not None]
        mean[metric] = sum(values) / len(values) if values else 0.0
    missing = [s for s in per_query if not run.get(s)]
    return Evaluation(per_query, mean, missing)


# --- files ---------------------------------------------------------------------------------


def parse_qrels(lines: Sequence[str] | str) -> dict[str, dict[str, int]]:
    """qrels TSV text → {source_ref: {target_ref: grade}}; ValueError naming the bad line."""
    if isinstance(lines, str):
        lines = lines.splitlines()
    qrels: dict[str, dict[str, int]] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = [f.strip() for f in line.rstrip("\r\n").split("\t")]
        if tuple(fields) == QRELS_HEADER and not qrels:
            continue
        if len(fields) != 3 or not fields[0] or not fields[1]:
            raise ValueError(f"qrels line {number}: expected source_ref<TAB>target_ref<TAB>grade")
        source, target, grade_text = fields
        if not grade_text.isdigit() or not 0 <= int(grade_text) <= MAX_GRADE:
            raise ValueError(f"qrels line {number}: grade {grade_text!r} is not an integer 0–{MAX_GRADE}")
        if target in qrels.get(source, {}):
            raise ValueError(f"qrels line {number}: {source} → {target} is judged twice")
        qrels.setdefault(source, {})[target] = int(grade_text)
    return qrels


def read_qrels(path: str | Path) -> dict[str, dict[str, int]]:
    return parse_qrels(Path(path).read_text(encoding="utf-8"))


def parse_run_jsonl(lines: Sequence[str] | str) -> dict[str, list[str]]:
    """Matching-export JSONL → {source_ref: [target_ref by rank]}; ValueError naming the bad line."""
    if isinstance(lines, str):
        lines = lines.splitlines()
    rows: dict[str, list[tuple[int, float, str]]] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            source, target = str(record["source_ref"]), str(record["target_ref"])
            rank = int(record["rank"])
            score = float(record.get("score") or 0.0)
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"run line {number}: not a match record ({exc})") from exc
        rows.setdefault(source, []).append((rank, -score, target))
    return {source: [target for _, _, target in sorted(items)] for source, items in rows.items()}


def read_run_jsonl(path: str | Path) -> dict[str, list[str]]:
    return parse_run_jsonl(Path(path).read_text(encoding="utf-8"))
