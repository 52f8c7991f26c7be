"""Duplicate proposals for supervisors (/can-bo/trung-lap): merge into the main item or reject."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hotline.complaints.duplicates import accept_duplicate, reject_duplicate
from hotline.complaints.models import Complaint, DuplicateProposal
from hotline.errors import InvalidTransition, NotFound
from hotline.extensions import db
from hotline.web.admin.forms import ConfirmForm
from hotline.web.auth import roles_required

bp = Blueprint("duplicates", __name__, url_prefix="/can-bo/trung-lap")

ROLES = ("supervisor", "admin")
PER_PAGE = 20


@bp.get("/")
@roles_required(*ROLES)
def proposals():
    stmt = (
        select(DuplicateProposal)
        .where(DuplicateProposal.status == "proposed")
        .options(
            selectinload(DuplicateProposal.complaint).selectinload(Complaint.ward),
            selectinload(DuplicateProposal.main).selectinload(Complaint.agency),
        )
        .order_by(DuplicateProposal.created_at, DuplicateProposal.id)
    )
    page = db.paginate(stmt, per_page=PER_PAGE, max_per_page=PER_PAGE, error_out=False)
    return render_template("duplicates/list.html", page=page, confirm=ConfirmForm())


def _decide(proposal_id: int, accept: bool):
    proposal = db.session.get(DuplicateProposal, proposal_id)
    if proposal is None:
        raise NotFound("Không tìm thấy đề xuất trùng lặp.")
    if not ConfirmForm().validate_on_submit():
        flash("Phiên làm việc đã hết hạn; vui lòng thử lại.", "error")
        return redirect(url_for("duplicates.proposals"))
    code = proposal.complaint.tracking_code
    try:
        if accept:
            main = accept_duplicate(proposal, current_user)
        else:
            reject_duplicate(proposal, current_user)
    except InvalidTransition as exc:
        db.session.rollback()
        flash(f"{code}: {exc.detail}", "error")
        return redirect(url_for("duplicates.proposals"))
    db.session.commit()
    if accept:
        flash(f"Đã gộp {code} vào {main.tracking_code}.", "success")
    else:
        flash(f"Đã ghi nhận {code} không trùng lặp.", "success")
    return redirect(url_for("duplicates.proposals", page=request.args.get("page")))


@bp.post("/<int:proposal_id>/gop")
@roles_required(*ROLES)
def accept(proposal_id: int):
    return _decide(proposal_id, accept=True)


@bp.post("/<int:proposal_id>/tu-choi")
@roles_required(*ROLES)
def reject(proposal_id: int):
    return _decide(proposal_id, accept=False)
