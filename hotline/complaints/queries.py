"""Who sees which complaint, the overdue / due-soon rules in SQL, and the inbox query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, exists, false, func, or_, select
from sqlalchemy.orm import selectinload

from hotline.clock import utcnow
from hotline.codes import normalise_tracking_code
from hotline.complaints.models import FINAL_STATES, NOT_OVERDUE_STATES, Complaint, IdentityGrant
from hotline.directory.deadlines import add_working_days, end_of_local_day, local_date
from hotline.directory.models import User
from hotline.errors import NotFound
from hotline.extensions import db

# Roles that may open the agency inbox; agency staff only ever see their own agency's items.
INBOX_ROLES = ("agency_staff", "supervisor", "inspector", "admin")
DUE_SOON_WORKING_DAYS = 2
# Pseudo-state of the state filter: everything someone still has to act on.
OPEN_FILTER = "open"


def overdue_clause(now: datetime | None = None) -> ColumnElement[bool]:
    """SQL twin of Complaint.is_overdue: past the deadline, not answered, not paused, not final."""
    now = now or utcnow()
    return and_(
        Complaint.deadline_at.is_not(None),
        Complaint.deadline_at < now,
        Complaint.state.not_in(sorted(NOT_OVERDUE_STATES)),
    )


def due_soon_cutoff(now: datetime | None = None) -> datetime:
    """End of the local day two working days from today."""
    now = now or utcnow()
    return end_of_local_day(add_working_days(local_date(now), DUE_SOON_WORKING_DAYS))


def due_soon_clause(now: datetime | None = None) -> ColumnElement[bool]:
    """Not overdue yet, but the deadline falls within the next two working days."""
    now = now or utcnow()
    return and_(
        Complaint.deadline_at.is_not(None),
        Complaint.deadline_at >= now,
        Complaint.deadline_at <= due_soon_cutoff(now),
        Complaint.state.not_in(sorted(NOT_OVERDUE_STATES)),
    )


def is_due_soon(complaint: Complaint, now: datetime | None = None) -> bool:
    now = now or utcnow()
    if complaint.deadline_at is None or complaint.state in NOT_OVERDUE_STATES:
        return False
    return now <= complaint.deadline_at <= due_soon_cutoff(now)


def scoped(stmt: Select, user: User) -> Select:
    """Agency staff: their agency's items only (none without an agency); others: everything."""
    if user.role == "agency_staff":
        if user.agency_id is None:
            return stmt.where(false())
        return stmt.where(Complaint.agency_id == user.agency_id)
    if user.role not in INBOX_ROLES:
        return stmt.where(false())
    return stmt


def load_for(user: User, code: str, *, for_update: bool = False) -> Complaint:
    """The complaint if this user may see it. "Not yours" and "no such code" are the same 404,
    so tracking codes of other agencies' items do not leak."""
    canonical = normalise_tracking_code(code or "")
    complaint = None
    if canonical:
        stmt = scoped(select(Complaint).where(Complaint.tracking_code == canonical), user)
        if for_update:
            stmt = stmt.with_for_update()
        complaint = db.session.scalar(stmt)
    if complaint is None:
        raise NotFound("Không tìm thấy phản ánh.")
    return complaint


@dataclass
class InboxFilters:
    state: str | None = None
    field: str | None = None
    overdue: bool = False
    due_soon: bool = False
    q: str | None = None


def inbox_query(user: User, filters: InboxFilters, now: datetime | None = None) -> Select:
    """Items this user may see, filtered; most urgent deadline first, then newest."""
    now = now or utcnow()
    stmt = scoped(select(Complaint), user)
    if filters.state == OPEN_FILTER:
        stmt = stmt.where(Complaint.state.not_in(sorted(FINAL_STATES)))
    elif filters.state:
        stmt = stmt.where(Complaint.state == filters.state)
    if filters.field:
        stmt = stmt.where(Complaint.field == filters.field)
    if filters.overdue:
        stmt = stmt.where(overdue_clause(now))
    if filters.due_soon:
        stmt = stmt.where(due_soon_clause(now))
    q = (filters.q or "").strip()[:100]
    if q:
        stmt = stmt.where(_search(q))
    return stmt.options(selectinload(Complaint.agency)).order_by(
        Complaint.deadline_at.is_(None), Complaint.deadline_at, Complaint.id.desc()
    )


def _search(q: str) -> ColumnElement[bool]:
    canonical = normalise_tracking_code(q)
    if canonical:
        return Complaint.tracking_code == canonical
    raw = "".join(ch for ch in q.upper() if ch.isalnum())
    by_code = func.replace(Complaint.tracking_code, "-", "").contains(raw, autoescape=True)
    by_text = Complaint.content.icontains(q, autoescape=True)
    return or_(by_text, by_code) if len(raw) >= 4 else by_text


def identity_protected(complaint: Complaint) -> bool:
    """Denunciations and items marked confidential keep the sender's identity secret."""
    return complaint.confidential or complaint.kind == "to_cao"


def identity_visible(user: User, complaint: Complaint) -> bool:
    """Supervisors and inspectors see it; agency staff only with an inspector's grant."""
    if not identity_protected(complaint):
        return True
    if user.role in ("supervisor", "inspector"):
        return True
    if user.role == "agency_staff" and user.agency_id is not None:
        return bool(
            db.session.scalar(
                select(
                    exists().where(
                        IdentityGrant.complaint_id == complaint.id,
                        IdentityGrant.agency_id == user.agency_id,
                    )
                )
            )
        )
    return False


def has_contact(complaint: Complaint) -> bool:
    return any(
        (
            complaint.citizen_name,
            complaint.citizen_phone,
            complaint.citizen_email,
            complaint.citizen_address,
        )
    )
