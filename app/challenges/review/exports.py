"""The review desk's downloads (.xlsx, through app/core/exports.py): the applications summary and the experts'
score sheets. A blind review's score sheets name applications by code only (申报单位A), as the experts saw them:
the sheets go round the panel for signature."""

from __future__ import annotations

from decimal import Decimal

from app.challenges.applications.eligibility import eligibility_problems
from app.challenges.items.models import ChallengeItem
from app.challenges.review.scoring import ranked
from app.challenges.review.screening import screening_list
from app.challenges.review.services import active_assignments, applicant_code, applicant_name, criteria, stages_for
from app.core.challenge_enums import ApplicationStatus, PartnerStatus, ReviewStage
from app.core.web import local_time

SCREEN_OUTCOMES = {
    ApplicationStatus.SUBMITTED: "待审查",
    ApplicationStatus.RETURNED: "退回补正",
    ApplicationStatus.SCREEN_FAILED: "不通过",
}


def _screening_result(application) -> str:
    outcome = SCREEN_OUTCOMES.get(application.status, "通过")
    if application.status == ApplicationStatus.RETURNED and application.resubmit_by:
        return f"{outcome}（{application.resubmit_by:%Y-%m-%d} 前补正）"
    return outcome


def summary_table(item: ChallengeItem) -> tuple[list[str], list[list]]:
    """Every submitted application: who, status, eligibility today, 形式审查, and the review result and rank."""
    results = {row.application.id: row for row in ranked(item, ReviewStage.REVIEW)}
    headers = ["编号", "牵头单位", "联合体成员", "项目名称", "状态", "提交时间", "资格条件", "形式审查", "审查说明"]
    headers += ["专家评审结果", "名次", "完成评审专家"]
    table = []
    for application in screening_list(item):
        problems = eligibility_problems(application.org, item)
        partners = [
            f"{p.org.name}（{p.status.label}）" for p in application.partners if p.status != PartnerStatus.DECLINED
        ]
        row = results.get(application.id)
        table.append(
            [
                applicant_code(application),
                application.org.name,
                partners,
                application.project_title,
                application.status.label,
                local_time(application.submitted_at),
                "；".join(problems) if problems else "符合",
                _screening_result(application),
                application.return_reason or "",
                str(row.result) if row and row.result is not None else "",
                (f"{row.rank}（并列）" if row.tied else row.rank) if row and row.rank else "",
                f"{row.complete}/{row.scorer_count}" if row else "",
            ]
        )
    return headers, table


def score_sheets(item: ChallengeItem) -> list[tuple[str, list[str], list[list]]]:
    """One worksheet per stage: a row per expert × application × criterion, with the expert's comment and
    weighted score."""
    sheets = []
    for stage in stages_for(item):
        rubric = criteria(item, stage)
        results = {row.application.id: row for row in ranked(item, stage)}
        headers = ["专家", "职称", "工作单位", "申报编号"]
        headers += [] if item.blind_review else ["申报单位"]
        headers += ["评分项", "权重（%）", "满分", "得分", "该专家加权得分", "评语", "声明无利益冲突时间", "提交时间"]
        table = []
        for assignment in active_assignments(item, stage):
            application, expert = assignment.application, assignment.expert
            scores = {s.criterion_id: s.half_points for s in assignment.scores}
            weighted = results[application.id].per_scorer.get(expert.id) if application.id in results else None
            for criterion in rubric:
                line = [expert.user.name, expert.title, expert.affiliation, applicant_code(application)]
                line += [] if item.blind_review else [applicant_name(application)]
                line += [
                    criterion.name,
                    criterion.weight,
                    criterion.max_score,
                    Decimal(scores[criterion.id]) / 2 if criterion.id in scores else "未评",
                    str(weighted) if weighted is not None else "未完成",
                    assignment.comment or "",
                    local_time(assignment.declared_at),
                    local_time(assignment.submitted_at),
                ]
                table.append(line)
        sheets.append((stage.label, headers, table))
    return sheets
