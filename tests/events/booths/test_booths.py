"""Expo booths: laying them out, who may apply, one booth per exhibitor, one exhibitor per booth, and the
public floor list."""

from __future__ import annotations

import threading

import pytest

from app.core.enums import (
    BoothApplicationStatus,
    EventType,
    NotificationKind,
    PostingKind,
    PostingStatus,
    RegistrationStatus,
    TicketType,
)
from app.core.errors import DomainError, FieldError
from app.events.booths.models import Booth, BoothApplication
from app.events.booths.services import BoothRequest, apply_for_booth, assign_booth, parse_booth_numbers
from app.notifications.models import Notification
from tests.factories import (
    BoothFactory,
    EventFactory,
    PostingFactory,
    RegistrationFactory,
    TicketCategoryFactory,
    UserFactory,
)

A = BoothApplicationStatus


@pytest.fixture
def expo(db):
    event = EventFactory(event_type=EventType.EXPO, title="内蒙古新材料博览会")
    event.exhibitor_ticket = TicketCategoryFactory(event=event, ticket_type=TicketType.EXHIBITOR)
    event.visitor_ticket = TicketCategoryFactory(event=event, ticket_type=TicketType.VISITOR)
    db.session.commit()
    return event


def exhibitor(db, expo, **kwargs):
    """A user of an organisation registered and confirmed on the 参展商 ticket."""
    registration = RegistrationFactory(event=expo, ticket_category=expo.exhibitor_ticket, **kwargs)
    db.session.commit()
    return registration.user


def application(db, expo, user=None, **request):
    result = apply_for_booth(expo, user or exhibitor(db, expo), BoothRequest(**request))
    db.session.commit()
    return result


# --- laying out booths --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "numbers"),
    [
        ("A01–A03", ["A01", "A02", "A03"]),
        ("a8-a10", ["A8", "A9", "A10"]),
        ("A01-A02, B1，C07", ["A01", "A02", "B1", "C07"]),
        ("A01 - A02", ["A01", "A02"]),
        ("101~103", ["101", "102", "103"]),
    ],
)
def test_booth_numbers_expand_ranges_and_lists(spec, numbers):
    assert parse_booth_numbers(spec) == numbers


@pytest.mark.parametrize("spec", ["", "A05-A01", "A01-B05", "A0!", "A01-A9999", "展位一"])
def test_bad_booth_numbers_are_refused_with_a_message(spec):
    with pytest.raises(FieldError) as err:
        parse_booth_numbers(spec)
    assert err.value.field == "numbers" and err.value.message


def test_organiser_bulk_creates_booths(client, login, db, expo):
    login(expo.organiser)
    resp = client.post(
        f"/events/{expo.id}/booths", data={"numbers": "A01-A20", "zone": "A 馆", "size": "standard", "area_m2": "9"}
    )
    assert resp.status_code == 302
    booths = db.session.query(Booth).filter_by(event_id=expo.id).order_by(Booth.number).all()
    assert [b.number for b in booths] == [f"A{n:02d}" for n in range(1, 21)]
    assert booths[0].zone == "A 馆" and booths[0].size_text == "标准展位 · 9 m²"


def test_creating_and_deleting_booths_is_recorded_and_the_event_management_page_still_opens(client, login, db, expo):
    login(expo.organiser)
    client.post(f"/events/{expo.id}/booths", data={"numbers": "A01-A03", "size": "standard"})
    booth = db.session.query(Booth).filter_by(event_id=expo.id, number="A02").one()
    client.post(f"/events/{expo.id}/booths/{booth.id}/delete")
    for _ in range(2):  # every visit, not only the first
        page = client.get(f"/events/{expo.id}/manage")
        assert page.status_code == 200
        assert "批量创建展位（A01 等 3 个展位）" in page.text and "删除展位（A02）" in page.text


def test_creating_an_existing_booth_number_creates_none(client, login, db, expo):
    BoothFactory(event=expo, number="A03")
    db.session.commit()
    login(expo.organiser)
    resp = client.post(f"/events/{expo.id}/booths", data={"numbers": "A01-A05", "size": "standard"})
    assert resp.status_code == 422
    assert "已存在：A03" in resp.get_data(as_text=True)
    assert db.session.query(Booth).filter_by(event_id=expo.id).count() == 1


