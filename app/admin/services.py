"""The admin home's figures and the web import: a file is stored, previewed, and imported only on confirm.

An upload lives in IMPORT_DIR (instance/imports by default) with a random name; the session holds only that name.
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.core.errors import DomainError, ValidationFailed
from app.core.web import human_size
from app.extensions import db
from app.lists.models import CatalogList
from app.organizations.verification import pending_verification_count
from app.postings.importing.reading import UnreadableFile, content_error, format_of, read_records
from app.postings.importing.validation import Validation, validate_records
from app.postings.importing.writing import ImportSummary, import_records
from app.postings.queries import published_counts, submitted_count

UPLOAD_ID = re.compile(r"^[0-9a-f]{32}$")
STALE_SECONDS = 24 * 3600
SNIFF_BYTES = 4096


class ImportCollision(DomainError):
    """The rows being imported were written by someone else between validation and writing."""

    code = "import_collision"
    status = 409


def admin_overview() -> dict:
    """What waits for an admin, and how much is published per kind."""
    return {
        "pending_orgs": pending_verification_count(),
        "awaiting_moderation": submitted_count(),
        "published": published_counts(),
        "draft_lists": db.session.scalar(sa.select(sa.func.count()).where(CatalogList.published_at.is_(None))),
    }


# ---------------------------------------------------------------- web import


def upload_problem(storage, max_bytes: int) -> str | None:
    """Why an uploaded file is refused (extension, size, content), or None."""
    if format_of(storage.filename or "") is None:
        return "只支持 .xlsx、.csv、.jsonl 文件"
    stream = storage.stream
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    if size == 0:
        return "文件是空的"
    if size > max_bytes:
        return f"文件大小 {human_size(size)}，超过了 {human_size(max_bytes)} 的上限，请拆分后分批导入"
    head = stream.read(SNIFF_BYTES)
    stream.seek(0)
    return content_error(format_of(storage.filename), head)


@dataclass
class StoredUpload:
    id: str
    name: str  # what the admin called the file, for display only
    fmt: str

    @property
    def path(self) -> Path:
        return import_dir() / f"{self.id}.{self.fmt}"


def import_dir() -> Path:
    path = Path(current_app.config["IMPORT_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_upload(storage) -> StoredUpload:
    """Keep an accepted upload until it is confirmed; uploads left for a day are removed."""
    folder = import_dir()
    cutoff = time.time() - STALE_SECONDS
    for old in folder.iterdir():
        if old.is_file() and old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    upload = StoredUpload(secrets.token_hex(16), Path(storage.filename).name[:200], format_of(storage.filename))
    storage.save(upload.path)
    return upload


def find_upload(saved: dict | None) -> StoredUpload | None:
    """The upload a session points to, if it is well formed and still on disk."""
    if not isinstance(saved, dict) or not UPLOAD_ID.match(str(saved.get("id", ""))):
        return None
    if saved.get("fmt") not in ("jsonl", "csv", "xlsx"):
        return None
    upload = StoredUpload(saved["id"], str(saved.get("name", "")), saved["fmt"])
    return upload if upload.path.is_file() else None


def upload_to_session(upload: StoredUpload) -> dict:
    return asdict(upload)


def discard_upload(upload: StoredUpload | None) -> None:
    if upload is not None:
        upload.path.unlink(missing_ok=True)


def preview_upload(upload: StoredUpload) -> Validation:
    """Validate a stored upload; a file that cannot be read at all is thrown away at once."""
    try:
        return validate_records(read_records(upload.path, upload.fmt))
    except UnreadableFile:
        discard_upload(upload)
        raise


def import_upload(upload: StoredUpload, *, publish: bool, verified: bool, skip_invalid: bool, actor) -> ImportSummary:
    """Validate again (the data may have changed since the preview) and import; all or nothing without skip."""
    result = preview_upload(upload)
    if result.errors and not skip_invalid:
        raise ValidationFailed(
            f"文件有 {result.bad_lines} 行错误，未导入任何数据。请改正后重新上传，或勾选“跳过有错误的行”。"
        )
    if not result.good:
        raise ValidationFailed("没有可导入的正确行")
    try:
        return import_records(result.good, publish=publish, verified=verified, actor=actor)
    except IntegrityError as err:
        # Two admins confirmed the same file at once: the second meets the first's unique (kind, ref) or
        # organisation name. Keep nothing of it; after a reload the preview shows those rows as existing.
        db.session.rollback()
        raise ImportCollision("该文件正在被他人导入或已导入，请刷新后重试") from err
