"""Scores and results.

Scoring: a judge saves one presenter at a time; each criterion takes 0 to its maximum in steps of 0.5, or
is left blank (not yet scored). A judge may revise until scoring is closed.

Results (also shown on the results page) follow the rubric engine, app/core/rubric.py: weighted scores,
the mean over judges who scored every criterion ("3/5 位评委完成"), two decimals, ranks with ties (1, 2, 2, 4),
presenters without any complete score last as 未评分.
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.core.enums import HistoryAction
from app.core.errors import FieldError, ValidationFailed
from app.core.models import record_action
from app.core.rubric import Tally, parse_half_points, rank_rows, shown, tally
from app.events.judging.models import Criterion, Judge, Presenter, Score, ScoreSheet
from app.events.judging.services import criteria, ensure_open, judges, presenters
from app.events.models import Event
from app.extensions import db

COMMENT_MAX = 1000


def field_name(criterion: Criterion) -> str:
    return f"c{criterion.id}"


def _half_points(text: str, criterion: Criterion) -> int | None:
    return parse_half_points(text, criterion.name, criterion.max_score, field_name(criterion))


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
    return {s.criterion_id: shown(s.half_points) for s in sheet.scores}


# --- results ---------------------------------------------------------------------------------------


class ResultRow(Tally):
    """A presenter's Tally, read in the judging pages' words."""

    @property
    def presenter(self) -> Presenter:
        return self.subject

    @property
    def per_judge(self) -> dict[int, Decimal | None]:  # judge id → weighted score (None: incomplete)
        return self.per_scorer

    @property
    def judge_count(self) -> int:
        return self.scorer_count


def compute_results(event: Event) -> list[ResultRow]:
    """Every presenter's result and rank by the rules in the module docstring."""
    rubric, panel, lineup = criteria(event), judges(event), presenters(event)
    sheets = db.session.scalars(
        sa.select(ScoreSheet)
        .join(Presenter, Presenter.id == ScoreSheet.presenter_id)
        .where(Presenter.event_id == event.id)
        .options(selectinload(ScoreSheet.scores))
    ).all()
    by_presenter: dict[int, list[ScoreSheet]] = {}
    for sheet in sheets:
        by_presenter.setdefault(sheet.presenter_id, []).append(sheet)
    rows = []
    for presenter in lineup:
        own = by_presenter.get(presenter.id, [])
        rows.append(
            tally(
                presenter,
                [j.id for j in panel],
                {s.judge_id: {x.criterion_id: x.half_points for x in s.scores} for s in own},
                rubric,
                comments={s.judge_id: s.comment for s in own if s.comment},
                row_type=ResultRow,
            )
        )
    return rank_rows(rows, order=lambda r: r.presenter.position)


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
