"""对接洽谈 pages: the participant's hub (recommendations, search, requests), agenda (page, print, iCal),
busy slots and outcomes; the organiser's settings, grid and export. Views parse, call a service, commit."""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.core.enums import EventType
from app.core.errors import NotFound, ValidationFailed
from app.core.exports import export_rows
from app.core.forms import show_form_error
from app.core.models import utcnow
from app.core.pagination import paginate
from app.core.web import commit_and_redirect
from app.events.event_roles import (
    event_page_url,
    get_managed_typed_event,
    get_typed_event,
    is_participant,
    participant_org_ids,
)
from app.events.forms import submitted
from app.events.meetings.agenda import (
    agenda_ical,
    meeting_grid,
    meeting_table,
    open_counterparts,
    org_agenda,
    pending_slot_states,
    request_counts,
    request_lists,
    slot_states,
)
from app.events.meetings.booking import free_slots
from app.events.meetings.directory import PER_PAGE, DirectoryFilters, directory_select, posting_previews
from app.events.meetings.forms import (
    AcceptForm,
    DirectoryForm,
    MeetingCancelForm,
    MeetingRequestForm,
    MeetingSettingsForm,
    OutcomeForm,
)
from app.events.meetings.recommendations import recommend_counterparts
from app.events.meetings.services import (
    accept_meeting_request,
    block_slot,
    cancel_meeting,
    decline_meeting_request,
    get_counterpart,
    get_participant_event,
    get_party_meeting,
    get_received_request,
    get_sent_request,
    record_meeting_outcome,
    send_meeting_request,
    unblock_slot,
    withdraw_meeting_request,
)
from app.events.meetings.setup import save_meeting_settings, settings_form_data
from app.events.services import can_manage

bp = Blueprint("meetings", __name__)
ONE = "/<int:event_id>/meetings"
DOCKING = [EventType.DOCKING]


def _hub(event_id: int) -> str:
    return url_for("meetings.hub", event_id=event_id)


def _agenda(event_id: int) -> str:
    return url_for("meetings.agenda", event_id=event_id)


@bp.app_template_global()
def meeting_links(event) -> list[tuple[str, str]]:
    """The meeting pages this user may open from the event's page (templates/events/meetings_and_judging_links.html)."""
    if event.event_type not in DOCKING:
        return []
    links = []
    if is_participant(current_user, event):
        links += [("一对一洽谈", _hub(event.id)), ("我的洽谈日程", _agenda(event.id))]
    if can_manage(current_user, event):
        links += [("洽谈总表", url_for("meetings.grid", event_id=event.id))]
    return links


# --- participants ------------------------------------------------------------------------------


@bp.get(ONE)
@login_required
def hub(event_id):
    """The participant's meeting page; the organiser (not taking part) lands on the meeting grid."""
    event = get_typed_event(event_id, current_user, DOCKING)
    if not is_participant(current_user, event):
        if can_manage(current_user, event):
            return redirect(url_for(".grid", event_id=event.id))
        raise NotFound()
    received, sent = request_lists(event, current_user.org_id)
    return render_template(
        "events/meetings/hub.html",
        event=event,
        event_url=event_page_url(event),
        recommendations=recommend_counterparts(event.id, current_user.org_id),
        received=received,
        still_free=pending_slot_states(event, received),
        sent=sent,
        engaged=open_counterparts(event, current_user.org_id),
        organiser=can_manage(current_user, event),
    )


@bp.get(f"{ONE}/directory")
@login_required
def directory(event_id):
    """The participants' directory; the organiser (not taking part) sees it read-only, from the meeting grid."""
    event = get_typed_event(event_id, current_user, DOCKING)
    participant = is_participant(current_user, event)
    if not participant and not can_manage(current_user, event):
        raise NotFound()
    own_org = current_user.org_id if participant else None
    form = DirectoryForm(formdata=request.args)
    filters, ignored = form.filters()
    page = paginate(directory_select(event.id, own_org, filters), per_page=PER_PAGE)
    return render_template(
        "events/meetings/directory.html",
        event=event,
        event_url=event_page_url(event),
        form=form,
        ignored=ignored,
        page=page,
        previews=posting_previews([o.id for o in page.items], filters),
        engaged=open_counterparts(event, own_org) if participant else set(),
        read_only=not participant,
    )


@bp.route(f"{ONE}/request/<int:org_id>", methods=["GET", "POST"])
@login_required
def send(event_id, org_id):
    """The invitation page (约见): preferred slots among those both sides have free, and a message."""
    event = get_participant_event(event_id, current_user)
    other = get_counterpart(event, org_id, current_user)
    form = MeetingRequestForm()
    slots = free_slots(event, (current_user.org_id, other.id), utcnow())
    form.slots.choices = [(s.id, str(s.id)) for s in slots]
    if form.validate_on_submit():
        try:
            send_meeting_request(event, current_user, other.id, form.message.data, form.slots.data)
        except ValidationFailed as err:
            show_form_error(form, err)
        else:
            return commit_and_redirect(_hub(event.id) + "#sent", "洽谈邀请已发送，对方答复后会通知您")
    engaged = other.id in open_counterparts(event, current_user.org_id)
    return render_template(
        "events/meetings/invite.html",
        event=event,
        event_url=event_page_url(event),
        other=other,
        previews=posting_previews([other.id], DirectoryFilters()),
        slots=slots,
        form=form,
        engaged=engaged,
    ), (422 if form.errors else 200)


