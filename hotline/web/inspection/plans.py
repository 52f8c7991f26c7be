"""Inspection plans: propose, edit, approve and move items, record findings and documents, print."""

from __future__ import annotations

from datetime import date

from flask import Response, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from hotline.clock import utcnow
from hotline.directory.deadlines import LOCAL_TZ
from hotline.directory.models import Agency
from hotline.errors import HotlineError, NotFound, ValidationError
from hotline.extensions import db
from hotline.inspection.indicators import parse_period
from hotline.inspection.models import Finding, FindingDocument, InspectionPlan
from hotline.inspection.plans import (
    DOC_TYPES,
    ITEM_STATE_LABELS,
    ITEM_TRANSITIONS,
    RECOMMENDATION_LABELS,
    SEVERITY_LABELS,
    add_finding,
    add_item,
    attach_document,
    get_item,
    propose_plan,
    set_remedied,
    transition_item,
    update_item,
    update_plan_header,
)
from hotline.labels import FIELD_LABELS
from hotline.web.auth import roles_required
from hotline.web.inspection import EDIT_ROLES, VIEW_ROLES, bp

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TRANSITION_LABELS = {
    "approved": "Phê duyệt",
    "in_progress": "Bắt đầu kiểm tra",
    "concluded": "Kết luận",
    "follow_up_done": "Hoàn thành theo dõi",
    "proposed": "Trả về đề xuất",
    "dropped": "Không đưa vào kế hoạch",
}


def _plan(plan_id: int) -> InspectionPlan:
    plan = db.session.get(InspectionPlan, plan_id)
    if plan is None:
        raise NotFound("Không tìm thấy kế hoạch.")
    return plan


def _date(name: str) -> date | None:
    raw = request.form.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationError("Ngày không hợp lệ (định dạng YYYY-MM-DD).", {name: raw}) from exc


def _fail(exc: HotlineError, plan_id: int):
    """Re-render the plan page with the message and the error's 4xx status; nothing is kept."""
    db.session.rollback()
    message = exc.detail
    if exc.errors:
        message += " " + " ".join(str(v) for v in exc.errors.values())
    flash(message, "error")
    return plan_detail(plan_id), exc.http_status


