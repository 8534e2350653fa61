"""Every single-line field of a form keeps to one line, rows of a repeated sub-form included: an attendee's name
with a line break is refused with a clear message and no registration is saved."""

from __future__ import annotations

from app.events.models import Registration
from tests.events.helpers import count
from tests.factories import EventFactory, UserFactory


def test_an_attendee_name_with_a_line_break_is_refused_and_nothing_is_saved(db, client, login):
    event = EventFactory()
    login(UserFactory())
    db.session.commit()
    person = {"attendees-0-phone": "13912345678"}
    url = f"/events/{event.id}/register"
    bad = client.post(url, data={"form_token": "a", **person, "attendees-0-name": "王\r\n强"})
    assert bad.status_code == 422 and "不能包含换行、制表符等控制字符" in bad.get_data(as_text=True)
    assert count(db, Registration) == 0
    good = client.post(url, data={"form_token": "b", **person, "attendees-0-name": "王强"})
    assert good.status_code == 302 and count(db, Registration) == 1
