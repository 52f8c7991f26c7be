"""Staff API (Bearer tokens): agency inbox, item detail, handling actions; citizen feedback.

Same permission checks as the pages: agency staff only reach their agency's items (404 for
others), supervisor-only actions are 403 for everyone else.
"""

from __future__ import annotations

import base64
import binascii

from flask import jsonify, request
from flask_login import current_user
from sqlalchemy import select

from hotline.complaints import feedback, handling, supervision
from hotline.complaints.attachments import MAX_ATTACHMENT_BYTES, Upload
from hotline.complaints.lookup import public_view
from hotline.complaints.models import STATES, Attachment, Complaint, ExtensionRequest
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
from hotline.complaints.workflow import STATE_LABELS, record_event
from hotline.directory.models import Agency
from hotline.errors import BadRequest, Forbidden, ValidationError
from hotline.extensions import db, limiter
from hotline.labels import FIELD_LABELS
from hotline.web.api import _status_limit, bp, json_body
from hotline.web.auth import roles_required

MAX_PER_PAGE = 100
API_ACTIONS = (
    "accept",
    "return",
    "extend",
    "answer",
    "close",
    "note",
    "approve_extension",
    "deny_extension",
    "pause",
    "resume",
    "reassign",
)


def _iso(value):
    return value.isoformat() if value is not None else None


def summary(c: Complaint) -> dict:
    return {
        "tracking_code": c.tracking_code,
        "state": c.state,
        "state_label": STATE_LABELS.get(c.state, c.state),
        "field": c.field,
        "kind": c.kind,
        "agency": c.agency.code if c.agency else None,
        "received_at": _iso(c.received_at),
        "deadline": _iso(c.deadline_at),
        "overdue": c.is_overdue,
        "due_soon": is_due_soon(c),
        "excerpt": c.content[:200],
    }


def _flag(name: str) -> bool:
    value = request.args.get(name, "").strip().lower()
    if value in ("", "0", "false", "no"):
        return False
    if value in ("1", "true", "yes"):
        return True
    raise ValidationError("Tham số không hợp lệ.", {name: "Dùng 1/0 hoặc true/false."})


def _int_arg(name: str, default: int, high: int) -> int:
    raw = request.args.get(name, "")
    try:
        value = int(raw) if raw else default
    except ValueError:
        value = 0
    if not 1 <= value <= high:
        raise ValidationError("Tham số không hợp lệ.", {name: f"Số nguyên từ 1 đến {high}."})
    return value


@bp.get("/inbox")
@roles_required(*INBOX_ROLES)
def inbox():
    state = request.args.get("state") or None
    field = request.args.get("field") or None
    if state and state not in STATES and state != OPEN_FILTER:
        raise ValidationError("Tham số không hợp lệ.", {"state": "Trạng thái không hợp lệ."})
    if field and field not in FIELD_LABELS:
        raise ValidationError("Tham số không hợp lệ.", {"field": "Lĩnh vực không hợp lệ."})
    filters = InboxFilters(
        state=state,
        field=field,
        overdue=_flag("overdue"),
        due_soon=_flag("due_soon"),
        q=request.args.get("q"),
    )
    page_no = _int_arg("page", 1, 100_000)
    per_page = _int_arg("per_page", 25, MAX_PER_PAGE)
    page = db.paginate(
        inbox_query(current_user, filters),
        page=page_no,
        per_page=per_page,
        max_per_page=MAX_PER_PAGE,
        error_out=False,
    )
    return jsonify(
        {
            "items": [summary(c) for c in page.items],
            "page": page.page,
            "per_page": per_page,
            "total": page.total,
            "pages": page.pages,
        }
    )


def detail_view(c: Complaint) -> dict:
    """Everything staff may see of an item; a protected identity only when visible (and logged)."""
    contact = None
    if identity_visible(current_user, c):
        contact = {
            "name": c.citizen_name,
            "phone": c.citizen_phone,
            "email": c.citizen_email,
            "address": c.citizen_address,
        }
        if identity_protected(c) and has_contact(c):
            record_event(
                c, "identity_viewed", actor=current_user, public=False, data={"via": "api"}
            )
            db.session.commit()
    requests = db.session.scalars(
        select(ExtensionRequest)
        .where(ExtensionRequest.complaint_id == c.id)
        .order_by(ExtensionRequest.id)
    )
    attachments = db.session.scalars(
        select(Attachment).where(Attachment.complaint_id == c.id).order_by(Attachment.id)
    )
    return {
        **summary(c),
        "content": c.content,
        "ward_code": c.ward_code,
        "routing_explanation": c.routing_explanation,
        "public_answer": c.public_answer,
        "answered_at": _iso(c.answered_at),
        "closed_at": _iso(c.closed_at),
        "rating": c.rating,
        "paused_at": _iso(c.paused_at),
        "identity_protected": identity_protected(c),
        "contact": contact,
        "allowed_actions": sorted(handling.allowed_actions(c, current_user)),
        "extension_requests": [
            {
                "id": r.id,
                "days": r.days,
                "unit": r.unit,
                "reason": r.reason,
                "status": r.status,
                "requested_at": _iso(r.requested_at),
            }
            for r in requests
        ],
        "attachments": [
            {"id": a.id, "name": a.display_name, "size": a.size, "content_type": a.content_type}
            for a in attachments
        ],
        "timeline": [
            {
                "at": _iso(e.at),
                "action": e.action,
                "from": e.from_state,
                "to": e.to_state,
                "note": e.note,
                "public": e.public,
                "actor_kind": e.actor_kind,
            }
            for e in c.events
        ],
    }


