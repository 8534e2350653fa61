"""Tickets (page, print, a registration's tickets), the check-in desk, and the desk's downloads (attendee
list, check-in report)."""

from __future__ import annotations

import io
import re

from flask import Blueprint, jsonify, make_response, render_template, request, send_file
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from app.core.errors import NotFound
from app.core.exports import export_sheets
from app.events.checkin.desk import desk_check_in
from app.events.checkin.exports import CHECKIN_EXPORTS
from app.events.checkin.services import (
    CheckinRefused,
    attendee_summary,
    checkin_counts,
    recent_check_ins,
    undo_check_in,
)
from app.events.checkin.tickets import (
    format_short_code,
    get_ticket,
    qr_png,
    qr_svg,
    sign_ticket,
    ticket_label,
    ticket_state,
)
from app.events.exports import export_name
from app.events.models import Attendee
from app.events.registration.services import get_own_registration
from app.events.services import get_managed_event
from app.extensions import db

bp = Blueprint("checkin", __name__)
DESK = "/<int:event_id>/checkin"
_UNSAFE_FILENAME = re.compile(r'[\\/:*?"<>|\s]+')  # what Windows refuses in a file name, and spaces


# --- tickets ------------------------------------------------------------------------------------------


def _ticket(attendee: Attendee) -> dict:
    """What a ticket shows: the QR code only while the registration admits its holder."""
    state = ticket_state(attendee)
    return {
        "attendee": attendee,
        "event": attendee.event,
        "registration": attendee.registration,
        "label": ticket_label(attendee.registration),
        "code": format_short_code(attendee.short_code),
        "state": state,
        "qr": None if state else qr_svg(sign_ticket(attendee.ticket_token)),
    }


def _no_store(html: str):
    # A ticket page is the ticket: keep it out of shared caches and the referrer header.
    resp = make_response(html)
    resp.headers["Cache-Control"] = "private, no-store"
    resp.headers["Referrer-Policy"] = "no-referrer"
    return resp


@bp.get("/tickets/<token>")
def ticket(token):
    return _no_store(render_template("events/checkin/ticket.html", t=_ticket(get_ticket(token)), token=token))


@bp.get("/tickets/<token>/print")
def ticket_print(token):
    attendee = get_ticket(token)
    return _no_store(
        render_template("events/checkin/ticket_print.html", tickets=[_ticket(attendee)], event=attendee.event)
    )


@bp.get("/tickets/<token>/qr.png")
def ticket_qr_png(token):
    """The ticket's QR code as a PNG download, for whoever holds the ticket link (the token is the key, as for
    the ticket page); a wrong token, or a ticket that admits nobody (候补, 已取消…), is a 404."""
    attendee = get_ticket(token)
    if ticket_state(attendee):
        raise NotFound()
    name = _UNSAFE_FILENAME.sub("-", f"入场二维码-{attendee.event.title}-{attendee.name}")[:120]
    resp = send_file(
        io.BytesIO(qr_png(sign_ticket(attendee.ticket_token))),
        mimetype="image/png",
        as_attachment=True,
        download_name=f"{name}.png",
    )
    resp.headers["Cache-Control"] = "private, no-store"
    resp.headers["Referrer-Policy"] = "no-referrer"
    return resp


@bp.get("/registrations/<int:registration_id>/tickets")
@login_required
def registration_tickets(registration_id):
    registration = get_own_registration(registration_id, current_user)
    tickets = [_ticket(a) for a in registration.attendees]
    return _no_store(render_template("events/checkin/tickets.html", registration=registration, tickets=tickets))


@bp.get("/registrations/<int:registration_id>/tickets/print")
@login_required
def registration_tickets_print(registration_id):
    registration = get_own_registration(registration_id, current_user)
    tickets = [_ticket(a) for a in registration.attendees]
    return _no_store(render_template("events/checkin/ticket_print.html", tickets=tickets, event=registration.event))


# --- the desk -----------------------------------------------------------------------------------------


def _stats(event) -> dict:
    counts = checkin_counts(event)
    return {
        "counts": [{"label": c.label, "registered": c.registered, "checked_in": c.checked_in} for c in counts],
        "recent": [attendee_summary(a) for a in recent_check_ins(event)],
    }


def _render_desk(event, outcome=None, typed: str = "", status: int = 200):
    page = render_template("events/checkin/desk.html", event=event, stats=_stats(event), outcome=outcome, typed=typed)
    return page, status


@bp.get(DESK)
@login_required
def desk(event_id):
    event = get_managed_event(event_id, current_user)
    return _render_desk(event)


@bp.get(f"{DESK}/stats")
@login_required
def stats(event_id):
    # A fresh CSRF token with every poll: a desk stays open all day, longer than a token lives.
    return jsonify(**_stats(get_managed_event(event_id, current_user)), csrf=generate_csrf())


def _desk_outcome(event, text: str, attendee_id, confirm: bool) -> tuple[dict, int]:
    """What the desk shows after a press of its button, and the HTTP status: admitted (200), people to
    pick from (200), or refused with the reason (409; "not_event_day" asks for a confirmation)."""
    try:
        found = desk_check_in(event, current_user, text, attendee_id, confirm)
    except CheckinRefused as refused:
        db.session.rollback()
        who = attendee_summary(refused.attendee) if refused.attendee else None
        return {"ok": False, "code": refused.code, "message": refused.message, "attendee": who}, refused.status
    if isinstance(found, tuple):
        matches, more = found
        message = f"找到 {len(matches) + more} 位参会人" + (
            f"，只列出前 {len(matches)} 位，请输入更多字缩小范围" if more else "，请选择"
        )
        people = [attendee_summary(a) for a in matches]
        return {"ok": False, "code": "choose", "message": message, "matches": people, "more": more}, 200
    db.session.commit()
    summary = attendee_summary(found)
    return {"ok": True, "code": "ok", "message": f"签到成功 {summary['checked_in_at']}", "attendee": summary}, 200


@bp.post(f"{DESK}/scan")
@login_required
def scan(event_id):
    """The desk's button, for its script (JSON in and out) and for a browser without it (a form post that
    renders the desk with the outcome)."""
    event = get_managed_event(event_id, current_user)
    payload = request.get_json(silent=True) if request.is_json else None
    fields = payload if isinstance(payload, dict) else request.form
    text, attendee_id = fields.get("code"), fields.get("attendee_id")
    confirm = str(fields.get("confirm", "")) in ("1", "true", "True")
    outcome, status = _desk_outcome(event, text if isinstance(text, str) else "", attendee_id, confirm)
    if request.is_json:
        return jsonify(outcome), status
    typed = "" if outcome["ok"] else (text if isinstance(text, str) else "")[:300]
    return _render_desk(event, outcome, typed, status)


@bp.post(f"{DESK}/<int:attendee_id>/undo")
@login_required
def undo(event_id, attendee_id):
    event = get_managed_event(event_id, current_user)
    attendee = undo_check_in(event, attendee_id, current_user)
    db.session.commit()
    return jsonify(ok=True, message=f"已撤销 {attendee.name} 的签到", attendee=attendee_summary(attendee))


# --- exports ------------------------------------------------------------------------------------------


@bp.get("/<int:event_id>/exports/<any(attendees, checkin):what>.<any(xlsx, csv):fmt>")
@login_required
def export(event_id, what, fmt):
    event = get_managed_event(event_id, current_user)
    name, tables = CHECKIN_EXPORTS[what]
    return export_sheets(fmt, export_name(event, name), tables(event))
