"""Who a session cookie belongs to, and when it stops working.

A Flask session is a signed cookie the browser keeps: the server cannot take a copy back. So each session
carries its user's `session_version` from the moment of login, and a request whose version is not the
user's current one is anonymous, and its cookie is cleared. Logging out, changing and resetting the password
raise the version (app.auth.services.end_all_sessions): every copy of an earlier cookie, on every device,
stops working at once.
"""

from __future__ import annotations

from flask import session
from flask_login import login_user

from app.auth.models import User
from app.extensions import db

SESSION_VERSION_KEY = "_session_version"
# What Flask-Login and sign_in keep in the session about the signed-in user.
_SIGNED_IN_KEYS = ("_user_id", "_fresh", "_id", SESSION_VERSION_KEY)


def load_user(user_id: str) -> User | None:
    """Flask-Login's user loader: the session's user, if the session is still of the user's current version."""
    try:
        user = db.session.get(User, int(user_id))
    except (TypeError, ValueError, OverflowError):
        user = None
    if user is None or session.get(SESSION_VERSION_KEY) != user.session_version:
        for key in _SIGNED_IN_KEYS:
            session.pop(key, None)
        return None
    return user


def sign_in(user: User) -> None:
    """Start a session for the user (12 hours by default, PERMANENT_SESSION_LIFETIME) of the current version."""
    session.permanent = True
    login_user(user)
    keep_signed_in(user)


def keep_signed_in(user: User) -> None:
    """Carry this session over to the user's new version (the session that changed the password stays)."""
    session[SESSION_VERSION_KEY] = user.session_version
