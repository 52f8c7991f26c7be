"""Intake: validate a submission, store it with its owed triage job, hand out the tracking code."""

from __future__ import annotations

import hashlib
import json
import logging
import unicodedata
from dataclasses import dataclass, field

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from hotline.codes import new_secret, new_tracking_code
from hotline.complaints.models import CHANNELS, Complaint, OutboxJob
from hotline.complaints.workflow import record_event
from hotline.directory.models import User, Ward
from hotline.errors import HotlineError, ValidationError
from hotline.extensions import db

log = logging.getLogger(__name__)

CONTENT_MIN, CONTENT_MAX = 10, 10_000


class IdempotencyConflict(HotlineError):
    http_status = 409
    title = "Idempotency-Key đã được dùng cho một nội dung khác"


@dataclass
class IntakeData:
    content: str
    channel: str
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    ward_code: int | None = None
    location_text: str | None = None
    anonymous: bool = False
    confidential: bool = False
    escalated_to_central: bool = False
    extra: dict = field(default_factory=dict)


@dataclass
class IntakeResult:
    complaint: Complaint
    created: bool
    secret: str | None = None  # shown once, only when the complaint was just created


def clean_text(
    value: object, name: str, errors: dict, *, max_len: int, min_len: int = 0
) -> str | None:
    """NFC-normalise, drop control characters, trim; record an error instead of raising."""
    if value is None:
        return None
    if not isinstance(value, str):
        errors[name] = "Phải là chuỗi ký tự."
        return None
    text = unicodedata.normalize("NFC", value)
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    text = text.strip()
    if not text:
        return None
    if len(text) < min_len:
        errors[name] = f"Cần ít nhất {min_len} ký tự."
    elif len(text) > max_len:
        errors[name] = f"Không được quá {max_len} ký tự."
    return text


def normalise_phone(raw: str) -> str | None:
    """E.164 form of a Vietnamese phone number, or None if it is not a valid one."""
    try:
        number = phonenumbers.parse(raw, "VN")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _bool(value: object, name: str, errors: dict) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    errors[name] = "Phải là true hoặc false."
    return False


def parse_intake(payload: object) -> IntakeData:
    """Validate an API payload; raises ValidationError with one message per bad field."""
    if not isinstance(payload, dict):
        raise ValidationError("Nội dung gửi lên phải là một đối tượng JSON.")
    errors: dict[str, str] = {}
    content = clean_text(
        payload.get("content"), "content", errors, max_len=CONTENT_MAX, min_len=CONTENT_MIN
    )
    if content is None and "content" not in errors:
        errors["content"] = "Nội dung phản ánh là bắt buộc."
    channel = payload.get("channel", "web")
    if channel not in CHANNELS:
        errors["channel"] = "Kênh tiếp nhận phải là một trong: " + ", ".join(CHANNELS) + "."
    anonymous = _bool(payload.get("anonymous"), "anonymous", errors)
    citizen = payload.get("citizen")
    if citizen is None:
        citizen = {}
    if not isinstance(citizen, dict):
        errors["citizen"] = "Thông tin người gửi phải là một đối tượng."
        citizen = {}
    data = IntakeData(
        content=content or "",
        channel=channel if isinstance(channel, str) else "web",
        anonymous=anonymous,
        confidential=_bool(payload.get("confidential"), "confidential", errors),
        escalated_to_central=_bool(
            payload.get("escalated_to_central"), "escalated_to_central", errors
        ),
        location_text=clean_text(
            payload.get("location_text"), "location_text", errors, max_len=500
        ),
    )
    _parse_citizen(citizen, data, errors)
    _parse_ward(payload.get("ward_code"), data, errors)
    if errors:
        raise ValidationError("Dữ liệu gửi lên chưa hợp lệ.", errors)
    return data


