"""Inbox forms. The action form only carries CSRF and the raw fields: the services validate."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField, TextAreaField

from hotline.complaints.queries import OPEN_FILTER
from hotline.complaints.workflow import STATE_LABELS
from hotline.labels import FIELD_LABELS, KIND_LABELS

SPLIT_ROWS = 3


class InboxFilterForm(FlaskForm):
    """GET filters of the inbox (no CSRF: nothing changes)."""

    class Meta:
        csrf = False

    q = StringField(
        "Tìm kiếm",
        render_kw={"placeholder": "Mã tra cứu hoặc nội dung", "maxlength": 100, "type": "search"},
    )
    state = SelectField(
        "Trạng thái",
        choices={
            "": "Tất cả trạng thái",
            OPEN_FILTER: "Đang xử lý (chưa kết thúc)",
            **STATE_LABELS,
        },
        validate_choice=False,
    )
    field = SelectField(
        "Lĩnh vực", choices={"": "Tất cả lĩnh vực", **FIELD_LABELS}, validate_choice=False
    )
    overdue = BooleanField("Quá hạn")
    due_soon = BooleanField("Sắp đến hạn (≤ 2 ngày làm việc)")


class ActionForm(FlaskForm):
    """Every action posts a subset of these; which ones an action reads is in views.actions."""

    note = TextAreaField()
    reason = TextAreaField()
    text = TextAreaField()
    days = StringField()
    agency = StringField()
    decision = StringField()
    attachment = FileField()


def kind_choices() -> dict[str, str]:
    return {"": "— Loại đơn —", **KIND_LABELS}


def field_choices() -> dict[str, str]:
    return {"": "— Lĩnh vực —", **FIELD_LABELS}
