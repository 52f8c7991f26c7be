"""Staff complaint list (filters, pagination) and detail page; agency staff see only their own."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import Select, false, func, select
from sqlalchemy.orm import selectinload

from hotline.codes import normalise_tracking_code
from hotline.complaints.models import Complaint
from hotline.complaints.queries import has_contact, identity_protected, identity_visible
from hotline.complaints.workflow import record_event
from hotline.directory.models import User
from hotline.errors import NotFound
from hotline.extensions import db
from hotline.inspection.plans import findings_for_complaint
from hotline.web.auth import roles_required
from hotline.web.operator import bp
from hotline.web.operator.forms import ListFilterForm

PER_PAGE = 25


def scoped(stmt: Select, user: User) -> Select:
    """Agency staff see only complaints assigned to their agency (none without an agency)."""
    if user.role == "agency_staff":
        if user.agency_id is None:
            return stmt.where(false())
        return stmt.where(Complaint.agency_id == user.agency_id)
    return stmt


def _search_code(stmt: Select, q: str) -> Select:
    canonical = normalise_tracking_code(q)
    if canonical:
        return stmt.where(Complaint.tracking_code == canonical)
    raw = "".join(ch for ch in q.upper() if ch.isalnum())
    if not raw:
        return stmt
    return stmt.where(func.replace(Complaint.tracking_code, "-", "").contains(raw, autoescape=True))


@bp.get("/phan-anh")
@roles_required()
def complaint_list():
    form = ListFilterForm(formdata=request.args)
    stmt = scoped(select(Complaint), current_user)
    if form.state.data:
        stmt = stmt.where(Complaint.state == form.state.data)
    if form.field.data:
        stmt = stmt.where(Complaint.field == form.field.data)
    if form.channel.data:
        stmt = stmt.where(Complaint.channel == form.channel.data)
    if (form.q.data or "").strip():
        stmt = _search_code(stmt, form.q.data.strip()[:40])
    stmt = stmt.options(selectinload(Complaint.agency)).order_by(
        Complaint.received_at.desc(), Complaint.id.desc()
    )
    page = db.paginate(stmt, per_page=PER_PAGE, max_per_page=PER_PAGE, error_out=False)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("operator/complaint_list.html", form=form, page=page, args=args)


@bp.get("/phan-anh/<code>")
@roles_required()
def complaint_detail(code: str):
    canonical = normalise_tracking_code(code)
    complaint = None
    if canonical:
        stmt = scoped(select(Complaint).where(Complaint.tracking_code == canonical), current_user)
        complaint = db.session.scalar(
            stmt.options(
                selectinload(Complaint.events),
                selectinload(Complaint.triage_results),
                selectinload(Complaint.agency),
                selectinload(Complaint.ward),
            )
        )
    if complaint is None:
        # Same answer for "no such code" and "not your agency's": nothing leaks across agencies.
        raise NotFound("Không tìm thấy phản ánh.")
    # One rule for the whole app (services.inbox): supervisors and inspectors see a protected
    # identity, agency staff only with an inspector's grant, everyone else never.
    protected = identity_protected(complaint)
    show_contact = identity_visible(current_user, complaint)
    if protected and show_contact and has_contact(complaint):
        # Law on Denunciation Art. 47: every look at a protected identity is on the record.
        record_event(complaint, "identity_viewed", actor=current_user, public=False)
        db.session.commit()
    actors = _actors(complaint)
    return render_template(
        "operator/complaint_detail.html",
        c=complaint,
        show_contact=show_contact,
        protected=protected,
        actors=actors,
        inspection_findings=findings_for_complaint(complaint.id),
    )


def _actors(complaint: Complaint) -> dict[int, User]:
    ids = {ev.actor_id for ev in complaint.events if ev.actor_id}
    ids |= {r.actor_id for r in complaint.triage_results if r.actor_id}
    if complaint.created_by_id:
        ids.add(complaint.created_by_id)
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}
