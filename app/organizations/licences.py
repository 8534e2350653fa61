"""The organisation's 营业执照: uploaded at registration or from its edit page while unverified, opened only by
platform admins (in the verification queue) and the organisation's own admins. Stored like posting attachments
(app/core/uploads.py), under UPLOAD_DIR/licences."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from app.auth.models import User
from app.core.enums import VerificationStatus
from app.core.errors import DomainError, NotFound
from app.core.models import record_change
from app.core.uploads import CheckedUpload, check_upload, save_upload, upload_root
from app.core.web import human_size
from app.extensions import db
from app.organizations.models import BusinessLicence, Organization
from app.organizations.services import require_org_admin

FOLDER = "licences"
NOUN = "营业执照"


def licence_path(licence: BusinessLicence) -> Path:
    return upload_root(FOLDER) / licence.stored_name


def licence_limit() -> int:
    return current_app.config["LICENCE_MAX_BYTES"]


def licence_help() -> str:
    return f"营业执照或法人登记证书的扫描件或照片，PDF、JPG 或 PNG 格式，不超过 {human_size(licence_limit())}"


def check_licence(upload) -> CheckedUpload:
    """PDF, JPG or PNG by extension and content, within LICENCE_MAX_BYTES; nothing is written."""
    return check_upload(upload, limit=licence_limit(), noun=NOUN, field="licence")


def attach_licence(org: Organization, checked: CheckedUpload, actor: User) -> Path | None:
    """Store a checked licence as the organisation's, replacing any earlier one. Returns the earlier file's
    path, which the caller removes once the transaction has committed."""
    old = org.licence
    old_path = licence_path(old) if old is not None else None
    if old is not None:
        org.licence = None
        db.session.flush()  # the old row goes before the new one takes its org_id
    stored = save_upload(checked, FOLDER)
    org.licence = BusinessLicence(**stored.columns(actor))
    db.session.flush()
    return old_path


def upload_licence(org: Organization, upload, actor: User) -> tuple[Path | None, bool]:
    """An org admin uploads or replaces the licence while the organisation is not yet verified (a verified one
    asks the platform, since its licence is what was verified). A rejected organisation is re-submitted for
    verification. Returns the earlier file's path (to remove after the commit) and whether it was re-submitted."""
    require_org_admin(org, actor)
    if org.verification == VerificationStatus.VERIFIED:
        raise DomainError("机构已通过认证，如需更换营业执照请联系平台管理员")
    old_path = attach_licence(org, check_licence(upload), actor)
    resubmitted = org.verification == VerificationStatus.REJECTED
    if resubmitted:
        record_change(
            "organization", org.id, org.verification, VerificationStatus.PENDING, actor, "上传营业执照后重新提交认证"
        )
        org.verification = VerificationStatus.PENDING
        db.session.flush()
    return old_path, resubmitted


def get_licence(org_id: int, user) -> BusinessLicence:
    """Platform admins and the organisation's own admins may open its licence; to everyone else it does not
    exist (404), whoever they are."""
    org = db.session.get(Organization, org_id)
    allowed = bool(getattr(user, "is_authenticated", False)) and org is not None
    allowed = allowed and (user.is_platform_admin or (user.belongs_to(org.id) and user.is_org_admin))
    licence = org.licence if allowed else None
    if licence is None or not licence_path(licence).is_file():
        raise NotFound()
    return licence
