"""The citizen's reaction to an answer: rate it, reopen it within 7 days; or it closes itself."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from hotline.clock import utcnow
from hotline.complaints.handling import clean_text, set_deadline
from hotline.complaints.models import Complaint
from hotline.complaints.workflow import record_event, transition
from hotline.directory.deadlines import add_days, end_of_local_day, local_date, policy_for
from hotline.errors import InvalidTransition, ValidationError
from hotline.extensions import db

log = logging.getLogger(__name__)

REACTION_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class FeedbackState:
    can_rate: bool
    can_reopen: bool
    rating: int | None
    reopen_until: datetime | None


def reaction_deadline(complaint: Complaint) -> datetime | None:
    return complaint.answered_at + REACTION_WINDOW if complaint.answered_at else None


def feedback_state(complaint: Complaint, now: datetime | None = None) -> FeedbackState:
    now = now or utcnow()
    until = reaction_deadline(complaint)
    in_window = until is not None and now <= until
    answered = complaint.state == "answered" or (
        complaint.state == "closed" and complaint.answered_at is not None
    )
    return FeedbackState(
        can_rate=answered
        and complaint.rating is None
        and (complaint.state == "answered" or in_window),
        can_reopen=answered and in_window,
        rating=complaint.rating,
        reopen_until=until,
    )


def _rating(value: object) -> int:
    try:
        rating = int(str(value).strip())
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise ValidationError(
            "Mức đánh giá không hợp lệ.", {"rating": "Chọn mức đánh giá từ 1 đến 5 sao."}
        )
    return rating


def rate(complaint: Complaint, rating: object, comment: object = None) -> None:
    """The citizen rates the answer 1–5; an answered item is thereby closed."""
    value = _rating(rating)
    text = comment.strip()[:2000] if isinstance(comment, str) and comment.strip() else None
    if not feedback_state(complaint).can_rate:
        raise InvalidTransition("Phản ánh này hiện không thể đánh giá.")
    complaint.rating = value
    if complaint.state == "answered":
        complaint.closed_at = utcnow()
        transition(
            complaint,
            "closed",
            citizen=True,
            action="rated_closed",
            note=f"Người dân đánh giá {value}/5.",
            data={"rating": value, "comment": text},
        )
    else:
        record_event(
            complaint,
            "rated",
            citizen=True,
            note=f"Người dân đánh giá {value}/5.",
            public=True,
            data={"rating": value, "comment": text},
        )


def reopen_deadline(complaint: Complaint, now: datetime) -> datetime | None:
    """A new clock for the agency: the resolution time of the policy in force today."""
    if complaint.kind is None:
        return None
    today = local_date(now)
    policy = policy_for(complaint.kind, today)
    if policy is None:
        return None
    return end_of_local_day(add_days(today, policy.resolve_days, policy.resolve_unit))


def reopen(complaint: Complaint, reason: object) -> None:
    """Not satisfied, within 7 days of the answer: back to the same agency with a new clock."""
    reason = clean_text(reason, "reason", "lý do đề nghị xem xét lại", min_len=10)
    if not feedback_state(complaint).can_reopen:
        raise InvalidTransition(
            "Đã quá 7 ngày kể từ khi có trả lời hoặc phản ánh không thể mở lại."
        )
    now = utcnow()
    set_deadline(complaint, reopen_deadline(complaint, now))
    complaint.closed_at = None
    transition(
        complaint,
        "reopened",
        citizen=True,
        note=reason,
        public=True,
        data={
            "agency": complaint.agency.code if complaint.agency else None,
            "new_deadline": complaint.deadline_at.isoformat() if complaint.deadline_at else None,
        },
    )
    from hotline.complaints.notifications import queue_notification

    queue_notification(complaint, "assigned")


def auto_close(now: datetime | None = None, limit: int = 500) -> list[int]:
    """Close answered items without a reaction for 7 days. Returns their ids; flushes, no commit."""
    now = now or utcnow()
    rows = db.session.scalars(
        select(Complaint)
        .where(Complaint.state == "answered", Complaint.answered_at <= now - REACTION_WINDOW)
        .order_by(Complaint.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for complaint in rows:
        complaint.closed_at = now
        transition(
            complaint,
            "closed",
            action="auto_closed",
            note="Tự động kết thúc: không có phản hồi sau 7 ngày kể từ khi trả lời.",
        )
    if rows:
        log.info("feedback.auto_closed count=%s", len(rows))
    return [c.id for c in rows]
