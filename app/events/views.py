"""Event pages: the public list and detail (with .ics), and the organiser's side: create/edit, status
buttons, capacity and the dashboard. Each feature's pages are its own blueprint (app/events/<feature>/views.py)."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.auth.decorators import organiser_required
from app.core.enums import EventStatus, EventType
from app.core.errors import ValidationFailed
from app.core.forms import show_form_error
from app.core.models import history_for, utcnow
from app.core.pagecache import public_page
from app.core.pagination import paginate
from app.core.web import commit_and_redirect
from app.events.calendar import event_ics
from app.events.event_roles import registration_open, registration_refusal
from app.events.forms import CapacityForm, EventForm, ReasonForm, first_error, submitted
from app.events.listing import (
    WHEN,
    EventFilters,
    dashboard_counts,
    event_registrations,
    latest_registration_of,
    organised_events,
    public_events,
)
from app.events.services import (
    can_manage,
    cancel_event,
    close_event_registration,
    create_event,
    finish_event,
    get_managed_event,
    get_visible_event,
    publish_event,
    reopen_event_registration,
    set_capacity,
    update_event,
)
from app.events.status import event_status
from app.events.waitlist import queue_position

bp = Blueprint("events", __name__)


@bp.app_context_processor
def _helpers():
    """The registration helpers of the event page and 我的报名 (the registration blueprint's)."""
    return {"queue_position": queue_position, "registration_open": registration_open}


# The event's state for every badge, in macros too (templates/events/_event_macros.html).
bp.add_app_template_global(event_status, "event_status")


def _promoted_message(message: str, promoted) -> str:
    return f"{message}；{len(promoted)} 个候补报名已转正" if promoted else message


# --- public ---------------------------------------------------------------------------------------


@bp.get("/")
@public_page()
def index():
    filters = EventFilters.from_args(request.args)
    return render_template(
        "events/index.html", filters=filters, pagination=paginate(public_events(filters)), when_choices=WHEN
    )


@bp.get("/<int:event_id>")
@public_page()
def detail(event_id):
    event = get_visible_event(event_id, current_user)
    mine = latest_registration_of(event, getattr(current_user, "org_id", None))
    now = utcnow()
    return render_template(
        "events/detail.html",
        event=event,
        mine=mine,
        state=event_status(event, now),
        refusal=registration_refusal(event, current_user, now),
        manager=can_manage(current_user, event),
    )


@bp.get("/<int:event_id>.ics")
def ics(event_id):
    event = get_visible_event(event_id, current_user)
    body = event_ics(event, url_for(".detail", event_id=event.id, _external=True), request.host or "lianqiao")
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="event-{event.id}.ics"'},
    )


# --- organiser: the event itself ------------------------------------------------------------------


@bp.get("/organised")
@organiser_required
def organised():
    return render_template("events/organised.html", pagination=paginate(organised_events(current_user)))


def _event_form(event=None):
    form = EventForm.for_event(event, request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        try:
            if event is None:
                event = create_event(current_user, form.to_input())
                message = "活动草稿已保存，确认无误后请点击“发布”"
            else:
                promoted = update_event(event, current_user, form.to_input())
                message = _promoted_message("活动信息已保存", promoted)
        except ValidationFailed as err:
            show_form_error(form, err)
        else:
            return commit_and_redirect(url_for(".manage", event_id=event.id), message)
    status = 422 if request.method == "POST" else 200
    return render_template("events/form.html", form=form, event=event), status


@bp.route("/new", methods=["GET", "POST"])
@organiser_required
def new():
    return _event_form()


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
@organiser_required
def edit(event_id):
    event = get_managed_event(event_id, current_user)
    if event.status in (EventStatus.FINISHED, EventStatus.CANCELLED):
        flash(f"活动{event.status.label}，不能再修改", "warning")
        return redirect(url_for(".manage", event_id=event.id))
    return _event_form(event)


# The status buttons on the dashboard: the service each calls and what it says afterwards.
STATUS_ACTIONS = {
    "publish": (publish_event, "活动已发布，现在可以报名了"),
    "close": (close_event_registration, "已截止报名"),
    "reopen": (reopen_event_registration, "已重新开放报名"),
    "finish": (finish_event, "活动已标记为已结束"),
}


def _status_action(service, message: str):
    @organiser_required
    def view(event_id):
        event = get_managed_event(event_id, current_user)
        service(event, current_user)
        return commit_and_redirect(url_for(".manage", event_id=event.id), message)

    return view


for _name, (_service, _message) in STATUS_ACTIONS.items():
    bp.add_url_rule(f"/<int:event_id>/{_name}", _name, _status_action(_service, _message), methods=["POST"])


@bp.post("/<int:event_id>/cancel")
@organiser_required
def cancel(event_id):
    event = get_managed_event(event_id, current_user)
    told = cancel_event(event, current_user, submitted(ReasonForm).reason.data)
    return commit_and_redirect(url_for(".manage", event_id=event.id), f"活动已取消，已通知 {told} 位报名用户")


@bp.post("/<int:event_id>/capacity")
@organiser_required
def capacity(event_id):
    event = get_managed_event(event_id, current_user)
    form = CapacityForm(formdata=request.form)
    if not form.validate():
        flash(first_error(form), "danger")
        return redirect(url_for(".manage", event_id=event.id))
    promoted = set_capacity(event, current_user, form.value())
    return commit_and_redirect(url_for(".manage", event_id=event.id), _promoted_message("人数上限已更新", promoted))


# --- organiser: the dashboard ---------------------------------------------------------------------


def _feature_links(event) -> list[tuple[str, str]]:
    """Links to the organiser's pages of the other event features that apply to this kind of event (the
    participants' pages, such as the meetings hub, are not the organiser's: they would be a 404)."""
    wanted = [("checkin.desk", "签到台", None), ("booths.manage", "展位管理", None)]
    wanted.append(("meetings.grid", "一对一洽谈（洽谈总表）", (EventType.DOCKING,)))
    wanted.append(("judging.setup", "评审设置", (EventType.ROADSHOW, EventType.COMPETITION)))
    wanted.append(("checkin.export", "导出参会人", None))
    links = []
    for endpoint, label, types in wanted:
        if types and event.event_type not in types:
            continue
        extra = {"what": "attendees", "fmt": "xlsx"} if endpoint == "checkin.export" else {}
        links.append((label, url_for(endpoint, event_id=event.id, **extra)))
    return links


@bp.get("/<int:event_id>/manage")
@organiser_required
def manage(event_id):
    event = get_managed_event(event_id, current_user)
    return render_template(
        "events/manage.html",
        event=event,
        counts=dashboard_counts(event),
        registrations=event_registrations(event),
        links=_feature_links(event),
        history=history_for("event", event.id),
        cancel_form=ReasonForm(),
    )
