"""The files of a policy (原文 PDF, 申报表…): PDF, JPEG or PNG checked by extension and first bytes
(app/core/uploads.py), stored under UPLOAD_DIR/policies with a random name. Staff add and remove them while the
policy can be edited; a published or expired policy's files are public, a draft's or a withdrawn one's only
for its staff."""

from __future__ import annotations

from pathlib import Path

from app.core.errors import NotFound, ValidationFailed
from app.core.policy_enums import PolicyStatus
from app.core.uploads import store_upload, upload_root
from app.extensions import db
from app.policies.models import Policy, PolicyAttachment
from app.policies.staff_services import ensure_editable, may_edit

FOLDER = "policies"
MAX_PER_POLICY = 10
PUBLIC = (PolicyStatus.PUBLISHED, PolicyStatus.EXPIRED)


def attachment_path(attachment: PolicyAttachment) -> Path:
    return upload_root(FOLDER) / attachment.stored_name


def add_attachment(policy: Policy, upload, actor) -> PolicyAttachment:
    ensure_editable(policy)
    if len(policy.attachments) >= MAX_PER_POLICY:
        message = f"每条政策最多上传 {MAX_PER_POLICY} 个附件，请先删除不需要的附件"
        raise ValidationFailed(message, errors={"attachment": message})
    stored = store_upload(upload, FOLDER)
    attachment = PolicyAttachment(policy=policy, **stored.columns(actor))
    db.session.add(attachment)
    db.session.flush()
    return attachment


def remove_attachment(policy: Policy, attachment_id: int) -> Path:
    """Delete the row; the caller removes the returned file once the transaction has committed."""
    ensure_editable(policy)
    attachment = next((a for a in policy.attachments if a.id == attachment_id), None)
    if attachment is None:
        raise NotFound()
    path = attachment_path(attachment)
    policy.attachments.remove(attachment)
    db.session.flush()
    return path


def get_attachment(policy_id: int, attachment_id: int, user) -> PolicyAttachment:
    """A file as visible as its policy: public once published (or expired), else only for its staff."""
    attachment = db.session.get(PolicyAttachment, attachment_id)
    if attachment is None or attachment.policy_id != policy_id or not attachment_path(attachment).is_file():
        raise NotFound()
    if attachment.policy.status not in PUBLIC and not may_edit(user, attachment.policy):
        raise NotFound()
    return attachment
