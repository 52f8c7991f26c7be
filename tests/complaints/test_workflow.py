"""The transition table and the event every change writes."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hotline.complaints.models import STATES, Complaint, ComplaintEvent
from hotline.complaints.workflow import ALLOWED_TRANSITIONS, transition
from hotline.errors import InvalidTransition
from hotline.extensions import db


def make_complaint(state: str = "received") -> Complaint:
    from hotline.codes import new_tracking_code

    c = Complaint(
        tracking_code=new_tracking_code(),
        channel="phone",
        content="Nội dung thử nghiệm",
        state=state,
    )
    db.session.add(c)
    db.session.flush()
    return c


def test_table_covers_every_state_and_only_known_states():
    assert set(ALLOWED_TRANSITIONS) == set(STATES)
    for targets in ALLOWED_TRANSITIONS.values():
        assert targets <= set(STATES)


@pytest.mark.parametrize(
    ("start", "to", "allowed"),
    [
        ("received", "triaged", True),
        ("received", "needs_review", True),
        ("received", "answered", False),
        ("needs_review", "triaged", True),
        ("triaged", "assigned", True),
        ("assigned", "accepted", True),
        ("assigned", "returned", True),
        ("assigned", "closed", False),
        ("accepted", "answered", True),
        ("answered", "closed", True),
        ("answered", "reopened", True),
        ("closed", "accepted", False),
        ("rejected", "received", False),
        ("merged", "assigned", False),
        ("split", "assigned", False),
    ],
)
def test_transitions(app, start, to, allowed):
    complaint = make_complaint(start)
    if allowed:
        event = transition(complaint, to, note="x")
        db.session.flush()
        assert complaint.state == to
        assert (event.from_state, event.to_state) == (start, to)
    else:
        with pytest.raises(InvalidTransition):
            transition(complaint, to)
        assert complaint.state == start
        db.session.flush()
        count = db.session.scalar(select(func.count(ComplaintEvent.id)))
        assert count == 0


def test_events_are_append_only(app):
    complaint = make_complaint()
    event = transition(complaint, "needs_review")
    db.session.commit()
    event.note = "sửa lại"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.commit()
    db.session.rollback()
