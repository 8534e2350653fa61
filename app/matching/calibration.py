"""Absolute match strength: the probability that a suggested target is relevant to its source.

A candidate's fused score is relative to its list (min-max fusion puts every list's best near 1), so it
cannot say "高" on its own: a need with nothing relevant anywhere still has a best candidate. The
probability comes from a logistic model over features every scored candidate has — its cosine (an
absolute measure), its cosine and lexical score relative to the list, its closeness to the list's best
semantic match (anchor_of), and the field signals — fitted on the tuning half of the hard labelled set
(tests/data/eval_hard; `make bench` reports the test half) to predict grade ≥ 2. Two kinds of model, each with vectors (`hybrid…`) and without (`lexical…`): the
ranking model orders a list (features that help the order on the tune half), the label model gives the
probability shown as the label (it also weighs coverage, an absolute measure of shared subject matter
that the list-relative scores lack), made non-increasing down the ranked list (monotone()).

Labels: 高 at probability ≥ HIGH, 较高 ≥ FAIR, else 一般; below FLOOR a candidate is kept for the
export and the evaluation but not shown as a recommendation, and "新的高分匹配" needs 高.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from app.core.enums import MatchLabel

MODEL_FILE = Path(__file__).with_name("calibration.json")
HIGH = 0.7
FAIR = 0.4
FLOOR = 0.15
SIGNAL_CODES = ("same_division", "same_section", "trl_ready", "trl_early", "trl_joint", "same_city", "same_province")


@dataclass(frozen=True)
class Model:
    """sigmoid(intercept + Σ coef · feature); features missing from a candidate count as 0."""

    features: tuple[str, ...]
    coef: tuple[float, ...]
    intercept: float

    def probability(self, values: Mapping[str, float]) -> float:
        z = self.intercept + sum(c * float(values.get(f, 0.0)) for f, c in zip(self.features, self.coef, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))


@cache
def models(path: Path = MODEL_FILE) -> dict[str, Model]:
    """The fitted models by name ("hybrid", "lexical"), read once per process."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {
        name: Model(tuple(spec["features"]), tuple(spec["coef"]), float(spec["intercept"]))
        for name, spec in data["models"].items()
    }


@dataclass(frozen=True)
class ListStats:
    """What a candidate's features are measured against: its source's candidate list of one kind."""

    lexical_low: float
    lexical_high: float
    dense_low: float
    dense_high: float
    dense_median: float
    anchor_median: float = 0.0

    @classmethod
    def of(cls, lexical: list[float], dense: list[float], anchor: list[float] | None = None) -> ListStats:
        ordered = sorted(dense)
        low, high = (ordered[0], ordered[-1]) if ordered else (0.0, 0.0)
        return cls(
            min(lexical, default=0.0), max(lexical, default=0.0), low, high, _median(ordered), _median(anchor or [])
        )


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else 0.0


def _scaled(value: float, low: float, high: float) -> float:
    """Min-max within the list; a list whose values are all equal scales to 1 (all are its best)."""
    return (value - low) / (high - low) if high > low else 1.0


def coverage(source: tuple[tuple[str, ...], ...], target: tuple[tuple[str, ...], ...]) -> dict[str, float]:
    """How much of what the source names the target names too, from both postings' whole words
    (posting_tokens: keywords, title, body): the share of the source's keywords and of its title's
    words (two characters or more) found anywhere in the target. Absolute, unlike the list-relative
    scores: a need about 矿卡轮胎 is not covered by a 矿卡电驱系统 however high the latter ranks."""
    found = set().union(*target)
    values = {}
    for name, words in (("keyword_cover", source[0]), ("title_cover", source[1])):
        wanted = {w for w in words if len(w) >= 2}
        values[name] = len(wanted & found) / len(wanted) if wanted else 0.0
    return values


def features(
    lexical: float | None,
    dense: float | None,
    signals: Mapping[str, float],
    stats: ListStats,
    cover: Mapping[str, float] | None = None,
    anchor: float | None = None,
) -> dict:
    """A candidate's features: its lexical score min-max within the list (0 when the lexical side missed
    it) and whether it hit; its cosine (the list's median when it has none), min-max within the list and
    its gap to the list's best; its cosine with the list's anchor (anchor_of(); the list's median when it
    has none); the weight of each field signal by code; and the coverage (coverage())."""
    cosine = stats.dense_median if dense is None else dense
    values = {
        "lexical": 0.0 if lexical is None else _scaled(lexical, stats.lexical_low, stats.lexical_high),
        "lexical_hit": 0.0 if lexical is None else 1.0,
        "dense": cosine,
        "dense_norm": _scaled(cosine, stats.dense_low, stats.dense_high),
        "dense_gap": cosine - stats.dense_high,
        "anchor": stats.anchor_median if anchor is None else anchor,
    }
    values.update({code: float(signals.get(code, 0.0)) for code in SIGNAL_CODES})
    values.update(cover or {})
    return values


def anchor_of(cosines: Mapping[int, float]) -> int | None:
    """The anchor of a candidate list: the candidate whose cosine with the source is highest (ties: the
    lowest id). A candidate's cosine with the anchor's vector is pseudo-relevance feedback in the vector
    space: the targets written about the same thing as the closest one rise together, and a candidate near
    the source's wording but about another thing does not (tune half, cross-validated over its sources:
    nDCG@10 0.884 by the cosine alone, 0.90 with the anchor and a little of the lexical score)."""
    return min(cosines, key=lambda pid: (-cosines[pid], pid)) if cosines else None


def ranking_score(values: Mapping[str, float], hybrid: bool) -> float:
    """What orders a source's candidates: the ranking model ("hybrid" with vectors, else "lexical")."""
    return models()["hybrid" if hybrid else "lexical"].probability(values)


def relevance(values: Mapping[str, float], hybrid: bool) -> float:
    """The calibrated probability that the candidate is relevant: the label model ("hybrid_label" or
    "lexical_label"), which also weighs how much of what the source names the target names (coverage)."""
    return models()["hybrid_label" if hybrid else "lexical_label"].probability(values)


def monotone(probabilities: list[float]) -> list[float]:
    """Probabilities along a ranked list made non-increasing (each at most those above it), so a label
    never rises further down the list: 高 follows only 高."""
    out, ceiling = [], 1.0
    for p in probabilities:
        ceiling = min(ceiling, p)
        out.append(ceiling)
    return out


def label_of(score: float) -> MatchLabel:
    if score >= HIGH:
        return MatchLabel.HIGH
    if score >= FAIR:
        return MatchLabel.FAIR
    return MatchLabel.GENERAL


def is_shown(score: float) -> bool:
    """Whether a stored match is shown as a recommendation (the rest serve the export and evaluation)."""
    return score >= FLOOR
