"""Forms of the meeting pages; the services do the checking (show_form_error puts their messages on fields)."""

from __future__ import annotations

from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from app.core.enums import OrgType
from app.core.forms import BaseForm, strip, with_blank
from app.core.industries import SECTIONS
from app.core.regions import REGIONS
from app.core.web import id_list, parse_id
from app.events.meetings.directory import SIDES, TEXT_MAX, DirectoryFilters
from app.postings.forms import MultiCheckboxField


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


class DirectoryForm(BaseForm):
    """The directory's filters, read from the query string: a value that is not one of the choices (checked
    by SelectField itself; blank is the "all" choice) is left out of the search and named in `ignored`,
    never an error page."""

    class Meta:
        csrf = False

    q = StringField("机构名称", filters=[strip], validators=[Length(max=TEXT_MAX)])
    org_type = SelectField("机构类型", choices=with_blank(OrgType.choices(), "全部类型"), filters=[strip], default="")
    industry = SelectField(
        "行业门类",
        choices=with_blank([(k, f"{k} {v}") for k, v in SECTIONS.items()], "全部行业"),
        filters=[strip],
        default="",
    )
    region = SelectField("盟市", choices=with_blank(REGIONS, "全部盟市"), filters=[strip], default="")
    side = SelectField(
        "提供或寻求",
        choices=with_blank([(k, label) for k, (label, _) in SIDES.items()], "提供或寻求：不限"),
        filters=[strip],
        default="",
    )
    topic = StringField("信息关键词", filters=[strip], validators=[Length(max=TEXT_MAX)])

    def filters(self) -> tuple[DirectoryFilters, list[str]]:
        self.validate()
        ignored = [f"筛选条件“{field.label.text}”无效，已忽略" for field in self if field.errors]

        def ok(field):
            return field.data if field.data and not field.errors else None

        return DirectoryFilters(
            name=ok(self.q) or "",
            org_type=OrgType.from_any(ok(self.org_type)),
            section=ok(self.industry),
            region=ok(self.region),
            side=ok(self.side),
            topic=ok(self.topic) or "",
        ), ignored

    @property
    def active(self) -> bool:
        return any(field.data for field in self)


class SlotsField(MultiCheckboxField):
    """Slot ids ticked on the invitation page; the service checks each one (event, time, free)."""

    def process_formdata(self, valuelist):
        self.data = id_list(valuelist)
        if len(self.data) != len(valuelist):
            raise ValueError("所选时段无效，请重新选择")

    def pre_validate(self, form):
        """Every id is checked by the service, with a message naming the slot."""


class MeetingRequestForm(BaseForm):
    slots = SlotsField("希望的洽谈时段", choices=[], validate_choice=False, coerce=int)
    message = TextAreaField("留言", default="", filters=[strip])

    def validate_slots(self, field) -> None:
        if field.choices and not field.data:
            raise ValidationError("请至少选择一个希望的洽谈时段")


class AcceptForm(BaseForm):
    """The proposed slot the recipient picks; blank lets the system arrange the time."""

    slot = StringField("洽谈时段", default="")

    def validate_slot(self, field) -> None:
        if field.data and parse_id(field.data) is None:
            raise ValidationError("所选时段无效，请重新选择")

    @property
    def slot_id(self) -> int | None:
        return parse_id(self.slot.data) if self.slot.data else None


class OutcomeForm(BaseForm):
    outcome = StringField("洽谈结果", default="")
    note = StringField("备注", default="")


class MeetingCancelForm(BaseForm):
    reason = TextAreaField("取消原因", default="")
