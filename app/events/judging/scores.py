"""Scores and results.

Scoring: a judge saves one presenter at a time; each criterion takes 0 to its maximum in steps of 0.5, or
is left blank (not yet scored). A judge may revise until scoring is closed.

Results (also shown on the results page):
- a judge's weighted score for a presenter = Σ (score ÷ maximum × weight) over the criteria, 0–100;
- the presenter's result = the mean of the weighted scores of the judges who scored *every* criterion
  for that presenter; a judge with a criterion missing is left out for that presenter ("3/5 位评委完成");
- results are rounded to two decimals (half up) and ranked high to low; equal rounded results share a
  rank and are marked 并列 (1, 2, 2, 4); presenters without any complete score are listed last as 未评分.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.core.enums import HistoryAction
from app.core.errors import FieldError, ValidationFailed
from app.core.models import record_action
from app.events.judging.models import Criterion, Judge, Presenter, Score, ScoreSheet
from app.events.judging.services import criteria, ensure_open, judges, presenters
from app.events.models import Event
from app.extensions import db

COMMENT_MAX = 1000
CENT = Decimal("0.01")


def field_name(criterion: Criterion) -> str:
    return f"c{criterion.id}"


def _half_points(text: str, criterion: Criterion) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise FieldError(field_name(criterion), f"“{criterion.name}”请填写数字")
    if not 0 <= value <= criterion.max_score:
        raise FieldError(field_name(criterion), f"“{criterion.name}”的分数须在 0 到 {criterion.max_score} 之间")
    doubled = value * 2
    if doubled != doubled.to_integral_value():
        raise FieldError(field_name(criterion), f"“{criterion.name}”的分数须为 0.5 的整数倍")
    return int(doubled)


def save_scores(event: Event, judge: Judge, presenter: Presenter, values: dict[str, str], comment: str) -> ScoreSheet:
    """Save (or revise) one judge's scores for one presenter, all or nothing; refused once scoring is
    closed. A blank criterion removes an earlier score for it."""
    ensure_open(event)
    rubric = criteria(event)
    if not rubric:
        raise ValidationFailed("组织方尚未设置评分标准")
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise FieldError("comment", f"评语不能超过 {COMMENT_MAX} 字")
    parsed = {c.id: _half_points(values.get(field_name(c), ""), c) for c in rubric}
    sheet = db.session.scalar(
        sa.select(ScoreSheet).where(ScoreSheet.presenter_id == presenter.id, ScoreSheet.judge_id == judge.id)
    ) or ScoreSheet(presenter_id=presenter.id, judge_id=judge.id)
    sheet.comment = comment or None
    db.session.add(sheet)
    db.session.flush()
    existing = {s.criterion_id: s for s in sheet.scores}
    for criterion_id, half in parsed.items():
        score = existing.get(criterion_id)
        if half is None:
            if score is not None:
                sheet.scores.remove(score)
        elif score is None:
            sheet.scores.append(Score(criterion_id=criterion_id, half_points=half))
        else:
            score.half_points = half
    db.session.flush()
    record_action("score_sheet", sheet.id, HistoryAction.SCORES_SAVED, judge.user)
    return sheet


def own_sheets(judge: Judge) -> dict[int, ScoreSheet]:
    """The judge's own sheets by presenter id — never anyone else's."""
    rows = db.session.scalars(
        sa.select(ScoreSheet).where(ScoreSheet.judge_id == judge.id).options(selectinload(ScoreSheet.scores))
    )
    return {s.presenter_id: s for s in rows}


def sheet_values(sheet: ScoreSheet | None) -> dict[int, str]:
    """A sheet's scores as the form shows them (7.5, 8), by criterion id."""
    if sheet is None:
        return {}
    return {s.criterion_id: f"{s.half_points / 2:g}" for s in sheet.scores}


# --- results ---------------------------------------------------------------------------------------


def rounded(value: Fraction | None) -> Decimal | None:
    if value is None:
        return None
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class ResultRow:
    presenter: Presenter
    result: Decimal | None
    complete: int  # judges who scored every criterion
    judge_count: int
    per_judge: dict[int, Decimal | None] = field(default_factory=dict)  # judge id → weighted score (None: incomplete)
    comments: dict[int, str] = field(default_factory=dict)
    rank: int | None = None
    tied: bool = False


def weighted(half_points: dict[int, int], rubric: list[Criterion]) -> Fraction | None:
    """Σ score/max × weight over the rubric; None when a criterion is missing."""
    if any(c.id not in half_points for c in rubric):
        return None
    return sum((Fraction(half_points[c.id], 2) / c.max_score * c.weight for c in rubric), Fraction(0))


def compute_results(event: Event) -> list[ResultRow]:
    """Every presenter's result and rank by the rules in the module docstring."""
    rubric, panel, lineup = criteria(event), judges(event), presenters(event)
    sheets = db.session.scalars(
        sa.select(ScoreSheet)
        .join(Presenter, Presenter.id == ScoreSheet.presenter_id)
        .where(Presenter.event_id == event.id)
        .options(selectinload(ScoreSheet.scores))
    ).all()
    by_pair = {(s.presenter_id, s.judge_id): s for s in sheets}
    rows = []
    for presenter in lineup:
        row = ResultRow(presenter, None, 0, len(panel))
        totals = []
        for judge in panel:
            sheet = by_pair.get((presenter.id, judge.id))
            total = weighted({s.criterion_id: s.half_points for s in sheet.scores}, rubric) if sheet else None
            row.per_judge[judge.id] = rounded(total)
            if sheet and sheet.comment:
                row.comments[judge.id] = sheet.comment
            if total is not None:
                totals.append(total)
        row.complete = len(totals)
        row.result = rounded(sum(totals, Fraction(0)) / len(totals)) if totals and rubric else None
        rows.append(row)
    return rank_rows(rows)


def rank_rows(rows: list[ResultRow]) -> list[ResultRow]:
    """Scored rows high to low with shared ranks for equal results (1, 2, 2, 4); unscored rows last."""
    scored = sorted((r for r in rows if r.result is not None), key=lambda r: (-r.result, r.presenter.position))
    for i, row in enumerate(scored):
        row.rank = scored[i - 1].rank if i and scored[i - 1].result == row.result else i + 1
    for row in scored:
        row.tied = sum(1 for other in scored if other.rank == row.rank) > 1
    unscored = sorted((r for r in rows if r.result is None), key=lambda r: r.presenter.position)
    return scored + unscored


def results_table(event: Event, rows: list[ResultRow]) -> tuple[list[str], list[list]]:
    """Headers and rows for the results export: rank, company, result, completion, then each judge."""
    panel = judges(event)
    headers = ["名次", "并列", "出场顺序", "企业", "项目", "结果（加权平均）", "完成评委"]
    headers += [f"评委：{j.user.name}" for j in panel]
    table = []
    for r in rows:
        line = [
            r.rank if r.rank else "未评分",
            "并列" if r.tied else "",
            r.presenter.position,
            r.presenter.name,
            r.presenter.project or "",
            str(r.result) if r.result is not None else "",
            f"{r.complete}/{r.judge_count}",
        ]
        line += [str(r.per_judge.get(j.id)) if r.per_judge.get(j.id) is not None else "未完成" for j in panel]
        table.append(line)
    return headers, table
