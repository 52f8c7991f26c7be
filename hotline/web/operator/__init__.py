"""Staff pages: call console, complaint list, manual triage."""

from __future__ import annotations

from flask import Blueprint, render_template

from hotline.web.auth import roles_required

bp = Blueprint("operator", __name__, url_prefix="/can-bo")


@bp.get("/tong-dai")
@roles_required("operator", "supervisor", "admin")
def console():
    return render_template("operator/console.html")


@bp.get("/phan-loai")
@roles_required("supervisor", "operator", "admin")
def triage_list():
    return render_template("operator/triage_list.html")


@bp.get("/phan-anh")
@roles_required()
def complaint_list():
    return render_template("operator/complaint_list.html")
