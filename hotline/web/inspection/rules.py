"""Risk weights editor and the yearly evaluation (rule editor, grades with their evidence)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from hotline.clock import utcnow
from hotline.directory.deadlines import LOCAL_TZ
from hotline.errors import ValidationError
from hotline.extensions import db
from hotline.inspection.evaluation import (
    CONDITIONS,
    GRADE_LABELS,
    RULE_GRADES,
    current_rule,
    evaluate_year,
    save_rule,
)
from hotline.inspection.models import EvaluationRule, RiskWeights, YearlyEvaluation
from hotline.inspection.risk import (
    DEFAULT_PARAMS,
    INDICATOR_LABELS,
    current_weights,
    save_weights,
)
from hotline.web.auth import roles_required
from hotline.web.inspection import EDIT_ROLES, VIEW_ROLES, bp

TRIGGER_LABELS = {
    "on_time_pct": "Tỷ lệ đúng hạn dưới (%)",
    "days_late": "Ngày trễ bình quân trên",
    "returned_pct": "Tỷ lệ trả lại trên (%)",
    "reopened_pct": "Tỷ lệ mở lại trên (%)",
    "mean_rating": "Mức hài lòng dưới",
    "clusters": "Số vụ lặp lại từ",
    "admin_procedure": "Số phản ánh TTHC từ",
    "escalated": "Số vượt cấp từ",
    "leads": "Số nguồn tin từ",
}


def _number(name: str, *, allow_empty: bool = False) -> float | None:
    raw = request.form.get(name, "").strip().replace(",", ".")
    if not raw:
        if allow_empty:
            return None
        raise ValidationError(f"Thiếu giá trị “{name}”.", {name: "Bắt buộc."})
    try:
        value = float(raw)
    except ValueError as exc:
        raise ValidationError(f"“{raw}” không phải là số.", {name: "Không phải số."}) from exc
    if value < 0:
        raise ValidationError("Giá trị phải không âm.", {name: "Âm."})
    return value


@bp.route("/trong-so", methods=["GET", "POST"])
@roles_required(*VIEW_ROLES)
def weights():
    status = 200
    if request.method == "POST":
        if current_user.role not in EDIT_ROLES:
            from hotline.errors import Forbidden

            raise Forbidden("Chỉ thanh tra viên được sửa trọng số.")
        try:
            new_weights = {k: _number(f"w_{k}") for k in INDICATOR_LABELS}
            params = {
                "min_received": int(_number("min_received")),
                "plan_threshold": _number("plan_threshold"),
                "max_items": max(1, int(_number("max_items"))),
                "caps": {k: _number(f"cap_{k}") for k in DEFAULT_PARAMS["caps"]},
                "triggers": {k: _number(f"t_{k}") for k in DEFAULT_PARAMS["triggers"]},
            }
            row = save_weights(
                new_weights, params, current_user, request.form.get("note", "")[:500]
            )
            db.session.commit()
            flash(f"Đã lưu trọng số phiên bản {row.version}.", "success")
            return redirect(url_for("inspection.weights"))
        except ValidationError as exc:
            db.session.rollback()
            flash(exc.detail, "error")
            status = 422
    current = current_weights()
    db.session.commit()
    history = db.session.scalars(select(RiskWeights).order_by(RiskWeights.version.desc()).limit(20))
    return render_template(
        "inspection/weights.html",
        current=current,
        history=list(history),
        INDICATOR_LABELS=INDICATOR_LABELS,
        TRIGGER_LABELS=TRIGGER_LABELS,
        can_edit=current_user.role in EDIT_ROLES,
    ), status


@bp.route("/danh-gia", methods=["GET", "POST"])
@roles_required(*VIEW_ROLES)
def evaluation():
    today = utcnow().astimezone(LOCAL_TZ).date()
    year = request.args.get("year", type=int) or today.year
    if not 2000 <= year <= 2100:
        raise ValidationError("Năm không hợp lệ.", {"year": str(year)})
    status = 200
    if request.method == "POST":
        if current_user.role not in EDIT_ROLES:
            from hotline.errors import Forbidden

            raise Forbidden("Chỉ thanh tra viên được thay đổi đánh giá.")
        try:
            if request.form.get("action") == "rule":
                thresholds = {
                    g: {c: _number(f"{g}__{c}", allow_empty=True) for c in CONDITIONS}
                    for g in RULE_GRADES
                }
                row = save_rule(thresholds, current_user, request.form.get("note", "")[:500])
                flash(f"Đã lưu quy tắc đánh giá phiên bản {row.version}.", "success")
            else:
                rows = evaluate_year(year, current_user)
                flash(f"Đã đánh giá {len(rows)} cơ quan năm {year}.", "success")
            db.session.commit()
            return redirect(url_for("inspection.evaluation", year=year))
        except ValidationError as exc:
            db.session.rollback()
            flash(exc.detail, "error")
            status = 422
    rule = current_rule()
    db.session.commit()
    evaluations = db.session.scalars(
        select(YearlyEvaluation).where(YearlyEvaluation.year == year)
    ).all()
    order = list(GRADE_LABELS)
    evaluations = sorted(evaluations, key=lambda e: (order.index(e.grade), e.agency.name))
    rules = db.session.scalars(
        select(EvaluationRule).order_by(EvaluationRule.version.desc()).limit(10)
    )
    return render_template(
        "inspection/evaluation.html",
        year=year,
        rule=rule,
        rules=list(rules),
        evaluations=evaluations,
        GRADE_LABELS=GRADE_LABELS,
        CONDITIONS=CONDITIONS,
        RULE_GRADES=RULE_GRADES,
        can_edit=current_user.role in EDIT_ROLES,
    ), status
