"""Routing rules: list, create, edit, (de)activate, and the "thử định tuyến" tester."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hotline.complaints.routing import choose_route, scope_for
from hotline.directory import admin as admin_service
from hotline.directory.location import resolve_location
from hotline.directory.models import RoutingRule, Ward
from hotline.errors import NotFound, ValidationError
from hotline.extensions import db
from hotline.web.admin import EDIT_ROLES, VIEW_ROLES, bp
from hotline.web.admin.forms import ConfirmForm, RuleForm, TesterForm, ward_choices
from hotline.web.auth import roles_required


def _show_errors(form, exc: ValidationError) -> None:
    for key, message in exc.errors.items():
        target = form._fields.get(key)
        if target is not None:
            target.errors = [*target.errors, message]


@bp.get("/")
@roles_required(*VIEW_ROLES)
def index():
    return redirect(url_for("admin.rules"))


@bp.get("/dinh-tuyen")
@roles_required(*VIEW_ROLES)
def rules():
    rows = db.session.scalars(
        select(RoutingRule)
        .options(selectinload(RoutingRule.agency))
        .order_by(RoutingRule.active.desc(), RoutingRule.priority, RoutingRule.id)
    ).all()
    wards = {w.code: w.name for w in db.session.scalars(select(Ward))}
    return render_template(
        "admin/rules.html",
        rules=rows,
        wards=wards,
        confirm=ConfirmForm(),
        can_edit=current_user.role in EDIT_ROLES,
    )


def _rule_page(form: RuleForm, rule: RoutingRule | None, status: int = 200):
    return render_template("admin/rule_form.html", form=form, rule=rule), status


@bp.route("/dinh-tuyen/moi", methods=["GET", "POST"])
@roles_required(*EDIT_ROLES)
def rule_new():
    form = RuleForm()
    form.fill_choices()
    if request.method == "GET":
        form.priority.data = "50"
        return _rule_page(form, None)
    if not form.validate_on_submit():
        return _rule_page(form, None, 400)
    try:
        rule = admin_service.create_rule(form.payload(), current_user)
    except ValidationError as exc:
        db.session.rollback()
        _show_errors(form, exc)
        return _rule_page(form, None, 422)
    db.session.commit()
    flash(f"Đã thêm quy tắc định tuyến #{rule.id}.", "success")
    return redirect(url_for("admin.rules"))


def _get_rule(rule_id: int) -> RoutingRule:
    rule = db.session.get(RoutingRule, rule_id)
    if rule is None:
        raise NotFound("Không tìm thấy quy tắc định tuyến.")
    return rule


@bp.route("/dinh-tuyen/<int:rule_id>", methods=["GET", "POST"])
@roles_required(*EDIT_ROLES)
def rule_edit(rule_id: int):
    rule = _get_rule(rule_id)
    if request.method == "GET":
        form = RuleForm(
            formdata=None,
            data={
                "priority": str(rule.priority),
                "field": rule.field or "",
                "kind": rule.kind or "",
                "scope": rule.scope or "",
                "keywords": ", ".join(rule.keywords or []),
                "ward_code": str(rule.ward_code or ""),
                "local_commune": rule.local_commune,
                "agency_code": rule.agency.code if rule.agency else "",
                "explanation": rule.explanation,
            },
        )
        form.fill_choices()
        return _rule_page(form, rule)
    form = RuleForm()
    form.fill_choices()
    if not form.validate_on_submit():
        return _rule_page(form, rule, 400)
    try:
        admin_service.update_rule(rule, form.payload(), current_user)
    except ValidationError as exc:
        db.session.rollback()
        _show_errors(form, exc)
        return _rule_page(form, rule, 422)
    db.session.commit()
    flash(f"Đã cập nhật quy tắc #{rule.id}.", "success")
    return redirect(url_for("admin.rules"))


@bp.post("/dinh-tuyen/<int:rule_id>/trang-thai")
@roles_required(*EDIT_ROLES)
def rule_toggle(rule_id: int):
    rule = _get_rule(rule_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash("Phiên làm việc đã hết hạn; vui lòng thử lại.", "error")
        return redirect(url_for("admin.rules"))
    admin_service.set_rule_active(rule, not rule.active, current_user)
    db.session.commit()
    flash(f"Đã {'bật' if rule.active else 'ngừng áp dụng'} quy tắc #{rule.id}.", "success")
    return redirect(url_for("admin.rules"))


@bp.get("/thu-dinh-tuyen")
@roles_required(*VIEW_ROLES)
def tester():
    form = TesterForm(request.args)
    form.ward_code.choices = ward_choices("— Tự nhận diện từ nội dung —")
    result = location = None
    error = None
    if request.args:
        ward = None
        try:
            ward = int(form.ward_code.data) if form.ward_code.data else None
        except ValueError:
            error = "Mã xã/phường không hợp lệ."
        if not form.field.data:
            error = "Cần chọn lĩnh vực để thử định tuyến."
        if error is None:
            location = resolve_location(ward, None, form.text.data or "")
            route = choose_route(
                form.field.data, form.kind.data or None, location.ward_code, form.text.data or ""
            )
            wards = {w.code: w.name for w in db.session.scalars(select(Ward))}
            result = {
                "route": route,
                "scope": scope_for(location.ward_code),
                "ward_name": wards.get(location.ward_code),
            }
    status = 422 if error else 200
    return render_template(
        "admin/tester.html", form=form, result=result, location=location, error=error
    ), status
