"""Duplicates: proposal at triage, merge (citizen sees the main answer), reject, cluster sizes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from hotline.clock import utcnow
from hotline.complaints.duplicates import cluster_sizes, propose_duplicate, similarity
from hotline.complaints.intake import parse_intake, submit_complaint
from hotline.complaints.lookup import public_view
from hotline.complaints.models import Complaint, DuplicateProposal
from hotline.complaints.triage import auto_triage
from hotline.complaints.workflow import transition
from hotline.extensions import db

pytestmark = pytest.mark.usefixtures("held_jobs")  # these tests run the jobs themselves

TEXT = (
    "Đoạn đường ĐT768 qua ấp 3 xã Bàu Hàm có nhiều ổ gà lớn, xe máy đi qua rất nguy hiểm, "
    "đề nghị sửa chữa sớm."
)
SAME = (
    "Doan duong DT768 qua ap 3 xa Bau Ham co nhieu o ga lon, xe may di qua rat nguy hiem, "
    "de nghi sua chua som!"
)
OTHER = "Đèn đường khu vực chợ xã Bàu Hàm bị hỏng cả tháng nay, buổi tối rất tối và mất an ninh."


@pytest.fixture
def triaged(app, fake_classifier):
    """Submit and auto-triage a complaint: triaged(text, location) -> Complaint."""
    fake_classifier.next = type(fake_classifier.next)("traffic", "phan_anh", 0.95, 0.95)

    def _make(content: str, location: str = "xã Bàu Hàm", phone: str = "0912 345 678"):
        payload = {
            "content": content,
            "channel": "web",
            "location_text": location,
            "citizen": {"name": "Nguyễn Văn An", "phone": phone},
        }
        complaint = submit_complaint(parse_intake(payload)).complaint
        auto_triage(complaint)
        db.session.commit()
        return complaint

    return _make


def test_similarity_ignores_diacritics_and_punctuation():
    assert similarity(TEXT, SAME) > 0.95
    assert similarity(TEXT, OTHER) < 0.6


def test_near_identical_open_complaint_is_proposed(triaged):
    main = triaged(TEXT)
    dup = triaged(SAME, phone="0987 654 321")
    proposal = db.session.scalar(select(DuplicateProposal))
    assert (proposal.complaint_id, proposal.main_id, proposal.status) == (
        dup.id,
        main.id,
        "proposed",
    )
    assert proposal.score > 0.9
    assert dup.state == "assigned"  # routing goes on; the supervisor decides later
    assert any(e.action == "duplicate_proposed" and not e.public for e in dup.events)


@pytest.mark.parametrize(
    ("content", "location"),
    [
        (OTHER, "xã Bàu Hàm"),  # different issue
        (SAME, "phường Tam Hiệp"),  # different ward
        (SAME.replace("xa Bau Ham ", ""), ""),  # unknown ward: never proposed
    ],
)
def test_no_proposal_for_other_issue_or_place(triaged, content, location):
    triaged(TEXT)
    triaged(content, location=location)
    assert db.session.scalar(select(DuplicateProposal)) is None


def test_closed_or_old_items_are_not_candidates(triaged):
    main = triaged(TEXT)
    main.received_at = utcnow() - timedelta(days=31)
    db.session.commit()
    triaged(SAME)
    assert db.session.scalar(select(DuplicateProposal)) is None


def test_accept_merges_and_the_citizen_sees_the_main_answer(triaged, make_user, login_as):
    main = triaged(TEXT)
    dup = triaged(SAME, phone="0987 654 321")
    proposal = db.session.scalar(select(DuplicateProposal))
    client = login_as(make_user("supervisor"))
    page = client.get("/can-bo/trung-lap/")
    assert page.status_code == 200 and dup.tracking_code in page.get_data(as_text=True)
    client.application.config["WTF_CSRF_ENABLED"] = False
    try:
        response = client.post(f"/can-bo/trung-lap/{proposal.id}/gop")
    finally:
        client.application.config["WTF_CSRF_ENABLED"] = True
    assert response.status_code == 302
    db.session.expire_all()
    dup, main = db.session.get(Complaint, dup.id), db.session.get(Complaint, main.id)
    assert (dup.state, dup.parent_id) == ("merged", main.id)
    assert db.session.get(DuplicateProposal, proposal.id).status == "accepted"
    view = public_view(dup)
    assert view["answer"] is None and view["merged_into"]["status"] == "assigned"
    # The main item is answered: every merged citizen's status shows that answer.
    transition(main, "accepted")
    main.public_answer, main.answered_at = "Đã vá ổ gà ngày 10/3.", utcnow()
    transition(main, "answered")
    db.session.commit()
    view = public_view(db.session.get(Complaint, dup.id))
    assert view["status"] == "merged" and view["answer"] == "Đã vá ổ gà ngày 10/3."
    assert view["merged_into"]["status"] == "answered"
    assert view["agency"]["code"] == main.agency.code
    assert main.tracking_code not in str(view)  # the other citizen's code is not shown
    assert cluster_sizes(utcnow() - timedelta(days=1), utcnow() + timedelta(days=1)) == {main.id: 2}


def test_reject_is_final_for_the_pair(triaged, make_user, login_as):
    triaged(TEXT)
    dup = triaged(SAME, phone="0987 654 321")
    proposal = db.session.scalar(select(DuplicateProposal))
    client = login_as(make_user("supervisor"))
    client.application.config["WTF_CSRF_ENABLED"] = False
    try:
        assert client.post(f"/can-bo/trung-lap/{proposal.id}/tu-choi").status_code == 302
        again = client.post(f"/can-bo/trung-lap/{proposal.id}/gop", follow_redirects=True)
    finally:
        client.application.config["WTF_CSRF_ENABLED"] = True
    assert "đã được xử lý" in again.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(DuplicateProposal, proposal.id).status == "rejected"
    assert db.session.get(Complaint, dup.id).state == "assigned"
    assert propose_duplicate(db.session.get(Complaint, dup.id)) is None  # not proposed again


def test_merging_into_a_merged_item_follows_the_chain(triaged, make_user):
    from hotline.complaints.duplicates import accept_duplicate

    supervisor = make_user("supervisor")
    first = triaged(TEXT)
    second = triaged(SAME, phone="0987 654 321")
    accept_duplicate(db.session.scalar(select(DuplicateProposal)), supervisor)
    third = triaged(TEXT + " Rất bức xúc.", phone="0977 111 222")
    proposal = db.session.scalar(
        select(DuplicateProposal).where(DuplicateProposal.complaint_id == third.id)
    )
    assert proposal.main_id == first.id  # merged items are not candidates
    accept_duplicate(proposal, supervisor)
    db.session.commit()
    assert {second.parent_id, third.parent_id} == {first.id}
    assert cluster_sizes(utcnow() - timedelta(days=1), utcnow() + timedelta(days=1)) == {
        first.id: 3
    }


@pytest.mark.parametrize("role", ["operator", "agency_staff", "inspector"])
def test_only_supervisors_and_admins_see_proposals(app, make_user, login_as, role):
    user = make_user(role, "SXD" if role == "agency_staff" else None)
    assert login_as(user).get("/can-bo/trung-lap/").status_code == 403
