"""Files attached to an achievement: PDF, JPEG or PNG, checked by extension and by their first bytes.

Files are stored under UPLOAD_DIR/attachments with a random name; the original (often Chinese) name is kept
only for display and for the download's Content-Disposition.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

from flask import current_app

from app.core.enums import PostingKind
from app.core.errors import NotFound, ValidationFailed
from app.core.web import human_size
from app.extensions import db
from app.postings.models import Attachment, Posting
from app.postings.queries import get_visible_posting, require_owner
from app.postings.services import ensure_editable, touch_posting

# extension → (content type, the bytes every such file starts with)
FILE_TYPES = {
    "pdf": ("application/pdf", b"%PDF"),
    "jpg": ("image/jpeg", b"\xff\xd8\xff"),
    "jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    "png": ("image/png", b"\x89PNG\r\n\x1a\n"),
}
ATTACHMENT_KINDS = (PostingKind.ACHIEVEMENT,)
MAX_PER_POSTING = 10
NAME_MAX = 200


def max_bytes() -> int:
    return current_app.config["ATTACHMENT_MAX_BYTES"]


def upload_root(folder: str = "attachments") -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / folder


def attachment_path(attachment: Attachment) -> Path:
    return upload_root() / attachment.stored_name


def _display_name(filename: str | None) -> str:
    """The name as the user knows it, without any client path ("C:\\fakepath\\…") or control characters."""
    name = re.split(r"[\\/]", filename or "")[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    if len(name) > NAME_MAX:
        stem, _, ext = name.rpartition(".")
        name = f"{stem[: NAME_MAX - len(ext) - 1]}.{ext}"
    return name


def _invalid(message: str) -> ValidationFailed:
    return ValidationFailed(message, errors={"attachment": message})


@dataclass(frozen=True)
class StoredUpload:
    original_name: str
    stored_name: str
    content_type: str
    size_bytes: int

    def columns(self, actor) -> dict:
        """The app.core.models.StoredFileMixin columns of a row for this file, uploaded by `actor`."""
        return {**asdict(self), "uploaded_by_id": actor.id}


def store_upload(upload, folder: str = "attachments") -> StoredUpload:
    """Check an uploaded file (a werkzeug FileStorage) and write it under UPLOAD_DIR/<folder> with a random name.

    The file must be PDF, JPEG or PNG by its extension AND by its first bytes, and no larger than
    ATTACHMENT_MAX_BYTES. A file that breaks a rule is not written anywhere. Shared by every feature that
    takes documents (postings, docking records).
    """
    name = _display_name(upload.filename)
    ext = name.rpartition(".")[2].lower() if "." in name else ""
    if ext not in FILE_TYPES:
        raise _invalid("附件只支持 PDF、JPG、PNG 格式")
    limit = max_bytes()
    content = upload.stream.read(limit + 1)
    if len(content) > limit:
        raise _invalid(f"附件“{name}”超过了 {human_size(limit)} 的上限，请压缩后重新上传")
    if not content:
        raise _invalid(f"附件“{name}”是空文件，请重新选择")
    content_type, magic = FILE_TYPES[ext]
    if not content.startswith(magic):
        raise _invalid(f"附件“{name}”的内容不是有效的 {ext.upper()} 文件，请检查后重新上传")

    stored_name = f"{secrets.token_hex(16)}.{ext}"
    root = upload_root(folder)
    root.mkdir(parents=True, exist_ok=True)
    with open(root / stored_name, "xb") as fh:
        fh.write(content)
    return StoredUpload(name, stored_name, content_type, len(content))


def add_attachment(posting: Posting, upload, actor) -> Attachment:
    """Attach an uploaded file (a werkzeug FileStorage) to an editable achievement of the actor's organisation.

    The file must be PDF, JPEG or PNG by its extension AND by its first bytes, and no larger than
    ATTACHMENT_MAX_BYTES. A file that breaks a rule is not written anywhere.
    """
    require_owner(posting, actor)
    ensure_editable(posting)
    if posting.kind not in ATTACHMENT_KINDS:
        raise _invalid("只有科技成果可以上传附件")
    if len(posting.attachments) >= MAX_PER_POSTING:
        raise _invalid(f"每条信息最多上传{MAX_PER_POSTING}个附件，请先删除不需要的附件")
    stored = store_upload(upload)
    attachment = Attachment(posting=posting, **stored.columns(actor))
    db.session.add(attachment)
    touch_posting(posting)
    db.session.flush()
    return attachment


def remove_attachment(posting: Posting, attachment_id: int, actor) -> Path:
    """Delete the row; returns the file's path, which the caller removes once the transaction has committed."""
    require_owner(posting, actor)
    ensure_editable(posting)
    attachment = next((a for a in posting.attachments if a.id == attachment_id), None)
    if attachment is None:
        raise NotFound()
    path = attachment_path(attachment)
    posting.attachments.remove(attachment)
    touch_posting(posting)
    db.session.flush()
    return path


def get_visible_attachment(posting_id: int, attachment_id: int, user, kind: PostingKind | None = None) -> Attachment:
    """An attachment is exactly as visible as its posting."""
    posting = get_visible_posting(posting_id, user, kind)
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.posting_id != posting.id or not attachment_path(attachment).is_file():
        raise NotFound()
    return attachment
