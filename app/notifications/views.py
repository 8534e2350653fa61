"""Notification pages: the list, opening one (marks it read), mark all read, e-mail preferences;
and the unread count every page's navigation bar shows."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.core.enums import NotificationKind
from app.core.forms import commit_form
from app.core.pagination import paginate
from app.core.web import commit_and_redirect, safe_next
from app.extensions import db
from app.notifications.forms import SettingsForm
from app.notifications.services import (
    get_own_notification,
    mark_all_read,
    mark_read,
    notifications_for,
    settings_for,
    unread_count,
    update_settings,
)

bp = Blueprint("notifications", __name__)


@bp.app_context_processor
def unread_badge():
    """A function, so the COUNT runs only where a page shows it (once, in the navigation bar)."""

    def unread_notifications() -> int:
        return unread_count(current_user.id) if current_user.is_authenticated else 0

    return {"unread_notifications": unread_notifications}


@bp.get("/")
@login_required
def index():
    unread_only = request.args.get("unread") == "1"
    return render_template(
        "notifications/index.html",
        pagination=paginate(notifications_for(current_user.id, unread_only)),
        unread_only=unread_only,
    )


@bp.get("/<int:notification_id>")
@login_required
def open_one(notification_id):
    notification = get_own_notification(notification_id, current_user)
    mark_read(notification)
    db.session.commit()
    return redirect(safe_next(notification.link, url_for(".index")))


@bp.post("/read-all")
@login_required
def read_all():
    changed = mark_all_read(current_user)
    return commit_and_redirect(url_for(".index"), f"已将 {changed} 条通知标为已读" if changed else "没有未读通知")


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    current = settings_for(current_user.id)
    form = SettingsForm()
    if request.method == "GET":
        form.frequency.data = current.frequency.value
        form.emailed.data = [k.value for k in NotificationKind if current.emails(k)]
    done = commit_form(form, lambda: update_settings(current_user, form.frequency.data, form.emailed.data or []))
    if done:
        flash("通知设置已保存", "success")
        return redirect(url_for(".settings"))
    return render_template("notifications/settings.html", form=form, kinds=list(NotificationKind))
