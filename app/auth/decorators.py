"""Access rules for views. Another organisation's private object is a 404, not a 403."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def _requires(allowed: Callable[[object], bool]):
    """A view decorator: log in first, then 403 unless `allowed(current_user)`."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not allowed(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


platform_admin_required = _requires(lambda user: user.is_platform_admin)
organiser_required = _requires(lambda user: user.is_organiser)
# The user must belong to an organisation (every posting is owned by one).
org_member_required = _requires(lambda user: user.org_id is not None)
