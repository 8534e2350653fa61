"""A policy's files: staff upload PDF/JPG/PNG checked by content, a draft's files are the staff's only, a published
policy's are public, another authority cannot touch them."""

from __future__ import annotations

import io

import sqlalchemy as sa

from app.core.policy_enums import PolicyStatus
from app.policies.models import PolicyAttachment
from app.policies.services import change_policy_status
from tests.conftest import as_user
from tests.policies.staff.conftest import make_policy

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def upload(client, policy_id: int, content: bytes = PDF, name: str = "原文.pdf"):
    return client.post(
        f"/policies/manage/{policy_id}/attachments",
        data={"attachment": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def attachment_count(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(PolicyAttachment))


def test_staff_upload_a_pdf_and_only_they_see_a_drafts_file(db, client, login, baotou_staff):
    policy = make_policy(db, baotou_staff)
    page = upload(login(baotou_staff), policy.id).get_data(as_text=True)
    assert "附件已上传" in page and "原文.pdf" in page
    attachment = db.session.scalar(sa.select(PolicyAttachment))
    url = f"/policies/manage/{policy.id}/attachments/{attachment.id}"
    assert client.get(url).data == PDF
    assert as_user(client, None).get(url).status_code == 404
    change_policy_status(policy, PolicyStatus.PUBLISHED, baotou_staff)
    db.session.commit()
    assert as_user(client, None).get(url).data == PDF


def test_a_program_named_pdf_is_refused_and_nothing_is_stored(db, login, baotou_staff, upload_dir):
    policy = make_policy(db, baotou_staff)
    page = upload(login(baotou_staff), policy.id, b"MZ\x90\x00program", "申报表.pdf").get_data(as_text=True)
    assert "不是有效的 PDF 文件" in page
    assert attachment_count(db) == 0
    assert not list((upload_dir / "policies").glob("*"))


def test_another_authority_cannot_upload_or_delete(db, login, baotou_staff, hohhot_staff):
    policy = make_policy(db, baotou_staff)
    upload(login(baotou_staff), policy.id)
    attachment = db.session.scalar(sa.select(PolicyAttachment))
    other = login(hohhot_staff)
    assert upload(other, policy.id).status_code == 404
    assert other.post(f"/policies/manage/{policy.id}/attachments/{attachment.id}/delete").status_code == 404
    assert attachment_count(db) == 1


def test_staff_delete_a_file(db, login, baotou_staff):
    policy = make_policy(db, baotou_staff)
    client = login(baotou_staff)
    upload(client, policy.id)
    attachment = db.session.scalar(sa.select(PolicyAttachment))
    client.post(f"/policies/manage/{policy.id}/attachments/{attachment.id}/delete")
    assert attachment_count(db) == 0