@bp.post(f"{ONE}/requests/<int:request_id>/accept")
@login_required
def accept(event_id, request_id):
    event = get_participant_event(event_id, current_user)
    req = get_received_request(event, request_id, current_user)
    meeting = accept_meeting_request(req, current_user, submitted(AcceptForm).slot_id)
    return commit_and_redirect(
        _agenda(event.id) + f"#meeting-{meeting.id}", "已接受邀请，洽谈时间和洽谈桌已确定，见下方日程"
    )


@bp.post(f"{ONE}/requests/<int:request_id>/decline")
@login_required
def decline(event_id, request_id):
    event = get_participant_event(event_id, current_user)
    decline_meeting_request(get_received_request(event, request_id, current_user), current_user)
    return commit_and_redirect(_hub(event.id) + "#received", "已婉拒该邀请", "info")


@bp.post(f"{ONE}/requests/<int:request_id>/withdraw")
@login_required
def withdraw(event_id, request_id):
    event = get_participant_event(event_id, current_user)
    withdraw_meeting_request(get_sent_request(event, request_id, current_user), current_user)
    return commit_and_redirect(_hub(event.id) + "#sent", "已撤回该邀请", "info")


@bp.get(f"{ONE}/agenda")
@login_required
def agenda(event_id):
    event = get_participant_event(event_id, current_user)
    return render_template(
        "events/meetings/agenda.html",
        event=event,
        event_url=event_page_url(event),
        items=org_agenda(event, current_user.org_id),
        slots=slot_states(event, current_user.org_id),
    )


@bp.get(f"{ONE}/agenda.ics")
@login_required
def agenda_ics(event_id):
    event = get_participant_event(event_id, current_user)
    return Response(
        agenda_ical(event, current_user.org_id),
        content_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="meetings-{event.id}.ics"'},
    )


SLOT_CHANGES = {
    "block": (block_slot, "已标记为忙碌，该时段不会再安排洽谈"),
    "unblock": (unblock_slot, "该时段已恢复为空闲"),
}


@bp.post(f"{ONE}/slots/<int:slot_id>/<any(block, unblock):action>")
@login_required
def slot(event_id, slot_id, action):
    event = get_participant_event(event_id, current_user)
    change, message = SLOT_CHANGES[action]
    change(event, current_user, slot_id)
    return commit_and_redirect(_agenda(event.id) + "#slots", message)


@bp.post(f"{ONE}/<int:meeting_id>/outcome")
@login_required
def outcome(event_id, meeting_id):
    event = get_participant_event(event_id, current_user)
    meeting = get_party_meeting(event, meeting_id, current_user)
    form = submitted(OutcomeForm)
    docking = record_meeting_outcome(meeting, current_user, form.outcome.data, form.note.data)
    message = "洽谈结果已记录" + (f"；{docking}" if docking else "")
    return commit_and_redirect(_agenda(event.id) + f"#meeting-{meeting.id}", message)


@bp.post(f"{ONE}/<int:meeting_id>/cancel")
@login_required
def cancel(event_id, meeting_id):
    event = get_participant_event(event_id, current_user)
    meeting = get_party_meeting(event, meeting_id, current_user)
    cancel_meeting(meeting, current_user, submitted(MeetingCancelForm).reason.data)
    return commit_and_redirect(_agenda(event.id), "洽谈已取消，已通知对方；该时段已恢复空闲", "info")


# --- organiser ---------------------------------------------------------------------------------


@bp.route(f"{ONE}/settings", methods=["GET", "POST"])
@login_required
def settings(event_id):
    event = get_managed_typed_event(event_id, current_user, DOCKING)
    form = MeetingSettingsForm(data=settings_form_data(event))
    if form.validate_on_submit():
        try:
            save_meeting_settings(
                event, form.slot_minutes.data, form.answer_hours.data, form.tables.data, form.windows.data
            )
        except ValidationFailed as err:
            show_form_error(form, err)
        else:
            return commit_and_redirect(url_for(".grid", event_id=event.id), "洽谈设置已保存，时段已生成")
    return render_template("events/meetings/settings.html", event=event, event_url=event_page_url(event), form=form), (
        422 if form.errors else 200
    )


@bp.get(f"{ONE}/grid")
@login_required
def grid(event_id):
    event = get_managed_typed_event(event_id, current_user, DOCKING)
    slots, tables, cells = meeting_grid(event)
    return render_template(
        "events/meetings/grid.html",
        event=event,
        event_url=event_page_url(event),
        slots=slots,
        tables=tables,
        cells=cells,
        participants=len(participant_org_ids(event.id)),
        requests=request_counts(event),
    )


@bp.get(f"{ONE}/export")
@login_required
def export(event_id):
    event = get_managed_typed_event(event_id, current_user, DOCKING)
    title, headers, rows = meeting_table(event)
    return export_rows(request.args.get("format", "xlsx"), f"{event.title}_{title}", headers, rows)
