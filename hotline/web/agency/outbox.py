"""Admin page: notifications and other outbox jobs that failed or were skipped, with last_error."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select

from hotline.complaints.models import OutboxJob
from hotline.complaints.notifications import retry_notification
from hotline.errors import NotFound
from hotline.extensions import db
from hotline.web.agency import bp
from hotline.web.agency.forms import ActionForm
from hotline.web.auth import roles_required


@bp.get("/quan-tri/hang-doi")
@roles_required("admin", "supervisor")
def outbox_failures():
    only_owed = request.args.get("con_no") == "1"
    stmt = select(OutboxJob).where(OutboxJob.last_error.is_not(None))
    if only_owed:
        stmt = stmt.where(OutboxJob.done_at.is_(None))
    page = db.paginate(
        stmt.order_by(OutboxJob.id.desc()), per_page=50, max_per_page=50, error_out=False
    )
    return render_template(
        "agency/outbox.html",
        page=page,
        only_owed=only_owed,
        form=ActionForm(),
        args={"con_no": "1"} if only_owed else {},
    )


@bp.post("/quan-tri/hang-doi/<int:outbox_id>/gui-lai")
@roles_required("admin")
def outbox_retry(outbox_id: int):
    form = ActionForm()
    if not form.validate_on_submit():
        flash("Phiên làm việc đã hết hạn, vui lòng thử lại.", "error")
        return redirect(url_for("agency.outbox_failures")), 303
    row = db.session.get(OutboxJob, outbox_id)
    if row is None:
        raise NotFound("Không tìm thấy công việc.")
    retry_notification(row)
    db.session.commit()
    flash("Đã đưa vào hàng đợi gửi lại; lần quét kế tiếp sẽ gửi.", "success")
    return redirect(url_for("agency.outbox_failures"))
