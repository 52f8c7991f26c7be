"""Citizen forms, and the glue between WTForms and the intake service's validation.

The forms carry no validators of their own: intake.parse_intake() is the single set of rules,
its ValidationError.errors keys are mapped back onto form fields here.
"""

from __future__ import annotations

import uuid

from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, EmailField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields import TelField

from hotline.complaints.intake import CONTENT_MAX
from hotline.directory.models import Ward
from hotline.extensions import db

# parse_intake() error key -> form field name (anything unmapped is shown above the form).
INTAKE_ERROR_FIELDS = {
    "content": "content",
    "channel": "channel",
    "citizen.name": "name",
    "citizen.phone": "phone",
    "citizen.email": "email",
    "citizen.address": "address",
    "ward_code": "ward_code",
    "location_text": "location_text",
    "anonymous": "anonymous",
    "confidential": "confidential",
    "escalated_to_central": "escalated_to_central",
}


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


def clean_idempotency_key(value: str | None, prefix: str) -> str | None:
    """The form's hidden key, namespaced; a tampered value just loses double-submit protection."""
    try:
        return f"{prefix}:{uuid.UUID(hex=(value or '').strip()).hex}"
    except ValueError:
        return None


def ward_choices() -> dict[str, str]:
    """The 95 official units (phường first, then xã), for a select that works without JS."""
    wards = db.session.scalars(select(Ward).order_by(Ward.division_type, Ward.name))
    return {"": "— Chưa rõ / không chọn —", **{str(w.code): w.name for w in wards}}


def apply_errors(form: FlaskForm, errors: dict[str, str]) -> list[str]:
    """Attach service error messages to form fields; return those no field can show."""
    general = []
    for key, message in errors.items():
        name = INTAKE_ERROR_FIELDS.get(key)
        field = form._fields.get(name) if name else None
        if field is None:
            general.append(message)
        else:
            field.errors = [*field.errors, message]
    return general


class CitizenComplaintForm(FlaskForm):
    """The public web form; parse_intake() validates what it posts."""

    content = TextAreaField(
        "Nội dung phản ánh, kiến nghị", render_kw={"maxlength": CONTENT_MAX, "rows": 8}
    )
    location_text = StringField(
        "Địa điểm cụ thể (số nhà, đường, ấp/khu phố)", render_kw={"maxlength": 500}
    )
    ward_code = SelectField("Xã/phường nơi xảy ra sự việc", validate_choice=False)
    name = StringField("Họ và tên", render_kw={"maxlength": 200, "autocomplete": "name"})
    phone = TelField("Số điện thoại", render_kw={"maxlength": 30, "autocomplete": "tel"})
    email = EmailField("Email", render_kw={"maxlength": 200, "autocomplete": "email"})
    address = StringField("Địa chỉ liên hệ", render_kw={"maxlength": 500})
    anonymous = BooleanField("Gửi ẩn danh (không lưu họ tên, số điện thoại, email)")
    confidential = BooleanField("Đề nghị giữ bí mật thông tin người gửi (tố cáo)")
    idempotency_key = HiddenField()

    def to_payload(self) -> dict:
        """The same shape the JSON API accepts, so parse_intake() applies unchanged."""
        return {
            "content": self.content.data or "",
            "channel": "web",
            "anonymous": bool(self.anonymous.data),
            "confidential": bool(self.confidential.data),
            "location_text": self.location_text.data,
            "ward_code": self.ward_code.data or None,
            "citizen": {
                "name": self.name.data,
                "phone": self.phone.data,
                "email": self.email.data,
                "address": self.address.data,
            },
        }


class StatusLookupForm(FlaskForm):
    """GET form: nothing changes, so no CSRF token (the page is rate-limited instead)."""

    class Meta:
        csrf = False

    code = StringField(
        "Mã tra cứu",
        render_kw={"maxlength": 40, "autocomplete": "off", "placeholder": "VD: 7KQ2M-XH4PD-9TR3F"},
    )
    factor = StringField(
        "4 số cuối số điện thoại (hoặc mã bí mật)",
        render_kw={"maxlength": 40, "autocomplete": "off"},
    )