@bp.get("/complaints/<code>/detail")
@roles_required(*INBOX_ROLES)
def complaint_detail(code: str):
    return jsonify(detail_view(load_for(current_user, code)))


def _api_upload(value: object) -> Upload | None:
    if value is None:
        return None
    if (
        not isinstance(value, dict)
        or not isinstance(value.get("filename"), str)
        or not isinstance(value.get("content_base64"), str)
    ):
        raise ValidationError(
            "Tệp đính kèm không hợp lệ.",
            {"attachment": 'Cần {"filename": ..., "content_base64": ...}.'},
        )
    encoded = value["content_base64"]
    if len(encoded) > (MAX_ATTACHMENT_BYTES * 4) // 3 + 8:
        raise ValidationError(
            "Tệp đính kèm không hợp lệ.",
            {"attachment": f"Tệp vượt quá {MAX_ATTACHMENT_BYTES // 2**20} MB."},
        )
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValidationError(
            "Tệp đính kèm không hợp lệ.", {"attachment": "content_base64 không phải base64 hợp lệ."}
        ) from exc
    return Upload(filename=value["filename"], data=data)


def _perform(action: str, c: Complaint, p: dict) -> None:
    user = current_user._get_current_object()
    if action == "accept":
        handling.accept(c, user, p.get("note") if isinstance(p.get("note"), str) else None)
    elif action == "return":
        handling.return_item(c, user, p.get("reason"))
    elif action == "extend":
        handling.request_extension(c, user, p.get("reason"), p.get("days"))
    elif action == "answer":
        handling.answer(c, user, p.get("text"), _api_upload(p.get("attachment")))
    elif action == "close":
        handling.close(c, user, p.get("note") if isinstance(p.get("note"), str) else None)
    elif action == "note":
        handling.add_note(c, user, p.get("text"))
    elif action in ("approve_extension", "deny_extension"):
        supervision.decide_extension(
            c,
            user,
            action == "approve_extension",
            p.get("note") if isinstance(p.get("note"), str) else None,
        )
    elif action == "pause":
        supervision.pause(c, user, p.get("reason"))
    elif action == "resume":
        supervision.resume(c, user, p.get("reason"))
    elif action == "reassign":
        agency = db.session.scalar(select(Agency).where(Agency.code == str(p.get("agency", ""))))
        supervision.reassign(c, user, agency, p.get("reason"))


@bp.post("/complaints/<code>/actions")
@roles_required(*INBOX_ROLES)
def complaint_action(code: str):
    # Room for a base64 attachment of 10 MB (4/3 larger) plus the JSON around it.
    request.max_content_length = MAX_ATTACHMENT_BYTES * 4 // 3 + 1024 * 1024
    complaint = load_for(current_user, code, for_update=True)
    payload = json_body(max_bytes=request.max_content_length)
    if not isinstance(payload, dict):
        raise ValidationError("Nội dung gửi lên phải là một đối tượng JSON.")
    action = payload.get("action")
    if action not in API_ACTIONS:
        raise ValidationError(
            "Thao tác không hợp lệ.", {"action": "Một trong: " + ", ".join(API_ACTIONS) + "."}
        )
    if current_user.role not in ("agency_staff", "supervisor"):
        raise Forbidden("Tài khoản của bạn không có quyền thực hiện thao tác này.")
    _perform(action, complaint, payload)
    db.session.commit()
    complaint = db.session.get(Complaint, complaint.id)
    if current_user.role == "agency_staff" and complaint.agency_id != current_user.agency_id:
        return jsonify({"tracking_code": complaint.tracking_code, "state": complaint.state})
    return jsonify(detail_view(complaint))


@bp.post("/complaints/<code>/feedback")
@limiter.limit(_status_limit)
def complaint_feedback(code: str):
    """The citizen rates (1–5) or reopens, proving the second factor like the status lookup."""
    payload = json_body()
    if not isinstance(payload, dict):
        raise ValidationError("Nội dung gửi lên phải là một đối tượng JSON.")
    phone_last4 = payload.get("phone_last4")
    secret = payload.get("secret")
    from hotline.complaints.lookup import find_for_citizen

    complaint = find_for_citizen(
        code,
        phone_last4=phone_last4 if isinstance(phone_last4, str) else None,
        secret=secret if isinstance(secret, str) else None,
    )
    action = payload.get("action")
    if action == "rate":
        feedback.rate(complaint, payload.get("rating"), payload.get("comment"))
    elif action == "reopen":
        feedback.reopen(complaint, payload.get("reason"))
    else:
        raise BadRequest("Thao tác không hợp lệ.", {"action": 'Dùng "rate" hoặc "reopen".'})
    db.session.commit()
    complaint = db.session.get(Complaint, complaint.id)
    return jsonify({**public_view(complaint), "rating": complaint.rating})
