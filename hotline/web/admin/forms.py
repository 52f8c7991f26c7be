"""Admin forms: the fields and CSRF; validation lives in directory/admin.py (Vietnamese messages)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, PasswordField, SelectField, StringField, TextAreaField

from hotline.directory.models import ROLE_LABELS, Ward
from hotline.extensions import db
from hotline.labels import FIELD_LABELS, KIND_LABELS, SCOPE_LABELS
from hotline.web.operator.forms import agency_choices

UNIT_LABELS = {"working": "ngày làm việc", "calendar": "ngày lịch"}


def _blank(label: str, labels: dict[str, str]) -> dict[str, str]:
    return {"": label, **labels}


def ward_choices(blank: str) -> dict[str, str]:
    wards = db.session.scalars(select(Ward).order_by(Ward.name))
    return {"": blank, **{str(w.code): w.name for w in wards}}


class RuleForm(FlaskForm):
    priority = StringField(
        "Thứ tự ưu tiên (nhỏ hơn được xét trước)",
        render_kw={"inputmode": "numeric", "maxlength": 6},
    )
    field = SelectField(
        "Lĩnh vực", choices=_blank("— Mọi lĩnh vực —", FIELD_LABELS), validate_choice=False
    )
    kind = SelectField(
        "Loại đơn", choices=_blank("— Mọi loại đơn —", KIND_LABELS), validate_choice=False
    )
    scope = SelectField(
        "Phạm vi", choices=_blank("— Cả hai phạm vi —", SCOPE_LABELS), validate_choice=False
    )
    keywords = TextAreaField(
        "Từ khóa (phân cách bằng dấu phẩy hoặc xuống dòng; không phân biệt dấu)",
        render_kw={"rows": 3, "maxlength": 5000},
    )
    ward_code = SelectField("Chỉ áp dụng cho xã/phường", validate_choice=False)
    local_commune = BooleanField("Chuyển đến UBND xã/phường nơi xảy ra sự việc")
    agency_code = SelectField("hoặc cơ quan cố định", validate_choice=False)
    explanation = StringField("Giải thích hiển thị cho cán bộ", render_kw={"maxlength": 500})

    def fill_choices(self) -> None:
        self.ward_code.choices = ward_choices("— Mọi xã/phường —")
        self.agency_code.choices = {**agency_choices(), "": "— Không chọn —"}

    def payload(self) -> dict:
        return {name: f.data for name, f in self._fields.items() if name != "csrf_token"}


class TesterForm(FlaskForm):
    """The routing tester changes nothing: a GET form without CSRF."""

    class Meta:
        csrf = False

    field = SelectField(
        "Lĩnh vực", choices=_blank("— Chọn lĩnh vực —", FIELD_LABELS), validate_choice=False
    )
    kind = SelectField(
        "Loại đơn", choices=_blank("— Không rõ —", KIND_LABELS), validate_choice=False
    )
    ward_code = SelectField("Xã/phường", validate_choice=False)
    text = TextAreaField(
        "Nội dung (để thử từ khóa và nhận diện địa danh)", render_kw={"rows": 4, "maxlength": 5000}
    )


class SlaForm(FlaskForm):
    kind = SelectField(
        "Loại đơn", choices=_blank("— Chọn loại đơn —", KIND_LABELS), validate_choice=False
    )
    # A string, not a DateField: the service parses it and words the error in Vietnamese.
    effective_from = StringField("Có hiệu lực từ ngày", render_kw={"type": "date"})
    accept_days = StringField(
        "Thời hạn thụ lý / chuyển (ngày, để trống nếu không có)",
        render_kw={"inputmode": "numeric", "maxlength": 3},
    )
    accept_unit = SelectField("Đơn vị", choices=UNIT_LABELS, validate_choice=False)
    resolve_days = StringField(
        "Thời hạn giải quyết / trả lời (ngày)", render_kw={"inputmode": "numeric", "maxlength": 3}
    )
    resolve_unit = SelectField("Đơn vị", choices=UNIT_LABELS, validate_choice=False)
    legal_basis = TextAreaField("Căn cứ pháp lý", render_kw={"rows": 2, "maxlength": 1000})


class AgencyEmailForm(FlaskForm):
    email = StringField("Email nhận thông báo", render_kw={"maxlength": 200, "type": "email"})


class UserForm(FlaskForm):
    email = StringField(
        "Email", render_kw={"maxlength": 200, "type": "email", "autocomplete": "off"}
    )
    full_name = StringField("Họ tên", render_kw={"maxlength": 200})
    role = SelectField(
        "Vai trò", choices=_blank("— Chọn vai trò —", ROLE_LABELS), validate_choice=False
    )
    agency_code = SelectField("Cơ quan (bắt buộc với cán bộ cơ quan)", validate_choice=False)
    password = PasswordField("Mật khẩu ban đầu", render_kw={"autocomplete": "new-password"})


class ConfirmForm(FlaskForm):
    """A button that changes something: CSRF only."""
