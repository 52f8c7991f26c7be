"""Citizen status lookup: tracking code plus a second factor; every miss looks the same."""

from __future__ import annotations

import hmac

from sqlalchemy import select

from hotline.codes import normalise_secret, normalise_tracking_code
from hotline.complaints.intake import hash_secret
from hotline.complaints.models import Complaint, ComplaintEvent
from hotline.complaints.workflow import PUBLIC_STATES, STATE_LABELS
from hotline.errors import NotFound
from hotline.extensions import db

NOT_FOUND = "Không tìm thấy phản ánh với mã và thông tin xác thực đã nhập."


def find_for_citizen(
    code: str, phone_last4: str | None = None, secret: str | None = None
) -> Complaint:
    """The complaint if the second factor matches; NotFound with one message for every miss."""
    canonical = normalise_tracking_code(code or "")
    complaint = None
    if canonical:
        complaint = db.session.scalar(select(Complaint).where(Complaint.tracking_code == canonical))
    if complaint is None or not _second_factor_ok(complaint, phone_last4, secret):
        raise NotFound(NOT_FOUND)
    return complaint


def _second_factor_ok(complaint: Complaint, phone_last4: str | None, secret: str | None) -> bool:
    if phone_last4 and complaint.phone_last4:
        return hmac.compare_digest(phone_last4.strip(), complaint.phone_last4)
    if secret and complaint.secret_hash:
        return hmac.compare_digest(hash_secret(normalise_secret(secret)), complaint.secret_hash)
    return False


def public_timeline(complaint: Complaint) -> list[ComplaintEvent]:
    return [ev for ev in complaint.events if ev.public]


def citizen_status(state: str) -> str:
    """The state a citizen is shown. Internal steps (triaged, needs_review, returned) mean the
    item is back with the hotline, not yet with an agency: to the citizen it is "received"."""
    return state if state in PUBLIC_STATES else "received"


def public_view(complaint: Complaint) -> dict:
    """What a citizen may see: no internal notes, no contact data.

    A merged duplicate follows its main complaint: agency, deadline and answer are the main's,
    and ``merged_into`` gives the main's progress (never its code or its citizen).
    """
    from hotline.complaints.duplicates import root_of

    main = root_of(complaint) if complaint.state == "merged" else complaint
    agency = main.agency
    status = citizen_status(complaint.state)
    return {
        "tracking_code": complaint.tracking_code,
        "status": status,
        "status_label": STATE_LABELS[status],
        "received_at": complaint.received_at.isoformat(),
        "field": complaint.field,
        "kind": complaint.kind,
        "agency": {"code": agency.code, "name": agency.name} if agency else None,
        "deadline": main.deadline_at.isoformat() if main.deadline_at else None,
        "overdue": main.is_overdue,
        "answer": main.public_answer,
        "merged_into": None
        if main is complaint
        else {
            "status": citizen_status(main.state),
            "status_label": STATE_LABELS[citizen_status(main.state)],
            "answered_at": main.answered_at.isoformat() if main.answered_at else None,
        },
        "timeline": [
            {
                "at": ev.at.isoformat(),
                "status": ev.to_state,
                "label": STATE_LABELS.get(ev.to_state or "", ev.action),
                "note": ev.note,
            }
            for ev in public_timeline(complaint)
        ],
    }
