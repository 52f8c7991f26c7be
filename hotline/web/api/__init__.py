"""JSON API v1: intake, citizen status, agencies, wards, manual triage; OpenAPI document."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.exceptions import BadRequest as WerkzeugBadRequest
from werkzeug.exceptions import RequestEntityTooLarge

from hotline.complaints.intake import parse_intake, submit_complaint
from hotline.complaints.lookup import find_for_citizen, public_view
from hotline.complaints.models import Complaint
from hotline.complaints.triage import manual_triage
from hotline.directory.models import Agency, Ward
from hotline.errors import BadRequest, NotFound, ValidationError
from hotline.extensions import csrf, db, limiter
from hotline.web.auth import roles_required

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # the API authenticates with tokens, not cookies


JSON_MAX_BYTES = 256 * 1024  # a 10,000-character complaint is at most ~40 KB of UTF-8


def json_body(max_bytes: int = JSON_MAX_BYTES) -> object:
    """The request's JSON, or a 4xx: wrong type, too large, not UTF-8, not JSON."""
    if not request.mimetype or request.mimetype != "application/json":
        raise BadRequest("Content-Type phải là application/json.")
    if request.content_length is not None and request.content_length > max_bytes:
        raise RequestEntityTooLarge()
    raw = request.get_data(cache=True)
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest("Dữ liệu không phải UTF-8 hợp lệ.") from exc
    try:
        return request.get_json(force=True)
    except WerkzeugBadRequest as exc:
        raise BadRequest("JSON không hợp lệ.") from exc


def _intake_limit() -> str:
    return current_app.config["HOTLINE"].ratelimit_intake


def _status_limit() -> str:
    return current_app.config["HOTLINE"].ratelimit_status


@bp.post("/complaints")
@limiter.limit(_intake_limit)
def create_complaint():
    payload = json_body()
    key = request.headers.get("Idempotency-Key")
    if key is not None:
        key = key.strip()
        if not key or len(key) > 200:
            raise ValidationError(
                "Idempotency-Key không hợp lệ.",
                {"Idempotency-Key": "Từ 1 đến 200 ký tự."},
            )
    data = parse_intake(payload)
    actor = current_user if current_user.is_authenticated else None
    result = submit_complaint(data, actor=actor, idempotency_key=key)
    complaint = result.complaint
    body = {
        "tracking_code": complaint.tracking_code,
        "status": complaint.state if not result.created else "received",
        "received_at": complaint.received_at.isoformat(),
        "status_url": url_for("public.status", code=complaint.tracking_code, _external=True),
    }
    if result.secret:
        body["secret"] = result.secret
    response = jsonify(body)
    response.status_code = 201 if result.created else 200
    response.headers["Location"] = url_for("api.complaint_status", code=complaint.tracking_code)
    return response


@bp.get("/complaints/<code>")
@limiter.limit(_status_limit)
def complaint_status(code: str):
    complaint = find_for_citizen(
        code, phone_last4=request.args.get("phone_last4"), secret=request.args.get("secret")
    )
    return jsonify(public_view(complaint))


@bp.post("/complaints/<code>/triage")
@roles_required("supervisor", "operator", "admin")
def triage_complaint(code: str):
    """Manual triage by staff: set field, kind and agency; the item becomes assigned."""
    payload = json_body()
    if not isinstance(payload, dict):
        raise ValidationError("Nội dung gửi lên phải là một đối tượng JSON.")
    complaint = _staff_complaint(code)
    agency = db.session.scalar(select(Agency).where(Agency.code == str(payload.get("agency", ""))))
    manual_triage(
        complaint,
        field=str(payload.get("field", "")),
        kind=str(payload.get("kind", "")),
        agency=agency,
        actor=current_user,
        note=payload.get("note") if isinstance(payload.get("note"), str) else None,
    )
    db.session.commit()
    return jsonify(public_view(complaint))


def _staff_complaint(code: str) -> Complaint:
    from hotline.codes import normalise_tracking_code

    canonical = normalise_tracking_code(code)
    complaint = canonical and db.session.scalar(
        select(Complaint).where(Complaint.tracking_code == canonical)
    )
    if not complaint:
        raise NotFound("Không tìm thấy phản ánh.")
    return complaint


@bp.get("/agencies")
def agencies():
    rows = db.session.scalars(
        select(Agency).where(Agency.active.is_(True)).order_by(Agency.level.desc(), Agency.code)
    )
    return jsonify({"agencies": [a.as_public_dict() for a in rows]})


@bp.get("/wards")
def wards():
    """Autocomplete over the official units: ?q= matches names with or without diacritics."""
    from hotline.directory.location import fold

    q = fold(request.args.get("q", "").strip())
    rows = db.session.scalars(select(Ward).order_by(Ward.name)).all()
    if q:
        rows = [w for w in rows if q in fold(w.name)]
    return jsonify(
        {
            "wards": [
                {"code": w.code, "name": w.name, "division_type": w.division_type}
                for w in rows[:20]
            ]
        }
    )


@bp.get("/openapi.json")
def openapi():
    from hotline.web.api.openapi import build_openapi

    return jsonify(build_openapi())


from hotline.web.api import inbox as _inbox  # noqa: E402, F401  (agency inbox routes on bp)
