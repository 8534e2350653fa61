"""The issuer's review desk (形式审查, review setup, results and exports) and the admins' expert pool. Views
parse, call a service, commit; a refusal is flashed on the page the user came from (app.core.web)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import render_template, request, url_for
from flask_login import current_user, login_required

from app.auth.decorators import platform_admin_required
from app.challenges.applications.eligibility import eligibility_problems
from app.challenges.review import assignment as assigning
from app.challenges.review import screening
from app.challenges.review.blueprint import bp
from app.challenges.review.conflicts import conflict_of
from app.challenges.review.defence import defence_candidates, defence_event, set_defence_event
from app.challenges.review.experts import ExpertInput, deactivate_expert, get_expert, open_load, pool, save_expert
from app.challenges.review.exports import score_sheets, summary_table
from app.challenges.review.forms import (
    ActionForm,
    DefenceForm,
    ExpertForm,
    FailForm,
    ManualAssignForm,
    ReturnForm,
    RubricForm,
)
from app.challenges.review.models import ReviewAssignment
from app.challenges.review.scoring import IN_REVIEW, panel, ranked
from app.challenges.review.services import (
    DEFAULT_RUBRICS,
    applicant_code,
    close_stage,
    criteria,
    is_closed,
    managed_item,
    review_round,
    save_criteria,
    scoring_started,
    stage_of,
    stages_for,
)
from app.core.challenge_enums import ApplicationStatus, ReviewStage
from app.core.clock import local_today
from app.core.errors import NotFound, ValidationFailed
from app.core.exports import export_rows, export_sheets
from app.core.forms import commit_form
from app.core.rubric import CriterionInput
from app.core.web import commit_and_redirect, parse_id
from app.events.forms import submitted
from app.events.services import can_manage as can_manage_event
from app.extensions import db

DESK = "/manage/items/<int:item_id>"
BLANK_ROWS = 2


# --- 形式审查 ---------------------------------------------------------------------------------------


@bp.get(f"{DESK}/applications", endpoint="screening")
@login_required
def screening_page(item_id):
    item = managed_item(item_id, current_user)
    applications = screening.screening_list(item)
    today = local_today()
    return render_template(
        "challenges/review/screening.html",
        item=item,
        applications=applications,
        eligibility={a.id: eligibility_problems(a.org, item, today) for a in applications},
        open_now=screening.screening_open(item, today),
        today=today,
        tomorrow=today + timedelta(days=1),
        code=applicant_code,
        fail_form=FailForm(),
        return_form=ReturnForm(),
    )


def _screening_target(item, application):
    return url_for(".screening", item_id=item.id) + f"#application-{application.id}"


@bp.post(f"{DESK}/applications/<int:application_id>/<any(pass, fail, return):outcome>")
@login_required
def screen(item_id, application_id, outcome):
    item = managed_item(item_id, current_user)
    application = screening.item_application(item, application_id)
    if outcome == "pass":
        submitted(ActionForm)
        screening.pass_screening(application, current_user)
        message = "已通过形式审查"
    elif outcome == "fail":
        form = submitted(FailForm)
        screening.fail_screening(application, current_user, form.reason.data)
        message = "已判定形式审查不通过，并通知申报单位"
    else:
        form = submitted(ReturnForm)
        screening.return_for_correction(application, current_user, form.reasons.data, form.resubmit_by.data)
        message = "已退回补正，并通知申报单位"
    return commit_and_redirect(_screening_target(item, application), message)


# --- review setup ----------------------------------------------------------------------------------


def _assignable(item, stage):
    """Applications the stage assigns experts to: past 形式审查 for 专家评审; the teams under contract
    (AWARDED) for the gate and 验收."""
    statuses = IN_REVIEW if stage == ReviewStage.REVIEW else (ApplicationStatus.AWARDED,)
    return [a for a in screening.screening_list(item) if a.status in statuses]


def _assignments_by_application(applications, stage) -> dict[int, list[ReviewAssignment]]:
    """Every assignment of these applications at the stage (ended ones too: the desk sees who declared a
    conflict)."""
    rows = db.session.scalars(
        sa.select(ReviewAssignment)
        .where(ReviewAssignment.stage == stage, ReviewAssignment.application_id.in_([a.id for a in applications]))
        .order_by(ReviewAssignment.id)
    )
    found: dict[int, list[ReviewAssignment]] = {}
    for row in rows:
        found.setdefault(row.application_id, []).append(row)
    return found


@bp.get(f"{DESK}/review")
@login_required
def setup(item_id):
    item = managed_item(item_id, current_user)
    stage = stage_of(item, request.args.get("stage", ReviewStage.REVIEW.value))
    rubric = criteria(item, stage)
    experts = pool(include_inactive=False)
    applications = _assignable(item, stage)
    return render_template(
        "challenges/review/setup.html",
        item=item,
        stage=stage,
        stages=stages_for(item),
        rubric=rubric,
        defaults=DEFAULT_RUBRICS.get(stage, ()),
        blank_rows=BLANK_ROWS if rubric else 0,
        rubric_locked=scoring_started(item, stage),
        closed=review_round(item, stage),
        applications=applications,
        assignments=_assignments_by_application(applications, stage),
        experts=experts,
        conflicts={(a.id, e.id): conflict_of(e.user, a) for a in applications for e in experts},
        load=open_load(),
        code=applicant_code,
    )


def _setup_target(item, stage, anchor=""):
    return url_for(".setup", item_id=item.id, stage=stage.value) + anchor


@bp.post(f"{DESK}/review/<stage_code>/rubric")
@login_required
def rubric(item_id, stage_code):
    item = managed_item(item_id, current_user)
    stage = stage_of(item, stage_code)
    form = submitted(RubricForm)
    rows = form.rows()
    if request.form.get("use_default"):
        rows = [CriterionInput(n, str(w), str(m)) for n, w, m in DEFAULT_RUBRICS.get(stage, ())]
    save_criteria(item, stage, current_user, rows)
    return commit_and_redirect(_setup_target(item, stage, "#rubric"), f"{stage.label}评分标准已保存")


@bp.post(f"{DESK}/review/<stage_code>/assign")
@login_required
def auto_assign(item_id, stage_code):
    item = managed_item(item_id, current_user)
    stage = stage_of(item, stage_code)
    submitted(ActionForm)
    applications = _assignable(item, stage)
    if not applications:
        raise ValidationFailed("没有可分配专家的申报：申报须先通过形式审查")
    report = assigning.assign_experts(item, stage, applications, current_user)
    category = "warning" if report.short else "success"
    return commit_and_redirect(_setup_target(item, stage, "#assignments"), report.message(current_user), category)


@bp.post(f"{DESK}/review/<stage_code>/assign/manual")
@login_required
def manual_assign(item_id, stage_code):
    item = managed_item(item_id, current_user)
    stage = stage_of(item, stage_code)
    form = submitted(ManualAssignForm)
    application_id, expert_id = parse_id(form.application_id.data), parse_id(form.expert_id.data)
    application = next((a for a in _assignable(item, stage) if a.id == application_id), None)
    if application is None or expert_id is None:
        raise NotFound()
    made = assigning.add_assignment(application, stage, get_expert(expert_id), current_user)
    target = _setup_target(item, stage, f"#application-{application.id}")
    return commit_and_redirect(target, f"已分配专家 {made.expert.user.name}")


@bp.post(f"{DESK}/review/assignments/<int:assignment_id>/remove")
@login_required
def unassign(item_id, assignment_id):
    item = managed_item(item_id, current_user)
    submitted(ActionForm)
    row = db.session.get(ReviewAssignment, assignment_id)
    if row is None or row.application.item_id != item.id:
        raise NotFound()
    stage, application_id, name = row.stage, row.application_id, row.expert.user.name
    assigning.remove_assignment(row, current_user)
    return commit_and_redirect(_setup_target(item, stage, f"#application-{application_id}"), f"已移除专家 {name}")


@bp.post(f"{DESK}/review/<stage_code>/close")
@login_required
def close(item_id, stage_code):
    item = managed_item(item_id, current_user)
    stage = stage_of(item, stage_code)
    submitted(ActionForm)
    close_stage(item, stage, current_user)
    target = url_for(".results", item_id=item.id, stage=stage.value)
    return commit_and_redirect(target, f"{stage.label}已截止评分，结果已锁定")


# --- results, 答辩 and exports ----------------------------------------------------------------------


@bp.get(f"{DESK}/results")
@login_required
def results(item_id):
    item = managed_item(item_id, current_user)
    stage = stage_of(item, request.args.get("stage", ReviewStage.REVIEW.value))
    defence = defence_event(item)
    return render_template(
        "challenges/review/results.html",
        item=item,
        stage=stage,
        stages=stages_for(item),
        rows=ranked(item, stage),
        panel=panel(item, stage),
        rubric=criteria(item, stage),
        closed=is_closed(item, stage),
        defence=defence,
        defence_managed=defence is not None and can_manage_event(current_user, defence),
        defence_choices=defence_candidates(item),
        code=applicant_code,
    )


@bp.post(f"{DESK}/defence")
@login_required
def defence(item_id):
    item = managed_item(item_id, current_user)
    form = submitted(DefenceForm)
    event = set_defence_event(item, form.event_id.data, current_user)
    message = f"已关联答辩活动“{event.title}”" if event else "已取消关联答辩活动"
    return commit_and_redirect(url_for(".results", item_id=item.id) + "#defence", message)


@bp.get(f"{DESK}/export/applications")
@login_required
def export_applications(item_id):
    item = managed_item(item_id, current_user)
    headers, rows = summary_table(item)
    return export_rows(request.args.get("format", "xlsx"), f"{item.title}_申报汇总", headers, rows)


@bp.get(f"{DESK}/export/scores")
@login_required
def export_scores(item_id):
    item = managed_item(item_id, current_user)
    return export_sheets(request.args.get("format", "xlsx"), f"{item.title}_专家评分表", score_sheets(item))


# --- the expert pool (platform admins) ------------------------------------------------------------


@bp.route("/experts", methods=["GET", "POST"])
@platform_admin_required
def experts():
    form = ExpertForm()
    data = ExpertInput(
        form.email.data, form.title.data, form.affiliation.data, form.fields.data, form.industries.data or []
    )
    if commit_form(form, lambda: save_expert(data, current_user)):
        return commit_and_redirect(url_for(".experts"), f"已将 {form.email.data} 加入专家库")
    return render_template("challenges/review/experts.html", form=form, experts=pool(), load=open_load())


@bp.post("/experts/<int:expert_id>/deactivate")
@platform_admin_required
def expert_deactivate(expert_id):
    submitted(ActionForm)
    expert = get_expert(expert_id)
    deactivate_expert(expert, current_user)
    return commit_and_redirect(url_for(".experts"), f"已停用专家 {expert.user.name}")
