"""Registration, login/logout, password reset and invitation acceptance. Thin: form → service → commit."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, logout_user
from markupsafe import Markup

from app.auth import services, throttle
from app.auth.forms import (
    AcceptInvitationForm,
    ChangePasswordForm,
    LoginForm,
    RegisterForm,
    ResetPasswordForm,
    ResetRequestForm,
)
from app.auth.models import User
from app.auth.sessions import keep_signed_in, sign_in
from app.core.forms import commit_form
from app.core.web import safe_next
from app.extensions import db, limiter
from app.organizations.licences import licence_help
from app.organizations.services import InvitationUnusable, find_invitation

bp = Blueprint("auth", __name__)


def rate_limit(config_key: str):
    """Limit POSTs by client address; the limit is read from config at request time."""
    return limiter.limit(lambda: current_app.config[config_key], methods=["POST"])


@bp.route("/register", methods=["GET", "POST"])
@rate_limit("REGISTER_RATE_LIMIT")
def register():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = RegisterForm()
    registered = commit_form(
        form,
        lambda: services.register_organization(
            form.to_profile(),
            name=form.user_name.data,
            email=form.email.data,
            password=form.password.data,
            phone=form.phone.data,
            licence=form.licence.data,
        ),
    )
    if registered:  # the same words whether or not the address already had an account
        days = services.CONFIRM_MAX_AGE.days
        flash(
            f"请查收邮件完成注册：确认链接已发送至 {form.email.data}，{days} 天内有效。打开链接确认邮箱后即可登录。",
            "success",
        )
        if isinstance(registered.result, User) and _mail_goes_nowhere():
            # `make run` on a laptop: no mail server, and no one to hide an address from. The link is shown
            # so a new user can finish; production never gets here (it needs a mail server to register).
            flash(
                Markup(
                    f'开发环境未配置邮件服务器，可直接<a href="{services.confirmation_path(registered.result)}">确认邮箱</a>。'
                ),
                "info",
            )
        return redirect(url_for("auth.login"))
    return render_template("auth/register.html", form=form, licence_help=licence_help())


def _mail_goes_nowhere() -> bool:
    return current_app.config.get("APP_ENV") == "development" and not current_app.config.get("MAIL_SERVER")


@bp.get("/confirm/<token>")
def confirm_email(token):
    try:
        services.confirm_email(token)
    except services.InvalidConfirmLink as err:
        flash(err.message, "danger")
        return redirect(url_for("auth.login"))
    db.session.commit()
    flash(
        "邮箱已确认，注册完成，请登录。机构资料已提交，正在等待平台认证；"
        "认证通过前您可以完善资料、邀请同事，但暂不能发布信息。",
        "success",
    )
    return redirect(url_for("auth.login"))


@bp.route("/login", methods=["GET", "POST"])
@throttle.login_throttled
def login():
    target = safe_next(request.args.get("next"), url_for("home.index"))
    if current_user.is_authenticated:
        return redirect(target)
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except services.LoginFailed as err:
            db.session.commit()  # keep a confirmation mail queued again
            throttle.note_failure()
            flash(throttle.failure_message(err.message), "danger")
        else:
            db.session.commit()
            throttle.forget_failures(user.email)
            sign_in(user)
            return redirect(target)
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
    """A copy of this session's cookie must not work afterwards, so logging out ends every session of the
    account (a session cookie cannot be taken back from the browser; see app/auth/sessions.py)."""
    if current_user.is_authenticated:
        services.end_all_sessions(current_user)
        db.session.commit()
    logout_user()
    flash("您已安全退出。为保护账号，本账号在其他设备上的登录也已一并退出。", "info")
    return redirect(url_for("home.index"))


@bp.route("/reset", methods=["GET", "POST"])
@rate_limit("RESET_RATE_LIMIT")
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
        flash(f"如果该邮箱已在平台注册，重置密码的链接已发送到该邮箱，{minutes} 分钟内有效，请查收。", "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    try:
        services.user_for_reset_token(token)
    except services.InvalidResetToken as err:
        flash(err.message, "danger")
        return redirect(url_for("auth.reset_request"))
    form = ResetPasswordForm()
    if done := commit_form(form, lambda: services.reset_password(token, form.password.data)):
        throttle.forget_failures(done.result.email)
        logout_user()
        flash("密码已重置，请用新密码登录", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    changed = commit_form(
        form, lambda: services.change_password(current_user, form.current_password.data, form.password.data)
    )
    if changed:
        keep_signed_in(current_user)
        flash("密码已修改，本账号在其他设备上的登录已全部退出", "success")
        return redirect(url_for("organizations.dashboard" if current_user.org_id else "home.index"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invitation(token):
    try:
        invitation = find_invitation(token)
    except InvitationUnusable as err:
        return render_template("auth/invitation_invalid.html", message=err.message), err.status
    form = AcceptInvitationForm()
    accepted = commit_form(
        form,
        lambda: services.accept_invitation(
            token, name=form.name.data, password=form.password.data, phone=form.phone.data
        ),
    )
    if accepted:
        user = accepted.result
        logout_user()
        sign_in(user)
        flash(f"欢迎加入“{user.org.name}”！", "success")
        return redirect(url_for("organizations.dashboard"))
    return render_template("auth/accept_invitation.html", form=form, invitation=invitation)
