"""Registration rules: who may register, seats or waitlist, editing, cancelling, promotion, approval, and
the registration jobs (promote_waitlists, send_reminders)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from app.core.enums import NotificationKind, OrgType, RegistrationStatus, TicketType, VerificationStatus
from app.core.errors import DomainError, ValidationFailed
from app.events.jobs import promote_waitlists, send_reminders
from app.events.models import Event, Registration, TicketCategory
from app.events.registration import (
    AlreadyRegistered,
    AttendeeInput,
    approve_registrations,
    cancel_registration,
    register_for_event,
    reject_registrations,
    update_registration,
)
from app.events.services import set_capacity
from app.notifications.models import MailOutbox, Notification
from tests.factories import EventFactory, OrgFactory, UserFactory

R = RegistrationStatus


def people(n: int, prefix: str = "参会人") -> list[AttendeeInput]:
    return [AttendeeInput(f"{prefix}{i}", f"1391234{i:04d}", "经理") for i in range(n)]


def register(event, user=None, n=1, **kwargs) -> Registration:
    user = user or UserFactory()
    reg, _ = register_for_event(event.id, user, people(n), **kwargs)
    return reg


def kinds_for(db, user_id) -> list[NotificationKind]:
    return list(db.session.scalars(sa.select(Notification.kind).where(Notification.user_id == user_id)))


# --- who may register -------------------------------------------------------------------------------


def test_registration_with_seats_left_is_confirmed_and_takes_seats(db):
    event = EventFactory(capacity=5)
    user = UserFactory()
    reg = register(event, user, n=2)
    assert reg.status == R.CONFIRMED and reg.seats == 2 and event.seats_taken == 2
    assert len(reg.attendees) == 2 and all(a.ticket_token and a.short_code for a in reg.attendees)
    assert kinds_for(db, user.id) == [NotificationKind.EVENT_CONFIRMED]


def test_registration_when_full_is_waitlisted_and_told_so(db):
    event = EventFactory(capacity=1)
    register(event)
    user = UserFactory()
    reg = register(event, user)
    assert reg.status == R.WAITLISTED and event.seats_taken == 1
    assert kinds_for(db, user.id) == [NotificationKind.EVENT_WAITLISTED]


def test_only_organisations_in_the_audience_may_register(db):
    event = EventFactory(audience=[OrgType.UNIVERSITY.value])
    sme = UserFactory(org=OrgFactory(org_type=OrgType.SME))
    with pytest.raises(DomainError, match="不在报名范围"):
        register(event, sme)
    university = UserFactory(org=OrgFactory(org_type=OrgType.UNIVERSITY))
    assert register(event, university).status == R.CONFIRMED


def test_only_verified_organisations_may_register(db):
    event = EventFactory()
    pending = UserFactory(org=OrgFactory(verification=VerificationStatus.PENDING))
    with pytest.raises(DomainError, match="尚未通过平台认证"):
        register(event, pending)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0


def test_a_user_without_an_organisation_cannot_register(db):
    with pytest.raises(DomainError, match="以机构名义"):
        register(EventFactory(), UserFactory(org=None))


def test_registration_is_refused_before_it_opens_after_it_closes_and_for_drafts(db):
    now = datetime(2026, 12, 4, 8, 0)
    not_yet = EventFactory(registration_opens_at=now + timedelta(days=1))
    closed = EventFactory(registration_closes_at=now - timedelta(minutes=1), starts_at=now + timedelta(days=2))
    draft = EventFactory(status="draft")
    for event, message in ((not_yet, "报名尚未开始"), (closed, "不接受报名"), (draft, "不接受报名")):
        with pytest.raises(DomainError, match=message):
            register_for_event(event.id, UserFactory(), people(1), now=now)


def test_one_live_registration_per_organisation(db):
    event = EventFactory()
    org = OrgFactory()
    first = register(event, UserFactory(org=org))
    with pytest.raises(AlreadyRegistered) as caught:
        register(event, UserFactory(org=org))
    assert caught.value.registration == first
    cancel_registration(first, first.user)
    assert register(event, UserFactory(org=org)).status == R.CONFIRMED  # after cancelling, again


def test_double_submit_with_the_same_form_token_creates_one_registration(db):
    event = EventFactory()
    user = UserFactory()
    first, created = register_for_event(event.id, user, people(2), form_token="tok-1")
    again, created_again = register_for_event(event.id, user, people(2), form_token="tok-1")
    assert created and not created_again and again.id == first.id
    assert event.seats_taken == 2


def test_attendees_need_a_name_and_a_valid_phone(db):
    event = EventFactory()
    with pytest.raises(ValidationFailed, match="联系电话格式不正确"):
        register_for_event(event.id, UserFactory(), [AttendeeInput("张三", "12345")])
    with pytest.raises(ValidationFailed, match="请填写姓名"):
        register_for_event(event.id, UserFactory(), [AttendeeInput("", "13912345678")])
    with pytest.raises(ValidationFailed, match="至少填写一位"):
        register_for_event(event.id, UserFactory(), [AttendeeInput("", "")])
    assert event.seats_taken == 0


def test_ticket_category_quota_is_respected(db):
    event = EventFactory(capacity=10)
    media = TicketCategory(event=event, ticket_type=TicketType.MEDIA, quota=1, taken=0)
    db.session.add(media)
    db.session.flush()
    assert register(event, ticket_category_id=media.id).status == R.CONFIRMED
    assert register(event, ticket_category_id=media.id).status == R.WAITLISTED
    assert media.taken == 1 and event.seats_taken == 1


def test_a_ticket_category_of_another_event_is_refused(db):
    other = TicketCategory(event=EventFactory(), ticket_type=TicketType.VISITOR, taken=0)
    db.session.add(other)
    db.session.flush()
    with pytest.raises(ValidationFailed, match="票种不存在"):
        register(EventFactory(), ticket_category_id=other.id)


# --- editing and cancelling -------------------------------------------------------------------------


def test_adding_attendees_needs_free_seats_and_otherwise_changes_nothing(db):
    event = EventFactory(capacity=3)
    reg = register(event, n=2)
    db.session.commit()
    with pytest.raises(DomainError, match="名额不足"):
        update_registration(reg, reg.user, people(4))
    db.session.rollback()
    assert reg.seats == 2 and len(reg.attendees) == 2 and db.session.get(Event, event.id).seats_taken == 2
    update_registration(reg, reg.user, people(3))
    assert reg.seats == 3 and event.seats_taken == 3


def test_editing_keeps_the_tickets_of_attendees_kept(db):
    event = EventFactory()
    reg = register(event, n=2)
    kept = reg.attendees[0]
    token = kept.ticket_token
    update_registration(reg, reg.user, [AttendeeInput("改名", "13900001111", "总监", kept.id)])
    assert [a.ticket_token for a in reg.attendees] == [token] and reg.attendees[0].name == "改名"


def test_registration_can_be_edited_until_registration_closes(db):
    closes = datetime(2026, 12, 20, 10, 0)
    with time_machine.travel(closes - timedelta(days=5), tick=False):
        event = EventFactory(registration_closes_at=closes, starts_at=closes + timedelta(days=2))
        reg = register(event)
        update_registration(reg, reg.user, people(2))
        assert reg.seats == 2
    with time_machine.travel(closes + timedelta(minutes=1), tick=False), pytest.raises(DomainError, match="报名已截止"):
        update_registration(reg, reg.user, people(1))


def test_removing_attendees_frees_seats_for_the_waitlist(db):
    event = EventFactory(capacity=3)
    big = register(event, n=3)
    waiting = register(event)
    update_registration(big, big.user, people(2))
    assert waiting.status == R.CONFIRMED
    assert event.seats_taken == 3


def test_cancelling_frees_the_seat_and_promotes_the_first_waitlisted(db):
    event = EventFactory(capacity=1)
    first = register(event)
    second, third = register(event), register(event)
    cancel_registration(first, first.user)
    assert first.status == R.CANCELLED and first.cancelled_at is not None
    assert (second.status, third.status) == (R.CONFIRMED, R.WAITLISTED)
    assert event.seats_taken == 1
    assert NotificationKind.EVENT_PROMOTED in kinds_for(db, second.user_id)


def test_a_smaller_group_behind_a_big_one_is_promoted_when_the_big_one_does_not_fit(db):
    event = EventFactory(capacity=3)
    holder = register(event, n=2)
    register(event, n=1)
    big = register(event, n=3)
    small = register(event, n=2)
    cancel_registration(holder, holder.user)  # 2 seats free: the group of 3 does not fit, the 2 behind does
    assert (big.status, small.status) == (R.WAITLISTED, R.CONFIRMED)
    assert event.seats_taken == 3


def test_raising_capacity_promotes_in_queue_order(db):
    event = EventFactory(capacity=1)
    register(event)
    a, b, c = register(event), register(event), register(event)
    promoted = set_capacity(event, event.organiser, 3)
    assert promoted == [a, b] and c.status == R.WAITLISTED and event.seats_taken == 3


def test_capacity_cannot_drop_below_confirmed_seats(db):
    event = EventFactory(capacity=5)
    register(event, n=3)
    with pytest.raises(ValidationFailed, match="不能少于"):
        set_capacity(event, event.organiser, 2)
    with pytest.raises(ValidationFailed, match="0 到 100000"):
        set_capacity(event, event.organiser, -1)


def test_cancelling_after_the_start_is_refused(db):
    start = datetime(2026, 12, 20, 1, 0)
    with time_machine.travel(start - timedelta(days=3), tick=False):
        event = EventFactory(starts_at=start, registration_closes_at=start - timedelta(days=1))
        reg = register(event)
    with time_machine.travel(start + timedelta(minutes=5), tick=False), pytest.raises(DomainError, match="已开始"):
        cancel_registration(reg, reg.user)


# --- approval ---------------------------------------------------------------------------------------


def test_pending_registrations_take_no_seat_until_approved(db):
    event = EventFactory(capacity=2, requires_approval=True)
    reg = register(event, n=2)
    assert reg.status == R.PENDING and event.seats_taken == 0
    done, problems = approve_registrations(event, [reg.id], event.organiser)
    assert done == [reg] and not problems and reg.status == R.CONFIRMED and event.seats_taken == 2
    assert kinds_for(db, reg.user_id) == [NotificationKind.EVENT_APPROVED]


def test_approval_when_full_waitlists_in_original_order(db):
    event = EventFactory(capacity=1, requires_approval=True)
    early, late = register(event), register(event)
    approve_registrations(event, [late.id, early.id], event.organiser)  # ticked in any order
    assert (early.status, late.status) == (R.CONFIRMED, R.WAITLISTED)


def test_bulk_approve_reports_registrations_that_are_not_pending(db):
    event = EventFactory(requires_approval=True)
    a, b = register(event), register(event)
    approve_registrations(event, [a.id], event.organiser)
    done, problems = approve_registrations(event, [a.id, b.id, 999999], event.organiser)
    assert done == [b] and len(problems) == 2


def test_rejection_needs_a_reason_and_tells_the_registrant(db):
    event = EventFactory(requires_approval=True)
    a, b = register(event), register(event)
    with pytest.raises(ValidationFailed, match="请填写未通过的原因"):
        reject_registrations(event, [a.id], event.organiser, "  ")
    assert a.status == R.PENDING
    reject_registrations(event, [a.id, b.id], event.organiser, "名额优先给稀土企业")
    assert a.status == b.status == R.REJECTED and a.reject_reason == "名额优先给稀土企业"
    assert kinds_for(db, a.user_id) == [NotificationKind.EVENT_REJECTED]


def test_approval_queue_page_approves_and_rejects_in_bulk(db, client, login):
    event = EventFactory(requires_approval=True, capacity=10)
    regs = [register(event) for _ in range(3)]
    db.session.commit()
    login(event.organiser)
    page = client.get(f"/events/{event.id}/approvals")
    assert all(r.org.name in page.get_data(as_text=True) for r in regs)
    resp = client.post(f"/events/{event.id}/approvals", data={"ids": [regs[0].id, regs[1].id], "action": "approve"})
    assert resp.status_code == 302
    resp = client.post(f"/events/{event.id}/approvals", data={"ids": [regs[2].id], "action": "reject", "reason": ""})
    db.session.expire_all()
    assert [r.status for r in regs] == [R.CONFIRMED, R.CONFIRMED, R.PENDING]
    client.post(f"/events/{event.id}/approvals", data={"ids": [regs[2].id], "action": "reject", "reason": "不符合"})
    db.session.expire_all()
    assert regs[2].status == R.REJECTED


def test_another_organiser_cannot_see_the_approval_queue(db, client, login):
    event = EventFactory(requires_approval=True)
    other = EventFactory().organiser
    db.session.commit()
    login(other)
    assert client.get(f"/events/{event.id}/approvals").status_code == 404
    assert client.post(f"/events/{event.id}/approvals", data={"ids": ["1"]}).status_code == 404


# --- jobs -------------------------------------------------------------------------------------------


def test_promote_waitlists_job_fills_free_seats_once(db):
    event = EventFactory(capacity=1)
    register(event)
    waiting = register(event)
    event.capacity = 2  # changed behind the services' back: the job catches it
    db.session.commit()
    assert promote_waitlists(datetime.now(UTC).replace(tzinfo=None)) == 1
    db.session.commit()
    assert promote_waitlists(datetime.now(UTC).replace(tzinfo=None)) == 0
    db.session.expire_all()
    assert waiting.status == R.CONFIRMED and db.session.get(Event, event.id).seats_taken == 2


START = datetime(2026, 12, 20, 1, 0)  # 09:00 Beijing


def _reminder_keys(db) -> list[str]:
    return sorted(db.session.scalars(sa.select(Notification.key).where(Notification.kind == "event_reminder")))


def test_reminders_go_a_day_and_an_hour_before_once_each(db):
    with time_machine.travel(START - timedelta(days=5), tick=False):
        event = EventFactory(starts_at=START, registration_closes_at=START - timedelta(hours=2))
        reg = register(event)
        db.session.commit()
    for moment, expected in (
        (START - timedelta(days=1, minutes=5), []),
        (START - timedelta(hours=23, minutes=58), [f"event_registration:{reg.id}:reminder:1d"]),
        (START - timedelta(hours=23, minutes=53), [f"event_registration:{reg.id}:reminder:1d"]),
        (
            START - timedelta(minutes=58),
            [f"event_registration:{reg.id}:reminder:1d", f"event_registration:{reg.id}:reminder:1h"],
        ),
        (
            START - timedelta(minutes=53),
            [f"event_registration:{reg.id}:reminder:1d", f"event_registration:{reg.id}:reminder:1h"],
        ),
    ):
        with time_machine.travel(moment, tick=False):
            send_reminders(moment)
            db.session.commit()
        assert _reminder_keys(db) == expected, moment


def test_no_day_before_reminder_for_a_registration_made_within_the_last_day(db):
    with time_machine.travel(START - timedelta(hours=10), tick=False):
        event = EventFactory(starts_at=START, registration_closes_at=None)
        reg = register(event)
        assert send_reminders(START - timedelta(hours=10)) == 0
    moment = START - timedelta(minutes=30)
    send_reminders(moment)
    assert _reminder_keys(db) == [f"event_registration:{reg.id}:reminder:1h"]


def test_reminders_skip_waitlisted_and_cancelled_events(db):
    with time_machine.travel(START - timedelta(days=5), tick=False):
        full = EventFactory(starts_at=START, capacity=1)
        register(full)
        register(full)  # waitlisted
        cancelled = EventFactory(starts_at=START)
        register(cancelled)
        cancelled.status = "cancelled"
    assert send_reminders(START - timedelta(hours=12)) == 1


# --- sessions with their own capacity -------------------------------------------------------------


def _limited_session(db, event, capacity: int):
    from app.events.models import EventSession

    session = EventSession(
        title="一对一洽谈",
        starts_at=event.starts_at,
        ends_at=event.starts_at + timedelta(hours=2),
        capacity=capacity,
        taken=0,
    )
    event.sessions.append(session)
    db.session.flush()
    return session


def test_a_full_session_is_refused_with_a_message_and_nothing_is_saved(db):
    event = EventFactory(capacity=10)
    session = _limited_session(db, event, 2)
    register_for_event(event.id, UserFactory(), people(2), session_ids=[session.id])
    assert session.taken == 2 and event.seats_taken == 2
    db.session.commit()
    with pytest.raises(ValidationFailed, match="分会场“一对一洽谈”仅剩 0 个名额"):
        register_for_event(event.id, UserFactory(), people(1), session_ids=[session.id])
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 1
    assert register(event).status == R.CONFIRMED  # without the session, fine


def test_a_session_that_needs_no_sign_up_cannot_be_chosen(db):
    event = EventFactory()
    open_session = _limited_session(db, event, 5)
    open_session.capacity = None
    with pytest.raises(ValidationFailed, match="无需单独报名"):
        register_for_event(event.id, UserFactory(), people(1), session_ids=[open_session.id])


def test_cancelling_gives_session_places_back(db):
    event = EventFactory(capacity=10)
    session = _limited_session(db, event, 2)
    reg, _ = register_for_event(event.id, UserFactory(), people(2), session_ids=[session.id])
    cancel_registration(reg, reg.user)
    assert session.taken == 0 and event.seats_taken == 0


def test_attendees_with_an_e_mail_and_no_account_get_the_reminders_with_their_own_code(db):
    with time_machine.travel(START - timedelta(days=5), tick=False):
        event = EventFactory(starts_at=START, registration_closes_at=None)
        user = UserFactory()
        me = AttendeeInput(user.name, "13912340000", "经理", email="me@example.cn")
        guest = AttendeeInput("王工", "13912340001", "工程师", email="wang@example.cn")
        quiet = AttendeeInput("李工", "13912340002", "工程师")
        reg, _ = register_for_event(event.id, user, [me, guest, quiet])
        db.session.commit()
    for moment in (START - timedelta(hours=23), START - timedelta(hours=22), START - timedelta(minutes=50)):
        with time_machine.travel(moment, tick=False):
            send_reminders(moment)
            db.session.commit()
    mails = db.session.scalars(sa.select(MailOutbox).order_by(MailOutbox.id)).all()
    wang = next(a for a in reg.attendees if a.name == "王工")
    assert [(m.to, m.key) for m in mails] == [
        ("wang@example.cn", f"event_attendee:{wang.id}:reminder:1d"),
        ("wang@example.cn", f"event_attendee:{wang.id}:reminder:1h"),
    ]  # the registrant hears through the notification; 李工 gave no address; once per reminder
    assert f"您的签到码：{wang.short_code}" in mails[0].body and event.title in mails[0].subject


def test_a_malformed_attendee_e_mail_is_refused_and_nothing_is_saved(db):
    event = EventFactory(capacity=5)
    user = UserFactory()
    with pytest.raises(ValidationFailed) as refused:
        register_for_event(event.id, user, [AttendeeInput("王工", "13912340001", "", email="wang@")])
    assert "第 1 位参会人（王工）：电子邮箱格式不正确" in str(refused.value.errors)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0


def test_an_attendee_given_a_colleagues_e_mail_is_linked_to_that_account(db):
    event = EventFactory(capacity=5)
    user = UserFactory()
    colleague = UserFactory(org=user.org, email="Colleague@Example.cn")
    outsider = UserFactory(email="outsider@example.cn")  # another organisation: never linked
    reg, _ = register_for_event(
        event.id,
        user,
        [
            AttendeeInput(user.name, "13912340000"),
            AttendeeInput("同事", "13912340001", email="colleague@example.cn"),
            AttendeeInput("外人", "13912340002", email="outsider@example.cn"),
        ],
    )
    assert [a.user_id for a in reg.attendees] == [user.id, colleague.id, None]
    assert set(kinds_for(db, colleague.id)) == {NotificationKind.EVENT_CONFIRMED}
    assert kinds_for(db, outsider.id) == []


def test_changing_an_attendees_e_mail_moves_the_link_to_what_is_written_now(db):
    event = EventFactory(capacity=5)
    user = UserFactory()
    colleague = UserFactory(org=user.org, email="colleague@example.cn")
    reg, _ = register_for_event(
        event.id,
        user,
        [AttendeeInput(user.name, "13912340000"), AttendeeInput("同事", "13912340001", email=colleague.email)],
    )
    me, them = reg.attendees
    assert them.user_id == colleague.id
    update_registration(
        reg,
        user,
        [
            AttendeeInput(user.name, "13912340000", id=me.id),
            AttendeeInput("同事", "13912340001", id=them.id, email="someone@else.cn"),
        ],
    )
    assert (me.user_id, them.user_id, them.email) == (user.id, None, "someone@else.cn")


def test_an_attendee_registered_inside_the_last_hour_still_gets_the_mail_with_the_code(db):
    with time_machine.travel(START - timedelta(minutes=40), tick=False):
        event = EventFactory(starts_at=START, registration_closes_at=None)
        user = UserFactory()
        reg, _ = register_for_event(
            event.id,
            user,
            [AttendeeInput(user.name, "13912340000"), AttendeeInput("王工", "13912340001", email="w@x.cn")],
        )
        db.session.commit()
        send_reminders(START - timedelta(minutes=40))
        db.session.commit()
    assert _reminder_keys(db) == []  # the registrant was told on confirmation a moment ago
    mails = db.session.scalars(sa.select(MailOutbox)).all()
    assert [m.to for m in mails] == ["w@x.cn"] and reg.attendees[1].short_code in mails[0].body
