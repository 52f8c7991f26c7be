"""A small, hand-computed scenario for the inspection indicators (period 2026-Q4).

Figures as of AS_OF (2026-12-20 12:00 UTC), worked out by hand in EXPECTED:

SNNMT (the bad one) — A1 on time; A2 answered 5.0 days late; A3 unanswered, 49.5 days late at
AS_OF; A4 answered 2.0 days late then reopened; A5 paused past its deadline (not overdue, not due);
A6 not due yet; A7 on time, escalated, main of a cluster with 2 merged duplicates. R1 was routed
to SNNMT, returned (charged by the event's data) and answered by SXD. L1 is an anonymous
denunciation kept as an inspection lead against SNNMT. A0 (September) is outside the period.
SXD — B1..B3 and R1 on time (B3 exactly at the deadline); B4 received 2026-09-30 18:00 UTC, which
is 1 October in Vietnam, so it is inside Q4 (not due yet).
SYT — C1 one day late; C2, C5 on time; C3 not due; C4 returned, charged through the preceding
``assigned`` event (the returned event carries no data), still with SYT; C6 returned the way
complaints/handling.return_item does it (data "wrong_agency", the item loses its agency).
"""

from __future__ import annotations

from datetime import UTC, datetime

from hotline.codes import new_tracking_code
from hotline.complaints.models import Complaint, ComplaintEvent
from hotline.directory.models import Agency
from hotline.extensions import db
from hotline.inspection.models import InspectionLead

AS_OF = datetime(2026, 12, 20, 12, 0, tzinfo=UTC)
PERIOD = "2026-Q4"


def t(month: int, day: int, hour: int = 3, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, 0, tzinfo=UTC)


EXPECTED = {
    "SNNMT": dict(
        received=7,
        answered=4,
        due=5,
        on_time=2,
        on_time_pct=40.0,
        overdue=3,
        mean_days_late=18.83,
        returned=1,
        bounced_away=1,
        returned_pct=12.5,
        reopened=1,
        reopened_pct=25.0,
        rating_count=3,
        mean_rating=2.33,
        clusters=1,
        cluster_items=2,
        admin_procedure=1,
        escalated=1,
        leads=1,
    ),
    "SXD": dict(
        received=5,
        answered=4,
        due=4,
        on_time=4,
        on_time_pct=100.0,
        overdue=0,
        mean_days_late=None,
        returned=0,
        returned_pct=0.0,
        reopened=0,
        reopened_pct=0.0,
        mean_rating=4.5,
        clusters=0,
        admin_procedure=0,
        escalated=0,
        leads=0,
    ),
    "SYT": dict(
        received=5,
        answered=3,
        due=3,
        on_time=2,
        on_time_pct=66.67,
        overdue=1,
        mean_days_late=1.0,
        returned=2,
        bounced_away=1,
        returned_pct=33.33,
        reopened=0,
        mean_rating=3.0,
        clusters=0,
        leads=0,
    ),
}


class Builder:
    def __init__(self):
        self.agencies = {a.code: a for a in db.session.scalars(db.select(Agency))}
        self.made: dict[str, Complaint] = {}

    def complaint(
        self,
        name,
        agency,
        field,
        received,
        deadline=None,
        answered=None,
        state="accepted",
        rating=None,
        escalated=False,
        parent=None,
        kind="phan_anh",
        anonymous=False,
    ) -> Complaint:
        c = Complaint(
            tracking_code=new_tracking_code(),
            channel="phone",
            content=f"Kịch bản {name}",
            received_at=received,
            field=field,
            kind=kind,
            state=state,
            agency=self.agencies[agency] if agency else None,
            deadline_at=deadline,
            answered_at=answered,
            rating=rating,
            escalated_to_central=escalated,
            parent=parent,
            anonymous=anonymous,
        )
        db.session.add(c)
        self.made[name] = c
        return c

    def event(self, c, to_state, at, data=None):
        db.session.add(
            ComplaintEvent(complaint=c, action=to_state, to_state=to_state, at=at, data=data)
        )


def build_scenario() -> dict[str, Complaint]:
    """Create the scenario, commit it, and return the complaints by name."""
    b = Builder()
    c = b.complaint
    c("A0", "SNNMT", "land", t(9, 20), t(9, 25), state="accepted")
    c("A1", "SNNMT", "land", t(10, 5), t(10, 10), t(10, 9), state="closed", rating=4)
    c("A2", "SNNMT", "land", t(10, 8), t(10, 15, 10), t(10, 20, 10), state="answered", rating=2)
    c("A3", "SNNMT", "environment", t(10, 20), datetime(2026, 11, 1, tzinfo=UTC))
    a4 = c("A4", "SNNMT", "land", t(11, 2), t(11, 10), t(11, 12), state="answered", rating=1)
    b.event(a4, "answered", t(11, 11))
    b.event(a4, "reopened", t(11, 11, 5))
    c("A5", "SNNMT", "admin_procedure", t(11, 15), t(12, 1), state="paused")
    c("A6", "SNNMT", "land", t(12, 10), t(12, 30))
    a7 = c("A7", "SNNMT", "land", t(10, 12), t(10, 20), t(10, 18), state="answered", escalated=True)
    c("D1", "SNNMT", "land", t(10, 13), state="merged", parent=a7)
    c("D2", "SNNMT", "land", t(10, 14), state="merged", parent=a7)
    r1 = c("R1", "SXD", "land", t(10, 7), t(10, 25), t(10, 24), state="answered")
    b.event(r1, "assigned", t(10, 7, 4), {"agency": "SNNMT"})
    b.event(r1, "returned", t(10, 8), {"agency": "SNNMT"})
    b.event(r1, "assigned", t(10, 9), {"agency": "SXD"})
    l1 = c("L1", None, "admin_procedure", t(10, 8), state="rejected", kind="to_cao", anonymous=True)
    c("B1", "SXD", "traffic", t(10, 3), t(10, 20), t(10, 18), state="closed", rating=5)
    c("B2", "SXD", "traffic", t(11, 3), t(11, 20), t(11, 19), state="answered", rating=4)
    c("B3", "SXD", "construction", t(11, 5), t(11, 25), t(11, 25), state="answered")
    c("B4", "SXD", "traffic", t(9, 30, 18), datetime(2027, 1, 5, tzinfo=UTC))
    c("C1", "SYT", "health", t(10, 2), t(10, 10), t(10, 11), state="answered", rating=3)
    c("C2", "SYT", "health", t(10, 20), t(11, 5), t(11, 4), state="answered")
    c("C3", "SYT", "health", t(12, 1), t(12, 25))
    c4 = c("C4", "SYT", "health", t(12, 5), t(12, 28), state="returned")
    b.event(c4, "assigned", t(12, 5, 4), {"agency": "SYT", "explanation": "x"})
    b.event(c4, "returned", t(12, 6))
    c("C5", "SYT", "health", t(10, 21), t(10, 30), t(10, 29), state="closed")
    c6 = c("C6", None, "health", t(11, 10), state="returned")
    b.event(c6, "returned", t(11, 11), {"wrong_agency": "SYT", "field": "health"})
    db.session.flush()
    db.session.add(
        InspectionLead(
            complaint=l1,
            target_agency=b.agencies["SNNMT"],
            note="Tố cáo nặc danh có chứng cứ cụ thể.",
        )
    )
    db.session.commit()
    return b.made