def _parse_citizen(citizen: dict, data: IntakeData, errors: dict) -> None:
    name = clean_text(citizen.get("name"), "citizen.name", errors, max_len=200)
    address = clean_text(citizen.get("address"), "citizen.address", errors, max_len=500)
    phone = email = None
    raw_phone = clean_text(citizen.get("phone"), "citizen.phone", errors, max_len=30)
    if raw_phone:
        phone = normalise_phone(raw_phone)
        if phone is None:
            errors["citizen.phone"] = "Số điện thoại không hợp lệ (ví dụ: 0912 345 678)."
    raw_email = clean_text(citizen.get("email"), "citizen.email", errors, max_len=200)
    if raw_email:
        try:
            email = validate_email(raw_email, check_deliverability=False).normalized
        except EmailNotValidError:
            errors["citizen.email"] = "Địa chỉ email không hợp lệ."
    if data.anonymous:
        # An anonymous sender keeps no identity on file; the secret is their only key.
        return
    if not name and "citizen.name" not in errors:
        errors["citizen.name"] = "Họ tên người gửi là bắt buộc (hoặc chọn gửi ẩn danh)."
    if not phone and not email and not ({"citizen.phone", "citizen.email"} & errors.keys()):
        errors["citizen.phone"] = "Cần số điện thoại hoặc email để liên hệ (hoặc chọn gửi ẩn danh)."
    data.name, data.phone, data.email, data.address = name, phone, email, address


def _parse_ward(value: object, data: IntakeData, errors: dict) -> None:
    if value in (None, ""):
        return
    try:
        code = int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        errors["ward_code"] = "Mã xã/phường phải là số."
        return
    if isinstance(value, bool) or db.session.get(Ward, code) is None:
        errors["ward_code"] = "Mã xã/phường không thuộc danh mục đơn vị hành chính của tỉnh."
        return
    data.ward_code = code


def fingerprint(data: IntakeData) -> str:
    body = json.dumps(data.__dict__, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def hash_secret(secret: str) -> str:
    # The secret carries 60 random bits, so a fast hash is enough (no dictionary to attack).
    return hashlib.sha256(secret.encode()).hexdigest()


def submit_complaint(
    data: IntakeData, *, actor: User | None = None, idempotency_key: str | None = None
) -> IntakeResult:
    """Store the complaint, its first event and its owed triage job in one transaction (commits)."""
    fp = fingerprint(data)
    if idempotency_key:
        existing = _by_idempotency_key(idempotency_key, fp)
        if existing is not None:
            return IntakeResult(existing, created=False)
    secret = new_secret() if not data.phone else None
    complaint = Complaint(
        tracking_code=new_tracking_code(),
        channel=data.channel,
        citizen_name=data.name,
        citizen_phone=data.phone,
        citizen_email=data.email,
        citizen_address=data.address,
        secret_hash=hash_secret(secret) if secret else None,
        ward_code=data.ward_code,
        location_source="given" if data.ward_code else None,
        location_text=data.location_text,
        content=data.content,
        anonymous=data.anonymous,
        confidential=data.confidential,
        escalated_to_central=data.escalated_to_central,
        idempotency_key=idempotency_key,
        idempotency_fingerprint=fp if idempotency_key else None,
        created_by_id=actor.id if actor is not None else None,
        state="received",
    )
    db.session.add(complaint)
    record_event(
        complaint,
        "received",
        actor=actor,
        citizen=actor is None,
        to_state="received",
        public=True,
        data={"channel": data.channel},
    )
    db.session.add(OutboxJob(job="triage", complaint=complaint))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        if idempotency_key:
            # Lost a race with the same key: the other request's complaint is the answer.
            existing = _by_idempotency_key(idempotency_key, fp)
            if existing is not None:
                return IntakeResult(existing, created=False)
        raise
    log.info("intake.stored complaint_id=%s channel=%s", complaint.id, complaint.channel)
    return IntakeResult(complaint, created=True, secret=secret)


def _by_idempotency_key(key: str, fp: str) -> Complaint | None:
    existing = db.session.scalar(select(Complaint).where(Complaint.idempotency_key == key))
    if existing is not None and existing.idempotency_fingerprint != fp:
        raise IdempotencyConflict(
            "Khóa Idempotency-Key này đã được dùng cho một phản ánh có nội dung khác."
        )
    return existing
