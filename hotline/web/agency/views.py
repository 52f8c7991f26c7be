"""Inbox list, item detail (timeline, action forms) and attachment download."""

from __future__ import annotations

from flask import render_template, request, send_file
from flask_login import current_user
from sqlalchemy import select

from hotline.complaints.attachments import attachment_path
from hotline.complaints.feedback import feedback_state
from hotline.complaints.handling import allowed_actions, pending_extension
from hotline.complaints.models import Attachment, Complaint, ExtensionRequest
from hotline.complaints.queries import (
    INBOX_ROLES,
    OPEN_FILTER,
    InboxFilters,
    has_contact,
    identity_protected,
    identity_visible,
    inbox_query,
    is_due_soon,
    load_for,
)
from hotline.complaints.workflow import record_event
from hotline.directory.models import Agency, User
from hotline.errors import NotFound
from hotline.extensions import db
from hotline.web.agency import bp
from hotline.web.agency.forms import SPLIT_ROWS, InboxFilterForm, field_choices, kind_choices
from hotline.web.auth import roles_required

PER_PAGE = 25


@bp.get("/")
@roles_required(*INBOX_ROLES)
def inbox():
    form = InboxFilterForm(formdata=request.args)
    if not {"state", "q", "field", "overdue", "due_soon"} & request.args.keys():
        form.state.data = OPEN_FILTER  # an inbox opens on the work still to do
    filters = InboxFilters(
        state=form.state.data or None,
        field=form.field.data or None,
        overdue=bool(form.overdue.data),
        due_soon=bool(form.due_soon.data),
        q=form.q.data,
    )
    page = db.paginate(
        inbox_query(current_user, filters),
        per_page=PER_PAGE,
        max_per_page=PER_PAGE,
        error_out=False,
    )
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "agency/inbox.html", form=form, page=page, args=args, is_due_soon=is_due_soon
    )


def _actors(complaint: Complaint, extra: list[int]) -> dict[int, User]:
    ids = {ev.actor_id for ev in complaint.events if ev.actor_id} | {i for i in extra if i}
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


def render_detail(
    complaint: Complaint,
    *,
    errors: dict | None = None,
    failed: str | None = None,
    values: dict | None = None,
    status: int = 200,
):
    """The detail page; after a refused action, ``failed`` names the form to show errors in."""
    protected = identity_protected(complaint)
    show_contact = identity_visible(current_user, complaint)
    if protected and show_contact and has_contact(complaint):
        # Law on Denunciation Art. 47: every look at a protected identity is on the record.
        record_event(complaint, "identity_viewed", actor=current_user, public=False)
        db.session.commit()
    requests = list(
        db.session.scalars(
            select(ExtensionRequest)
            .where(ExtensionRequest.complaint_id == complaint.id)
            .order_by(ExtensionRequest.id)
        )
    )
    attachments = list(
        db.session.scalars(
            select(Attachment)
            .where(Attachment.complaint_id == complaint.id)
            .order_by(Attachment.id)
        )
    )
    children = list(
        db.session.scalars(
            select(Complaint).where(Complaint.parent_id == complaint.id).order_by(Complaint.id)
        )
    )
    actors = _actors(complaint, [r.requested_by_id for r in requests])
    actions = allowed_actions(complaint, current_user)
    agencies = []
    if "reassign" in actions:
        agencies = list(
            db.session.scalars(
                select(Agency)
                .where(Agency.active.is_(True))
                .order_by(Agency.level.desc(), Agency.name)
            )
        )
    return render_template(
        "agency/detail.html",
        c=complaint,
        actions=actions,
        errors=errors or {},
        failed=failed,
        values=values or {},
        show_contact=show_contact,
        protected=protected,
        requests=requests,
        pending=pending_extension(complaint),
        attachments=attachments,
        children=children,
        actors=actors,
        agencies=agencies,
        due_soon=is_due_soon(complaint),
        feedback=feedback_state(complaint),
        split_rows=range(SPLIT_ROWS),
        field_choices=field_choices(),
        kind_choices=kind_choices(),
        can_grant=current_user.role == "inspector" and protected and complaint.agency is not None,
    ), status


@bp.get("/<code>")
@roles_required(*INBOX_ROLES)
def detail(code: str):
    return render_detail(load_for(current_user, code))


@bp.get("/<code>/tep/<int:attachment_id>")
@roles_required(*INBOX_ROLES)
def attachment(code: str, attachment_id: int):
    complaint = load_for(current_user, code)
    row = db.session.get(Attachment, attachment_id)
    if row is None or row.complaint_id != complaint.id or not attachment_path(row).is_file():
        raise NotFound("Không tìm thấy tệp đính kèm.")
    return send_file(
        attachment_path(row),
        mimetype=row.content_type,
        as_attachment=True,
        download_name=row.display_name,
        max_age=0,
    )
