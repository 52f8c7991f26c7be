"""Citizen reaction to an answer (rate 1–5, reopen within 7 days) and answer attachments.

The status page itself belongs to web/public; it includes citizen/_feedback.html, which reads
``citizen_feedback(code)`` from the context processor below.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from sqlalchemy import select

from hotline.complaints.attachments import attachment_path
from hotline.complaints.feedback import feedback_state, rate, reopen
from hotline.complaints.lookup import find_for_citizen
from hotline.complaints.models import Attachment, Complaint
from hotline.errors import InvalidTransition, NotFound, ValidationError
from hotline.extensions import db, limiter

bp = Blueprint("citizen", __name__)


def _status_limit() -> str:
    return current_app.config["HOTLINE"].ratelimit_status


def _find(code: str, factor: str) -> Complaint:
    factor = (factor or "").strip()
    if not factor:
        raise NotFound("Không tìm thấy phản ánh với mã và thông tin xác thực đã nhập.")
    # A complaint with a phone has no secret and vice versa, so one box serves both.
    return find_for_citizen(code, phone_last4=factor, secret=factor)


@bp.app_context_processor
def _feedback_helpers() -> dict:
    def citizen_feedback(code: str) -> dict:
        complaint = db.session.scalar(select(Complaint).where(Complaint.tracking_code == code))
        if complaint is None:
            return {"state": None, "attachments": []}
        attachments = list(
            db.session.scalars(
                select(Attachment)
                .where(Attachment.complaint_id == complaint.id)
                .order_by(Attachment.id)
            )
        )
        return {"state": feedback_state(complaint), "attachments": attachments}

    return {"citizen_feedback": citizen_feedback}


def _back(code: str, factor: str, message: str):
    flash(message, "success")
    return redirect(url_for("public.status", code=code, factor=factor), 303)


def _refused(complaint: Complaint, factor: str, action: str, exc) -> tuple[str, int]:
    db.session.rollback()
    values = {k: v for k, v in request.form.items() if k != "csrf_token"}
    return render_template(
        "citizen/feedback.html",
        c=complaint,
        factor=factor,
        action=action,
        values=values,
        errors={"_": exc.detail, **exc.errors},
        state=feedback_state(complaint),
    ), exc.http_status


@bp.post("/tra-cuu/<code>/danh-gia")
@limiter.limit(_status_limit)
def rate_answer(code: str):
    factor = request.form.get("factor", "")
    complaint = _find(code, factor)
    try:
        rate(complaint, request.form.get("rating"), request.form.get("comment"))
        db.session.commit()
    except (ValidationError, InvalidTransition) as exc:
        return _refused(complaint, factor, "rate", exc)
    return _back(complaint.tracking_code, factor, "Cảm ơn ông/bà đã đánh giá kết quả xử lý.")


@bp.post("/tra-cuu/<code>/mo-lai")
@limiter.limit(_status_limit)
def reopen_item(code: str):
    factor = request.form.get("factor", "")
    complaint = _find(code, factor)
    try:
        reopen(complaint, request.form.get("reason"))
        db.session.commit()
    except (ValidationError, InvalidTransition) as exc:
        return _refused(complaint, factor, "reopen", exc)
    return _back(
        complaint.tracking_code,
        factor,
        "Đã gửi đề nghị xem xét lại; phản ánh được chuyển lại cho cơ quan xử lý.",
    )


@bp.get("/tra-cuu/<code>/tep/<int:attachment_id>")
@limiter.limit(_status_limit)
def attachment(code: str, attachment_id: int):
    complaint = _find(code, request.args.get("factor", ""))
    row = db.session.get(Attachment, attachment_id)
    if row is None or row.complaint_id != complaint.id or not attachment_path(row).is_file():
        raise NotFound("Không tìm thấy tệp đính kèm.")
    response = send_file(
        attachment_path(row),
        mimetype=row.content_type,
        as_attachment=True,
        download_name=row.display_name,
        max_age=0,
    )
    response.headers["Cache-Control"] = "no-store"
    return response
