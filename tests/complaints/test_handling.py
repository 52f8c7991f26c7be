"""Handling services (issue 4): every action in every state, permissions, clocks, feedback."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hotline.clock import utcnow
from hotline.complaints import feedback, handling, supervision
from hotline.complaints.models import (
    STATES,
    Complaint,
    ComplaintEvent,
    ExtensionRequest,
    OutboxJob,
    RoutingCorrection,
)
from hotline.complaints.queries import overdue_clause
from hotline.complaints.workflow import ALLOWED_TRANSITIONS
from hotline.directory.deadlines import add_working_days, end_of_local_day, local_date
from hotline.errors import Forbidden, InvalidTransition, ValidationError
from hotline.extensions import db
from tests.handling_support import agency, make_item

pytestmark = pytest.mark.usefixtures("held_jobs")  # these tests run the jobs themselves

# action -> (run it with valid input, state expected afterwards or None = unchanged)
RUNNERS = {
    "accept": (lambda c, u: handling.accept(c, u), "accepted"),
    "return": (lambda c, u: handling.return_item(c, u, "Không thuộc thẩm quyền"), "returned"),
    "extend": (lambda c, u: handling.request_extension(c, u, "Cần xác minh thực địa", 5), None),
    "approve_extension": (lambda c, u: supervision.decide_extension(c, u, True), "extended"),
    "pause": (lambda c, u: supervision.pause(c, u, "Chờ kết quả giám định"), "paused"),
    "resume": (lambda c, u: supervision.resume(c, u, "Đã có kết quả giám định"), "accepted"),
    "answer": (lambda c, u: handling.answer(c, u, "Đơn vị đã sửa chữa mặt đường."), "answered"),
    "close": (lambda c, u: handling.close(c, u), "closed"),
    "note": (lambda c, u: handling.add_note(c, u, "Đã gọi điện cho công dân."), None),
    "reassign": (
        lambda c, u: supervision.reassign(c, u, agency("SYT"), "Thuộc ngành y tế"),
        "assigned",
    ),
    "split": (
        lambda c, u: supervision.split(
            c,
            u,
            [
                supervision.SplitPart(
                    "Khiếu nại quyết định thu hồi đất của xã.", "land", "khieu_nai"
                ),
                supervision.SplitPart("Phản ánh đường hư hỏng trước nhà.", "traffic", "phan_anh"),
            ],
        ),
        "split",
    ),
}


def _prepare(complaint: Complaint, action: str, user) -> None:
    if action == "approve_extension":
        db.session.add(
            ExtensionRequest(
                complaint=complaint, reason="x", days=3, unit="working", requested_by_id=user.id
            )
        )
        db.session.commit()


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", sorted(RUNNERS))
def test_every_action_in_every_state(app, make_user, action, state):
    supervisor = make_user("supervisor")
    complaint = make_item(state, "SXD" if state not in ("received", "needs_review") else None)
    _prepare(complaint, action, supervisor)
    events_before = len(complaint.events)
    run, expected = RUNNERS[action]
    if state in handling.ACTION_STATES[action]:
        run(complaint, supervisor)
        db.session.commit()
        assert complaint.state == (expected or state)
        assert len(complaint.events) > events_before  # every change is an event
        if expected:
            assert expected in ALLOWED_TRANSITIONS[state]  # one table, and it agrees
    else:
        with pytest.raises(InvalidTransition):
            run(complaint, supervisor)
        db.session.rollback()
        db.session.refresh(complaint)
        assert complaint.state == state
        count = db.session.scalar(
            select(func.count(ComplaintEvent.id)).where(ComplaintEvent.complaint_id == complaint.id)
        )
        assert count == events_before


@pytest.mark.parametrize(
    ("role", "action", "allowed"),
    [
        ("agency_staff", "accept", True),
        ("agency_staff", "note", True),
        ("agency_staff", "pause", False),
        ("agency_staff", "reassign", False),
        ("agency_staff", "approve_extension", False),
        ("agency_staff", "split", False),
        ("inspector", "accept", False),
        ("operator", "answer", False),
        ("admin", "close", False),
        ("supervisor", "pause", True),
    ],
)
def test_roles(app, make_user, role, action, allowed):
    user = make_user(role, "SXD" if role == "agency_staff" else None)
    complaint = make_item(next(iter(sorted(handling.ACTION_STATES[action] - {"received"}))))
    _prepare(complaint, action, user)
    run, _ = RUNNERS[action]
    if allowed:
        run(complaint, user)
    else:
        with pytest.raises(Forbidden):
            run(complaint, user)


def test_return_records_correction_and_owes_retriage(app, make_user, fake_classifier):
    staff = make_user("agency_staff", "SXD")
    complaint = make_item("assigned", "SXD")
    with pytest.raises(ValidationError):
        handling.return_item(complaint, staff, "  ")
    handling.return_item(complaint, staff, "Đường do xã quản lý")
    db.session.commit()
    assert complaint.state == "returned" and complaint.agency is None
    correction = db.session.scalar(select(RoutingCorrection))
    assert correction.wrong_agency.code == "SXD" and correction.reason == "Đường do xã quản lý"
    job = db.session.scalar(select(OutboxJob).where(OutboxJob.job == "triage"))
    # The model still says traffic → Sở Xây dựng, which returned it: a person decides.
    from hotline.complaints.triage import run_triage_job

    assert run_triage_job(job.id) == "needs_review"
    assert complaint.agency is None
    assert complaint.events[-1].data == {"excluded_agency": "SXD"}


def test_return_then_retriage_routes_elsewhere(app, make_user, fake_classifier):
    from hotline.complaints.triage import run_triage_job
    from tests.conftest import FakePrediction

    staff = make_user("agency_staff", "SXD")
    complaint = make_item("assigned", "SXD")
    handling.return_item(complaint, staff, "Thuộc ngành y tế")
    db.session.commit()
    fake_classifier.next = FakePrediction("health", "phan_anh", 0.95, 0.95)
    job = db.session.scalar(select(OutboxJob).where(OutboxJob.job == "triage"))
    assert run_triage_job(job.id) == "assigned"
    assert complaint.agency.code == "SYT"


def test_extension_needs_approval_and_moves_deadline(app, make_user):
    staff, supervisor = make_user("agency_staff", "SXD"), make_user("supervisor")
    deadline = end_of_local_day(local_date(utcnow() + timedelta(days=3)))
    complaint = make_item("accepted", deadline=deadline)
    with pytest.raises(ValidationError):
        handling.request_extension(complaint, staff, "Cần thêm thời gian", 0)
    request = handling.request_extension(complaint, staff, "Cần xác minh thực địa", 5)
    db.session.commit()
    assert complaint.deadline_at == deadline and complaint.state == "accepted"
    with pytest.raises(InvalidTransition):  # one pending request at a time
        handling.request_extension(complaint, staff, "Lần nữa", 2)
    db.session.rollback()
    supervision.decide_extension(complaint, supervisor, True, "Đồng ý")
    db.session.commit()
    assert complaint.state == "extended" and request.status == "approved"
    assert complaint.deadline_at == end_of_local_day(add_working_days(local_date(deadline), 5))
    actions = [e.action for e in complaint.events]
    assert actions == ["extension_requested", "extension_approved"]


def test_denied_extension_changes_nothing(app, make_user):
    staff, supervisor = make_user("agency_staff", "SXD"), make_user("supervisor")
    complaint = make_item("accepted")
    deadline = complaint.deadline_at
    handling.request_extension(complaint, staff, "Cần xác minh", 3)
    supervision.decide_extension(complaint, supervisor, False, "Không đủ căn cứ")
    db.session.commit()
    assert complaint.state == "accepted" and complaint.deadline_at == deadline
    assert complaint.events[-1].action == "extension_denied"


def test_overdue_respects_pause_and_extension(app, make_user):
    supervisor = make_user("supervisor")
    past = utcnow() - timedelta(days=2)
    late = make_item("accepted", deadline=past)
    paused = make_item("paused", deadline=past)
    answered = make_item("answered", deadline=past)
    fine = make_item("accepted")
    assert late.is_overdue and not paused.is_overdue and not answered.is_overdue
    assert not fine.is_overdue
    ids = set(db.session.scalars(select(Complaint.id).where(overdue_clause())))
    assert ids == {late.id}  # the SQL rule agrees with the property
    # An approved extension past today ends the overdue state.
    handling.request_extension(late, supervisor, "Vụ việc phức tạp", 10)
    supervision.decide_extension(late, supervisor, True)
    db.session.commit()
    assert late.deadline_at > utcnow() and not late.is_overdue


def test_resume_moves_deadline_by_paused_working_days(app, make_user):
    supervisor = make_user("supervisor")
    complaint = make_item("accepted", deadline=utcnow() + timedelta(days=1))
    supervision.pause(complaint, supervisor, "Chờ giám định")
    db.session.commit()
    assert complaint.state == "paused" and not complaint.is_overdue
    complaint.paused_at = utcnow() - timedelta(days=14)  # paused two weeks ago
    old = complaint.deadline_at
    days = supervision.resume(complaint, supervisor, "Đã có kết quả")
    db.session.commit()
    expected = supervision.paused_working_days(
        local_date(utcnow() - timedelta(days=14)), local_date(utcnow())
    )
    assert days == expected and 8 <= days <= 10
    assert complaint.deadline_at == end_of_local_day(add_working_days(local_date(old), days))
    assert complaint.state == "accepted" and complaint.paused_at is None
    assert complaint.events[-1].data["paused_working_days"] == days


def test_pause_from_extended_resumes_to_extended(app, make_user):
    supervisor = make_user("supervisor")
    complaint = make_item("extended")
    supervision.pause(complaint, supervisor, "Chờ giám định")
    supervision.resume(complaint, supervisor, "Tiếp tục")
    assert complaint.state == "extended"


def test_split_gives_each_part_its_own_clock(app, make_user):
    supervisor = make_user("supervisor")
    parent = make_item("needs_review", None, ward_code=None)
    children = RUNNERS["split"][0](parent, supervisor)
    db.session.commit()
    assert parent.state == "split"
    assert {c.kind for c in children} == {"khieu_nai", "phan_anh"}
    for child in children:
        assert child.parent_id == parent.id and child.received_at == parent.received_at
        assert child.state == "assigned" and child.deadline_at is not None
        assert child.citizen_phone == parent.citizen_phone
    by_kind = {c.kind: c for c in children}
    assert by_kind["khieu_nai"].deadline_at > by_kind["phan_anh"].deadline_at
    with pytest.raises(ValidationError):
        supervision.split(
            make_item("needs_review", None),
            supervisor,
            [supervision.SplitPart("ngắn", "land", "x")],
        )


def test_answer_and_rate_closes(app, make_user):
    staff = make_user("agency_staff", "SXD")
    complaint = make_item("accepted")
    with pytest.raises(ValidationError):
        handling.answer(complaint, staff, "ngắn")
    handling.answer(complaint, staff, "Đơn vị đã sửa chữa xong mặt đường ĐT768.")
    db.session.commit()
    assert complaint.state == "answered" and complaint.answered_at is not None
    with pytest.raises(ValidationError):
        feedback.rate(complaint, 6)
    feedback.rate(complaint, 5, "Cảm ơn")
    db.session.commit()
    assert complaint.state == "closed" and complaint.rating == 5
    with pytest.raises(InvalidTransition):  # one rating only
        feedback.rate(complaint, 4)


@pytest.mark.parametrize(
    ("days_ago", "state", "allowed"),
    [
        (1, "answered", True),
        (6.9, "answered", True),
        (7.1, "answered", False),
        (3, "closed", True),
        (8, "closed", False),
    ],
)
def test_reopen_window(app, days_ago, state, allowed):
    complaint = make_item(state, answered_at=utcnow() - timedelta(days=days_ago))
    if allowed:
        feedback.reopen(complaint, "Đường vẫn còn ổ gà, chưa sửa xong.")
        db.session.commit()
        assert complaint.state == "reopened" and complaint.agency.code == "SXD"
        assert complaint.deadline_at > utcnow()  # a new clock
    else:
        with pytest.raises(InvalidTransition):
            feedback.reopen(complaint, "Đường vẫn còn ổ gà, chưa sửa xong.")
    with pytest.raises(ValidationError):
        feedback.reopen(complaint, "")


def test_auto_close_after_seven_days(app):
    old = make_item("answered", answered_at=utcnow() - timedelta(days=7, hours=1))
    recent = make_item("answered", answered_at=utcnow() - timedelta(days=6))
    closed = feedback.auto_close()
    db.session.commit()
    assert closed == [old.id]
    assert old.state == "closed" and old.events[-1].action == "auto_closed"
    assert recent.state == "answered"
    assert feedback.auto_close() == []


def test_reminders_are_sent_once_per_deadline(app, make_user):
    from hotline.complaints.reminders import mark_overdue, remind_due_soon

    late = make_item("accepted", deadline=utcnow() - timedelta(hours=1))
    tomorrow = end_of_local_day(add_working_days(local_date(utcnow()), 1))
    soon = make_item("accepted", deadline=tomorrow)
    assert mark_overdue() == [late.id]
    assert remind_due_soon() == [soon.id]
    db.session.commit()
    assert mark_overdue() == [] and remind_due_soon() == []
    assert late.events[-1].action == "overdue"
    # A new deadline (approved extension) makes the reminders owed again.
    supervisor = make_user("supervisor")
    handling.request_extension(late, supervisor, "Phức tạp", 1)
    supervision.decide_extension(late, supervisor, True)
    db.session.commit()
    assert late.overdue_notified_at is None
