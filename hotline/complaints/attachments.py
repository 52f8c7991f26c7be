"""Answer attachments: type checked by extension AND content, size capped, random stored name."""

from __future__ import annotations

import hashlib
import io
import logging
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from hotline.complaints.models import Attachment, Complaint
from hotline.directory.models import User
from hotline.errors import ValidationError
from hotline.extensions import db

log = logging.getLogger(__name__)

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ALLOWED_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
ALLOWED_LABEL = "PDF, JPG, PNG, DOCX, XLSX"


@dataclass(frozen=True)
class Upload:
    """A file as received: the client's name is only ever used for display."""

    filename: str
    data: bytes


def _extension(filename: str) -> str:
    name = filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _zip_has(data: bytes, prefix: str) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = zf.namelist()
    except (zipfile.BadZipFile, ValueError):
        return False
    return "[Content_Types].xml" in names and any(n.startswith(prefix) for n in names)


def content_matches(ext: str, data: bytes) -> bool:
    """Magic bytes agree with the extension (and an Office file is that kind of Office file)."""
    if ext == "pdf":
        return data.startswith(b"%PDF-")
    if ext in ("jpg", "jpeg"):
        return data.startswith(b"\xff\xd8\xff")
    if ext == "png":
        return data.startswith(b"\x89PNG\r\n\x1a\n")
    if ext == "docx":
        return data.startswith(b"PK\x03\x04") and _zip_has(data, "word/")
    if ext == "xlsx":
        return data.startswith(b"PK\x03\x04") and _zip_has(data, "xl/")
    return False


def display_name(filename: str, ext: str) -> str:
    """A harmless label: no path parts, no control characters, bounded length."""
    base = filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"|?*')
    stem = base[: -(len(ext) + 1)] if base.lower().endswith("." + ext) else base
    stem = stem.strip(" .")[:150] or "tep-dinh-kem"
    return f"{stem}.{ext}"


def validate_upload(upload: Upload) -> str:
    """The extension, or ValidationError (nothing is written) with a Vietnamese message."""
    ext = _extension(upload.filename)
    if ext not in ALLOWED_TYPES:
        raise ValidationError(
            "Tệp đính kèm không hợp lệ.", {"attachment": f"Chỉ chấp nhận tệp {ALLOWED_LABEL}."}
        )
    if not upload.data:
        raise ValidationError("Tệp đính kèm không hợp lệ.", {"attachment": "Tệp rỗng."})
    if len(upload.data) > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            "Tệp đính kèm không hợp lệ.",
            {"attachment": f"Tệp vượt quá {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB."},
        )
    if not content_matches(ext, upload.data):
        raise ValidationError(
            "Tệp đính kèm không hợp lệ.",
            {"attachment": "Nội dung tệp không khớp với định dạng của tên tệp."},
        )
    return ext


def upload_dir() -> Path:
    return Path(current_app.config["HOTLINE"].upload_dir)


def store_attachment(complaint: Complaint, upload: Upload, actor: User | None) -> Attachment:
    """Validate, write the file under a random name, add the row (flushes nothing).

    The file is written before the commit; if the transaction then fails, an orphan file is
    left behind, never a row without its file.
    """
    ext = validate_upload(upload)
    stored = f"{secrets.token_hex(16)}.{ext}"
    directory = upload_dir()
    directory.mkdir(parents=True, exist_ok=True)
    (directory / stored).write_bytes(upload.data)
    row = Attachment(
        complaint=complaint,
        stored_name=stored,
        display_name=display_name(upload.filename, ext),
        extension=ext,
        content_type=ALLOWED_TYPES[ext],
        size=len(upload.data),
        sha256=hashlib.sha256(upload.data).hexdigest(),
        uploaded_by_id=actor.id if actor is not None else None,
    )
    db.session.add(row)
    log.info("attachment.stored complaint_id=%s size=%s ext=%s", complaint.id, row.size, ext)
    return row


def attachment_path(row: Attachment) -> Path:
    return upload_dir() / row.stored_name
