"""One event state (app.events.status) behind every badge and the registration box: for each situation an
event can be in, the list, the event page, the organiser's pages and the registration box say the same
thing, and registering is refused exactly when the box says so."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.core.enums import EventStatus
from app.core.models import utcnow
from app.events.models import Registration
from tests.events.helpers import count
from tests.factories import EventFactory, UserFactory

S = EventStatus
BADGE = re.compile(r'data-event-state="[a-z_]+">([^<]+)<')


def _fields(case: str) -> dict:
    now = utcnow().replace(microsecond=0)
    day = timedelta(days=1)
    return {
        "draft": {"status": S.DRAFT},
        "registration not yet open": {"registration_opens_at": now + day},
        "open": {},
        "full, waitlist open": {"capacity": 1, "seats_taken": 1},
        "closed by the organiser": {"status": S.CLOSED},
        "deadline passed, not yet closed by the job": {"registration_closes_at": now - timedelta(minutes=1)},
        "in progress": {"starts_at": now - timedelta(hours=1), "ends_at": now + timedelta(hours=3)},
        "ended, not yet marked finished": {"starts_at": now - 2 * day, "ends_at": now - day},
        "marked finished": {"status": S.FINISHED, "starts_at": now - 2 * day, "ends_at": now - day},
        "cancelled": {"status": S.CANCELLED},
    }[case]


# case: (badge, what the registration box says, whether it offers to register)
EXPECTED = {
    "draft": ("草稿", "活动尚未发布", False),
    "registration not yet open": ("报名未开始", "报名尚未开始", False),
    "open": ("报名中", "立即报名", True),
    "full, waitlist open": ("名额已满·可候补", "报名候补", True),
    "closed by the organiser": ("报名已截止", "报名已截止", False),
    "deadline passed, not yet closed by the job": ("报名已截止", "报名已截止", False),
    "in progress": ("进行中", "活动已开始", False),
    "ended, not yet marked finished": ("已结束", "活动已结束", False),
    "marked finished": ("已结束", "活动已结束", False),
    "cancelled": ("已取消", "活动已取消", False),
}


def _box(page: str) -> str:
    """The registration box (the first of the two copies: phone and desktop layouts)."""
    start = page.index(">报名</")
    return page[start : page.index("添加到日历", start)]


@pytest.mark.parametrize("case", list(EXPECTED))
def test_badges_and_the_registration_box_agree(db, client, login, case):
    badge, box_says, offers = EXPECTED[case]
    event = EventFactory(**_fields(case))
    visitor = UserFactory()  # of a verified organisation: only the event itself can stand in the way
    db.session.commit()

    login(event.organiser if case == "draft" else visitor)
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert set(BADGE.findall(page)) == {badge}
    box = _box(page)
    assert box_says in box
    assert ("立即报名" in box or "报名候补" in box) is offers

    login(event.organiser)
    for url in (f"/events/{event.id}/manage", "/events/organised"):
        assert BADGE.findall(client.get(url).get_data(as_text=True)) == [badge], url
    listed = BADGE.findall(client.get("/events/?when=all").get_data(as_text=True))
    assert listed == ([] if case in ("draft", "cancelled") else [badge])


@pytest.mark.parametrize("case", [c for c, (_, _, offers) in EXPECTED.items() if not offers and c != "draft"])
def test_registering_is_refused_with_the_words_of_the_box(db, client, login, case):
    _, box_says, _ = EXPECTED[case]
    event = EventFactory(**_fields(case))
    visitor = UserFactory()
    db.session.commit()
    login(visitor)
    resp = client.post(
        f"/events/{event.id}/register",
        data={"attendees-0-name": "王强", "attendees-0-phone": "13912345678"},
        follow_redirects=True,
    )
    assert box_says in resp.get_data(as_text=True)
    assert count(db, Registration) == 0


def test_a_full_event_takes_the_registration_onto_the_waitlist(db, client, login):
    event = EventFactory(**_fields("full, waitlist open"))
    visitor = UserFactory()
    db.session.commit()
    login(visitor)
    client.post(f"/events/{event.id}/register", data={"attendees-0-name": "王强", "attendees-0-phone": "13912345678"})
    (registration,) = db.session.query(Registration).all()
    assert registration.status.value == "waitlisted"
