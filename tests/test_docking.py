"""Docking rules: sending, answering, withdrawing and expiring requests; contact details opening on acceptance;
the record's forward-only stages, timeline, notes and files; follow-ups until answered."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
import time_machine
from werkzeug.security import generate_password_hash

from app.core.enums import (
    DockingEventKind,
    DockingOrigin,
    DockingRequestStatus,
    DockingStage,
    NotificationKind,
    OrgRole,
    OrgType,
    PostingKind,
    PostingStatus,
    VerificationStatus,
)
from app.core.errors import FieldError, InvalidTransition, ValidationFailed
from app.docking.jobs import expire_requests, send_follow_ups
from app.docking.models import DockingFile, DockingRecord, DockingRequest
from app.docking.records import add_docking_note, move_docking_stage
from app.extensions import db as _db
from app.matching.models import Match
from app.notifications.models import Notification
from app.organizations.models import OrgGroup
from tests.conftest import login_as
from tests.factories import (
    AdminFactory,
    DockingRecordFactory,
    DockingRequestFactory,
    OrgFactory,
    PostingFactory,
    UserFactory,
)

R = DockingRequestStatus
ST = DockingStage
NOW = datetime(2026, 12, 4, 2, 0)  # 10:00 in Beijing
POSTING_PHONE, POSTING_EMAIL = "0472-5999888", "lab-secret@imust.example.cn"
UNI_PHONE, UNI_EMAIL = "13947100001", "uni-office@imust.example.cn"
SME_PHONE, SME_EMAIL = "13804720002", "boss@xibao.example.cn"
UNI_SECRETS = (POSTING_PHONE, POSTING_EMAIL, UNI_PHONE, UNI_EMAIL)
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


@pytest.fixture(autouse=True)
def cheap_passwords(monkeypatch):
    """scrypt costs ~70 ms a user; these tests are about docking, not password storage."""
    monkeypatch.setattr(
        "app.auth.models.generate_password_hash", lambda pw, method=None: generate_password_hash(pw, "pbkdf2:sha256:1")
    )


@pytest.fixture
def world(db):
    """A university with a published achievement, an SME with a published need, an outsider and an admin."""
    uni = OrgFactory(
        name="内蒙古科技大学", org_type=OrgType.UNIVERSITY, contact_phone=UNI_PHONE, contact_email=UNI_EMAIL
    )
    sme = OrgFactory(name="包头市稀宝永磁有限公司", contact_phone=SME_PHONE, contact_email=SME_EMAIL)
    w = SimpleNamespace(
        uni=uni,
        sme=sme,
        uni_user=UserFactory(org=uni, name="李教授"),
        uni_colleague=UserFactory(org=uni, org_role=OrgRole.MEMBER),
        sme_user=UserFactory(org=sme, name="王总"),
        outsider=UserFactory(),
        admin=AdminFactory(),
        achievement=PostingFactory(
            org=uni, title="高矫顽力钕铁硼制备技术", contact_phone=POSTING_PHONE, contact_email=POSTING_EMAIL
        ),
        need=PostingFactory(org=sme, kind=PostingKind.NEED, title="永磁电机磁钢降本需求", contact_phone=SME_PHONE),
    )
    db.session.commit()
    return w


def as_user(client, user):
    with client.session_transaction() as sess:
        sess.clear()
    if user is not None:
        login_as(client, user)
    return client


def send(client, user, posting, message="我公司希望就该成果开展合作，盼复。", **extra):
    return as_user(client, user).post(f"/docking/new/{posting.id}", data={"message": message, **extra})


def requests_count() -> int:
    _db.session.rollback()
    return _db.session.scalar(sa.select(sa.func.count(DockingRequest.id)))


def notifications(kind: NotificationKind, user=None) -> list[Notification]:
    stmt = sa.select(Notification).where(Notification.kind == kind)
    if user is not None:
        stmt = stmt.where(Notification.user_id == user.id)
    return _db.session.scalars(stmt.order_by(Notification.id)).all()


def pending_request(w, **kw) -> DockingRequest:
    req = DockingRequestFactory(sender=w.sme_user, target=w.achievement, **kw)
    _db.session.commit()
    return req


def accepted_record(w, **kw) -> DockingRecord:
    record = DockingRecordFactory(request__sender=w.sme_user, request__target=w.achievement, **kw)
    _db.session.commit()
    return record


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


# --- contact details ----------------------------------------------------------------------------


def page_of(client, user, url) -> str:
    return as_user(client, user).get(url).text


def test_contact_details_are_hidden_before_acceptance_and_visible_to_both_sides_after(client, world):
    req = pending_request(world)
    request_url, posting_url = f"/docking/requests/{req.id}", f"/postings/achievement/{world.achievement.id}"
    for url in (request_url, posting_url):
        page = page_of(client, world.sme_user, url)
        assert not [s for s in UNI_SECRETS if s in page]
    assert "接受对接后可见" in page_of(client, world.sme_user, posting_url)
    assert SME_PHONE not in page_of(client, world.uni_user, request_url)

    as_user(client, world.uni_user).post(f"/docking/requests/{req.id}/accept")

    for url in (request_url, posting_url):
        page = page_of(client, world.sme_user, url)
        assert POSTING_PHONE in page and POSTING_EMAIL in page
    assert UNI_PHONE in page_of(client, world.sme_user, request_url)
    uni_view = page_of(client, world.uni_colleague, request_url)
    assert SME_PHONE in uni_view and SME_EMAIL in uni_view
    assert not [s for s in UNI_SECRETS if s in page_of(client, world.outsider, posting_url)]


def test_a_declined_request_opens_no_contact_details(client, world):
    req = pending_request(world, status=R.DECLINED)
    page = page_of(client, world.sme_user, f"/postings/achievement/{world.achievement.id}")
    assert POSTING_PHONE not in page and POSTING_PHONE not in page_of(
        client, world.sme_user, f"/docking/requests/{req.id}"
    )


# --- stages -------------------------------------------------------------------------------------


def stage(client, user, record, **data):
    return as_user(client, user).post(f"/docking/records/{record.id}/stage", data=data)


def sign(client, user, record, amount_wan="50", signed_on="2026-11-30"):
    """Move the record to 已签约 on a license contract."""
    return stage(
        client, user, record, stage="signed", contract_type="license", amount_wan=amount_wan, signed_on=signed_on
    )


def test_a_stage_move_is_on_the_timeline_with_who_and_when_and_notifies_the_other_side(client, world):
    record = accepted_record(world)
    with time_machine.travel(NOW, tick=False):
        stage(client, world.sme_user, record, stage="negotiating", note="已约定下周实地考察")

    _db.session.refresh(record)
    event = record.events[-1]
    assert record.stage == ST.NEGOTIATING
    assert (event.kind, event.actor_id, event.at) == (DockingEventKind.STAGE, world.sme_user.id, NOW)
    assert (event.from_stage, event.to_stage, event.text) == (ST.CONTACT, ST.NEGOTIATING, "已约定下周实地考察")
    told = {n.user_id for n in notifications(NotificationKind.DOCKING_UPDATE)}
    assert told == {world.uni_user.id, world.uni_colleague.id}
    page = page_of(client, world.uni_user, f"/docking/records/{record.id}")
    assert "已约定下周实地考察" in page and "王总" in page


def test_stages_only_move_forward(client, world):
    record = accepted_record(world, stage=ST.INTENT)
    for back in ("negotiating", "intent", "contact"):
        resp = stage(client, world.uni_user, record, stage=back)
        assert resp.status_code == 302
    _db.session.refresh(record)
    assert record.stage == ST.INTENT and len(record.events) == 0
    assert "只能向前推进" in client.get(f"/docking/records/{record.id}").text


def test_skipping_ahead_is_allowed(client, world):
    record = accepted_record(world)
    stage(client, world.uni_user, record, stage="intent")
    _db.session.refresh(record)
    assert record.stage == record.peak_stage == ST.INTENT


def test_signing_needs_a_contract_type_an_amount_and_a_sign_date(client, world):
    record = accepted_record(world)
    resp = stage(client, world.uni_user, record, stage="signed")
    assert resp.status_code == 422
    for message in ("请选择合同类型", "请填写合同金额", "请填写签约日期"):
        assert message in resp.text
    _db.session.refresh(record)
    assert record.stage == ST.CONTACT and record.amount_wan is None


@pytest.mark.parametrize(
    "amount, message",
    [
        ("-5", "不能为负数"),
        ("abc", "请填写数字"),
        ("NaN", "请填写数字"),
        ("12.345", "两位小数"),
        ("99999999", "不能超过"),
    ],
)
def test_a_bad_contract_amount_is_refused_and_changes_nothing(client, world, amount, message):
    record = accepted_record(world)
    resp = sign(client, world.uni_user, record, amount_wan=amount)
    assert resp.status_code == 422 and message in resp.text
    _db.session.refresh(record)
    assert record.stage == ST.CONTACT and record.amount_wan is None


def test_a_sign_date_in_the_future_is_refused(client, world):
    record = accepted_record(world)
    with time_machine.travel(NOW, tick=False):
        resp = sign(client, world.uni_user, record, signed_on="2026-12-05")
    assert resp.status_code == 422 and "签约日期不能晚于今天" in resp.text
    _db.session.refresh(record)
    assert record.stage == ST.CONTACT


def test_signing_records_the_contract(client, world):
    record = accepted_record(world, stage=ST.INTENT)
    with time_machine.travel(NOW, tick=False):
        sign(client, world.sme_user, record, amount_wan="120.5", signed_on="2026-12-04")
    _db.session.refresh(record)
    assert (record.stage, record.contract_type.label) == (ST.SIGNED, "专利许可")
    assert (record.amount_wan, record.signed_on) == (Decimal("120.50"), date(2026, 12, 4))


def test_completion_needs_signing_first_and_an_acceptance_date_and_note(client, world):
    unsigned = accepted_record(world, stage=ST.INTENT)
    resp = stage(client, world.uni_user, unsigned, stage="completed", completed_on="2026-12-01", note="验收合格")
    assert "请先登记签约信息" in client.get(resp.headers["Location"]).text
    _db.session.refresh(unsigned)
    assert unsigned.stage == ST.INTENT

    signed = accepted_record(world, stage=ST.SIGNED, signed_on=date(2026, 6, 1), amount_wan=Decimal(80))
    assert stage(client, world.uni_user, signed, stage="completed", completed_on="2026-12-01").status_code == 422
    with time_machine.travel(NOW, tick=False):
        stage(client, world.uni_user, signed, stage="completed", completed_on="2026-12-01", note="验收合格")
    _db.session.refresh(signed)
    assert (signed.stage, signed.completed_on, signed.completion_note) == (ST.COMPLETED, date(2026, 12, 1), "验收合格")


def test_termination_needs_a_reason_keeps_the_furthest_stage_and_ends_the_record(client, world):
    record = accepted_record(world, stage=ST.INTENT)
    assert stage(client, world.uni_user, record, stage="terminated").status_code == 422
    stage(client, world.uni_user, record, stage="terminated", note="企业资金计划调整")
    _db.session.refresh(record)
    assert (record.stage, record.peak_stage, record.termination_reason) == (
        ST.TERMINATED,
        ST.INTENT,
        "企业资金计划调整",
    )

    resp = sign(client, world.uni_user, record, amount_wan="1", signed_on="2026-12-01")
    assert "不能再变更阶段" in client.get(resp.headers["Location"]).text


def test_the_stage_service_refuses_bad_moves_with_typed_errors(world):
    record = accepted_record(world, stage=ST.NEGOTIATING)
    with pytest.raises(InvalidTransition):
        move_docking_stage(record, world.uni_user, ST.CONTACT)
    with pytest.raises(ValidationFailed):
        move_docking_stage(
            record, world.uni_user, ST.SIGNED, contract_type="license", amount="-1", signed_on="2026-01-01"
        )
    with pytest.raises(FieldError):
        move_docking_stage(record, world.uni_user, "teleported")


def test_a_non_party_cannot_write_on_a_record(client, world):
    record = accepted_record(world)
    for url, data in (("stage", {"stage": "negotiating"}), ("notes", {"text": "插一句"})):
        for user in (world.outsider, world.admin):
            assert as_user(client, user).post(f"/docking/records/{record.id}/{url}", data=data).status_code in (
                403,
                404,
            )
    _db.session.refresh(record)
    assert record.stage == ST.CONTACT and record.events == []


# --- notes and files ----------------------------------------------------------------------------


def upload(client, user, record, content: bytes, name: str):
    return as_user(client, user).post(
        f"/docking/records/{record.id}/files",
        data={"attachment": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def test_both_sides_add_notes_to_the_timeline_and_an_empty_note_is_refused(client, world):
    record = accepted_record(world)
    as_user(client, world.uni_user).post(f"/docking/records/{record.id}/notes", data={"text": "已寄送样品"})
    as_user(client, world.sme_user).post(f"/docking/records/{record.id}/notes", data={"text": "样品已收到"})
    resp = client.post(f"/docking/records/{record.id}/notes", data={"text": "  "})
    assert resp.status_code == 422 and "请填写备注内容" in resp.text
    _db.session.refresh(record)
    assert [(e.text, e.org_id) for e in record.events] == [("已寄送样品", world.uni.id), ("样品已收到", world.sme.id)]


def test_parties_attach_documents_that_only_parties_and_admins_can_download(client, world, upload_dir):
    record = accepted_record(world)
    upload(client, world.sme_user, record, PDF, "技术合作协议.pdf")

    item = _db.session.scalar(sa.select(DockingFile))
    assert item.original_name == "技术合作协议.pdf" and (upload_dir / "docking" / item.stored_name).read_bytes() == PDF
    assert record.events[-1].kind == DockingEventKind.ATTACHMENT
    url = f"/docking/records/{record.id}/files/{item.id}"
    for user in (world.uni_colleague, world.sme_user, world.admin):
        assert as_user(client, user).get(url).data == PDF
    assert as_user(client, world.outsider).get(url).status_code == 404
    assert as_user(client, None).get(url).status_code == 302


@pytest.mark.parametrize(
    "content, name, message",
    [
        (b"MZ\x90\x00", "合同.exe", "只支持 PDF、JPG、PNG"),
        (b"not a pdf", "合同.pdf", "不是有效的 PDF"),
        (b"", "空.pdf", "空文件"),
    ],
)
def test_a_document_of_the_wrong_type_is_refused_and_nothing_is_stored(
    client, world, upload_dir, content, name, message
):
    record = accepted_record(world)
    resp = upload(client, world.uni_user, record, content, name)
    assert resp.status_code == 422 and message in resp.text
    assert _db.session.scalar(sa.select(DockingFile)) is None and not list(upload_dir.rglob("*.*"))


def test_a_document_over_the_size_limit_is_refused(make_app, upload_dir):
    app = make_app(ATTACHMENT_MAX_BYTES=1024)
    with app.app_context():
        record = DockingRecordFactory()
        user = record.request.from_user
        _db.session.commit()
        resp = upload(app.test_client(), user, record, PDF + b"0" * 2048, "大文件.pdf")
        assert resp.status_code == 422 and "超过了 1 KB 的上限" in resp.text
        assert _db.session.scalar(sa.select(DockingFile)) is None


# --- my docking page ----------------------------------------------------------------------------


def test_my_docking_page_lists_received_sent_and_records_with_filters(client, world):
    pending_request(world)
    accepted_record(world, stage=ST.SIGNED)
    uni_view = as_user(client, world.uni_user)
    received = uni_view.get("/docking/?tab=received").text
    assert received.count("高矫顽力钕铁硼制备技术") == 2 and "包头市稀宝永磁有限公司" in received
    assert uni_view.get("/docking/?tab=received&status=pending").text.count("高矫顽力钕铁硼制备技术") == 1
    assert "高矫顽力钕铁硼制备技术" not in uni_view.get("/docking/?tab=sent").text
    assert "已签约" in uni_view.get("/docking/?tab=records&stage=signed").text
    assert "高矫顽力钕铁硼制备技术" not in uni_view.get("/docking/?tab=records&stage=completed").text
    assert as_user(client, world.sme_user).get("/docking/?tab=sent").text.count("高矫顽力钕铁硼制备技术") == 2
    assert "高矫顽力" not in as_user(client, world.outsider).get("/docking/?tab=received").text


# --- jobs ---------------------------------------------------------------------------------------


def test_the_expiry_job_expires_an_overdue_request_once_and_tells_the_sender_once(world):
    with time_machine.travel(NOW - timedelta(days=14, minutes=1), tick=False):
        overdue = pending_request(world)
    with time_machine.travel(NOW - timedelta(days=3), tick=False):
        fresh = DockingRequestFactory(sender=world.uni_user, target=world.need)
        _db.session.commit()

    with time_machine.travel(NOW, tick=False):
        for _ in range(2):
            expire_requests(NOW)
            _db.session.commit()

    assert (overdue.status, fresh.status) == (R.EXPIRED, R.PENDING)
    assert [n.user_id for n in notifications(NotificationKind.DOCKING_EXPIRED)] == [world.sme_user.id]
    changes = _db.session.execute(sa.text("SELECT count(*) FROM status_changes WHERE to_status = 'expired'")).scalar()
    assert changes == 1


def test_the_recipient_is_reminded_once_two_days_before_a_request_expires(world):
    with time_machine.travel(NOW - timedelta(days=11), tick=False):
        early = pending_request(world)  # expires in 3 days: not yet
    with time_machine.travel(NOW - timedelta(days=12, hours=1), tick=False):
        due = DockingRequestFactory(sender=world.uni_user, target=world.need)  # expires in 1 day 23 h
        _db.session.commit()

    for _ in range(2):
        expire_requests(NOW)
        _db.session.commit()

    reminded = notifications(NotificationKind.DOCKING_EXPIRING)
    assert [n.user_id for n in reminded] == [world.sme_user.id] and f"/docking/requests/{due.id}" == reminded[0].link
    assert early.status == R.PENDING


def follow_ups(record=None) -> list[Notification]:
    rows = notifications(NotificationKind.DOCKING_FOLLOW_UP)
    return [n for n in rows if record is None or n.link.endswith(f"/{record.id}")]


def run_follow_ups(at: datetime) -> None:
    with time_machine.travel(at, tick=False):
        send_follow_ups(at)
        _db.session.commit()


def test_both_sides_are_asked_for_an_update_14_days_after_acceptance_once(world):
    with time_machine.travel(NOW, tick=False):
        record = accepted_record(world)
    run_follow_ups(NOW + timedelta(days=13))
    assert follow_ups() == []

    for _ in range(2):
        run_follow_ups(NOW + timedelta(days=14))

    asked = {n.user_id for n in follow_ups(record)}
    assert asked == {world.sme_user.id, world.uni_user.id, world.uni_colleague.id}
    assert len(follow_ups(record)) == 3


def test_a_follow_up_is_asked_again_every_week_until_answered(world):
    with time_machine.travel(NOW, tick=False):
        record = accepted_record(world)
    run_follow_ups(NOW + timedelta(days=14))
    run_follow_ups(NOW + timedelta(days=20))  # same week: nothing new
    assert len(follow_ups(record)) == 3
    run_follow_ups(NOW + timedelta(days=21))
    assert len(follow_ups(record)) == 6

    with time_machine.travel(NOW + timedelta(days=22), tick=False):
        add_docking_note(record, world.uni_user, "已完成第一轮技术交流")
        _db.session.commit()
    run_follow_ups(NOW + timedelta(days=28))
    run_follow_ups(NOW + timedelta(days=35))
    assert len(follow_ups(record)) == 6


def test_both_sides_are_asked_again_six_months_after_signing(world):
    with time_machine.travel(NOW - timedelta(days=400), tick=False):
        record = accepted_record(world)
    with time_machine.travel(NOW - timedelta(days=200), tick=False):
        move_docking_stage(
            record, world.sme_user, ST.SIGNED, contract_type="license", amount="30", signed_on=date(2026, 5, 18)
        )
        _db.session.commit()
    run_follow_ups(NOW - timedelta(days=20))  # 180 days after signing: not yet
    signed_keys = [n.key for n in follow_ups(record) if ":signed:" in n.key]
    assert signed_keys == []

    for _ in range(2):
        run_follow_ups(NOW)

    signed_keys = {n.key for n in follow_ups(record) if ":signed:" in n.key}
    assert signed_keys == {f"docking_record:{record.id}:follow_up:signed:0"}
    assert len([n for n in follow_ups(record) if ":signed:" in n.key]) == 3


def test_closed_records_are_not_followed_up(world):
    with time_machine.travel(NOW - timedelta(days=30), tick=False):
        accepted_record(world, stage=ST.TERMINATED, peak_stage=ST.NEGOTIATING)
    run_follow_ups(NOW)
    assert follow_ups() == []


def test_organisation_page_shows_contact_only_after_an_accepted_docking(client, world):
    org_url = f"/orgs/{world.uni.id}"
    assert UNI_PHONE not in page_of(client, world.sme_user, org_url)
    req = pending_request(world)
    assert UNI_PHONE not in page_of(client, world.sme_user, org_url)

    as_user(client, world.uni_user).post(f"/docking/requests/{req.id}/accept")

    assert UNI_PHONE in page_of(client, world.sme_user, org_url)
    assert SME_PHONE in page_of(client, world.uni_user, f"/orgs/{world.sme.id}")
    assert UNI_PHONE not in page_of(client, world.outsider, org_url)


def test_a_note_or_a_document_notifies_the_other_side_once_per_timeline_line(client, world):
    record = accepted_record(world)
    as_user(client, world.uni_user).post(f"/docking/records/{record.id}/notes", data={"text": "已寄送样品，请查收"})
    as_user(client, world.sme_user).post(f"/docking/records/{record.id}/notes", data={"text": "样品已收到"})
    upload(client, world.sme_user, record, PDF, "检测报告.pdf")
    as_user(client, world.sme_user).post(f"/docking/records/{record.id}/notes", data={"text": "样品已收到"})

    _db.session.refresh(record)
    note, reply, document, again = record.events
    to_sme = notifications(NotificationKind.DOCKING_UPDATE, world.sme_user)
    assert [n.key for n in to_sme] == [f"docking_record:{record.id}:note:{note.id}"]
    assert "已寄送样品，请查收" in to_sme[0].body and to_sme[0].link == f"/docking/records/{record.id}"
    for member in (world.uni_user, world.uni_colleague):
        keys = [n.key for n in notifications(NotificationKind.DOCKING_UPDATE, member)]
        assert keys == [
            f"docking_record:{record.id}:note:{reply.id}",
            f"docking_record:{record.id}:file:{document.id}",
            f"docking_record:{record.id}:note:{again.id}",
        ]
    told_of_file = notifications(NotificationKind.DOCKING_UPDATE, world.uni_user)[1]
    assert "检测报告.pdf" in told_of_file.body and "新文件" in told_of_file.title
