"""Forms for registration, login, password reset and invitations."""

from __future__ import annotations

from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from app.auth.services import password_error
from app.core.forms import BaseForm, checked_by, lower, strip
from app.core.validators import normalize_phone, phone_error
from app.organizations.forms import OrgProfileForm, licence_field


def email_field(label="邮箱"):
    return EmailField(
        label,
        filters=[lower],
        validators=[DataRequired("请填写邮箱"), Email("邮箱格式不正确"), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )


def new_password_fields(label="密码"):
    return (
        PasswordField(
            label,
            validators=[DataRequired("请设置密码"), checked_by(password_error)],
            render_kw={"autocomplete": "new-password"},
        ),
        PasswordField(
            "确认密码",
            validators=[DataRequired("请再次输入密码"), EqualTo("password", "两次输入的密码不一致")],
            render_kw={"autocomplete": "new-password"},
        ),
    )


def person_name_field(label="姓名"):
    return StringField(label, filters=[strip], validators=[DataRequired("请填写姓名"), Length(max=50)])


def personal_phone_field():
    return StringField(
        "手机号",
        filters=[normalize_phone],
        validators=[Optional(), checked_by(phone_error)],
        render_kw={"inputmode": "tel"},
    )


class RegisterForm(OrgProfileForm):
    """One form: the organisation, then its first user (who becomes its admin)."""

    user_name = person_name_field("您的姓名")
    email = email_field("登录邮箱")
    phone = personal_phone_field()
    password, confirm = new_password_fields()
    licence = licence_field()

    USER_FIELDS = ("user_name", "email", "phone", "password", "confirm")


class LoginForm(BaseForm):
    email = email_field()
    password = PasswordField(
        "密码", validators=[DataRequired("请填写密码")], render_kw={"autocomplete": "current-password"}
    )


class ResetRequestForm(BaseForm):
    email = email_field("注册邮箱")


class ResetPasswordForm(BaseForm):
    password, confirm = new_password_fields("新密码")


class ChangePasswordForm(BaseForm):
    current_password = PasswordField(
        "当前密码", validators=[DataRequired("请填写当前密码")], render_kw={"autocomplete": "current-password"}
    )
    password, confirm = new_password_fields("新密码")


class AcceptInvitationForm(BaseForm):
    name = person_name_field()
    phone = personal_phone_field()
    password, confirm = new_password_fields()
