"""The rubric engine: one implementation of weighted scoring for every panel of the platform (event judging in
app/events/judging, expert review of challenges in app/challenges/review).

A rubric is a list of criteria, each with an `id`, a `weight` (whole percent; the weights sum to 100) and a
`max_score`. Scores are whole half-points (7.5 → 15), so every sum and mean below is exact (fractions).

- A scorer's weighted score for a subject = Σ (score ÷ maximum × weight) over the criteria, 0–100; a scorer
  with any criterion missing has no weighted score for that subject (incomplete).
- The subject's result = the mean of the weighted scores of the scorers who scored *every* criterion
  ("3/5 位评委完成"), rounded to two decimals half up.
- Ranks: high to low; equal rounded results share a rank and are marked tied (1, 2, 2, 4); subjects without
  any complete score come last, unranked.

Subjects and scorers are whatever the caller ranks (a presenter and its judges, an application and its
experts): this module only sees their keys.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, Protocol

from app.core.errors import FieldError, ValidationFailed

CENT = Decimal("0.01")
WEIGHT_TOTAL = 100
MAX_CRITERIA = 20
MAX_SCORE_LIMIT = 1000
NAME_MAX = 50


class Criterion(Protocol):
    id: Any
    weight: int
    max_score: int


@dataclass(frozen=True)
class CriterionInput:
    """A rubric line as typed: name, weight (%) and maximum score, all text."""

    name: str
    weight: str
    max_score: str


def _whole(text: str, low: int, high: int, message: str) -> int:
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 4 and low <= int(text) <= high):
        raise ValidationFailed(message)
    return int(text)


def parse_rubric(rows: Sequence[CriterionInput]) -> list[tuple[str, int, int]]:
    """Typed rubric lines as (name, weight, max_score), blank lines dropped. The rules: 1–20 criteria with
    distinct names of at most 50 characters; each weight a whole percent and the weights sum to exactly 100 (no
    silent normalising: what was typed is what counts); each maximum a whole number 1–1000. ValidationFailed
    names the first line that breaks one."""
    rows = [r for r in rows if (r.name or "").strip() or (r.weight or "").strip() or (r.max_score or "").strip()]
    if not 1 <= len(rows) <= MAX_CRITERIA:
        raise ValidationFailed(f"请填写 1 到 {MAX_CRITERIA} 项评分标准")
    parsed = []
    for number, row in enumerate(rows, start=1):
        name = (row.name or "").strip()
        if not name or len(name) > NAME_MAX:
            raise ValidationFailed(f"第 {number} 项：请填写名称（不超过 {NAME_MAX} 字）")
        weight = _whole(row.weight, 1, 100, f"第 {number} 项“{name}”：权重须为 1 到 100 的整数")
        top = _whole(
            row.max_score, 1, MAX_SCORE_LIMIT, f"第 {number} 项“{name}”：满分须为 1 到 {MAX_SCORE_LIMIT} 的整数"
        )
        parsed.append((name, weight, top))
    if len({name for name, _, _ in parsed}) != len(parsed):
        raise ValidationFailed("评分标准的名称不能重复")
    if problem := weight_problem([weight for _, weight, _ in parsed]):
        raise ValidationFailed(problem)
    return parsed


def parse_half_points(text: str | None, name: str, max_score: int, field_name: str) -> int | None:
    """A typed score as whole half-points: blank is None (not scored); anything else must be a number from 0 to
    the maximum in steps of 0.5, or a FieldError on `field_name` says what is wrong, in Chinese."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise FieldError(field_name, f"“{name}”请填写数字")
    if not 0 <= value <= max_score:
        raise FieldError(field_name, f"“{name}”的分数须在 0 到 {max_score} 之间")
    doubled = value * 2
    if doubled != doubled.to_integral_value():
        raise FieldError(field_name, f"“{name}”的分数须为 0.5 的整数倍")
    return int(doubled)


def shown(half_points: int) -> str:
    """Half-points as a score reads on a form: 15 → "7.5", 16 → "8"."""
    return f"{half_points / 2:g}"


def weight_problem(weights: Sequence[int]) -> str | None:
    """Why these weights cannot form a rubric (they must sum to exactly 100), or None."""
    total = sum(weights)
    return None if total == WEIGHT_TOTAL else f"各项权重之和须为 {WEIGHT_TOTAL}，现在是 {total}"


def weighted(half_points: Mapping[Any, int], rubric: Sequence[Criterion]) -> Fraction | None:
    """Σ score/max × weight over the rubric; None when a criterion is missing."""
    if not rubric or any(c.id not in half_points for c in rubric):
        return None
    return sum((Fraction(half_points[c.id], 2) / c.max_score * c.weight for c in rubric), Fraction(0))


def rounded(value: Fraction | None) -> Decimal | None:
    """Two decimals, half up (what pages and exports show and what ranks compare)."""
    if value is None:
        return None
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class Tally:
    """One subject's result over a panel: the rounded mean of complete scorers, how many of the panel were
    complete, each scorer's rounded weighted score (None: incomplete), comments by scorer, and its rank."""

    subject: Any
    result: Decimal | None
    complete: int
    scorer_count: int
    per_scorer: dict[Hashable, Decimal | None] = field(default_factory=dict)
    comments: dict[Hashable, str] = field(default_factory=dict)
    rank: int | None = None
    tied: bool = False


def tally(
    subject: Any,
    scorers: Iterable[Hashable],
    sheets: Mapping[Hashable, Mapping[Any, int]],
    rubric: Sequence[Criterion],
    comments: Mapping[Hashable, str] | None = None,
    row_type: type[Tally] = Tally,
) -> Tally:
    """The subject's Tally: `sheets` maps a scorer key to its scores (criterion id → half-points); scorers
    without a sheet count as incomplete."""
    scorers = list(scorers)
    row = row_type(subject, None, 0, len(scorers))
    totals = []
    for key in scorers:
        total = weighted(sheets[key], rubric) if key in sheets else None
        row.per_scorer[key] = rounded(total)
        if comments and comments.get(key):
            row.comments[key] = comments[key]
        if total is not None:
            totals.append(total)
    row.complete = len(totals)
    row.result = rounded(sum(totals, Fraction(0)) / len(totals)) if totals else None
    return row


def rank_rows(rows: Iterable[Tally], order: Callable[[Tally], Any]) -> list[Tally]:
    """Scored rows high to low with shared ranks for equal results (1, 2, 2, 4), equal results in `order`;
    unscored rows last, in `order`, without a rank."""
    rows = list(rows)
    scored = sorted((r for r in rows if r.result is not None), key=lambda r: (-r.result, order(r)))
    for i, row in enumerate(scored):
        row.rank = scored[i - 1].rank if i and scored[i - 1].result == row.result else i + 1
    counts: dict[int, int] = {}
    for row in scored:
        counts[row.rank] = counts.get(row.rank, 0) + 1
    for row in scored:
        row.tied = counts[row.rank] > 1
    unscored = sorted((r for r in rows if r.result is None), key=order)
    for row in unscored:
        row.rank, row.tied = None, False
    return scored + unscored
