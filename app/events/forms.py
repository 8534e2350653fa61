"""Forms of the event pages, and what every event form shares: Beijing-time inputs, the ids of edited rows,
and turning a form's first error into the page's message. Times are typed in Beijing time and handed on as
naive UTC; the services check the rules between fields and report them next to the field (show_form_error)."""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from flask import request
from wtforms import BooleanField, Form, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields import FieldList, FormField
from wtforms.validators import Optional, Regexp

from app.core.clock import to_local, to_utc
from app.core.enums import EventType, OrgType, TicketType
from app.core.errors import ValidationFailed
from app.core.forms import BaseForm, select_choices, strip, with_blank
from app.core.regions import REGIONS
from app.core.web import parse_id
from app.events.models import Event
from app.events.services import MAX_SEATS, TICKET_NAME_MAX, EventInput, SessionInput, TicketInput
from app.postings.forms import MultiCheckboxField

BLANK_SESSIONS = 3
F = TypeVar("F", bound=BaseForm)
_INPUT_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S")


class LocalDateTimeField(StringField):
    """A datetime-local input read as Beijing time; `data` is naive UTC (None when blank)."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"type": "datetime-local"})
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        self.data = None
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            return
        for fmt in _INPUT_FORMATS:
            try:
                self.data = to_utc(datetime.strptime(text, fmt))
                return
            except ValueError:
                continue
        self.raw = text
        raise ValueError("时间格式不正确，请按“年-月-日 时:分”填写，如 2026-12-20 09:00")

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return to_local(self.data).strftime("%Y-%m-%dT%H:%M") if isinstance(self.data, datetime) else ""


def _count(label: str, description: str = "") -> IntegerField:
    return IntegerField(
        label, validators=[Optional()], render_kw={"inputmode": "numeric", "min": 0}, description=description
    )


class RowIdField(HiddenField):
    """The id of a row a form edits (an agenda item, an attendee), rendered from the row itself so that saving
    the form again updates that row in place instead of replacing it (its registrations, its ticket). Blank
    means a new row; anything else that is not an id refuses the whole form. Whether the id names one of the
    rows being edited is the service's rule (app.events.services.edited_rows)."""

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip()
        self.data = parse_id(text) if text else None
        if text and self.data is None:
            raise ValueError("表单内容已失效，请刷新页面后重新填写")


def first_error(form) -> str:
    return next((errors[0] for errors in form.errors.values() if errors), "提交的内容有误")


def submitted(form_class: type[F]) -> F:
    """The form filled from the posted fields and validated. A broken rule becomes a ValidationFailed carrying
    the form's first message, which the one DomainError handler (app.core.web) flashes before sending the user
    back, as it does with a service's own refusals."""
    form = form_class(formdata=request.form)
    if not form.validate():
        raise ValidationFailed(first_error(form))
    return form


class SessionRow(Form):
    id = RowIdField()
    title = StringField("议程", filters=[strip])
    speaker = StringField("嘉宾", filters=[strip])
    room = StringField("会场", filters=[strip])
    starts_at = LocalDateTimeField("开始")
    ends_at = LocalDateTimeField("结束")
    capacity = _count("容量")

    def is_blank(self) -> bool:
        return not (self.title.data or self.starts_at.data or self.ends_at.data or self.speaker.data or self.room.data)


class TicketRow(Form):
    """One row per ticket type, in TicketType order: the row's position says which type it is."""

    enabled = BooleanField("开放")
    name = StringField("显示名称", filters=[strip], render_kw={"maxlength": TICKET_NAME_MAX})
    quota = _count("名额")


