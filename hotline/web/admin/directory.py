"""SLA policy versions, agencies (notification e-mail), staff accounts and the audit log."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hotline.audit import AuditLog
from hotline.clock import utcnow
from hotline.directory import admin as admin_service
from hotline.directory.deadlines import local_date
from hotline.directory.models import Agency, SlaPolicy, User
from hotline.errors import NotFound, ValidationError
from hotline.extensions import db
from hotline.web.admin import EDIT_ROLES, VIEW_ROLES, bp
from hotline.web.admin.forms import AgencyEmailForm, ConfirmForm, SlaForm, UserForm
from hotline.web.admin.rules import _show_errors
from hotline.web.auth import roles_required
from hotline.web.operator.forms import agency_choices

PER_PAGE = 50


# -- SLA policy ----------------------------------------------------------------------------
def _sla_page(form: SlaForm, status: int = 200):
    policies = db.session.scalars(
        select(SlaPolicy).order_by(SlaPolicy.kind, SlaPolicy.effective_from.desc())
    ).all()
    today = local_date(utcnow())
    # The version in force for each kind today: the latest one that has started.
    current = {}
    for p in policies:
        if p.effective_from <= today and p.kind not in current:
            current[p.kind] = p.id
    return render_template(
        "admin/sla.html",
        policies=policies,
        form=form,
        today=today,
        current=current,
        can_edit=current_user.role in EDIT_ROLES,
    ), status


@bp.get("/thoi-han")
@roles_required(*VIEW_ROLES)
def sla():
    return _sla_page(SlaForm())


@bp.post("/thoi-han")
@roles_required(*EDIT_ROLES)
def sla_new():
    form = SlaForm()
    if not form.validate_on_submit():
        return _sla_page(form, 400)
    try:
        policy = admin_service.add_sla_policy(
            {name: f.data for name, f in form._fields.items()}, current_user
        )
    except ValidationError as exc:
        db.session.rollback()
        _show_errors(form, exc)
        return _sla_page(form, 422)
    db.session.commit()
    flash(
        f"Đã thêm phiên bản thời hạn mới, hiệu lực từ {policy.effective_from:%d/%m/%Y}.", "success"
    )
    return redirect(url_for("admin.sla"))


# -- agencies ------------------------------------------------------------------------------
def _agencies_page(bound: dict[str, AgencyEmailForm] | None = None, status: int = 200):
    agencies = db.session.scalars(select(Agency).order_by(Agency.level, Agency.name)).all()
    bound = bound or {}
    forms = {
        a.code: bound.get(a.code)
        or AgencyEmailForm(formdata=None, email=a.email or "", prefix=f"a{a.id}")
        for a in agencies
    }
    return render_template(
        "admin/agencies.html",
        agencies=agencies,
        forms=forms,
        can_edit=current_user.role in EDIT_ROLES,
    ), status


@bp.get("/co-quan")
@roles_required(*VIEW_ROLES)
def agencies():
    return _agencies_page()


@bp.post("/co-quan/<code>/email")
@roles_required(*EDIT_ROLES)
def agency_email(code: str):
    agency = db.session.scalar(select(Agency).where(Agency.code == code))
    if agency is None:
        raise NotFound("Không tìm thấy cơ quan.")
    form = AgencyEmailForm(prefix=f"a{agency.id}")
    if not form.validate_on_submit():
        return _agencies_page({code: form}, 400)
    try:
        admin_service.set_agency_email(agency, form.email.data, current_user)
    except ValidationError as exc:
        db.session.rollback()
        _show_errors(form, exc)
        return _agencies_page({code: form}, 422)
    db.session.commit()
    flash(f"Đã cập nhật email của {agency.name}.", "success")
    return redirect(url_for("admin.agencies") + f"#co-quan-{agency.code}")


# -- users ---------------------------------------------------------------------------------
def _users_page(form: UserForm, status: int = 200):
    form.agency_code.choices = {**agency_choices(), "": "— Không thuộc cơ quan —"}
    users = db.session.scalars(
        select(User).options(selectinload(User.agency)).order_by(User.role, User.email)
    ).all()
    return render_template(
        "admin/users.html", users=users, form=form, confirm=ConfirmForm()
    ), status


@bp.get("/tai-khoan")
@roles_required(*EDIT_ROLES)
def users():
    return _users_page(UserForm())


@bp.post("/tai-khoan")
@roles_required(*EDIT_ROLES)
def user_new():
    form = UserForm()
    if not form.validate_on_submit():
        return _users_page(form, 400)
    try:
        user = admin_service.create_user(
            {name: f.data for name, f in form._fields.items()}, current_user
        )
    except ValidationError as exc:
        db.session.rollback()
        _show_errors(form, exc)
        form.password.data = ""
        return _users_page(form, 422)
    db.session.commit()
    flash(f"Đã tạo tài khoản {user.email}.", "success")
    return redirect(url_for("admin.users"))


@bp.post("/tai-khoan/<int:user_id>/trang-thai")
@roles_required(*EDIT_ROLES)
def user_toggle(user_id: int):
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("Không tìm thấy tài khoản.")
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        admin_service.set_user_active(user, not user.active, current_user)
    except ValidationError as exc:
        db.session.rollback()
        flash(exc.detail, "error")
        return redirect(url_for("admin.users"))
    db.session.commit()
    flash(f"Đã {'mở khóa' if user.active else 'khóa'} tài khoản {user.email}.", "success")
    return redirect(url_for("admin.users"))


# -- audit log -----------------------------------------------------------------------------
@bp.get("/nhat-ky")
@roles_required(*EDIT_ROLES)
def audit_log():
    stmt = (
        select(AuditLog)
        .options(selectinload(AuditLog.actor))
        .order_by(AuditLog.at.desc(), AuditLog.id.desc())
    )
    entity = request.args.get("entity")
    if entity:
        stmt = stmt.where(AuditLog.entity == entity)
    page = db.paginate(stmt, per_page=PER_PAGE, max_per_page=PER_PAGE, error_out=False)
    return render_template("admin/audit.html", page=page, entity=entity)
