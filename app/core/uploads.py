"""Uploaded documents: PDF, JPEG or PNG, checked by extension AND by their first bytes, within a size limit.

Every feature that takes documents uses these: posting attachments, docking records, business licences.
Files are stored under UPLOAD_DIR/<folder> with a random name; the original (often Chinese) name is kept only
for display and for the download's Content-Disposition. A file that breaks a rule is not written anywhere.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

from flask import current_app

from app.core.errors import ValidationFailed
from app.core.web import human_size

# extension → (content type, the bytes every such file starts with)
FILE_TYPES = {
    "pdf": ("application/pdf", b"%PDF"),
    "jpg": ("image/jpeg", b"\xff\xd8\xff"),
    "jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    "png": ("image/png", b"\x89PNG\r\n\x1a\n"),
}
ACCEPT = ".pdf,.jpg,.jpeg,.png"
NAME_MAX = 200


def max_bytes() -> int:
    """The size limit of a posting attachment or a docking document."""
    return current_app.config["ATTACHMENT_MAX_BYTES"]


def upload_root(folder: str = "attachments") -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / folder


def display_name(filename: str | None) -> str:
    """The name as the user knows it, without any client path ("C:\\fakepath\\…") or control characters."""
    name = re.split(r"[\\/]", filename or "")[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    if len(name) > NAME_MAX:
        stem, _, ext = name.rpartition(".")
        name = f"{stem[: NAME_MAX - len(ext) - 1]}.{ext}"
    return name


@dataclass(frozen=True)
class StoredUpload:
    original_name: str
    stored_name: str
    content_type: str
    size_bytes: int

    def columns(self, actor) -> dict:
        """The app.core.models.StoredFileMixin columns of a row for this file, uploaded by `actor`."""
        return {**asdict(self), "uploaded_by_id": actor.id}


@dataclass(frozen=True)
class CheckedUpload:
    """A file that passed check_upload, held in memory until save_upload writes it."""

    name: str
    ext: str
    content_type: str
    content: bytes


def check_upload(upload, *, limit: int | None = None, noun: str = "附件", field: str = "attachment") -> CheckedUpload:
    """Read an uploaded file (a werkzeug FileStorage) and check it: PDF, JPEG or PNG by its extension AND by its
    first bytes (a program renamed .pdf is refused), not empty, at most `limit` bytes (ATTACHMENT_MAX_BYTES by
    default). Writes nothing; a broken rule is a ValidationFailed on `field` that names the file as `noun`."""

    def invalid(message: str) -> ValidationFailed:
        return ValidationFailed(message, errors={field: message})

    name = display_name(upload.filename)
    ext = name.rpartition(".")[2].lower() if "." in name else ""
    if ext not in FILE_TYPES:
        raise invalid(f"{noun}只支持 PDF、JPG、PNG 格式")
    limit = limit or max_bytes()
    content = upload.stream.read(limit + 1)
    if len(content) > limit:
        raise invalid(f"{noun}“{name}”超过了 {human_size(limit)} 的上限，请压缩后重新上传")
    if not content:
        raise invalid(f"{noun}“{name}”是空文件，请重新选择")
    content_type, magic = FILE_TYPES[ext]
    if not content.startswith(magic):
        raise invalid(f"{noun}“{name}”的内容不是有效的 {ext.upper()} 文件，请检查后重新上传")
    return CheckedUpload(name, ext, content_type, content)


def save_upload(checked: CheckedUpload, folder: str) -> StoredUpload:
    """Write a checked file under UPLOAD_DIR/<folder> with a random name."""
    stored_name = f"{secrets.token_hex(16)}.{checked.ext}"
    root = upload_root(folder)
    root.mkdir(parents=True, exist_ok=True)
    with open(root / stored_name, "xb") as fh:
        fh.write(checked.content)
    return StoredUpload(checked.name, stored_name, checked.content_type, len(checked.content))


def store_upload(upload, folder: str = "attachments", **rules) -> StoredUpload:
    """check_upload (with its `rules`: limit, noun, field), then save_upload."""
    return save_upload(check_upload(upload, **rules), folder)