def _max_upload_mb() -> int:
    """The smaller of the document cap and the request cap (the CSRF check parses the form
    before any view could raise the request's limit, so the app-wide limit applies)."""
    from flask import current_app

    from hotline.complaints.attachments import MAX_ATTACHMENT_BYTES

    app_cap = current_app.config.get("MAX_CONTENT_LENGTH") or MAX_ATTACHMENT_BYTES
    return max(1, min(MAX_ATTACHMENT_BYTES, app_cap) // 2**20)


@bp.route("/ke-hoach")
@roles_required(*VIEW_ROLES)
def plan_list():
    plans = db.session.scalars(select(InspectionPlan).order_by(InspectionPlan.period.desc()))
    from hotline.inspection.indicators import current_quarter

    return render_template(
        "inspection/plans.html", plans=list(plans), suggested=current_quarter().previous().code
    )


@bp.route("/ke-hoach/de-xuat", methods=["POST"])
@roles_required(*EDIT_ROLES)
def plan_propose():
    try:
        period = parse_period(request.form.get("period", ""))
    except ValidationError as exc:
        flash(exc.detail, "error")
        return plan_list(), 422
    plan = propose_plan(period, current_user)
    db.session.commit()
    flash(f"Đã lập/làm mới đề xuất kế hoạch từ chỉ số {period.label}.", "success")
    return redirect(url_for("inspection.plan_detail", plan_id=plan.id))


@bp.route("/ke-hoach/<int:plan_id>")
@roles_required(*VIEW_ROLES)
def plan_detail(plan_id: int):
    plan = _plan(plan_id)
    in_plan = {i.agency_id for i in plan.items}
    return render_template(
        "inspection/plan_detail.html",
        plan=plan,
        ITEM_STATE_LABELS=ITEM_STATE_LABELS,
        ITEM_TRANSITIONS=ITEM_TRANSITIONS,
        TRANSITION_LABELS=TRANSITION_LABELS,
        RECOMMENDATION_LABELS=RECOMMENDATION_LABELS,
        SEVERITY_LABELS=SEVERITY_LABELS,
        DOC_TYPES=DOC_TYPES,
        can_edit=current_user.role in EDIT_ROLES,
        max_upload_mb=_max_upload_mb(),
        other_agencies=[
            a
            for a in db.session.scalars(select(Agency).order_by(Agency.name))
            if a.id not in in_plan
        ],
    )


@bp.route("/ke-hoach/<int:plan_id>", methods=["POST"])
@roles_required(*EDIT_ROLES)
def plan_update(plan_id: int):
    plan = _plan(plan_id)
    try:
        update_plan_header(
            plan,
            current_user,
            title=request.form.get("title", "").strip(),
            number=request.form.get("number", "").strip()[:40],
            issued_on=_date("issued_on"),
            signer_name=request.form.get("signer_name", "").strip()[:200],
            signer_title=request.form.get("signer_title", "").strip()[:200],
        )
    except HotlineError as exc:
        return _fail(exc, plan_id)
    db.session.commit()
    flash("Đã lưu thông tin kế hoạch.", "success")
    return redirect(url_for("inspection.plan_detail", plan_id=plan_id))


@bp.route("/ke-hoach/<int:plan_id>/them", methods=["POST"])
@roles_required(*EDIT_ROLES)
def plan_add_item(plan_id: int):
    plan = _plan(plan_id)
    agency = db.session.scalar(select(Agency).where(Agency.code == request.form.get("agency", "")))
    try:
        if agency is None:
            raise ValidationError("Chọn cơ quan cần bổ sung.", {"agency": "Bắt buộc."})
        add_item(plan, agency, current_user, request.form.get("note", "").strip())
    except HotlineError as exc:
        return _fail(exc, plan_id)
    db.session.commit()
    flash(f"Đã bổ sung {agency.name} vào kế hoạch.", "success")
    return redirect(url_for("inspection.plan_detail", plan_id=plan_id))


@bp.route("/muc/<int:item_id>/sua", methods=["POST"])
@roles_required(*EDIT_ROLES)
def item_update(item_id: int):
    item = get_item(item_id)
    focus = [f for f in request.form.getlist("focus_fields") if f in FIELD_LABELS]
    try:
        update_item(
            item,
            current_user,
            planned_start=_date("planned_start"),
            planned_end=_date("planned_end"),
            focus_fields=focus,
            note=request.form.get("note", "").strip(),
        )
    except HotlineError as exc:
        return _fail(exc, item.plan_id)
    db.session.commit()
    flash(f"Đã lưu mục “{item.agency.name}”.", "success")
    return redirect(
        url_for("inspection.plan_detail", plan_id=item.plan_id, _anchor=f"muc-{item.id}")
    )


@bp.route("/muc/<int:item_id>/chuyen", methods=["POST"])
@roles_required(*EDIT_ROLES)
def item_transition(item_id: int):
    item = get_item(item_id)
    try:
        transition_item(
            item,
            request.form.get("to", ""),
            current_user,
            note=request.form.get("note", "").strip() or None,
        )
    except HotlineError as exc:
        return _fail(exc, item.plan_id)
    db.session.commit()
    flash(f"“{item.agency.name}”: {ITEM_STATE_LABELS[item.state]}.", "success")
    return redirect(
        url_for("inspection.plan_detail", plan_id=item.plan_id, _anchor=f"muc-{item.id}")
    )


@bp.route("/muc/<int:item_id>/ket-qua", methods=["POST"])
@roles_required(*EDIT_ROLES)
def item_add_finding(item_id: int):
    item = get_item(item_id)
    codes = request.form.get("complaint_codes", "").replace(";", ",").split(",")
    try:
        add_finding(
            item,
            current_user,
            violations=request.form.get("violations", ""),
            responsible_unit=request.form.get("responsible_unit", "")[:300],
            severity=request.form.get("severity", "minor"),
            recommendations=request.form.getlist("recommendations"),
            recommendation_note=request.form.get("recommendation_note", ""),
            concluded_on=_date("concluded_on"),
            complaint_codes=codes,
        )
    except HotlineError as exc:
        return _fail(exc, item.plan_id)
    db.session.commit()
    flash("Đã ghi nhận kết quả kiểm tra.", "success")
    return redirect(
        url_for("inspection.plan_detail", plan_id=item.plan_id, _anchor=f"muc-{item.id}")
    )


def _finding(finding_id: int) -> Finding:
    finding = db.session.get(Finding, finding_id)
    if finding is None:
        raise NotFound("Không tìm thấy kết quả kiểm tra.")
    return finding


@bp.route("/ket-qua/<int:finding_id>/tai-lieu", methods=["POST"])
@roles_required(*EDIT_ROLES)
def finding_upload(finding_id: int):
    finding = _finding(finding_id)
    plan_id = finding.plan_item.plan_id
    upload = request.files.get("document")
    try:
        if upload is None or not upload.filename:
            raise ValidationError("Chọn tệp cần tải lên.", {"document": "Bắt buộc."})
        attach_document(
            finding, upload.filename, upload.read(), request.form.get("doc_type", ""), current_user
        )
    except HotlineError as exc:
        return _fail(exc, plan_id)
    db.session.commit()
    flash("Đã đính kèm tài liệu.", "success")
    return redirect(url_for("inspection.plan_detail", plan_id=plan_id))


@bp.route("/ket-qua/<int:finding_id>/khac-phuc", methods=["POST"])
@roles_required(*EDIT_ROLES)
def finding_remedied(finding_id: int):
    finding = _finding(finding_id)
    set_remedied(finding, request.form.get("remedied") == "1", current_user)
    db.session.commit()
    flash("Đã cập nhật tình trạng khắc phục.", "success")
    return redirect(url_for("inspection.plan_detail", plan_id=finding.plan_item.plan_id))


@bp.route("/tai-lieu/<int:doc_id>")
@roles_required(*VIEW_ROLES)
def document_download(doc_id: int):
    from hotline.complaints.attachments import upload_dir

    doc = db.session.get(FindingDocument, doc_id)
    if doc is None:
        raise NotFound("Không tìm thấy tài liệu.")
    path = upload_dir() / doc.stored_name
    if not path.is_file():
        raise NotFound("Tệp tài liệu không còn trên máy chủ.")
    return send_file(
        path, mimetype=doc.content_type, as_attachment=True, download_name=doc.display_name
    )


@bp.route("/ke-hoach/<int:plan_id>/in")
@roles_required(*VIEW_ROLES)
def plan_print(plan_id: int):
    plan = _plan(plan_id)
    period = parse_period(plan.period)
    items = [i for i in plan.items if i.state != "dropped"]
    return render_template(
        "inspection/plan_print.html",
        plan=plan,
        period=period,
        items=items,
        issued=plan.issued_on or utcnow().astimezone(LOCAL_TZ).date(),
    )


@bp.route("/ke-hoach/<int:plan_id>.xlsx")
@roles_required(*VIEW_ROLES)
def plan_xlsx(plan_id: int):
    from hotline.inspection.export import plan_workbook

    plan = _plan(plan_id)
    return Response(
        plan_workbook(plan),
        mimetype=XLSX,
        headers={"Content-Disposition": f'attachment; filename="ke-hoach-{plan.period}.xlsx"'},
    )