class EventForm(BaseForm):
    event_type = SelectField("活动类型", choices=with_blank(EventType.choices()), validate_choice=False)
    title = StringField("活动名称", filters=[strip], render_kw={"maxlength": 200})
    description = TextAreaField("活动介绍", filters=[strip], render_kw={"rows": 6})
    starts_at = LocalDateTimeField("开始时间")
    ends_at = LocalDateTimeField("结束时间")
    venue = StringField("举办地点", filters=[strip], description="线上活动可不填，填写下方的线上链接")
    online_url = StringField("线上参会链接", filters=[strip], render_kw={"inputmode": "url"})
    region = SelectField("所在盟市", choices=with_blank(REGIONS, "不限/线上"), validate_choice=False)
    contact = StringField("咨询联系方式", filters=[strip], description="如：王老师 0471-1234567")
    registration_opens_at = LocalDateTimeField("报名开始", description="留空表示发布后即可报名")
    registration_closes_at = LocalDateTimeField("报名截止", description="留空表示活动开始前均可报名")
    capacity = _count("人数上限", "按参会人数计；留空表示不限")
    audience = MultiCheckboxField("面向机构类型", choices=select_choices(OrgType.choices()), validate_choice=False)
    requires_approval = BooleanField("报名需主办方审核")
    sessions = FieldList(FormField(SessionRow))
    tickets = FieldList(FormField(TicketRow))

    @classmethod
    def for_event(cls, event: Event | None, formdata=None) -> EventForm:
        """The form for a new event (event None) or filled from an event; rows for every ticket type and a
        few blank agenda rows."""
        form = cls(formdata=formdata, obj=event) if event else cls(formdata=formdata)
        if formdata is None:
            while form.sessions.entries:
                form.sessions.pop_entry()
            for s in event.sessions if event else []:
                form.sessions.append_entry(s)
            for _ in range(BLANK_SESSIONS):
                form.sessions.append_entry()
            by_type = {c.ticket_type: c for c in event.ticket_categories} if event else {}
            while form.tickets.entries:
                form.tickets.pop_entry()
            for t in TicketType:
                c = by_type.get(t)
                form.tickets.append_entry(
                    {
                        "enabled": c is not None,
                        "name": c.name if c else "",
                        "quota": c.quota if c else None,
                    }
                )
        return form

    def ticket_rows(self) -> list[tuple[TicketType, TicketRow]]:
        return list(zip(TicketType, (entry.form for entry in self.tickets), strict=False))

    def to_input(self) -> EventInput:
        tickets = [
            TicketInput(ticket_type, row.name.data or "", row.quota.data)
            for ticket_type, row in self.ticket_rows()
            if row.enabled.data
        ]
        sessions = [
            SessionInput(
                title=r.title.data or "",
                starts_at=r.starts_at.data,
                ends_at=r.ends_at.data,
                speaker=r.speaker.data or "",
                room=r.room.data or "",
                capacity=r.capacity.data,
                id=r.id.data,
            )
            for r in (entry.form for entry in self.sessions)
            if not r.is_blank()
        ]
        return EventInput(
            event_type=EventType.from_any(self.event_type.data),
            title=self.title.data or "",
            description=self.description.data or "",
            starts_at=self.starts_at.data,
            ends_at=self.ends_at.data,
            venue=self.venue.data or "",
            online_url=self.online_url.data or "",
            region=self.region.data or "",
            contact=self.contact.data or "",
            registration_opens_at=self.registration_opens_at.data,
            registration_closes_at=self.registration_closes_at.data,
            capacity=self.capacity.data,
            audience=list(self.audience.data or []),
            requires_approval=bool(self.requires_approval.data),
            sessions=sessions,
            tickets=tickets,
        )


class ReasonForm(BaseForm):
    reason = TextAreaField("原因", filters=[strip], render_kw={"rows": 2, "maxlength": 1000})


class CapacityForm(BaseForm):
    capacity = StringField(
        "人数上限",
        filters=[strip],
        validators=[
            Optional(),
            Regexp(r"[0-9]{1,6}\Z", message=f"人数上限应为 0 到 {MAX_SEATS} 之间的整数（留空表示不限）"),
        ],
    )

    def value(self) -> int | None:
        return int(self.capacity.data) if self.capacity.data else None
