"""Forms of the registration pages: the registration itself (attendees, ticket, sessions, note) and the
organiser's approval decisions; the services check the rules (show_form_error puts them on the fields)."""

from __future__ import annotations

from wtforms import Form, SelectField, StringField, TextAreaField
from wtforms.fields import FieldList, FormField

from app.core.forms import BaseForm, checked_by, form_token_field, strip, with_blank
from app.core.web import id_list, local_time, parse_id
from app.events.forms import ReasonForm, RowIdField
from app.events.models import Event, Registration
from app.events.registration.services import SESSION_UNKNOWN, AttendeeInput
from app.postings.forms import MultiCheckboxField

BLANK_ATTENDEES = 2


class AttendeeRow(Form):
    id = RowIdField()
    name = StringField("姓名", filters=[strip], render_kw={"maxlength": 50, "autocomplete": "name"})
    phone = StringField("手机号", filters=[strip], render_kw={"inputmode": "tel", "maxlength": 30})
    position = StringField("职务", filters=[strip], render_kw={"maxlength": 50})
    email = StringField(
        "电子邮箱（选填）", filters=[strip], render_kw={"inputmode": "email", "maxlength": 254, "autocomplete": "email"}
    )


class RegistrationForm(BaseForm):
    # Only ever our own random token; a tampered, longer one is cut to the column size (40).
    form_token = form_token_field()
    ticket_category = SelectField("票种", validate_choice=False)
    attendees = FieldList(FormField(AttendeeRow))
    sessions = MultiCheckboxField(
        "报名分会场",
        validate_choice=False,  # which sessions may be chosen is the service's rule (_chosen_sessions)
        validators=[checked_by(lambda ids: SESSION_UNKNOWN if any(parse_id(i) is None for i in ids or []) else None)],
        description="限额的分会场需单独报名，全体参会人一同参加",
    )
    note = TextAreaField(
        "备注", filters=[strip], render_kw={"rows": 2, "maxlength": 500}, description="选填，如参展需求、特殊安排"
    )

    @classmethod
    def for_registration(cls, event: Event, reg: Registration | None, user, formdata=None) -> RegistrationForm:
        form = cls(formdata=formdata, obj=reg) if reg else cls(formdata=formdata)
        form.ticket_category.choices = with_blank([(str(c.id), c.label) for c in event.ticket_categories], "请选择票种")
        form.sessions.choices = [
            (str(s.id), f"{s.title}（{local_time(s.starts_at, '%m-%d %H:%M')}，剩余 {s.left}）")
            for s in event.sessions
            if s.capacity is not None
        ]
        if formdata is None:
            while form.attendees.entries:
                form.attendees.pop_entry()
            people = (
                reg.attendees
                if reg
                else [
                    {"name": user.name, "phone": user.phone or "", "position": user.position or "", "email": user.email}
                ]
            )
            for person in people:
                form.attendees.append_entry(person)
            for _ in range(BLANK_ATTENDEES):
                form.attendees.append_entry()
            form.ticket_category.data = str(reg.ticket_category_id) if reg and reg.ticket_category_id else ""
            form.sessions.data = [str(s.id) for s in reg.sessions] if reg else []
        return form

    def category_id(self) -> int | None:
        return parse_id(self.ticket_category.data)

    def session_ids(self) -> list[int]:
        return id_list(self.sessions.data or [])

    def people(self) -> list[AttendeeInput]:
        return [
            AttendeeInput(r.name.data or "", r.phone.data or "", r.position.data or "", r.id.data, r.email.data or "")
            for r in (entry.form for entry in self.attendees)
        ]


class DecisionForm(ReasonForm):
    """The approval queue: the ticked registrations, approve or reject, and the reason for a rejection."""

    ids = MultiCheckboxField("报名", validate_choice=False)
    action = StringField()

    def rejecting(self) -> bool:
        return self.action.data == "reject"
