"""Attachments: PDF, JPEG or PNG checked by content, within the size limit and the count limit, removable while
the application can change; a refused file refuses the whole save."""

from __future__ import annotations

import pytest

from app.challenges.applications.services import MAX_FILES
from tests.challenges.applications.helpers import PDF, PNG, application_of, complete_form, post_apply
from tests.conftest import as_user


def test_pdf_and_png_files_are_stored_under_their_own_names(client, world, upload_dir):
    post_apply(
        client, world.sme_user, world.item, complete_form(world.item), files=[("方案书.pdf", PDF), ("现场.png", PNG)]
    )
    application = application_of(world.item, world.sme)
    assert [a.original_name for a in application.attachments] == ["方案书.pdf", "现场.png"]
    stored = upload_dir / "challenges" / application.attachments[0].stored_name
    assert stored.read_bytes() == PDF


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("方案书.docx", b"PK\x03\x04", "附件只支持 PDF、JPG、PNG 格式"),
        ("伪装.pdf", b"MZ\x90\x00 program", "附件“伪装.pdf”的内容不是有效的 PDF 文件"),
        ("空.pdf", b"", "附件“空.pdf”是空文件"),
    ],
)
def test_a_wrong_file_is_refused_with_a_chinese_message_and_nothing_is_saved(client, world, name, content, message):
    resp = post_apply(client, world.sme_user, world.item, complete_form(world.item), files=[(name, content)])
    assert resp.status_code == 422 and message in resp.text
    assert application_of(world.item, world.sme) is None


def test_a_file_over_the_size_limit_is_refused(make_app, world):
    app = make_app(ATTACHMENT_MAX_BYTES=1024)
    client = app.test_client()
    with app.app_context():
        resp = post_apply(
            client, world.sme_user, world.item, complete_form(world.item), files=[("大.pdf", PDF + b"0" * 2000)]
        )
    assert resp.status_code == 422 and "超过了 1 KB 的上限" in resp.text


def test_at_most_ten_files_per_application(client, world):
    files = [(f"f{n}.pdf", PDF) for n in range(MAX_FILES)]
    post_apply(client, world.sme_user, world.item, complete_form(world.item, action="save"), files=files)
    resp = post_apply(client, world.sme_user, world.item, complete_form(world.item), files=[("多一个.pdf", PDF)])
    assert resp.status_code == 422 and f"每份申报最多 {MAX_FILES} 个附件" in resp.text
    assert len(application_of(world.item, world.sme).attachments) == MAX_FILES


def test_a_file_can_be_removed_while_the_application_is_open(client, world, upload_dir):
    post_apply(client, world.sme_user, world.item, complete_form(world.item), files=[("方案书.pdf", PDF)])
    application = application_of(world.item, world.sme)
    attachment = application.attachments[0]
    path = upload_dir / "challenges" / attachment.stored_name
    url = f"/challenges/applications/{application.id}/attachments/{attachment.id}/delete"
    assert as_user(client, world.outsider_user).post(url).status_code == 404
    as_user(client, world.sme_user).post(url)
    assert application_of(world.item, world.sme).attachments == [] and not path.exists()