def test_booth_area_must_be_positive(client, login, db, expo):
    login(expo.organiser)
    resp = client.post(f"/events/{expo.id}/booths", data={"numbers": "A01", "size": "special", "area_m2": "-3"})
    assert resp.status_code == 422
    assert db.session.query(Booth).count() == 0


def test_only_the_organiser_manages_booths(client, login, db, expo):
    user = exhibitor(db, expo)
    login(user)
    assert client.get(f"/events/{expo.id}/booths").status_code == 404
    assert client.post(f"/events/{expo.id}/booths", data={"numbers": "A01", "size": "standard"}).status_code == 404
    assert db.session.query(Booth).count() == 0


def test_assigned_booth_cannot_be_deleted(client, login, db, expo):
    booth = BoothFactory(event=expo)
    assign_booth(expo, application(db, expo).id, booth.id, expo.organiser)
    db.session.commit()
    login(expo.organiser)
    client.post(f"/events/{expo.id}/booths/{booth.id}/delete")
    assert db.session.get(Booth, booth.id) is not None


# --- who may apply ------------------------------------------------------------------------------------------


def test_confirmed_exhibitor_applies_with_own_published_postings_as_showcase(client, login, db, expo):
    user = exhibitor(db, expo)
    capability = PostingFactory(org=user.org, kind=PostingKind.CAPABILITY, title="稀土抛光粉")
    db.session.commit()
    login(user)
    resp = client.post(
        f"/events/{expo.id}/booths/apply",
        data={"preferred_zone": "新材料展区", "preferred_size": "special", "postings": [str(capability.id)]},
    )
    assert resp.status_code == 302
    applied = db.session.query(BoothApplication).one()
    assert (applied.org_id, applied.status, applied.preferred_zone) == (user.org_id, A.PENDING, "新材料展区")
    assert applied.showcase == [capability]


@pytest.mark.parametrize(
    "case",
    ["no registration", "waitlisted", "visitor ticket", "no organisation"],
)
def test_only_a_confirmed_exhibitor_may_apply(db, expo, case):
    if case == "no registration":
        user = UserFactory()
    elif case == "waitlisted":
        user = RegistrationFactory(
            event=expo, ticket_category=expo.exhibitor_ticket, status=RegistrationStatus.WAITLISTED
        ).user
    elif case == "visitor ticket":
        user = RegistrationFactory(event=expo, ticket_category=expo.visitor_ticket).user
    else:
        user = UserFactory(org=None)
    db.session.commit()
    with pytest.raises(DomainError):
        apply_for_booth(expo, user, BoothRequest())
    db.session.rollback()
    assert db.session.query(BoothApplication).count() == 0


def test_any_confirmed_organisation_may_apply_when_the_event_has_no_exhibitor_ticket(db):
    event = EventFactory(event_type=EventType.DOCKING)
    user = RegistrationFactory(event=event).user
    db.session.commit()
    assert apply_for_booth(event, user, BoothRequest()).status == A.PENDING


@pytest.mark.parametrize("whose", ["another organisation", "a need", "a draft"])
def test_showcase_is_limited_to_own_published_capabilities_and_achievements(db, expo, whose):
    user = exhibitor(db, expo)
    posting = {
        "another organisation": lambda: PostingFactory(kind=PostingKind.CAPABILITY),
        "a need": lambda: PostingFactory(org=user.org, kind=PostingKind.NEED),
        "a draft": lambda: PostingFactory(org=user.org, status=PostingStatus.DRAFT),
    }[whose]()
    db.session.commit()
    with pytest.raises(FieldError):
        apply_for_booth(expo, user, BoothRequest(posting_ids=[posting.id]))


def test_an_organisation_has_one_waiting_application(client, login, db, expo):
    user = exhibitor(db, expo)
    application(db, expo, user)
    login(user)
    client.post(f"/events/{expo.id}/booths/apply", data={"note": "再来一次"})
    assert db.session.query(BoothApplication).count() == 1


def test_exhibitor_withdraws_a_waiting_application(client, login, db, expo):
    applied = application(db, expo)
    login(applied.user)
    client.post(f"/events/{expo.id}/booths/applications/{applied.id}/withdraw")
    db.session.expire_all()
    assert applied.status == A.WITHDRAWN


