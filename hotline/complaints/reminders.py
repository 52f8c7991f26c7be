"""Periodic reminders: due soon and overdue, each sent once per deadline (moving it resets them)."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select

from hotline.clock import utcnow
from hotline.complaints.models import Complaint
from hotline.complaints.notifications import queue_notification
from hotline.complaints.queries import due_soon_clause, overdue_clause
from hotline.complaints.workflow import record_event
from hotline.extensions import db

log = logging.getLogger(__name__)


def _pick(clause, marker, limit: int) -> list[Complaint]:
    return list(
        db.session.scalars(
            select(Complaint)
            .where(clause, marker.is_(None))
            .order_by(Complaint.deadline_at, Complaint.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )


def mark_overdue(now: datetime | None = None, limit: int = 500) -> list[int]:
    """Items that became overdue: an internal event and an e-mail to the agency, once."""
    now = now or utcnow()
    rows = _pick(overdue_clause(now), Complaint.overdue_notified_at, limit)
    for complaint in rows:
        complaint.overdue_notified_at = now
        record_event(
            complaint,
            "overdue",
            note="Đã quá hạn xử lý.",
            data={"deadline": complaint.deadline_at.isoformat()},
        )
        queue_notification(complaint, "overdue")
    if rows:
        log.info("reminders.overdue count=%s", len(rows))
    return [c.id for c in rows]


def remind_due_soon(now: datetime | None = None, limit: int = 500) -> list[int]:
    """Items due within two working days: a reminder to the agency, once per deadline."""
    now = now or utcnow()
    rows = _pick(due_soon_clause(now), Complaint.due_soon_notified_at, limit)
    for complaint in rows:
        complaint.due_soon_notified_at = now
        record_event(
            complaint,
            "due_soon",
            note="Sắp đến hạn xử lý (nhắc việc).",
            data={"deadline": complaint.deadline_at.isoformat()},
        )
        queue_notification(complaint, "due_soon")
    if rows:
        log.info("reminders.due_soon count=%s", len(rows))
    return [c.id for c in rows]
