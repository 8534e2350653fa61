"""Account rules: registration, login with lockout, password reset, invitations, platform roles.

Services flush, never commit; the view or CLI command commits once.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from werkzeug.security import check_password_hash, generate_password_hash

from app.auth.models import User
from app.core.enums import OrgRole, PlatformRole, VerificationStatus
from app.core.errors import DomainError, FieldError, NotFound
from app.core.mail import queue_mail
from app.core.models import record_change, utcnow
from app.core.web import local_time
from app.extensions import db
from app.organizations.models import Organization
from app.organizations.services import OrgProfile, apply_profile, find_invitation, flush_unique

RESET_SALT = "password-reset"
LOGIN_FAILED = "邮箱或密码不正确"
# Compared against when the e-mail is unknown, so both answers take the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")


class LoginFailed(DomainError):
    code = "login_failed"
    status = 401


class AccountLocked(LoginFailed):
    code = "account_locked"
    status = 423


class InvalidResetToken(DomainError):
    code = "invalid_reset_token"


def normalize_email(email: str | None) -> str:
    return (email or "").strip().lower()


def password_error(password: str | None) -> str | None:
    """Passwords have the configured minimum length and mix at least two of letters, digits and symbols."""
    password = password or ""
    min_length = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < min_length:
        return f"密码至少需要 {min_length} 位"
    if len(password) > 128:
        return "密码不能超过 128 位"
    kinds = sum(
        [
            any(c.isalpha() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
    )
    if kinds < 2:
        return "密码过于简单：请至少包含字母、数字、符号中的两种"
    return None


def user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalize_email(email)))


def create_user(
    email: str,
    name: str,
    password: str,
    *,
    phone: str | None = None,
    org: Organization | None = None,
    org_role: OrgRole = OrgRole.MEMBER,
    platform_role: PlatformRole = PlatformRole.NONE,
) -> User:
    """E-mail addresses are unique (compared lower-cased); the password must pass password_error."""
    email = normalize_email(email)
    if user_by_email(email) is not None:
        raise FieldError("email", "该邮箱已注册，请直接登录；忘记密码可通过“找回密码”重置")
    error = password_error(password)
    if error:
        raise FieldError("password", error)
    user = User(
        email=email,
        name=name.strip(),
        phone=(phone or "").strip() or None,
        org=org,
        org_role=org_role,
        platform_role=platform_role,
    )
    user.set_password(password)
    db.session.add(user)
    return user


def register_organization(profile: OrgProfile, *, name: str, email: str, password: str, phone: str | None) -> User:
    """One step creates an organisation (pending platform verification) and its first user, its admin."""
    org = Organization(verification=VerificationStatus.PENDING)
    with db.session.no_autoflush:  # flush once, below, so a clash becomes a readable error
        apply_profile(org, profile)
        org.contact_email = org.contact_email or normalize_email(email)
        db.session.add(org)
        user = create_user(email, name, password, phone=phone, org=org, org_role=OrgRole.ADMIN)
    flush_unique()
    record_change("organization", org.id, None, VerificationStatus.PENDING, user, "机构注册")
    return user


def authenticate(email: str, password: str) -> User:
    """Check e-mail and password. After LOGIN_MAX_FAILURES failures in a row the account is locked for
    LOGIN_LOCKOUT_MINUTES, refusing even the right password; success resets the count. An unknown
    e-mail and a wrong password get the same answer. The caller commits even when this raises."""
    user = user_by_email(email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        raise LoginFailed(LOGIN_FAILED)
    now = utcnow()
    if user.locked_until and user.locked_until > now:
        raise AccountLocked(_locked_message(user))
    if not user.check_password(password or ""):
        user.failed_login_count += 1
        if user.failed_login_count >= current_app.config["LOGIN_MAX_FAILURES"]:
            user.locked_until = now + timedelta(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"])
            user.failed_login_count = 0
            db.session.flush()
            raise AccountLocked(_locked_message(user))
        db.session.flush()
        raise LoginFailed(LOGIN_FAILED)
    if not user.active:
        raise LoginFailed("该账号已停用，请联系平台管理员")
    user.failed_login_count = 0
    user.locked_until = None
    user.last_login_at = now
    db.session.flush()
    return user


def _locked_message(user: User) -> str:
    until = local_time(user.locked_until, "%H:%M")
    return f"登录失败次数过多，账号已临时锁定至 {until}（北京时间），请届时再试，或通过“找回密码”重置密码"


# --- password reset ----------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT)


def _password_fingerprint(user: User) -> str:
    # Binding the token to the current hash makes it single-use: a new password invalidates it.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:20]


def make_reset_token(user: User) -> str:
    return _serializer().dumps({"uid": user.id, "pw": _password_fingerprint(user)})


def user_for_reset_token(token: str) -> User:
    """The user a reset link was made for; expired, used or forged links are refused."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except SignatureExpired as exc:
        raise InvalidResetToken("重置链接已过期，请重新申请找回密码") from exc
    except BadSignature as exc:
        raise InvalidResetToken("重置链接无效，请重新申请找回密码") from exc
    user = db.session.get(User, data.get("uid")) if isinstance(data, dict) else None
    if user is None or not user.active or data.get("pw") != _password_fingerprint(user):
        raise InvalidResetToken("重置链接已使用或已失效，请重新申请找回密码")
    return user


def request_password_reset(email: str) -> None:
    """Mail a reset link if the address belongs to an active account; say nothing either way."""
    user = user_by_email(email)
    if user is None or not user.active:
        return
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    link = url_for("auth.reset_password", token=make_reset_token(user), _external=True)
    queue_mail(
        user.email,
        "联桥平台：重置密码",
        f"{user.name}，您好：\n\n请在 {minutes} 分钟内打开以下链接设置新密码（链接只能使用一次）：\n{link}\n\n"
        "如果这不是您本人的操作，请忽略本邮件，您的密码不会改变。",
    )


def set_password(user: User, password: str) -> None:
    error = password_error(password)
    if error:
        raise FieldError("password", error)
    user.set_password(password)
    user.failed_login_count = 0
    user.locked_until = None
    db.session.flush()


def reset_password(token: str, password: str) -> User:
    """A valid reset link sets a new password once, and lifts any lockout."""
    user = user_for_reset_token(token)
    set_password(user, password)
    return user


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not user.check_password(current_password or ""):
        raise FieldError("current_password", "当前密码不正确")
    set_password(user, new_password)


# --- invitations and platform roles ------------------------------------------------------


def accept_invitation(token: str, *, name: str, password: str, phone: str | None = None) -> User:
    """The invitee creates an account in the inviting organisation; the link then stops working."""
    invitation = find_invitation(token)
    user = create_user(invitation.email, name, password, phone=phone, org=invitation.org, org_role=invitation.role)
    invitation.accepted_at = utcnow()
    flush_unique()
    return user


def create_platform_admin(email: str, name: str, password: str) -> User:
    """A platform admin belongs to no organisation."""
    if not name.strip():
        raise FieldError("name", "请填写姓名")
    user = create_user(email, name, password, platform_role=PlatformRole.ADMIN)
    db.session.flush()
    return user


def set_platform_role(email: str, role: PlatformRole) -> User:
    user = user_by_email(email)
    if user is None:
        raise NotFound(f"没有邮箱为 {normalize_email(email)} 的账号")
    user.platform_role = role
    db.session.flush()
    return user
