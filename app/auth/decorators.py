"""Access rules for views. Another organisation's private object is a 404, not a 403."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def platform_admin_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_platform_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def organiser_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_organiser:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def org_member_required(view):
    """The user must belong to an organisation (every posting is owned by one)."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if current_user.org_id is None:
            abort(403)
        return view(*args, **kwargs)

    return wrapped
