"""Account rules: registration with a confirmed address, login, sessions, password reset, invitations,
platform roles. No answer tells whether an address has an account (registration, login, reset); failed
logins are counted in app/auth/throttle.py.

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
from app.core.mail import queue_mail, site_url
from app.core.models import record_change, utcnow
from app.extensions import db
from app.organizations.licences import attach_licence, check_licence
from app.organizations.models import Organization
from app.organizations.services import OrgProfile, apply_profile, check_profile, find_invitation, flush_unique

RESET_SALT = "password-reset"
CONFIRM_SALT = "confirm-email"
CONFIRM_MAX_AGE = timedelta(days=7)
LOGIN_FAILED = "邮箱或密码不正确。刚注册的账号，请先打开确认邮件中的链接"
# Compared against when the e-mail is unknown, so both answers take the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")


class LoginFailed(DomainError):
    code = "login_failed"
    status = 401


class InvalidResetToken(DomainError):
    code = "invalid_reset_token"


class InvalidConfirmLink(DomainError):
    code = "invalid_confirm_link"


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


def register_organization(
    profile: OrgProfile, *, name: str, email: str, password: str, phone: str | None, licence=None
) -> User | None:
    """Self-registration: an organisation (pending platform verification) and its first user, its admin, who
    logs in once the address is confirmed through the link mailed here. The 营业执照 (`licence`, an uploaded
    file) is optional here, checked before anything is created and stored only with the new organisation.

    The answer never tells whether the address already has an account: then nothing is created, and its owner
    is mailed that someone tried (or, for an unconfirmed account, the confirmation link again). Returns the
    new user, or None when the address was taken."""
    error = password_error(password)
    if error:
        raise FieldError("password", error)
    check_profile(Organization(), profile)
    checked = check_licence(licence) if licence else None
    existing = user_by_email(email)
    if existing is not None:
        generate_password_hash(password, method="scrypt")  # as long as creating the account would take
        if existing.email_confirmed_at is None:
            send_confirmation(existing)
        else:
            _mail_registration_attempt(existing)
        return None
    org = Organization(verification=VerificationStatus.PENDING)
    with db.session.no_autoflush:  # flush once, below, so a clash becomes a readable error
        apply_profile(org, profile)
        org.contact_email = org.contact_email or normalize_email(email)
        db.session.add(org)
        user = create_user(email, name, password, phone=phone, org=org, org_role=OrgRole.ADMIN)
    flush_unique()
    user.email_confirmed_at = None  # after the INSERT: None in it would stand for the column's default, "now"
    if checked:
        attach_licence(org, checked, user)
    record_change("organization", org.id, None, VerificationStatus.PENDING, user, "机构注册")
    send_confirmation(user)
    return user


def _mail_registration_attempt(user: User) -> None:
    """At most one a day per account, so registering again and again cannot flood its owner's mailbox."""
    queue_mail(
        user.email,
        "联桥平台：有人用您的邮箱申请注册",
        f"{user.name}，您好：\n\n有人（可能是您本人）刚刚用本邮箱在联桥平台申请注册机构。本邮箱已有平台账号，"
        "因此没有创建新账号。\n\n"
        f"如果是您本人，请直接登录：{site_url(url_for('auth.login'))}\n"
        f"忘记密码可在这里重置：{site_url(url_for('auth.reset_request'))}\n"
        "如需为另一家机构注册，请换用其他邮箱。\n\n如果不是您本人，请忽略本邮件，您的账号不受影响。",
        key=f"register-attempt:{user.id}:{utcnow():%Y-%m-%d}",
    )


def confirmation_path(user: User) -> str:
    """The path of the link that confirms this account's address."""
    return url_for("auth.confirm_email", token=_serializer(CONFIRM_SALT).dumps({"uid": user.id}))


def send_confirmation(user: User) -> None:
    """Mail the link that confirms a self-registered address; at most one an hour per account."""
    days = CONFIRM_MAX_AGE.days
    queue_mail(
        user.email,
        "联桥平台：请确认您的注册邮箱",
        f"{user.name}，您好：\n\n感谢注册联桥平台。请在 {days} 天内打开以下链接确认邮箱，确认后即可登录：\n"
        f"{site_url(confirmation_path(user))}\n\n"
        "如果这不是您本人的操作，请忽略本邮件，账号不会启用。",
        key=f"confirm:{user.id}:{utcnow():%Y-%m-%d-%H}",
    )


def confirm_email(token: str) -> User:
    """A confirmation link confirms its address (again is harmless); expired or forged links are refused."""
    try:
        data = _serializer(CONFIRM_SALT).loads(token, max_age=CONFIRM_MAX_AGE.total_seconds())
    except BadSignature as exc:  # SignatureExpired included
        raise InvalidConfirmLink("确认链接无效或已过期。请用注册邮箱和密码登录，系统会重新发送确认邮件") from exc
    user = db.session.get(User, data.get("uid")) if isinstance(data, dict) else None
    if user is None:
        raise InvalidConfirmLink("确认链接对应的账号已不存在，请重新注册")
    user.email_confirmed_at = user.email_confirmed_at or utcnow()
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User:
    """Check e-mail and password. An unknown address, a wrong password and an address not yet confirmed get
    the same answer, in the same time (a right password on an unconfirmed address mails its link again).
    Failed attempts are counted and throttled in app/auth/throttle.py. The caller commits even when this
    raises."""
    user = user_by_email(email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        raise LoginFailed(LOGIN_FAILED)
    if not user.check_password(password or ""):
        raise LoginFailed(LOGIN_FAILED)
    if user.email_confirmed_at is None:
        send_confirmation(user)
        raise LoginFailed(LOGIN_FAILED)
    if not user.active:
        raise LoginFailed("该账号已停用，请联系平台管理员")
    user.last_login_at = utcnow()
    db.session.flush()
    return user


def end_all_sessions(user: User) -> None:
    """Every session of the user, on every device, stops working (see app/auth/sessions.py)."""
    user.session_version = User.session_version + 1
    db.session.flush()


# --- password reset ----------------------------------------------------------------------


def _serializer(salt: str = RESET_SALT) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


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
    link = site_url(url_for("auth.reset_password", token=make_reset_token(user)))
    queue_mail(
        user.email,
        "联桥平台：重置密码",
        f"{user.name}，您好：\n\n请在 {minutes} 分钟内打开以下链接设置新密码（链接只能使用一次）：\n{link}\n\n"
        "如果这不是您本人的操作，请忽略本邮件，您的密码不会改变。",
    )


def set_password(user: User, password: str) -> None:
    """A new password ends every session of the user: whoever held an old one is out."""
    error = password_error(password)
    if error:
        raise FieldError("password", error)
    user.set_password(password)
    end_all_sessions(user)


def reset_password(token: str, password: str) -> User:
    """A valid reset link sets a new password once; it proves the address too, so it confirms it."""
    user = user_for_reset_token(token)
    set_password(user, password)
    user.email_confirmed_at = user.email_confirmed_at or utcnow()
    return user


def change_password(user: User, current_password: str, new_password: str) -> None:
    """The current password first; the new one ends every session (the view keeps the one that changed it)."""
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
