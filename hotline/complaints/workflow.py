"""The one choke point for workflow state changes, and the audit event each change writes."""

from __future__ import annotations

import logging

from hotline.complaints.models import Complaint, ComplaintEvent
from hotline.directory.models import User
from hotline.errors import InvalidTransition
from hotline.extensions import db

log = logging.getLogger(__name__)

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    "received": frozenset({"triaged", "needs_review", "rejected", "merged", "split"}),
    "triaged": frozenset({"assigned", "needs_review"}),
    "needs_review": frozenset({"triaged", "rejected", "merged", "split"}),
    # X → "assigned" after assignment is a supervisor's reassignment to another agency;
    # "extended" → "extended" is a second extension (Luật Tố cáo allows two when complex).
    "assigned": frozenset({"accepted", "returned", "rejected", "merged", "split", "assigned"}),
    "accepted": frozenset(
        {"answered", "extended", "paused", "returned", "rejected", "merged", "assigned"}
    ),
    "extended": frozenset({"answered", "paused", "rejected", "extended", "assigned"}),
    "paused": frozenset({"accepted", "extended"}),
    "answered": frozenset({"closed", "reopened"}),
    "reopened": frozenset({"accepted", "answered", "extended", "paused", "assigned"}),
    "returned": frozenset({"triaged", "needs_review", "rejected", "merged", "split"}),
    "closed": frozenset({"reopened"}),
    "rejected": frozenset(),
    "merged": frozenset(),
    "split": frozenset(),
}

# Changes the citizen sees on the status page; the rest stay internal.
PUBLIC_STATES = frozenset(
    {
        "received",
        "assigned",
        "accepted",
        "extended",
        "paused",
        "answered",
        "closed",
        "reopened",
        "rejected",
        "merged",
        "split",
    }
)

STATE_LABELS = {
    "received": "Đã tiếp nhận",
    "triaged": "Đã phân loại",
    "needs_review": "Chờ phân loại thủ công",
    "assigned": "Đã chuyển cơ quan xử lý",
    "accepted": "Cơ quan đã thụ lý",
    "answered": "Đã trả lời",
    "closed": "Đã kết thúc",
    "returned": "Cơ quan trả lại (không đúng thẩm quyền)",
    "extended": "Đã gia hạn",
    "paused": "Tạm đình chỉ",
    "reopened": "Mở lại",
    "rejected": "Không thụ lý",
    "merged": "Đã gộp vào phản ánh khác",
    "split": "Đã tách thành nhiều nội dung",
}


def actor_kind(actor: User | None, citizen: bool = False) -> str:
    if citizen:
        return "citizen"
    return "staff" if actor is not None else "system"


def record_event(
    complaint: Complaint,
    action: str,
    *,
    actor: User | None = None,
    citizen: bool = False,
    note: str | None = None,
    public: bool = False,
    from_state: str | None = None,
    to_state: str | None = None,
    data: dict | None = None,
) -> ComplaintEvent:
    """Append an event without changing the state (notes, reassignment, ratings...)."""
    ev = ComplaintEvent(
        complaint=complaint,
        action=action,
        actor_id=actor.id if actor is not None else None,
        actor_kind=actor_kind(actor, citizen),
        note=note,
        public=public,
        from_state=from_state,
        to_state=to_state,
        data=data,
    )
    db.session.add(ev)
    return ev


def transition(
    complaint: Complaint,
    to: str,
    *,
    actor: User | None = None,
    citizen: bool = False,
    note: str | None = None,
    public: bool | None = None,
    action: str | None = None,
    data: dict | None = None,
) -> ComplaintEvent:
    """Move a complaint to state ``to`` or raise InvalidTransition; flushes nothing."""
    current = complaint.state
    if to not in ALLOWED_TRANSITIONS.get(current, frozenset()):
        raise InvalidTransition(
            f"Không thể chuyển từ trạng thái “{STATE_LABELS.get(current, current)}” "
            f"sang “{STATE_LABELS.get(to, to)}”."
        )
    complaint.state = to
    log.info("complaint.transition complaint_id=%s from=%s to=%s", complaint.id, current, to)
    return record_event(
        complaint,
        action or to,
        actor=actor,
        citizen=citizen,
        note=note,
        public=(to in PUBLIC_STATES) if public is None else public,
        from_state=current,
        to_state=to,
        data=data,
    )
