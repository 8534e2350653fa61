"""Rules of posting attachments: type by extension and magic bytes, size caps, visibility like the posting."""

from __future__ import annotations

import io
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from app.core.enums import PostingKind, PostingStatus
from app.core.errors import ValidationFailed
from app.extensions import db
from app.postings.attachments import add_attachment
from app.postings.models import Attachment, Posting
from tests.conftest import login_as
from tests.factories import PostingFactory, UserFactory
from tests.postings.helpers import VALID, act_as, page_text

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def upload(content: bytes, name: str):
    return (io.BytesIO(content), name)


def file_storage(content: bytes, name: str) -> FileStorage:
    return FileStorage(stream=io.BytesIO(content), filename=name)


def new_achievement(client, file, **extra):
    data = {**VALID[PostingKind.ACHIEVEMENT], "action": "draft", "attachment": file, **extra}
    return client.post("/postings/achievement/new", data=data, content_type="multipart/form-data")


def stored_files(upload_dir) -> list:
    return [p for p in upload_dir.rglob("*") if p.is_file()]


@pytest.mark.parametrize(
    "content, name, content_type",
    [(PDF, "成果简介.pdf", "application/pdf"), (PNG, "样品照片.PNG", "image/png"), (JPEG, "现场.jpeg", "image/jpeg")],
)
def test_pdf_png_and_jpeg_are_stored_under_a_random_name_and_downloaded_with_the_original_name(
    client, db, owner, upload_dir, content, name, content_type
):
    resp = new_achievement(act_as(client, owner), upload(content, name))

    assert resp.status_code == 302
    attachment = db.session.scalar(sa.select(Attachment))
    assert attachment.original_name == name and attachment.content_type == content_type
    assert attachment.size_bytes == len(content)
    files = stored_files(upload_dir)
    assert len(files) == 1 and files[0].name == attachment.stored_name and name not in attachment.stored_name
    download = client.get(f"/postings/achievement/{attachment.posting_id}/attachments/{attachment.id}")
    assert download.status_code == 200 and download.data == content
    assert quote(name) in download.headers["Content-Disposition"]


def test_too_large_attachment_is_refused_and_nothing_is_saved(make_app, upload_dir):
    app = make_app(ATTACHMENT_MAX_BYTES=1024)
    with app.app_context():
        user = UserFactory()
        db.session.commit()
        client = app.test_client()
        login_as(client, user)

        resp = new_achievement(client, upload(PDF + b"0" * 2048, "大文件.pdf"))

        assert resp.status_code == 422
        assert "超过了 1 KB 的上限" in page_text(resp)
        assert db.session.scalar(sa.select(sa.func.count(Posting.id))) == 0
    assert stored_files(upload_dir) == []


@pytest.mark.parametrize(
    "content, name, message",
    [
        (b"MZ\x90\x00 not a pdf", "伪装.pdf", "不是有效的 PDF 文件"),
        (PDF, "文档.png", "不是有效的 PNG 文件"),
        (PDF, "宏病毒.docm", "只支持 PDF、JPG、PNG"),
        (PDF, "没有扩展名", "只支持 PDF、JPG、PNG"),
        (b"", "空.pdf", "空文件"),
    ],
)
def test_wrong_type_is_refused_by_extension_and_magic_bytes(client, db, owner, upload_dir, content, name, message):
    resp = new_achievement(act_as(client, owner), upload(content, name))

    assert resp.status_code == 422 and message in page_text(resp)
    assert db.session.scalar(sa.select(sa.func.count(Posting.id))) == 0
    assert stored_files(upload_dir) == []


def test_a_request_over_max_content_length_gets_the_413_page(make_app):
    app = make_app(MAX_CONTENT_LENGTH=4096)
    with app.app_context():
        user = UserFactory()
        db.session.commit()
        client = app.test_client()
        login_as(client, user)

        resp = new_achievement(client, upload(PDF + b"0" * 8192, "超大.pdf"))

        assert resp.status_code == 413
        assert "文件过大" in page_text(resp) and "4 KB" in page_text(resp)
        assert db.session.scalar(sa.select(sa.func.count(Posting.id))) == 0


def test_attachment_of_a_draft_is_404_to_everyone_outside_its_organisation(client, db, owner):
    posting = PostingFactory(org=owner.org, status=PostingStatus.DRAFT, published_at=None)
    attachment = add_attachment(posting, file_storage(PDF, "草稿附件.pdf"), owner)
    stranger = UserFactory()
    db.session.commit()
    url = f"/postings/achievement/{posting.id}/attachments/{attachment.id}"

    assert act_as(client, None).get(url).status_code == 404
    assert act_as(client, stranger).get(url).status_code == 404
    assert act_as(client, owner).get(url).status_code == 200


def test_attachment_of_a_published_posting_is_public_but_not_through_another_posting(client, db, owner):
    posting = PostingFactory(org=owner.org)
    other = PostingFactory(org=owner.org)
    attachment = add_attachment(posting, file_storage(PNG, "照片.png"), owner)
    db.session.commit()

    assert client.get(f"/postings/achievement/{posting.id}/attachments/{attachment.id}").status_code == 200
    assert client.get(f"/postings/achievement/{other.id}/attachments/{attachment.id}").status_code == 404


def test_only_achievements_take_attachments(db, owner):
    need = PostingFactory(org=owner.org, kind=PostingKind.NEED, status=PostingStatus.DRAFT)

    with pytest.raises(ValidationFailed, match="只有科技成果"):
        add_attachment(need, file_storage(PDF, "需求.pdf"), owner)


def test_owner_deletes_an_attachment_and_its_file(client, db, owner, upload_dir):
    posting = PostingFactory(org=owner.org, status=PostingStatus.DRAFT, published_at=None)
    attachment = add_attachment(posting, file_storage(PDF, "旧版.pdf"), owner)
    db.session.commit()
    url = f"/postings/achievement/{posting.id}/attachments/{attachment.id}/delete"

    assert act_as(client, UserFactory()).post(url).status_code == 404
    assert len(stored_files(upload_dir)) == 1
    act_as(client, owner).post(url)

    assert db.session.scalar(sa.select(sa.func.count(Attachment.id))) == 0
    assert stored_files(upload_dir) == []
