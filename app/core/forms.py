"""What every form shares: the base class, filters and validators, select choices, and showing a service's
error on the form.

BaseForm uses WTForms' own Chinese catalogue for its built-in messages: Flask-WTF only translates through
Flask-Babel, which we do not ship ("不是有效的选择。" instead of "Not a valid choice.").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from flask import flash
from flask_wtf import FlaskForm
from wtforms import FieldList, FormField, HiddenField, PasswordField, SelectChoice, StringField, TextAreaField
from wtforms.meta import DefaultMeta
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.core.errors import DomainError, ValidationFailed
from app.core.validators import single_line_error
from app.extensions import db

# Fields whose text may span lines (or is never shown nor sent anywhere: a password).
MULTI_LINE_FIELDS = (TextAreaField, PasswordField)


class BaseForm(FlaskForm):
    """Every form of the platform. Validating one also holds every single-line field in it (rows of a
    FieldList and FormField included) to single_line_error: no line breaks, tabs or other control characters."""

    class Meta:
        locales = ["zh"]

        def get_translations(self, form):
            return DefaultMeta.get_translations(self, form)

    def validate(self, extra_validators=None) -> bool:
        for field in _single_line_fields(self):
            if single_line not in field.validators:
                field.validators = [*field.validators, single_line]
        return super().validate(extra_validators)


def single_line(form, field) -> None:
    """A field validator: the text (or each text of a repeated input) is one line."""
    values = field.data if isinstance(field.data, list) else [field.data]
    for value in values:
        if message := single_line_error(value):
            raise ValidationError(message)


def _single_line_fields(fields):
    for field in fields:
        if isinstance(field, FormField):
            yield from _single_line_fields(field.form)
        elif isinstance(field, FieldList):
            yield from _single_line_fields(field.entries)
        elif not isinstance(field, MULTI_LINE_FIELDS):
            yield field


def strip(value):
    return value.strip() if isinstance(value, str) else value


def none_if_blank(value):
    return value or None


def form_token_field() -> HiddenField:
    """The hidden token that makes a form sent twice count once: only ever our own random token, and a
    tampered, longer one is cut to the column size (40)."""
    return HiddenField(filters=[lambda value: value[:40] if value else value])


def text_field(label: str, longest: int, required: bool = False, **kwargs) -> StringField:
    """A one-line text, stripped (blank is None), at most `longest` characters, with Chinese messages."""
    checks = [DataRequired(f"请填写{label}")] if required else [Optional()]
    return StringField(
        label,
        filters=[strip, none_if_blank],
        validators=[*checks, Length(max=longest, message=f"{label}不能超过 {longest} 个字")],
        **kwargs,
    )


def long_text_field(
    label: str, rows: int = 4, required: bool = False, longest: int = 20_000, **kwargs
) -> TextAreaField:
    """A text area like text_field, `rows` high."""
    checks = [DataRequired(f"请填写{label}")] if required else [Optional()]
    return TextAreaField(
        label,
        filters=[strip, none_if_blank],
        validators=[*checks, Length(max=longest, message=f"{label}不能超过 {longest} 个字")],
        render_kw={"rows": rows},
        **kwargs,
    )


def upper(value):
    return value.strip().upper() if isinstance(value, str) else value


def lower(value):
    return value.strip().lower() if isinstance(value, str) else value


def checked_by(error_of: Callable[[Any], str | None]):
    """A field validator from a rule that returns a Chinese message or None (credit_code_error, …)."""

    def validate(form, field) -> None:
        if message := error_of(field.data):
            raise ValidationError(message)

    return validate


def select_choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as select choices."""
    return [SelectChoice(value, label) for value, label in pairs]


def with_blank(choices, label: str = "请选择") -> list[SelectChoice]:
    """Select choices led by an empty option: "请选择" on a required field, "全部…" or "不限" on a filter."""
    return [SelectChoice("", label), *select_choices(choices)]


def show_form_error(form, err: DomainError) -> None:
    """Show a service's error on the form about to be re-rendered: each field message next to its field,
    anything else as a flash message. The failed transaction is rolled back first."""
    db.session.rollback()
    errors = getattr(err, "errors", None) or {}
    leftover = []
    for name, message in errors.items():
        if name in form:
            form[name].errors = [*form[name].errors, message]
        else:
            leftover.append(message)
    for message in leftover if errors else [err.message]:
        flash(message, "danger")


class Done(NamedTuple):
    """What the service returned; a tuple, so it is true even when the service returns None."""

    result: Any


def commit_form(form, call: Callable[[], Any]) -> Done | None:
    """Run the service call for a submitted, valid form and commit once.

    None when the form was not submitted or not valid, or when the service raised ValidationFailed; that
    error is then shown on the form (show_form_error) for the page to render again.
    """
    if not form.validate_on_submit():
        return None
    try:
        result = call()
    except ValidationFailed as err:
        show_form_error(form, err)
        return None
    db.session.commit()
    return Done(result)
