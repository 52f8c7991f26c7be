"""Manual triage queue: items waiting for a person, oldest first, one form per item."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hotline.codes import normalise_tracking_code
from hotline.complaints.models import Complaint, TriageResult
from hotline.complaints.routing import choose_route
from hotline.complaints.triage import MANUAL_TRIAGE_FROM, manual_triage
from hotline.directory.models import Agency
from hotline.errors import InvalidTransition, NotFound, ValidationError
from hotline.extensions import db
from hotline.web.auth import roles_required
from hotline.web.operator import bp
from hotline.web.operator.forms import TriageForm, agency_choices

TRIAGE_ROLES = ("supervisor", "operator", "admin")
PER_PAGE = 20


def latest_model_result(complaint: Complaint) -> TriageResult | None:
    return next((r for r in reversed(complaint.triage_results) if r.source == "model"), None)


def _form_for(complaint: Complaint, choices: dict, formdata=None) -> TriageForm:
    prefix = f"t{complaint.id}"
    if formdata is not None:
        form = TriageForm(prefix=prefix)
    else:
        form = TriageForm(formdata=None, prefix=prefix)
        suggestion = latest_model_result(complaint)
        field = complaint.field or (suggestion.field if suggestion else None)
        kind = complaint.kind or (suggestion.kind if suggestion else None)
        form.field.data, form.kind.data = field or "", kind or ""
        if field:
            route = choose_route(field, kind, complaint.ward_code, complaint.content)
            form.agency.data = route.agency.code if route else ""
    form.agency.choices = choices
    return form


def _render_queue(bound: dict[int, TriageForm] | None = None, status: int = 200):
    bound = bound or {}
    stmt = (
        select(Complaint)
        .where(Complaint.state.in_(sorted(MANUAL_TRIAGE_FROM)))
        .options(
            selectinload(Complaint.triage_results),
            selectinload(Complaint.ward),
            selectinload(Complaint.events),
        )
        .order_by(Complaint.received_at, Complaint.id)
    )
    page = db.paginate(stmt, per_page=PER_PAGE, max_per_page=PER_PAGE, error_out=False)
    items = list(page.items)
    for complaint_id in bound:
        # An item whose form failed stays on screen even if it is not on this page.
        if all(c.id != complaint_id for c in items):
            missing = db.session.get(Complaint, complaint_id)
            if missing is not None:
                items.insert(0, missing)
    choices = agency_choices()
    forms = {c.id: bound.get(c.id) or _form_for(c, choices) for c in items}
    for form in bound.values():
        form.agency.choices = choices
    return render_template(
        "operator/triage_list.html",
        page=page,
        items=items,
        forms=forms,
        suggestions={c.id: latest_model_result(c) for c in items},
        reasons={c.id: _last_reason(c) for c in items},
    ), status


def _last_reason(complaint: Complaint) -> str | None:
    """Why the item waits: the note of the event that put it in its current state."""
    for ev in reversed(complaint.events):
        if ev.to_state == complaint.state:
            return ev.note
    return None


@bp.get("/phan-loai")
@roles_required(*TRIAGE_ROLES)
def triage_list():
    return _render_queue()


@bp.post("/phan-loai/<code>")
@roles_required(*TRIAGE_ROLES)
def triage_item(code: str):
    canonical = normalise_tracking_code(code)
    complaint = canonical and db.session.scalar(
        select(Complaint).where(Complaint.tracking_code == canonical)
    )
    if not complaint:
        raise NotFound("Không tìm thấy phản ánh.")
    form = _form_for(complaint, {}, formdata=request.form)
    if not form.validate_on_submit():  # only the CSRF token can fail here
        return _render_queue({complaint.id: form}, status=400)
    agency = db.session.scalar(
        select(Agency).where(Agency.code == (form.agency.data or ""), Agency.active.is_(True))
    )
    try:
        manual_triage(
            complaint,
            field=form.field.data or "",
            kind=form.kind.data or "",
            agency=agency,
            actor=current_user,
            note=(form.note.data or "").strip() or None,
        )
    except ValidationError as exc:
        db.session.rollback()
        for key, message in exc.errors.items():
            target = form._fields.get(key)
            if target is not None:
                target.errors = [*target.errors, message]
        return _render_queue({complaint.id: form}, status=422)
    except InvalidTransition as exc:
        db.session.rollback()
        flash(f"{complaint.tracking_code}: {exc.detail}", "error")
        return redirect(url_for("operator.triage_list", page=request.args.get("page")))
    db.session.commit()
    flash(f"Đã phân loại {complaint.tracking_code} và chuyển đến {agency.name}.", "success")
    return redirect(url_for("operator.triage_list", page=request.args.get("page")))
