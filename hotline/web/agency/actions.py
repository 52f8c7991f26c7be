"""POST handlers of the detail page: one URL per action, all through the services."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from hotline.complaints import handling, supervision
from hotline.complaints.attachments import MAX_ATTACHMENT_BYTES, Upload
from hotline.complaints.models import Complaint
from hotline.complaints.queries import INBOX_ROLES, load_for
from hotline.directory.models import Agency, User
from hotline.errors import InvalidTransition, ValidationError
from hotline.extensions import db
from hotline.web.agency import bp
from hotline.web.agency.forms import SPLIT_ROWS, ActionForm
from hotline.web.agency.views import render_detail
from hotline.web.auth import roles_required

DONE_MESSAGES = {
    "accept": "Đã tiếp nhận (thụ lý) phản ánh.",
    "return": "Đã trả lại phản ánh; hệ thống sẽ phân loại lại.",
    "extend": "Đã gửi đề nghị gia hạn; chờ giám sát viên duyệt.",
    "note": "Đã thêm ghi chú nội bộ.",
    "answer": "Đã gửi trả lời công khai cho người dân.",
    "close": "Đã kết thúc xử lý.",
    "reassign": "Đã chuyển phản ánh sang cơ quan khác.",
    "extension": "Đã ghi nhận quyết định về đề nghị gia hạn.",
    "pause": "Đã tạm đình chỉ; thời hạn xử lý ngừng tính.",
    "resume": "Đã tiếp tục xử lý; hạn xử lý được lùi tương ứng.",
    "split": "Đã tách phản ánh thành các nội dung riêng.",
    "grant": "Đã cho phép cơ quan xem danh tính người tố cáo; việc này đã được ghi lại.",
}


def _upload(form: ActionForm) -> Upload | None:
    file = form.attachment.data
    if file is None or not getattr(file, "filename", ""):
        return None
    return Upload(filename=file.filename, data=file.read(MAX_ATTACHMENT_BYTES + 1))


def _split_parts() -> list[supervision.SplitPart]:
    parts = []
    for i in range(SPLIT_ROWS):
        content = request.form.get(f"parts-{i}-content", "").strip()
        field = request.form.get(f"parts-{i}-field", "")
        kind = request.form.get(f"parts-{i}-kind", "")
        if content or field or kind:
            parts.append(supervision.SplitPart(content, field, kind))
    return parts


def _agency(code: str | None) -> Agency | None:
    if not code:
        return None
    return db.session.scalar(select(Agency).where(Agency.code == code.strip()))


def _split(c: Complaint, user: User, form: ActionForm) -> list[int]:
    children = supervision.split(c, user, _split_parts(), form.note.data)
    return [c.id, *(child.id for child in children)]


# action -> what it does with the form (validation happens in the services).
HANDLERS = {
    "accept": lambda c, u, f: handling.accept(c, u, f.note.data),
    "return": lambda c, u, f: handling.return_item(c, u, f.reason.data),
    "extend": lambda c, u, f: handling.request_extension(c, u, f.reason.data, f.days.data),
    "note": lambda c, u, f: handling.add_note(c, u, f.text.data),
    "answer": lambda c, u, f: handling.answer(c, u, f.text.data, _upload(f)),
    "close": lambda c, u, f: handling.close(c, u, (f.note.data or "").strip() or None),
    "reassign": lambda c, u, f: supervision.reassign(c, u, _agency(f.agency.data), f.reason.data),
    "extension": lambda c, u, f: supervision.decide_extension(
        c, u, f.decision.data == "approve", f.note.data
    ),
    "pause": lambda c, u, f: supervision.pause(c, u, f.reason.data),
    "resume": lambda c, u, f: supervision.resume(c, u, f.reason.data),
    "split": _split,
    "grant": lambda c, u, f: supervision.grant_identity(c, u, f.reason.data),
}


def perform(action: str, c: Complaint, user: User, form: ActionForm) -> list[int]:
    """Run one action; returns the ids of complaints whose owed jobs must be dispatched."""
    result = HANDLERS[action](c, user, form)
    return result if isinstance(result, list) else [c.id]


@bp.post("/<code>/<action>")
@roles_required(*INBOX_ROLES)
def act(code: str, action: str):
    if action not in HANDLERS:
        abort(404)
    if action == "answer":
        # Room for one attachment (the service caps the file itself at 10 MB).
        request.max_content_length = MAX_ATTACHMENT_BYTES + 1024 * 1024
    complaint = load_for(current_user, code, for_update=True)
    form = ActionForm()
    if not form.validate_on_submit():  # only the CSRF token can fail here
        db.session.rollback()
        return render_detail(
            complaint,
            failed=action,
            status=400,
            errors={"_": "Phiên làm việc đã hết hạn, vui lòng gửi lại."},
        )
    try:
        ids = perform(action, complaint, current_user, form)
        db.session.commit()
    except (ValidationError, InvalidTransition) as exc:
        db.session.rollback()
        complaint = load_for(current_user, code)
        values = {k: v for k, v in request.form.items() if k != "csrf_token"}
        return render_detail(
            complaint,
            failed=action,
            values=values,
            status=exc.http_status,
            errors={"_": exc.detail, **exc.errors},
        )
    flash(DONE_MESSAGES[action], "success")
    complaint = db.session.get(Complaint, ids[0])
    # After a return or reassignment agency staff may no longer see the item: back to the list.
    if current_user.role == "agency_staff" and complaint.agency_id != current_user.agency_id:
        return redirect(url_for("agency.inbox"))
    return redirect(url_for("agency.detail", code=code))
