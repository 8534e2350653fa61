"""Docking record rules: forward-only stages, the contract, the timeline's notes and files, and the notices
they send."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
import time_machine

from app.core.enums import DockingEventKind, NotificationKind
from app.core.errors import FieldError, InvalidTransition, ValidationFailed
from app.docking.models import DockingFile
from app.docking.records import move_docking_stage
from app.extensions import db as _db
from tests.conftest import as_user
from tests.docking.helpers import NOW, PDF, ST, accepted_record, notifications, page_of, upload
from tests.factories import DockingRecordFactory

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
