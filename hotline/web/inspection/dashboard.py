"""Dashboard, indicator export, an agency's record, and inspection leads."""

from __future__ import annotations

from datetime import date

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from hotline.complaints.models import Complaint
from hotline.directory.models import Agency
from hotline.errors import NotFound, ValidationError
from hotline.extensions import db
from hotline.inspection.indicators import (
    Filters,
    Period,
    current_quarter,
    indicators_agency_field,
    indicators_by_agency,
    indicators_by_field,
    monthly_volume,
    parse_period,
    totals,
)
from hotline.inspection.models import InspectionLead, PlanItem, YearlyEvaluation
from hotline.labels import FIELD_LABELS
from hotline.web.auth import roles_required
from hotline.web.inspection import LEAD_ROLES, VIEW_ROLES, bp

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def read_filters() -> tuple[Period, Filters, Agency | None]:
    """period / field / agency from the query string; bad values are a 422 in Vietnamese."""
    raw = request.args.get("period", "").strip()
    period = parse_period(raw) if raw else current_quarter()
    field = request.args.get("field", "").strip() or None
    if field and field not in FIELD_LABELS:
        raise ValidationError("Lĩnh vực không hợp lệ.", {"field": "Không có lĩnh vực này."})
    agency = None
    code = request.args.get("agency", "").strip()
    if code:
        agency = db.session.scalar(select(Agency).where(Agency.code == code))
        if agency is None:
            raise ValidationError("Không có cơ quan với mã này.", {"agency": code})
    return period, Filters(field=field, agency_id=agency.id if agency else None), agency


def _trailing_months(period: Period, count: int = 12) -> Period:
    """The ``count`` months ending with the period's last month (for the volume chart)."""
    y, m = period.end_day.year, period.end_day.month
    for _ in range(count):
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    start = date(y, m, 1)
    start = min(start, period.start_day)
    return Period("span", "span", start, period.end_day)


def _trend(current, previous) -> list[dict]:
    out = []
    for name, label, better in [
        ("received", "Phản ánh tiếp nhận", None),
        ("on_time_pct", "Tỷ lệ đúng hạn (%)", "up"),
        ("overdue", "Số trễ hạn", "down"),
        ("mean_days_late", "Ngày trễ bình quân", "down"),
        ("returned_pct", "Tỷ lệ trả lại (%)", "down"),
        ("reopened_pct", "Tỷ lệ mở lại (%)", "down"),
        ("mean_rating", "Mức hài lòng", "up"),
        ("clusters", "Vụ việc lặp lại", "down"),
        ("escalated", "Vượt cấp trung ương", "down"),
        ("leads", "Tố cáo nặc danh có chứng cứ", "down"),
    ]:
        now, before = getattr(current, name), getattr(previous, name)
        delta = round(now - before, 2) if now is not None and before is not None else None
        good = None
        if delta and better:
            good = (delta > 0) == (better == "up")
        out.append(
            {
                "name": name,
                "label": label,
                "now": now,
                "before": before,
                "delta": delta,
                "good": good,
            }
        )
    return out


@bp.route("/")
@roles_required(*VIEW_ROLES)
def dashboard():
    period, filters, agency = read_filters()
    agencies = indicators_by_agency(period, filters=filters)
    fields = indicators_by_field(period, filters=filters)
    previous = indicators_by_agency(period.previous(), filters=filters)
    matrix = indicators_agency_field(period, filters=filters)
    matrix_fields = [
        f for f in FIELD_LABELS if any(k[1] == f and r.overdue for k, r in matrix.items())
    ]
    overdue_rows = []
    for r in sorted(agencies, key=lambda r: -r.overdue):
        if r.overdue:
            cells = [
                matrix[(r.key[0], f)].overdue if (r.key[0], f) in matrix else 0
                for f in matrix_fields
            ]
            overdue_rows.append((r, cells))
    volume = monthly_volume(_trailing_months(period), filters)
    chart = {
        "months": list(volume),
        "fields": [
            {"code": f, "label": FIELD_LABELS[f], "data": [volume[m].get(f, 0) for m in volume]}
            for f in FIELD_LABELS
            if any(volume[m].get(f) for m in volume)
        ],
        "on_time": [
            {"label": r.labels["agency_short"], "value": r.on_time_pct, "due": r.due}
            for r in sorted(agencies, key=lambda r: -r.due)[:20]
            if r.on_time_pct is not None
        ],
    }
    return render_template(
        "inspection/dashboard.html",
        period=period,
        filters=filters,
        agency=agency,
        agencies=agencies,
        fields=fields,
        total=totals(agencies),
        trend=_trend(totals(agencies), totals(previous)),
        overdue_rows=overdue_rows,
        matrix_fields=matrix_fields,
        chart=chart,
        all_agencies=db.session.scalars(select(Agency).where(Agency.active).order_by(Agency.name)),
    )