def test_another_organisation_cannot_withdraw_an_application(client, login, db, expo):
    applied = application(db, expo)
    stranger = exhibitor(db, expo)
    login(stranger)
    assert client.post(f"/events/{expo.id}/booths/applications/{applied.id}/withdraw").status_code == 404
    db.session.expire_all()
    assert applied.status == A.PENDING


# --- assigning ----------------------------------------------------------------------------------------------


def test_organiser_assigns_a_booth_and_the_exhibitor_is_told(client, login, db, expo):
    booth = BoothFactory(event=expo, number="A05")
    applied = application(db, expo)
    login(expo.organiser)
    resp = client.post(f"/events/{expo.id}/booths/applications/{applied.id}/assign", data={"booth_id": booth.id})
    assert resp.status_code == 302
    db.session.expire_all()
    assert (applied.status, applied.booth_id) == (A.ASSIGNED, booth.id)
    note = db.session.query(Notification).filter_by(user_id=applied.user_id).one()
    assert note.kind == NotificationKind.BOOTH_ASSIGNED and "A05" in note.title


def test_a_booth_goes_to_one_exhibitor_only(client, login, db, expo):
    booth = BoothFactory(event=expo)
    first, second = application(db, expo), application(db, expo)
    login(expo.organiser)
    client.post(f"/events/{expo.id}/booths/applications/{first.id}/assign", data={"booth_id": booth.id})
    client.post(f"/events/{expo.id}/booths/applications/{second.id}/assign", data={"booth_id": booth.id})
    db.session.expire_all()
    assert (first.booth_id, second.booth_id, second.status) == (booth.id, None, A.PENDING)


def test_the_database_refuses_one_booth_for_two_applications(db, expo):
    booth = BoothFactory(event=expo)
    first, second = application(db, expo), application(db, expo)
    first.booth_id = second.booth_id = booth.id
    with pytest.raises(Exception, match="(?i)unique"):
        db.session.commit()
    db.session.rollback()


@pytest.mark.slow
def test_simultaneous_assignments_of_one_booth_give_it_to_exactly_one_exhibitor(app, db, expo):
    booth_id = BoothFactory(event=expo).id
    application_ids = [application(db, expo).id for _ in range(5)]
    expo_id, organiser_id = expo.id, expo.organiser_id
    barrier = threading.Barrier(len(application_ids))
    outcomes: list[str] = []

    def assign(application_id):
        with app.app_context():
            from app.auth.models import User
            from app.events.models import Event

            event, actor = db.session.get(Event, expo_id), db.session.get(User, organiser_id)
            barrier.wait()
            try:
                assign_booth(event, application_id, booth_id, actor)
                db.session.commit()
                outcomes.append("ok")
            except DomainError as err:
                db.session.rollback()
                outcomes.append(err.code)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=assign, args=(i,)) for i in application_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["booth_taken"] * 4 + ["ok"]
    db.session.expire_all()
    assert db.session.query(BoothApplication).filter_by(booth_id=booth_id).count() == 1


def test_second_booth_for_an_exhibitor_only_when_the_organiser_allows_it(db, expo):
    one, two = BoothFactory(event=expo), BoothFactory(event=expo)
    user = exhibitor(db, expo)
    assign_booth(expo, application(db, expo, user).id, one.id, expo.organiser)
    db.session.commit()
    again = application(db, expo, user)
    with pytest.raises(DomainError, match="允许多个展位"):
        assign_booth(expo, again.id, two.id, expo.organiser)
    db.session.rollback()
    assign_booth(expo, again.id, two.id, expo.organiser, allow_extra=True)
    db.session.commit()
    assert {a.booth_id for a in db.session.query(BoothApplication).filter_by(org_id=user.org_id)} == {one.id, two.id}


def test_reassigning_moves_the_exhibitor_and_frees_the_old_booth(db, expo):
    one, two = BoothFactory(event=expo), BoothFactory(event=expo)
    applied = application(db, expo)
    assign_booth(expo, applied.id, one.id, expo.organiser)
    assign_booth(expo, applied.id, two.id, expo.organiser)
    db.session.commit()
    db.session.expire_all()
    assert applied.booth_id == two.id and one.application is None


