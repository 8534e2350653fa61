"""Forms of the meeting pages; the services do the checking (show_form_error puts their messages on fields)."""

from __future__ import annotations

from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import Optional

from app.core.forms import BaseForm, strip


class MeetingSettingsForm(BaseForm):
    slot_minutes = IntegerField("每场时长（分钟）", default=20, validators=[Optional()])
    tables = StringField(
        "洽谈桌", default="10", filters=[strip], description="填数字 N 表示 1～N 号桌；或填写桌名，用逗号或“、”分隔"
    )
    windows = TextAreaField(
        "洽谈时间段（北京时间）",
        filters=[strip],
        description="每行一个时间段，如“2026-12-20 14:00-17:00”；可填写多行",
        render_kw={"rows": 4},
    )
    answer_hours = IntegerField(
        "答复期限（小时）",
        default=48,
        validators=[Optional()],
        description="邀请发出后在此时间内未答复即自动过期，发送方会收到通知",
    )


class MeetingRequestForm(BaseForm):
    message = TextAreaField("留言", default="")


class OutcomeForm(BaseForm):
    outcome = StringField("洽谈结果", default="")
    note = StringField("备注", default="")


class MeetingCancelForm(BaseForm):
    reason = TextAreaField("取消原因", default="")