@bp.route("/chi-so.xlsx")
@roles_required(*VIEW_ROLES)
def indicators_xlsx():
    from hotline.inspection.export import indicators_workbook

    period, _, _ = read_filters()
    body = indicators_workbook(period)
    return Response(
        body,
        mimetype=XLSX,
        headers={"Content-Disposition": f'attachment; filename="chi-so-{period.code}.xlsx"'},
    )


@bp.route("/co-quan/<code>")
@roles_required(*VIEW_ROLES)
def agency_record(code: str):
    """Everything inspection knows about one agency: figures, plan items, findings, grades."""
    from hotline.inspection.plans import findings_for_agency

    agency = db.session.scalar(select(Agency).where(Agency.code == code))
    if agency is None:
        raise NotFound("Không tìm thấy cơ quan.")
    period = current_quarter()
    history = []
    for _ in range(4):
        rows = indicators_by_agency(period, filters=Filters(agency_id=agency.id))
        history.append((period, rows[0] if rows else None))
        period = period.previous()
    items = db.session.scalars(
        select(PlanItem).where(PlanItem.agency_id == agency.id).order_by(PlanItem.id.desc())
    )
    evaluations = db.session.scalars(
        select(YearlyEvaluation)
        .where(YearlyEvaluation.agency_id == agency.id)
        .order_by(YearlyEvaluation.year.desc())
    )
    return render_template(
        "inspection/agency.html",
        agency=agency,
        history=history,
        items=list(items),
        findings=findings_for_agency(agency.id),
        evaluations=list(evaluations),
    )


@bp.route("/nguon-tin", methods=["GET", "POST"])
@roles_required(*LEAD_ROLES)
def leads():
    from hotline.inspection.plans import mark_lead, remove_lead

    status = 200
    if request.method == "POST":
        try:
            if request.form.get("remove"):
                lead = db.session.get(InspectionLead, request.form.get("remove", type=int) or 0)
                if lead is None:
                    raise NotFound("Không tìm thấy nguồn tin.")
                remove_lead(lead, current_user)
                db.session.commit()
                flash("Đã bỏ nguồn tin.", "success")
                return redirect(url_for("inspection.leads"))
            code = request.form.get("tracking_code", "").strip().upper()
            complaint = db.session.scalar(select(Complaint).where(Complaint.tracking_code == code))
            target = db.session.scalar(
                select(Agency).where(Agency.code == request.form.get("agency", ""))
            )
            errors = {}
            if complaint is None:
                errors["tracking_code"] = "Không tìm thấy phản ánh với mã này."
            if target is None:
                errors["agency"] = "Chọn cơ quan bị tố cáo."
            if errors:
                raise ValidationError(
                    "Chưa ghi được nguồn tin: " + " ".join(errors.values()), errors
                )
            mark_lead(complaint, target, request.form.get("note", ""), current_user)
            db.session.commit()
            flash("Đã ghi nhận nguồn tin thanh tra.", "success")
            return redirect(url_for("inspection.leads"))
        except (ValidationError, NotFound) as exc:
            db.session.rollback()
            flash(exc.detail, "error")
            status = exc.http_status
    rows = db.session.scalars(select(InspectionLead).order_by(InspectionLead.id.desc()).limit(200))
    return render_template(
        "inspection/leads.html",
        leads=list(rows),
        all_agencies=db.session.scalars(select(Agency).order_by(Agency.name)),
    ), status
