"""立项决定、公示与异议、工作日表: the issuer's decision desk for an item, the public 公示 page with its
objection form, the answers to objections, the 公示 list export, and the admins' working-day table."""

from __future__ import annotations

import re
import secrets
from datetime import date

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from app.auth.decorators import platform_admin_required
from app.auth.models import User
from app.challenges.items.models import ChallengeBatch, ChallengeItem
from app.challenges.items.status import can_manage, current_status, is_public, managed_or_404
from app.challenges.notice import objections, results, services
from app.challenges.notice import workdays as calendar
from app.challenges.notice.forms import AnswerForm, FailForm, ObjectionForm, PublishForm, WithdrawForm, WorkdayForm
from app.challenges.notice.models import ChallengeObjection
from app.challenges.review.services import review_round
from app.core.challenge_enums import ApplicationStatus, ChallengeMode, ItemStatus, NoticeStatus, ReviewStage
from app.core.clock import local_today
from app.core.errors import ValidationFailed
from app.core.exports import export_rows
from app.core.forms import select_choices, show_form_error, with_blank
from app.core.web import commit_and_redirect, id_list, parse_id
from app.extensions import db

bp = Blueprint("challenge_notice", __name__)

_UNSAFE_FILENAME = re.compile(r"[\\/:*?\"<>|\s]+")


@bp.app_template_global()
def challenge_notice_for(item):
    """The item's newest 公示 round for a public page's 公示 box (None: no 公示 yet)."""
    return results.latest_notice(item) if item is not None and item.id else None


@bp.app_template_global()
def challenge_notice_period(notice) -> str:
    """公示期 in words: 2026年12月7日至2026年12月11日（5个工作日）."""
    return services.period_text(notice)


@bp.app_template_global()
def challenge_workday_years_missing() -> list[int]:
    """This year and next, where neither chinese-calendar nor the admins' table has the holidays (for a warning
    on admin pages: 公示期 there are counted Monday to Friday)."""
    today = local_today()
    return calendar.years_needing_entries(today, today.replace(year=today.year + 1, month=12, day=31))


def _managed_item(item_id: int) -> ChallengeItem:
    item = db.session.get(ChallengeItem, item_id)
    managed_or_404(current_user, item.batch if item else None)
    return item


# --- the decision desk ------------------------------------------------------------------------------


def _day_choices(today: date) -> list[tuple[str, str]]:
    choices = []
    for n in range(services.DAYS_MIN, services.DAYS_MAX + 1):
        end = calendar.add_working_days(today, n)
        choices.append((str(n), f"{n} 个工作日（至{end.year}年{end.month}月{end.day}日）"))
    return choices


def _render_desk(item, publish_form=None, fail_form=None, withdraw_form=None, status=200):
    today = local_today()
    rows = results.standings(item)
    screened = [r for r in rows if r.application.status == ApplicationStatus.SCREENED]
    upheld = results.upheld_ids(item)
    want = 1 if item.mode == ChallengeMode.SINGLE else item.teams_stage1
    publish_form = publish_form or PublishForm()
    publish_form.working_days.choices = select_choices(_day_choices(today))
    notices = results.notices_of(item)
    current = next((n for n in notices if n.status != NoticeStatus.CANCELLED), None)
    current_apps = results.notice_applications(current) if current else []
    return render_template(
        "challenges/notice/decide.html",
        item=item,
        status_now=current_status(item, today),
        rows=rows,
        can_decide=services.can_decide(item, today),
        upheld=upheld,
        defaults=set(results.top_ids(screened, want, upheld)) if request.method == "GET" else set(_picked()),
        publish_form=publish_form,
        fail_form=fail_form or FailForm(),
        withdraw_form=withdraw_form or WithdrawForm(),
        answer_form=AnswerForm(),
        current=current,
        current_apps=current_apps,
        targets={a.id: f"{a.org.name}《{a.project_title}》" for a in current_apps},
        objector_names=_objector_names(current),
        earlier=[n for n in notices if n is not current],
        today=today,
        period_over=current is not None and services.period_over(current, today),
        review_open=review_round(item, ReviewStage.REVIEW) is None,
        uncovered=calendar.years_needing_entries(today, calendar.add_working_days(today, services.DAYS_MAX)),
    ), status


