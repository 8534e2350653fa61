"""Roadshow and competition judging pages: the organiser's set-up (rubric, judges, line-up, close, publish),
the judges' mobile scoring page, the full results (organiser; judges once scoring is closed), the public
results page and the export. Views parse, call a service, commit."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user, login_required

from app.core.errors import NotFound, ValidationFailed
from app.core.exports import export_rows
from app.core.mail import sent_or_link
from app.core.web import commit_and_redirect, local_time
from app.events.event_roles import event_page_url
from app.events.forms import submitted
from app.events.judging.forms import JudgeForm, LineupForm, PresenterForm, RubricForm, ScoreForm
from app.events.judging.invitations import (
    accept_judge_invitation,
    find_judge_invitation,
    get_event_invitation,
    invite_judge,
    pending_invitations,
    revoke_judge_invitation,
)
from app.events.judging.scores import compute_results, own_sheets, results_table, save_scores, sheet_values
from app.events.judging.services import (
    JUDGED,
    add_judge,
    add_presenter,
    close_scoring,
    criteria,
    get_event_judge,
    get_event_presenter,
    get_judge,
    get_judged_event,
    get_judging_event,
    is_closed,
    is_judge,
    is_published,
    judge_candidates,
    judges,
    judging_state,
    presenter_candidates,
    presenters,
    publish_results,
    remove_judge,
    remove_presenter,
    save_rubric,
    scoring_gaps,
    scoring_started,
    set_lineup,
)
from app.events.services import can_manage
from app.extensions import db

bp = Blueprint("judging", __name__)
ONE = "/<int:event_id>/judging"
BLANK_CRITERIA_ROWS = 3


def _setup(event_id: int, anchor: str = "") -> str:
    return url_for(".setup", event_id=event_id) + (f"#{anchor}" if anchor else "")


@bp.app_template_global()
def judging_links(event) -> list[tuple[str, str]]:
    """The judging pages this user may open from the event's page (templates/events/meetings_and_judging_links.html)."""
    if event.event_type not in JUDGED:
        return []
    links = []
    if is_judge(event, current_user):
        links.append(("评委打分", url_for("judging.score", event_id=event.id)))
    if can_manage(current_user, event):
        links.append(("评审设置", url_for("judging.setup", event_id=event.id)))
    if is_published(event):
        links.append(("结果公布", url_for("judging.public_results", event_id=event.id)))
    return links


# --- organiser -------------------------------------------------------------------------------------


@bp.get(ONE)
@login_required
def setup(event_id):
    event = get_judging_event(event_id, current_user)
    rubric = criteria(event)
    return render_template(
        "events/judging/setup.html",
        event=event,
        event_url=event_page_url(event),
        state=judging_state(event),
        rubric=rubric,
        blank_rows=BLANK_CRITERIA_ROWS if not rubric else 1,
        rubric_locked=scoring_started(event),
        judges=judges(event),
        invitations=pending_invitations(event),
        candidates=judge_candidates(event),
        lineup=presenters(event),
        presenter_candidates=presenter_candidates(event),
        gaps=scoring_gaps(event),
        judge_self=is_judge(event, current_user),
        local_input=lambda v: local_time(v, "%Y-%m-%dT%H:%M") if v else "",
    )


@bp.post(f"{ONE}/rubric")
@login_required
def rubric(event_id):
    event = get_judging_event(event_id, current_user)
    save_rubric(event, current_user, submitted(RubricForm).rows())
    return commit_and_redirect(_setup(event.id, "rubric"), "评分标准已保存")


@bp.post(f"{ONE}/judges")
@login_required
def judge_add(event_id):
    event = get_judging_event(event_id, current_user)
    form = submitted(JudgeForm)
    if (email := form.email_given()) is not None:
        # The same words whatever the address is: whose it is shows only once they accept.
        invitation, link = invite_judge(event, current_user, email)
        message = sent_or_link(invitation.email, link, "评委邀请") + "。对方登录后打开链接接受邀请，即成为评委"
        return commit_and_redirect(_setup(event.id, "judges"), message)
    judge = add_judge(event, current_user, form.user())
    return commit_and_redirect(_setup(event.id, "judges"), f"已将 {judge.user.name} 设为评委")


@bp.route("/judging/invitations/<token>", methods=["GET", "POST"])
@login_required
def accept_invitation(token):
    invitation = find_judge_invitation(token)
    if request.method == "GET":
        return render_template("events/judging/invitation.html", invitation=invitation, event=invitation.event)
    judge = accept_judge_invitation(token, current_user._get_current_object())
    target = url_for(".score", event_id=judge.event_id)
    return commit_and_redirect(target, f"您已成为“{invitation.event.title}”的评委")


