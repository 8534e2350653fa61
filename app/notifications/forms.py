"""The e-mail preferences form; the service checks the values (update_settings)."""

from __future__ import annotations

from wtforms import RadioField, SelectMultipleField

from app.core.enums import DigestFrequency, NotificationKind
from app.core.forms import BaseForm, select_choices


class SettingsForm(BaseForm):
    frequency = RadioField("邮件发送频率", choices=select_choices(DigestFrequency.choices()), validate_choice=False)
    emailed = SelectMultipleField("邮件提醒", choices=select_choices(NotificationKind.choices()), validate_choice=False)