def _objector_names(notice) -> dict[int, str]:
    ids = [o.lodged_by_id for o in notice.objections if o.lodged_by_id] if notice else []
    return {uid: name for uid, name in db.session.execute(sa.select(User.id, User.name).where(User.id.in_(ids)))}


def _picked() -> list[int]:
    return id_list(request.form.getlist("application_ids"))


@bp.get("/manage/items/<int:item_id>/decision")
@login_required
def decide(item_id):
    return _render_desk(_managed_item(item_id))


@bp.post("/manage/items/<int:item_id>/decision/publish")
@login_required
def publish(item_id):
    item = _managed_item(item_id)
    form = PublishForm()
    form.working_days.choices = select_choices(_day_choices(local_today()))
    if not form.validate():
        return _render_desk(item, publish_form=form, status=422)
    try:
        notice = services.publish_notice(
            item, _picked(), form.working_days.data, form.text.data, form.reason.data, current_user
        )
    except ValidationFailed as err:
        show_form_error(form, err)
        return _render_desk(item, publish_form=form, status=422)
    return commit_and_redirect(
        url_for(".decide", item_id=item.id), f"公示已发布，公示期：{services.period_text(notice)}"
    )


@bp.post("/manage/items/<int:item_id>/decision/fail")
@login_required
def fail(item_id):
    item = _managed_item(item_id)
    form = FailForm()
    if not form.validate():
        return _render_desk(item, fail_form=form, status=422)
    try:
        services.declare_failed(item, form.reason.data, current_user)
    except ValidationFailed as err:
        show_form_error(form, err)
        return _render_desk(item, fail_form=form, status=422)
    return commit_and_redirect(url_for(".decide", item_id=item.id), "已宣布流榜，申报单位已收到通知")


@bp.post("/manage/items/<int:item_id>/decision/confirm")
@login_required
def confirm(item_id):
    item = _managed_item(item_id)
    notice = results.open_notice(item) or abort(404)
    services.confirm_notice(notice, current_user)
    return commit_and_redirect(url_for(".decide", item_id=item.id), "揭榜结果已确认，项目进入实施阶段")


@bp.post("/manage/items/<int:item_id>/decision/withdraw")
@login_required
def withdraw(item_id):
    item = _managed_item(item_id)
    notice = results.open_notice(item) or abort(404)
    form = WithdrawForm()
    if form.validate():
        try:
            services.withdraw_notice(notice, form.reason.data, current_user)
        except ValidationFailed as err:
            show_form_error(form, err)
        else:
            return commit_and_redirect(url_for(".decide", item_id=item.id), "本轮公示已撤销，可以重新作出决定")
    return _render_desk(item, withdraw_form=form, status=422)


@bp.post("/manage/objections/<int:objection_id>/answer")
@login_required
def answer(objection_id):
    objection = db.session.get(ChallengeObjection, objection_id)
    item = objection.notice.item if objection else None
    managed_or_404(current_user, item.batch if item else None)
    form = AnswerForm()
    back = url_for(".decide", item_id=item.id, _anchor=f"objection-{objection.id}")
    if form.validate() and form.decision.data in ("dismiss", "uphold"):
        try:
            objections.answer_objection(objection, current_user, form.decision.data == "uphold", form.answer.data)
        except ValidationFailed as err:
            show_form_error(form, err)
        else:
            return commit_and_redirect(back, "答复已保存，异议单位已收到通知")
    else:
        flash("请选择答复结论（异议成立或不成立）", "danger")
    return redirect(back)


@bp.get("/manage/batches/<int:batch_id>/notices")
@login_required
def export(batch_id):
    batch = managed_or_404(current_user, db.session.get(ChallengeBatch, batch_id))
    name = _UNSAFE_FILENAME.sub("-", f"{batch.title}_公示名单")
    return export_rows(
        request.args.get("format", "xlsx"), name, results.EXPORT_HEADERS, results.export_rows(batch.items)
    )