@bp.post(f"{ONE}/presenters")
@login_required
def presenter_add(event_id):
    event = get_judging_event(event_id, current_user)
    form = submitted(PresenterForm)
    presenter = add_presenter(event, current_user, form.registration(), form.project.data)
    return commit_and_redirect(_setup(event.id, "lineup"), f"已将 {presenter.name} 加入出场名单")


@bp.post(f"{ONE}/lineup")
@login_required
def lineup(event_id):
    event = get_judging_event(event_id, current_user)
    set_lineup(event, current_user, submitted(LineupForm.for_lineup(presenters(event))).slots())
    return commit_and_redirect(_setup(event.id, "lineup"), "出场顺序已保存")


# what: (find the event's row, remove it, the set-up page's section, the message)
REMOVALS = {
    "judges": (get_event_judge, remove_judge, "judges", "已移除该评委"),
    "invitations": (get_event_invitation, revoke_judge_invitation, "judges", "已撤销该评委邀请"),
    "presenters": (get_event_presenter, remove_presenter, "lineup", "已移出出场名单"),
}


@bp.post(f"{ONE}/<any(judges, invitations, presenters):what>/<int:row_id>/remove")
@login_required
def remove(event_id, what, row_id):
    event = get_judging_event(event_id, current_user)
    find, remove_row, anchor, message = REMOVALS[what]
    remove_row(event, current_user, find(event, row_id))
    return commit_and_redirect(_setup(event.id, anchor), message, "info")


@bp.post(f"{ONE}/close")
@login_required
def close(event_id):
    event = get_judging_event(event_id, current_user)
    close_scoring(event, current_user)
    return commit_and_redirect(url_for(".results", event_id=event.id), "评分已截止，评委不能再修改分数")


@bp.post(f"{ONE}/publish")
@login_required
def publish(event_id):
    event = get_judging_event(event_id, current_user)
    publish_results(event, current_user)
    return commit_and_redirect(url_for(".public_results", event_id=event.id), "结果已公开发布")


@bp.get(f"{ONE}/export")
@login_required
def export(event_id):
    event = get_judging_event(event_id, current_user)
    headers, rows = results_table(event, compute_results(event))
    return export_rows(request.args.get("format", "xlsx"), f"{event.title}_评审结果", headers, rows)


# --- judges and results ----------------------------------------------------------------------------


def _score_page(event, judge, errors=None, submitted=None, status: int = 200):
    sheets = own_sheets(judge)
    return render_template(
        "events/judging/score.html",
        event=event,
        rubric=criteria(event),
        lineup=presenters(event),
        sheets=sheets,
        values={pid: sheet_values(sheet) for pid, sheet in sheets.items()},
        closed=is_closed(event),
        errors=errors or {},
        submitted=submitted or {},
    ), status


@bp.get(f"{ONE}/score")
@login_required
def score(event_id):
    event = get_judged_event(event_id, current_user)
    return _score_page(event, get_judge(event, current_user))


@bp.post(f"{ONE}/score/<int:presenter_id>")
@login_required
def score_save(event_id, presenter_id):
    event = get_judged_event(event_id, current_user)
    judge = get_judge(event, current_user)
    presenter = get_event_presenter(event, presenter_id)
    form = submitted(ScoreForm.for_rubric(criteria(event)))
    try:
        save_scores(event, judge, presenter, form.values(), form.comment.data)
    except ValidationFailed as err:
        db.session.rollback()
        errors = {presenter.id: err.errors or {"_": err.message}}
        return _score_page(event, judge, errors, {presenter.id: form.typed()}, 422)
    target = url_for(".score", event_id=event.id) + f"#presenter-{presenter.id}"
    return commit_and_redirect(target, f"已保存对“{presenter.name}”的评分")


@bp.get(f"{ONE}/results")
@login_required
def results(event_id):
    """Full results with each judge's scores: the organiser at any time, judges only once closed. A judge
    of this event sees nothing here before closing, even one who also organises it."""
    event = get_judged_event(event_id, current_user)
    judging = is_judge(event, current_user)
    if not (can_manage(current_user, event) or judging) or (judging and not is_closed(event)):
        raise NotFound()
    return render_template(
        "events/judging/results.html",
        event=event,
        event_url=event_page_url(event),
        rows=compute_results(event),
        panel=judges(event),
        state=judging_state(event),
        gaps=scoring_gaps(event),
        organiser=can_manage(current_user, event),
    )


@bp.get("/<int:event_id>/results")
def public_results(event_id):
    event = get_judged_event(event_id, current_user)
    if not is_published(event):
        raise NotFound()
    return render_template(
        "events/judging/results_public.html",
        event=event,
        event_url=event_page_url(event),
        rows=compute_results(event),
        state=judging_state(event),
    )
