"""Docking request rules: sending, answering, withdrawing, and who may see a request."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from app.core.enums import (
    DockingEventKind,
    DockingOrigin,
    NotificationKind,
    OrgRole,
    PostingKind,
    PostingStatus,
    VerificationStatus,
)
from app.docking.models import DockingRecord, DockingRequest
from app.extensions import db as _db
from app.matching.models import Match
from app.organizations.models import OrgGroup
from tests.conftest import as_user
from tests.docking.helpers import (
    NOW,
    ST,
    R,
    accepted_record,
    notifications,
    pending_request,
    requests_count,
    send,
)
from tests.factories import UserFactory

# --- sending ------------------------------------------------------------------------------------


def test_a_member_sends_a_request_and_every_member_of_the_owner_organisation_is_notified(client, world):
    with time_machine.travel(NOW, tick=False):
        resp = send(client, world.sme_user, world.achievement, own_posting_id=str(world.need.id))

    req = _db.session.scalar(sa.select(DockingRequest))
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/docking/requests/{req.id}")
    assert (req.from_org_id, req.from_user_id, req.to_org_id) == (world.sme.id, world.sme_user.id, world.uni.id)
    assert (req.target_posting_id, req.own_posting_id, req.status) == (world.achievement.id, world.need.id, R.PENDING)
    assert req.origin == DockingOrigin.POSTING
    assert req.expires_at == NOW + timedelta(days=14)
    told = {n.user_id for n in notifications(NotificationKind.DOCKING_REQUEST)}
    assert told == {world.uni_user.id, world.uni_colleague.id}


def test_the_same_request_form_posted_twice_saves_one_request(client, world):
    first = send(client, world.sme_user, world.achievement, form_token="tok-1")
    second = send(client, world.sme_user, world.achievement, form_token="tok-1", message="再点一次")

    assert requests_count() == 1
    assert second.status_code == 302 and second.headers["Location"] == first.headers["Location"]
    assert "请勿重复提交" in client.get(second.headers["Location"]).text


def test_a_second_open_request_for_the_same_posting_is_refused_with_a_clear_message(client, world):
    send(client, world.sme_user, world.achievement, form_token="tok-1")
    other_member = UserFactory(org=world.sme, org_role=OrgRole.MEMBER)
    _db.session.commit()

    resp = send(client, other_member, world.achievement, form_token="tok-2")

    assert requests_count() == 1
    assert "正在等待对方答复" in client.get(resp.headers["Location"]).text


def test_a_new_request_may_follow_once_the_earlier_one_is_answered(client, world):
    pending_request(world, status=R.DECLINED)
    send(client, world.sme_user, world.achievement)
    assert requests_count() == 2


def test_a_request_past_its_deadline_no_longer_blocks_a_new_one(client, world):
    with time_machine.travel(NOW - timedelta(days=15), tick=False):
        overdue = pending_request(world)
    with time_machine.travel(NOW, tick=False):
        send(client, world.sme_user, world.achievement)
    assert requests_count() == 2
    assert overdue.status == R.EXPIRED


@pytest.mark.parametrize(
    "message, error", [("", "请填写对接留言"), ("   ", "请填写对接留言"), ("长" * 1001, "留言不能超过1000个字")]
)
def test_a_request_needs_a_message_of_at_most_1000_characters(client, world, message, error):
    resp = send(client, world.sme_user, world.achievement, message=message)
    assert resp.status_code == 422 and error in resp.text
    assert requests_count() == 0


def test_requesting_your_own_organisations_posting_is_refused(client, world):
    page = as_user(client, world.uni_colleague).get(f"/docking/new/{world.achievement.id}").text
    assert "不能向本机构发布的信息发起对接" in page
    send(client, world.uni_colleague, world.achievement)
    assert requests_count() == 0


def test_requesting_a_same_group_organisations_posting_is_refused(client, world):
    group = OrgGroup(name="包钢集团")
    world.uni.group = group
    world.sme.group = group
    _db.session.commit()

    resp = send(client, world.sme_user, world.achievement)

    assert requests_count() == 0
    assert "同一集团内的机构之间不能发起对接" in client.get(resp.headers["Location"]).text


def test_an_unverified_organisation_cannot_send_a_request(client, world):
    world.sme.verification = VerificationStatus.PENDING
    _db.session.commit()
    send(client, world.sme_user, world.achievement)
    assert requests_count() == 0
    assert "尚未通过平台认证" in client.get(f"/docking/new/{world.achievement.id}").text


@pytest.mark.parametrize("status", [PostingStatus.DRAFT, PostingStatus.CLOSED, PostingStatus.EXPIRED])
def test_only_a_published_posting_can_be_requested(client, world, status):
    world.achievement.status = status
    _db.session.commit()
    assert send(client, world.sme_user, world.achievement).status_code == 404
    assert requests_count() == 0


def test_a_request_from_a_match_row_is_prefilled_and_remembers_the_match(client, world):
    match = Match(
        source_id=world.need.id, target_id=world.achievement.id, target_kind=PostingKind.ACHIEVEMENT, rank=1, score=0.8
    )
    _db.session.add(match)
    _db.session.commit()
    form = (
        as_user(client, world.sme_user)
        .get(f"/docking/new/{world.achievement.id}?own={world.need.id}&match={match.id}")
        .text
    )
    assert f'<option selected value="{world.need.id}">' in form
    assert f'name="match_id" type="hidden" value="{match.id}"' in form
    matches_page = client.get("/matches/").text
    assert f"/docking/new/{world.achievement.id}?" in matches_page and f"match={match.id}" in matches_page

    send(client, world.sme_user, world.achievement, own_posting_id=str(world.need.id), match_id=str(match.id))

    req = _db.session.scalar(sa.select(DockingRequest))
    assert (req.match_id, req.origin) == (match.id, DockingOrigin.MATCH)


def test_an_own_posting_of_another_organisation_is_refused_beside_its_field(client, world):
    resp = send(client, world.sme_user, world.achievement, own_posting_id=str(world.achievement.id))
    assert resp.status_code == 422 and "请选择本机构发布的信息" in resp.text
    assert requests_count() == 0


def test_posting_pages_offer_docking_to_other_organisations_only(client, world):
    url = f"/postings/achievement/{world.achievement.id}"
    assert f"/docking/new/{world.achievement.id}" in as_user(client, world.sme_user).get(url).text
    assert "/docking/new/" not in as_user(client, world.uni_user).get(url).text
    pending_request(world)
    assert "已发出对接请求，等待对方答复" in as_user(client, world.sme_user).get(url).text


# --- answering ----------------------------------------------------------------------------------


def test_any_member_of_the_recipient_accepts_a_record_starts_and_the_sender_is_notified(client, world):
    req = pending_request(world)

    resp = as_user(client, world.uni_colleague).post(f"/docking/requests/{req.id}/accept")

    record = _db.session.scalar(sa.select(DockingRecord))
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/docking/records/{record.id}")
    assert (req.status, req.answered_by_id, record.stage) == (R.ACCEPTED, world.uni_colleague.id, ST.CONTACT)
    assert [e.kind for e in record.events] == [DockingEventKind.ACCEPTED]
    assert [n.user_id for n in notifications(NotificationKind.DOCKING_ANSWERED)] == [world.sme_user.id]


def test_accepting_twice_keeps_one_record_and_explains_the_second_press(client, world):
    req = pending_request(world)
    as_user(client, world.uni_user).post(f"/docking/requests/{req.id}/accept")
    again = client.post(f"/docking/requests/{req.id}/accept", follow_redirects=True)
    assert "不能再操作" in again.text
    assert _db.session.scalar(sa.select(sa.func.count(DockingRecord.id))) == 1


def test_the_recipient_declines_with_a_reason_and_note_and_the_sender_is_notified(client, world):
    req = pending_request(world)

    as_user(client, world.uni_user).post(
        f"/docking/requests/{req.id}/decline", data={"reason": "maturity", "note": "样机尚未完成"}
    )

    _db.session.refresh(req)
    assert (req.status, req.decline_reason.label, req.decline_note) == (R.DECLINED, "技术成熟度不够", "样机尚未完成")
    (told,) = notifications(NotificationKind.DOCKING_ANSWERED)
    assert told.user_id == world.sme_user.id and "技术成熟度不够" in told.body
    assert _db.session.scalar(sa.select(DockingRecord)) is None


def test_declining_without_a_reason_is_refused_beside_the_field(client, world):
    req = pending_request(world)
    resp = as_user(client, world.uni_user).post(f"/docking/requests/{req.id}/decline", data={"reason": "bored"})
    assert resp.status_code == 422 and "请选择婉拒原因" in resp.text
    _db.session.refresh(req)
    assert req.status == R.PENDING


def test_the_sender_withdraws_a_pending_request_but_not_an_answered_one(client, world):
    req = pending_request(world)
    as_user(client, world.sme_user).post(f"/docking/requests/{req.id}/withdraw")
    _db.session.refresh(req)
    assert req.status == R.WITHDRAWN

    answered = pending_request(world, status=R.DECLINED)
    resp = client.post(f"/docking/requests/{answered.id}/withdraw", follow_redirects=True)
    assert "不能撤回" in resp.text
    _db.session.refresh(answered)
    assert answered.status == R.DECLINED


def test_answering_a_request_not_addressed_to_your_organisation_is_404_and_changes_nothing(client, world):
    req = pending_request(world)
    for user in (world.sme_user, world.outsider):
        for action, data in (("accept", {}), ("decline", {"reason": "other"})):
            assert as_user(client, user).post(f"/docking/requests/{req.id}/{action}", data=data).status_code == 404
    assert as_user(client, world.uni_user).post(f"/docking/requests/{req.id}/withdraw").status_code == 404
    _db.session.refresh(req)
    assert req.status == R.PENDING and not notifications(NotificationKind.DOCKING_ANSWERED)


def test_an_expired_request_cannot_be_answered(client, world):
    with time_machine.travel(NOW - timedelta(days=15), tick=False):
        req = pending_request(world)
    with time_machine.travel(NOW, tick=False):
        resp = as_user(client, world.uni_user).post(f"/docking/requests/{req.id}/accept", follow_redirects=True)
    assert "已过期" in resp.text
    _db.session.refresh(req)
    assert req.status == R.PENDING and _db.session.scalar(sa.select(DockingRecord)) is None


def test_requests_and_records_are_404_to_other_organisations_and_readable_by_admins(client, world):
    req = pending_request(world)
    record = accepted_record(world)
    for url in (f"/docking/requests/{req.id}", f"/docking/records/{record.id}"):
        assert as_user(client, world.outsider).get(url).status_code == 404
        for user in (world.sme_user, world.uni_colleague, world.admin):
            assert as_user(client, user).get(url).status_code == 200
