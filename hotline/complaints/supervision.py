"""Supervisor decisions: reassignment, extensions, pausing the clock, splitting; identity grants.

Like complaints/handling.py: every change is an event, nothing is committed here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select

from hotline.clock import utcnow
from hotline.codes import new_tracking_code
from hotline.complaints.handling import (
    authorize,
    clean_text,
    pending_extension,
    require_state,
    set_deadline,
)
from hotline.complaints.models import Complaint, IdentityGrant, TriageResult
from hotline.complaints.notifications import queue_notification
from hotline.complaints.routing import choose_route
from hotline.complaints.workflow import record_event, transition
from hotline.directory.deadlines import (
    add_days,
    add_working_days,
    compute_deadline,
    end_of_local_day,
    is_working_day,
    local_date,
)
from hotline.directory.models import Agency, User
from hotline.errors import Forbidden, InvalidTransition, ValidationError
from hotline.extensions import db
from ml.labels import FIELDS, KINDS

log = logging.getLogger(__name__)

SPLIT_MIN_PARTS, SPLIT_MAX_PARTS = 2, 5


def reassign(complaint: Complaint, actor: User, agency: Agency | None, reason: object) -> None:
    """Move the item to another agency, which has to accept it anew; the clock keeps running."""
    authorize(actor, "reassign")
    reason = clean_text(reason, "reason", "lý do chuyển")
    if agency is None or not agency.active:
        raise ValidationError("Cần chọn cơ quan xử lý.", {"agency": "Cần chọn cơ quan xử lý."})
    require_state(complaint, "reassign")
    if complaint.agency_id == agency.id:
        raise ValidationError(
            "Phản ánh đang ở chính cơ quan này.", {"agency": "Chọn một cơ quan khác."}
        )
    previous = complaint.agency.code if complaint.agency else None
    complaint.agency = agency
    complaint.routing_rule_id = None
    complaint.routing_explanation = f"{agency.name} — giám sát viên chuyển: {reason}"
    transition(
        complaint,
        "assigned",
        actor=actor,
        action="reassigned",
        note=f"Chuyển đến {agency.name}.",
        data={"from_agency": previous, "agency": agency.code, "reason": reason},
    )
    queue_notification(complaint, "assigned")


def decide_extension(
    complaint: Complaint, actor: User, approve: bool, note: str | None = None
) -> None:
    """Approve (state extended, deadline moved) or deny the pending request; both are events."""
    authorize(actor, "approve_extension" if approve else "deny_extension")
    request = pending_extension(complaint)
    if request is None:
        raise InvalidTransition("Không có đề nghị gia hạn nào đang chờ duyệt.")
    note = (note or "").strip()[:2000] or None
    if approve:
        require_state(complaint, "approve_extension")
        old = complaint.deadline_at
        base = local_date(old) if old is not None else local_date(utcnow())
        new = end_of_local_day(add_days(base, request.days, request.unit))
        set_deadline(complaint, new)
        transition(
            complaint,
            "extended",
            actor=actor,
            action="extension_approved",
            note=note or f"Gia hạn {request.days} ngày: {request.reason}",
            data={
                "request_id": request.id,
                "days": request.days,
                "unit": request.unit,
                "old_deadline": old.isoformat() if old else None,
                "new_deadline": new.isoformat(),
            },
        )
    else:
        record_event(
            complaint,
            "extension_denied",
            actor=actor,
            note=note or "Không chấp thuận.",
            data={"request_id": request.id},
        )
    request.status = "approved" if approve else "denied"
    request.decided_at = utcnow()
    request.decided_by_id = actor.id
    request.decision_note = note


def pause(complaint: Complaint, actor: User, reason: object) -> None:
    """Stop the clock (tạm đình chỉ) by a recorded decision: the item is not overdue meanwhile."""
    authorize(actor, "pause")
    reason = clean_text(reason, "reason", "lý do tạm đình chỉ")
    require_state(complaint, "pause")
    complaint.paused_at = utcnow()
    transition(
        complaint,
        "paused",
        actor=actor,
        note=reason,
        data={"resume_to": "extended" if complaint.state == "extended" else "accepted"},
    )


def paused_working_days(start_day, end_day) -> int:
    """Working days the clock stood still: those after the pause day up to the resume day."""
    days, current = 0, start_day
    while current < end_day:
        current = current.fromordinal(current.toordinal() + 1)
        if is_working_day(current):
            days += 1
    return days


def resume(complaint: Complaint, actor: User, reason: object) -> int:
    """Start the clock again; the deadline moves by the working days it was paused. Returns them."""
    authorize(actor, "resume")
    reason = clean_text(reason, "reason", "lý do tiếp tục xử lý")
    require_state(complaint, "resume")
    paused_event = next((e for e in reversed(complaint.events) if e.to_state == "paused"), None)
    back_to = (paused_event.data or {}).get("resume_to", "accepted") if paused_event else "accepted"
    now = utcnow()
    started = complaint.paused_at or now
    days = paused_working_days(local_date(started), local_date(now))
    old = complaint.deadline_at
    if old is not None and days:
        set_deadline(complaint, end_of_local_day(add_working_days(local_date(old), days)))
    complaint.paused_at = None
    transition(
        complaint,
        back_to,
        actor=actor,
        action="resumed",
        note=reason,
        public=True,
        data={
            "paused_working_days": days,
            "old_deadline": old.isoformat() if old else None,
            "new_deadline": complaint.deadline_at.isoformat() if complaint.deadline_at else None,
        },
    )
    return days


@dataclass(frozen=True)
class SplitPart:
    content: str
    field: str
    kind: str


def _check_parts(parts: list[SplitPart]) -> None:
    errors: dict[str, str] = {}
    if not SPLIT_MIN_PARTS <= len(parts) <= SPLIT_MAX_PARTS:
        errors["parts"] = f"Cần từ {SPLIT_MIN_PARTS} đến {SPLIT_MAX_PARTS} nội dung."
    for i, part in enumerate(parts):
        if len(part.content.strip()) < 10:
            errors[f"parts-{i}-content"] = "Nội dung ít nhất 10 ký tự."
        if part.field not in FIELDS:
            errors[f"parts-{i}-field"] = "Chọn lĩnh vực."
        if part.kind not in KINDS:
            errors[f"parts-{i}-kind"] = "Chọn loại đơn."
    if errors:
        raise ValidationError("Thông tin tách phản ánh chưa hợp lệ.", errors)


def split(
    complaint: Complaint, actor: User, parts: list[SplitPart], note: str | None = None
) -> list[Complaint]:
    """Divide a mixed submission: each part is its own complaint (parent_id set) with its own
    field, kind, agency and clock; the parent ends in state ``split``. The citizen keeps the
    same second factor for every part."""
    authorize(actor, "split")
    _check_parts(parts)
    require_state(complaint, "split")
    children = []
    for part in parts:
        child = Complaint(
            tracking_code=new_tracking_code(),
            received_at=complaint.received_at,
            channel=complaint.channel,
            citizen_name=complaint.citizen_name,
            citizen_phone=complaint.citizen_phone,
            citizen_email=complaint.citizen_email,
            citizen_address=complaint.citizen_address,
            secret_hash=complaint.secret_hash,
            ward_code=complaint.ward_code,
            location_text=complaint.location_text,
            location_source=complaint.location_source,
            content=part.content.strip(),
            anonymous=complaint.anonymous,
            confidential=complaint.confidential,
            escalated_to_central=complaint.escalated_to_central,
            parent=complaint,
            state="received",
            field=part.field,
            kind=part.kind,
        )
        db.session.add(child)
        record_event(
            child,
            "received",
            actor=actor,
            to_state="received",
            public=True,
            note=f"Tách từ phản ánh {complaint.tracking_code}.",
            data={"split_from": complaint.tracking_code},
        )
        db.session.add(
            TriageResult(
                complaint=child,
                source="manual",
                field=part.field,
                kind=part.kind,
                actor_id=actor.id,
            )
        )
        transition(
            child,
            "triaged",
            actor=actor,
            note="Phân loại khi tách phản ánh.",
            data={"field": part.field, "kind": part.kind},
        )
        _route_child(child, actor)
        children.append(child)
    db.session.flush()
    transition(
        complaint,
        "split",
        actor=actor,
        note=(note or "").strip()
        or "Tách thành các nội dung riêng: " + ", ".join(c.tracking_code for c in children),
        data={"children": [c.tracking_code for c in children]},
    )
    return children


def _route_child(child: Complaint, actor: User) -> None:
    from hotline.complaints.triage import assign  # triage imports handling; keep this one lazy

    route = choose_route(child.field, child.kind, child.ward_code, child.content)
    if route is None:
        transition(child, "needs_review", actor=actor, note="Không có quy tắc định tuyến phù hợp.")
        return
    assign(child, route, actor=actor)
    if child.deadline_at is None:
        set_deadline(child, compute_deadline(child.kind, child.received_at))


def grant_identity(complaint: Complaint, actor: User, reason: object) -> IdentityGrant:
    """An inspector lets the assigned agency see a protected identity; recorded as an event."""
    if actor.role != "inspector":
        raise Forbidden("Chỉ thanh tra mới được cho phép xem danh tính người tố cáo.")
    reason = clean_text(reason, "reason", "lý do cho phép")
    if complaint.agency is None:
        raise InvalidTransition("Phản ánh chưa được chuyển cho cơ quan nào.")
    existing = db.session.scalar(
        select(IdentityGrant).where(
            IdentityGrant.complaint_id == complaint.id,
            IdentityGrant.agency_id == complaint.agency.id,
        )
    )
    if existing is not None:
        return existing
    grant = IdentityGrant(
        complaint_id=complaint.id,
        agency_id=complaint.agency.id,
        granted_by_id=actor.id,
        reason=reason,
    )
    db.session.add(grant)
    record_event(
        complaint,
        "identity_granted",
        actor=actor,
        note=reason,
        data={"agency": complaint.agency.code},
    )
    return grant
