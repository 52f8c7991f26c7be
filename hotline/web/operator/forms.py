"""Staff forms: call console, list filters, manual triage (validation lives in the services)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields import TelField

from hotline.complaints.intake import CONTENT_MAX
from hotline.complaints.workflow import STATE_LABELS
from hotline.directory.models import Agency
from hotline.extensions import db
from hotline.labels import CHANNEL_LABELS, FIELD_LABELS, KIND_LABELS, LEVEL_LABELS


class CallForm(FlaskForm):
    """One phone call, saved in one step; intake.parse_intake() validates it."""

    phone = TelField(
        "Số điện thoại người gọi",
        render_kw={"maxlength": 30, "autocomplete": "off", "inputmode": "tel"},
    )
    channel = SelectField(
        "Kênh tiếp nhận", choices=dict(CHANNEL_LABELS), default="phone", validate_choice=False
    )
    content = TextAreaField("Nội dung phản ánh", render_kw={"maxlength": CONTENT_MAX, "rows": 7})
    ward_code = SelectField("Xã/phường nơi xảy ra sự việc", validate_choice=False)
    location_text = StringField("Địa điểm cụ thể", render_kw={"maxlength": 500})
    name = StringField("Họ tên người gọi", render_kw={"maxlength": 200, "autocomplete": "off"})
    anonymous = BooleanField("Ẩn danh (không lưu thông tin người gọi)")
    confidential = BooleanField("Bảo mật danh tính (tố cáo)")
    escalated_to_central = BooleanField("Đã/đề nghị chuyển lên trung ương")
    idempotency_key = HiddenField()

    def to_payload(self) -> dict:
        return {
            "content": self.content.data or "",
            "channel": self.channel.data,
            "anonymous": bool(self.anonymous.data),
            "confidential": bool(self.confidential.data),
            "escalated_to_central": bool(self.escalated_to_central.data),
            "location_text": self.location_text.data,
            "ward_code": self.ward_code.data or None,
            "citizen": {"name": self.name.data, "phone": self.phone.data},
        }


def _blank(label: str, labels: dict[str, str]) -> dict[str, str]:
    # WTForms' shorthand dict ({value: label}) is the non-deprecated form of choices.
    return {"": label, **labels}


class ListFilterForm(FlaskForm):
    """GET filters of the complaint list (no CSRF: nothing changes)."""

    class Meta:
        csrf = False

    q = StringField(
        "Mã tra cứu",
        render_kw={"placeholder": "Mã hoặc một phần mã", "maxlength": 40, "type": "search"},
    )
    state = SelectField(
        "Trạng thái", choices=_blank("Tất cả trạng thái", STATE_LABELS), validate_choice=False
    )
    field = SelectField(
        "Lĩnh vực", choices=_blank("Tất cả lĩnh vực", FIELD_LABELS), validate_choice=False
    )
    channel = SelectField(
        "Kênh", choices=_blank("Tất cả kênh", CHANNEL_LABELS), validate_choice=False
    )


def agency_choices() -> dict[str, str | dict[str, str]]:
    """Active agencies for a select, grouped (<optgroup>) by province, utilities, communes."""
    rows = db.session.scalars(select(Agency).where(Agency.active.is_(True)).order_by(Agency.name))
    by_level: dict[str, dict[str, str]] = {}
    for agency in rows:
        by_level.setdefault(agency.level, {})[agency.code] = agency.name
    choices: dict[str, str | dict[str, str]] = {"": "— Chọn cơ quan xử lý —"}
    for level in ("province", "utility", "commune"):
        if by_level.get(level):
            choices[LEVEL_LABELS[level]] = by_level[level]
    return choices


class TriageForm(FlaskForm):
    """Manual triage of one item; services.triage.manual_triage() validates it."""

    field = SelectField(
        "Lĩnh vực", choices=_blank("— Chọn lĩnh vực —", FIELD_LABELS), validate_choice=False
    )
    kind = SelectField(
        "Loại đơn", choices=_blank("— Chọn loại đơn —", KIND_LABELS), validate_choice=False
    )
    agency = SelectField("Cơ quan xử lý", validate_choice=False)
    note = StringField("Ghi chú (không bắt buộc)", render_kw={"maxlength": 500})
