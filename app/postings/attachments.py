"""Files attached to an achievement: PDF, JPEG or PNG, checked by extension and by their first bytes
(app/core/uploads.py), stored under UPLOAD_DIR/attachments with a random name."""

from __future__ import annotations

from pathlib import Path

from app.core.enums import PostingKind
from app.core.errors import NotFound, ValidationFailed
from app.core.uploads import store_upload, upload_root
from app.extensions import db
from app.postings.models import Attachment, Posting
from app.postings.queries import get_visible_posting, require_owner
from app.postings.services import ensure_editable, touch_posting

ATTACHMENT_KINDS = (PostingKind.ACHIEVEMENT,)
MAX_PER_POSTING = 10


def attachment_path(attachment: Attachment) -> Path:
    return upload_root() / attachment.stored_name


def _invalid(message: str) -> ValidationFailed:
    return ValidationFailed(message, errors={"attachment": message})


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
