"""Login throttling on Flask-Limiter. Failed logins are counted per e-mail address, whether or not the address
has an account (so the answer never tells), and per client address with a far higher threshold: a fair's
Wi-Fi puts fifty honest people behind one address, while a password guesser tries many passwords on one
account or one password on many accounts.

Only failures count (deduct_when); a successful login or a password reset clears its address's count. The
counts live in RATELIMIT_STORAGE_URI: with Redis every gunicorn worker shares them (memory:// is one process's).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from flask import current_app, flash, make_response, render_template, request
from flask_limiter import RequestLimit
from limits import parse

from app.auth.forms import LoginForm
from app.auth.services import normalize_email
from app.core.web import local_time
from app.extensions import limiter

ACCOUNT_SCOPE = "login-account"
_FAILED = "lianqiao.login_failed"  # request.environ key: this request was a failed login


def account_limit() -> str:
    cfg = current_app.config
    return f"{cfg['LOGIN_MAX_FAILURES']} per {cfg['LOGIN_LOCKOUT_MINUTES']} minutes"


def ip_limit() -> str:
    return current_app.config["LOGIN_IP_FAILURE_LIMIT"]


def account_key(email: str | None = None) -> str:
    """The address as posted, normalised and hashed: a short key whatever was posted."""
    email = normalize_email(request.form.get("email") if email is None else email)
    return "account:" + hashlib.sha256(email.encode()).hexdigest()[:32]


def note_failure() -> None:
    """This login failed: count it against the address and the client (after the response)."""
    request.environ[_FAILED] = True


def _failed(response) -> bool:
    return bool(request.environ.get(_FAILED))


def locked_message(reset_at: int) -> str:
    until = local_time(datetime.fromtimestamp(reset_at, UTC).replace(tzinfo=None), "%H:%M")
    return f"登录失败次数过多，该邮箱已暂停登录至 {until}（北京时间），请届时再试，或通过“找回密码”重置密码"


def failure_message(message: str) -> str:
    """What to say after a failed login: `message`, or the lockout when this failure was the last allowed."""
    account = next((lim for lim in limiter.current_limits if lim.request_args[-1] == ACCOUNT_SCOPE), None)
    if account is not None and account.remaining <= 1:  # the count is taken after this response
        return locked_message(account.reset_at)
    return message


def forget_failures(email: str) -> None:
    """Clear an address's failed logins (it logged in, or its password was reset)."""
    if not limiter.enabled:
        return
    prefix = [p] if (p := current_app.config.get("RATELIMIT_KEY_PREFIX")) else []
    limiter.limiter.clear(parse(account_limit()), *prefix, account_key(email), ACCOUNT_SCOPE)


def _refuse(limit: RequestLimit):
    """A breached limit: the login page again, saying why (the same words whether or not the address has an
    account), with 429."""
    if limit.request_args[-1] == ACCOUNT_SCOPE:
        flash(locked_message(limit.reset_at), "danger")
    else:
        flash("此网络（同一出口地址）的登录失败次数过多，请稍后再试；忘记密码可通过“找回密码”重置", "danger")
    return make_response(render_template("auth/login.html", form=LoginForm()), 429)


def login_throttled(view):
    """The login view, throttled per address and per client address; only failed logins count."""
    per_client = limiter.limit(ip_limit, methods=["POST"], deduct_when=_failed, on_breach=_refuse)
    per_account = limiter.shared_limit(
        account_limit,
        scope=ACCOUNT_SCOPE,
        key_func=account_key,
        methods=["POST"],
        deduct_when=_failed,
        on_breach=_refuse,
    )
    return per_account(per_client(view))