# --- the public 公示 page -------------------------------------------------------------------------


def _public_item(item_id: int) -> ChallengeItem:
    item = db.session.get(ChallengeItem, item_id)
    if item is None or not (is_public(item) or can_manage(current_user, item.batch)):
        abort(404)
    return item


def _render_notice(item, form=None, status=200):
    notice = results.latest_notice(item)
    if notice is None and item.status != ItemStatus.FAILED:
        abort(404)
    refusal = objections.objection_refusal(current_user, notice) if notice else None
    if notice and refusal is None and form is None:
        form = ObjectionForm()
        form.form_token.data = secrets.token_urlsafe(16)
    if form is not None:
        proposed = [a for a in results.notice_applications(notice) if a.status == ApplicationStatus.PROPOSED]
        form.application_id.choices = with_blank([(str(a.id), a.org.name) for a in proposed], "对本次公示整体")
    return render_template(
        "challenges/notice/notice.html",
        item=item,
        notice=notice,
        apps=results.notice_applications(notice) if notice else [],
        form=form,
        refusal=refusal,
        mine=objections.own_objections(current_user, notice) if notice else [],
        manager=can_manage(current_user, item.batch),
        today=local_today(),
    ), status


@bp.get("/items/<int:item_id>/notice")
def notice(item_id):
    return _render_notice(_public_item(item_id))


@bp.post("/items/<int:item_id>/notice")
@login_required
def object_to(item_id):
    item = _public_item(item_id)
    notice = results.latest_notice(item) or abort(404)
    form = ObjectionForm()
    if not form.validate():
        return _render_notice(item, form, 422)
    try:
        objections.lodge_objection(
            notice,
            current_user,
            parse_id(form.application_id.data),
            form.reasons.data,
            request.files.getlist(form.files.name),
            form.form_token.data,
        )
    except objections.DuplicateObjection:
        db.session.rollback()
        flash("异议已经提交，请勿重复提交", "info")
        return redirect(url_for(".notice", item_id=item.id))
    except ValidationFailed as err:
        show_form_error(form, err)
        return _render_notice(item, form, 422)
    return commit_and_redirect(url_for(".notice", item_id=item.id), "异议已提交，发榜方答复后您会收到通知")


@bp.get("/objection-files/<int:file_id>")
@login_required
def objection_file(file_id):
    row = objections.get_visible_file(current_user, file_id)
    resp = send_file(
        objections.file_path(row), mimetype=row.content_type, as_attachment=True, download_name=row.original_name
    )
    resp.headers["Cache-Control"] = "private, max-age=0"
    return resp


# --- the admins' working-day table ------------------------------------------------------------------


@bp.route("/workdays", methods=["GET", "POST"])
@platform_admin_required
def workdays():
    today = local_today()
    year = parse_id(request.args.get("year")) or today.year
    if not calendar.YEAR_MIN <= year <= calendar.YEAR_MAX:
        year = today.year
    form = WorkdayForm()
    if form.is_submitted():
        if form.validate():
            try:
                row = calendar.set_workday_override(
                    form.day.data, form.kind.data == "work", form.note.data, current_user
                )
            except ValidationFailed as err:
                show_form_error(form, err)
            else:
                return commit_and_redirect(url_for(".workdays", year=row.day.year), f"已保存 {row.day:%Y-%m-%d}")
        elif form.day.errors:
            form.day.errors = ["请选择有效的日期"]
    rows = calendar.overrides_in(year)
    return render_template(
        "challenges/notice/workdays.html",
        form=form,
        year=year,
        rows=rows,
        defaults={r.day: calendar.package_default(r.day) for r in rows},
        coverage=calendar.year_coverage(range(today.year - 1, today.year + 3)),
    ), (422 if form.errors else 200)


@bp.post("/workdays/<day>/remove")
@platform_admin_required
def workday_remove(day):
    try:
        when = date.fromisoformat(day)
    except ValueError:
        abort(404)
    if not calendar.remove_workday_override(when):
        abort(404)
    return commit_and_redirect(url_for(".workdays", year=when.year), f"已删除 {when:%Y-%m-%d} 的设置")