def test_booth_of_another_event_cannot_be_assigned(client, login, db, expo):
    foreign = BoothFactory()
    applied = application(db, expo)
    login(expo.organiser)
    assert (
        client.post(f"/events/{expo.id}/booths/applications/{applied.id}/assign", data={"booth_id": foreign.id})
    ).status_code == 404
    for bad in ("", "abc", "99999999999"):
        client.post(f"/events/{expo.id}/booths/applications/{applied.id}/assign", data={"booth_id": bad})
    db.session.expire_all()
    assert applied.booth_id is None


def test_rejecting_needs_a_reason_and_tells_the_exhibitor(client, login, db, expo):
    applied = application(db, expo)
    login(expo.organiser)
    url = f"/events/{expo.id}/booths/applications/{applied.id}/reject"
    client.post(url, data={"reason": "  "})
    db.session.expire_all()
    assert applied.status == A.PENDING
    client.post(url, data={"reason": "展位已满"})
    db.session.expire_all()
    assert (applied.status, applied.reject_reason) == (A.REJECTED, "展位已满")
    assert db.session.query(Notification).filter_by(kind=NotificationKind.BOOTH_REJECTED).count() == 1


# --- the floor list -------------------------------------------------------------------------------------------


def test_floor_list_shows_zones_booths_exhibitors_and_showcased_postings(client, db, expo):
    booth = BoothFactory(event=expo, number="A01", zone="新材料展区")
    BoothFactory(event=expo, number="B01", zone="装备展区")
    user = exhibitor(db, expo)
    posting = PostingFactory(org=user.org, kind=PostingKind.ACHIEVEMENT, title="高性能钕铁硼磁体")
    hidden = PostingFactory(org=user.org, kind=PostingKind.CAPABILITY, title="下线的产品")
    db.session.commit()
    applied = application(db, expo, user, posting_ids=[posting.id, hidden.id])
    assign_booth(expo, applied.id, booth.id, expo.organiser)
    hidden.status = PostingStatus.CLOSED
    db.session.commit()
    html = client.get(f"/events/{expo.id}/floor").get_data(as_text=True)
    assert "新材料展区" in html and "装备展区" in html
    assert user.org.name in html
    assert f"/postings/achievement/{posting.id}" in html
    assert "下线的产品" not in html


def test_floor_list_search_finds_exhibitors_by_name_or_keyword(client, db, expo):
    booth = BoothFactory(event=expo, number="A01")
    BoothFactory(event=expo, number="C09")
    user = exhibitor(db, expo)
    posting = PostingFactory(org=user.org, kind=PostingKind.CAPABILITY, keywords=["抛光粉"])
    db.session.commit()
    assign_booth(expo, application(db, expo, user, posting_ids=[posting.id]).id, booth.id, expo.organiser)
    db.session.commit()
    for query in ("抛光粉", user.org.name[:4]):
        html = client.get(f"/events/{expo.id}/floor", query_string={"q": query}).get_data(as_text=True)
        assert "A01" in html and "C09" not in html
    html = client.get(f"/events/{expo.id}/floor", query_string={"q": "没有这个展商"}).get_data(as_text=True)
    assert "没有找到" in html


def test_floor_list_of_a_draft_event_is_404(client, db):
    from app.core.enums import EventStatus

    draft = EventFactory(status=EventStatus.DRAFT)
    db.session.commit()
    assert client.get(f"/events/{draft.id}/floor").status_code == 404


def test_the_apply_page_offers_no_form_while_an_application_waits(client, login, db, expo):
    user = exhibitor(db, expo)
    application(db, expo, user)
    login(user)

    page = client.get(f"/events/{expo.id}/booths/apply").get_data(as_text=True)

    assert 'id="application-waiting"' in page and "提交申请" not in page  # apply_for_booth would refuse it
    assert "撤回申请" in page


def test_the_apply_page_says_which_booth_is_already_assigned(client, login, db, expo):
    user = exhibitor(db, expo)
    booth = BoothFactory(event=expo, number="B02", zone="绿色农畜产品")
    assign_booth(expo, application(db, expo, user).id, booth.id, expo.organiser)
    db.session.commit()
    login(user)

    page = client.get(f"/events/{expo.id}/booths/apply").get_data(as_text=True)

    notice = page.split('id="booth-assigned"')[1].split("</div>")[0]
    assert "<strong>B02</strong>" in notice and "绿色农畜产品" in notice
    assert "提交申请" in page  # a second booth can still be asked for
