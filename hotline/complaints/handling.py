"""The agency's handling workflow: accept, return, extension request, note, answer, close.

Supervisor decisions (reassign, extensions, pause/resume, split) live in complaints/supervision.py,
the citizen's reaction in complaints/feedback.py. Every change goes through workflow.transition()
or workflow.record_event(); these functions flush nothing and never commit (callers do; owed jobs
are handed to the queue after that commit by the hook create_app installs).
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select

from hotline.clock import utcnow
from hotline.complaints.attachments import Upload, store_attachment
from hotline.complaints.models import (
    FINAL_STATES,
    STATES,
    Complaint,
    ExtensionRequest,
    OutboxJob,
    RoutingCorrection,
)
from hotline.complaints.notifications import queue_notification
from hotline.complaints.workflow import STATE_LABELS, record_event, transition
from hotline.directory.deadlines import local_date, policy_for
from hotline.directory.models import User
from hotline.errors import Forbidden, InvalidTransition, ValidationError
from hotline.extensions import db

log = logging.getLogger(__name__)

REASON_MAX = 2000
ANSWER_MIN, ANSWER_MAX = 10, 20_000
EXTENSION_MAX_DAYS = 60

# The states each action may start from: the source for the forms shown and for the tests.
# Transitions themselves are still checked by status.ALLOWED_TRANSITIONS.
_HANDLING = frozenset({"accepted", "extended", "reopened"})
ACTION_STATES: dict[str, frozenset[str]] = {
    "accept": frozenset({"assigned", "reopened"}),
    "return": frozenset({"assigned", "accepted"}),
    "extend": _HANDLING,  # request an extension
    "approve_extension": _HANDLING,
    "deny_extension": frozenset(STATES),
    "pause": _HANDLING,
    "resume": frozenset({"paused"}),
    "answer": _HANDLING,
    "close": frozenset({"answered"}),
    "note": frozenset(STATES),
    "reassign": frozenset({"assigned", "accepted", "extended", "reopened"}),
    "split": frozenset({"received", "needs_review", "assigned", "returned"}),
}
AGENCY_ACTIONS = frozenset({"accept", "return", "extend", "answer", "close", "note"})
SUPERVISOR_ACTIONS = frozenset(
    {"approve_extension", "deny_extension", "pause", "resume", "reassign", "split"}
)


def authorize(actor: User, action: str) -> None:
    """Agency staff and supervisors handle; only supervisors decide. Scope (which agency) is
    checked when the complaint is loaded (inbox.load_for: other agencies' items are 404)."""
    allowed = ("agency_staff", "supervisor") if action in AGENCY_ACTIONS else ("supervisor",)
    if actor.role not in allowed:
        raise Forbidden("Tài khoản của bạn không có quyền thực hiện thao tác này.")


def require_state(complaint: Complaint, action: str) -> None:
    if complaint.state not in ACTION_STATES[action]:
        raise InvalidTransition(
            f"Không thể thực hiện thao tác này khi phản ánh ở trạng thái "
            f"“{STATE_LABELS.get(complaint.state, complaint.state)}”."
        )


def allowed_actions(complaint: Complaint, actor: User) -> set[str]:
    """What this user may do to this item now (drives which forms a page shows)."""
    roles = {"agency_staff": AGENCY_ACTIONS, "supervisor": AGENCY_ACTIONS | SUPERVISOR_ACTIONS}
    actions = {a for a in roles.get(actor.role, ()) if complaint.state in ACTION_STATES[a]}
    pending = pending_extension(complaint)
    if pending is not None:
        actions.discard("extend")
    else:
        actions -= {"approve_extension", "deny_extension"}
    return actions


def clean_text(
    value: object, field: str, label: str, *, min_len: int = 3, max_len: int = REASON_MAX
) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if len(text) < min_len:
        raise ValidationError(f"Vui lòng nhập {label}.", {field: f"Vui lòng nhập {label}."})
    if len(text) > max_len:
        raise ValidationError(f"{label.capitalize()} quá dài.", {field: f"Tối đa {max_len} ký tự."})
    return text


def set_deadline(complaint: Complaint, deadline: datetime | None) -> None:
    """Move the deadline; reminders are owed again for the new one."""
    complaint.deadline_at = deadline
    complaint.due_soon_notified_at = None
    complaint.overdue_notified_at = None


def accept(complaint: Complaint, actor: User, note: str | None = None) -> None:
    """The agency takes the item on (thụ lý)."""
    authorize(actor, "accept")
    require_state(complaint, "accept")
    transition(
        complaint,
        "accepted",
        actor=actor,
        note=(note or "").strip() or None,
        data={"agency": complaint.agency.code if complaint.agency else None},
    )


def excluded_agency_ids(complaint: Complaint) -> set[int]:
    """Agencies that returned this item: automatic routing must not choose them again."""
    return set(
        db.session.scalars(
            select(RoutingCorrection.wrong_agency_id).where(
                RoutingCorrection.complaint_id == complaint.id
            )
        )
    )


def return_item(complaint: Complaint, actor: User, reason: object) -> RoutingCorrection:
    """Not ours: back to triage with the reason, recorded as a routing correction.

    A new triage job is owed; automatic triage will not route to this agency again (it sends
    the item to a supervisor instead, see complaints/triage.auto_triage).
    """
    authorize(actor, "return")
    reason = clean_text(reason, "reason", "lý do trả lại")
    require_state(complaint, "return")
    wrong = complaint.agency
    if wrong is None:
        raise InvalidTransition("Phản ánh chưa được chuyển cho cơ quan nào.")
    model = next((r for r in reversed(complaint.triage_results) if r.source == "model"), None)
    correction = RoutingCorrection(
        complaint=complaint,
        wrong_agency_id=wrong.id,
        routing_rule_id=complaint.routing_rule_id,
        field=complaint.field,
        kind=complaint.kind,
        reason=reason,
        actor_id=actor.id,
        model_version=model.model_version if model else None,
    )
    db.session.add(correction)
    transition(
        complaint,
        "returned",
        actor=actor,
        note=reason,
        action="returned",
        data={
            "wrong_agency": wrong.code,
            "routing_rule_id": complaint.routing_rule_id,
            "field": complaint.field,
            "kind": complaint.kind,
        },
    )
    complaint.agency = None
    complaint.routing_rule_id = None
    complaint.routing_explanation = None
    db.session.add(OutboxJob(job="triage", complaint=complaint))
    return correction


def pending_extension(complaint: Complaint) -> ExtensionRequest | None:
    return db.session.scalar(
        select(ExtensionRequest).where(
            ExtensionRequest.complaint_id == complaint.id, ExtensionRequest.status == "pending"
        )
    )


def _extension_days(value: object) -> int:
    try:
        days = int(str(value).strip())
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= EXTENSION_MAX_DAYS:
        raise ValidationError(
            "Số ngày gia hạn không hợp lệ.",
            {"days": f"Nhập số ngày từ 1 đến {EXTENSION_MAX_DAYS}."},
        )
    return days


def request_extension(
    complaint: Complaint, actor: User, reason: object, days: object
) -> ExtensionRequest:
    """Ask for more time; the deadline moves only when a supervisor approves."""
    authorize(actor, "extend")
    reason = clean_text(reason, "reason", "lý do gia hạn")
    days_int = _extension_days(days)
    require_state(complaint, "extend")
    if pending_extension(complaint) is not None:
        raise InvalidTransition("Đã có một đề nghị gia hạn đang chờ giám sát viên duyệt.")
    received = local_date(complaint.received_at)
    policy = policy_for(complaint.kind, received) if complaint.kind else None
    unit = policy.resolve_unit if policy is not None else "working"
    request = ExtensionRequest(
        complaint=complaint, requested_by_id=actor.id, reason=reason, days=days_int, unit=unit
    )
    db.session.add(request)
    record_event(
        complaint,
        "extension_requested",
        actor=actor,
        note=reason,
        data={"days": days_int, "unit": unit},
    )
    return request


def add_note(complaint: Complaint, actor: User, text: object) -> None:
    """An internal note: staff only, never on the citizen's page."""
    authorize(actor, "note")
    text = clean_text(text, "text", "nội dung ghi chú", min_len=1)
    record_event(complaint, "note", actor=actor, note=text, public=False)


def answer(complaint: Complaint, actor: User, text: object, upload: Upload | None = None) -> None:
    """The public answer the citizen sees (optionally with one attachment); the citizen is told."""
    authorize(actor, "answer")
    text = clean_text(text, "text", "nội dung trả lời", min_len=ANSWER_MIN, max_len=ANSWER_MAX)
    require_state(complaint, "answer")
    attachment = store_attachment(complaint, upload, actor) if upload is not None else None
    if attachment is not None:
        db.session.flush()  # the event names the attachment's id
    complaint.public_answer = text
    complaint.answered_at = utcnow()
    transition(
        complaint,
        "answered",
        actor=actor,
        note="Cơ quan đã trả lời.",
        public=True,
        data={"attachment_id": attachment.id} if attachment is not None else None,
    )
    queue_notification(complaint, "answered")


def close(complaint: Complaint, actor: User | None, note: str | None = None) -> None:
    """Staff close an answered item (the citizen and the 7-day rule close it too)."""
    if actor is not None:
        authorize(actor, "close")
    require_state(complaint, "close")
    complaint.closed_at = utcnow()
    transition(complaint, "closed", actor=actor, note=note or "Kết thúc xử lý.")


def is_open(complaint: Complaint) -> bool:
    return complaint.state not in FINAL_STATES
