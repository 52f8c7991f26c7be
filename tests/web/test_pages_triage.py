"""Manual triage page: queue, one form per item, end to end to `assigned`."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from hotline.complaints.intake import IntakeData, submit_complaint
from hotline.complaints.models import Complaint, ComplaintEvent, TriageResult
from hotline.complaints.triage import auto_triage
from hotline.extensions import db


def hidden_csrf(html: str) -> str:
    return re.search(r'name="[^"]*csrf_token" type="hidden" value="([^"]+)"', html).group(1)


@pytest.fixture
def waiting(app, fake_classifier, held_jobs):
    """Two items waiting for a person: an unsure model verdict, then a fresh one (received)."""
    from datetime import timedelta

    from hotline.clock import utcnow

    unsure = submit_complaint(
        IntakeData(
            content="Khu dân cư ấp 5 bốc mùi hôi nồng nặc từ trại heo gần đó suốt nhiều tuần.",
            channel="web",
            name="An",
            phone="+84912345678",
            ward_code=26068,
        )
    ).complaint
    unsure.received_at = utcnow() - timedelta(hours=3)
    fake_classifier.next = type(fake_classifier.next)(
        "environment", "phan_anh", 0.42, 0.55, confident=False
    )
    auto_triage(unsure)
    fresh = submit_complaint(
        IntakeData(
            content="Xin hỏi thủ tục đăng ký hộ kinh doanh cần những giấy tờ gì?",
            channel="phone",
            name="Bình",
            phone="+84987654321",
        )
    ).complaint
    db.session.commit()
    return unsure, fresh


@pytest.mark.parametrize("role", ["supervisor", "operator", "admin"])
def test_queue_renders_oldest_first_with_suggestion(make_user, login_as, waiting, role):
    unsure, fresh = waiting
    html = login_as(make_user(role)).get("/can-bo/phan-loai").get_data(as_text=True)
    assert html.index(unsure.tracking_code) < html.index(fresh.tracking_code)
    assert "Mô hình gợi ý" in html
    assert "Môi trường" in html
    assert "42%" in html
    assert "Chưa có gợi ý của mô hình" in html
    assert "Mô hình chưa chắc chắn" in html  # why it waits
    # Agencies are grouped for the select; the model's suggestion routes to the ward's UBND.
    assert '<optgroup label="Cấp tỉnh">' in html
    assert '<optgroup label="Cấp xã">' in html
    assert '<option selected value="UBND-26068">' in html


@pytest.mark.parametrize("role", ["agency_staff", "inspector"])
def test_queue_is_refused_to_other_roles(make_user, login_as, waiting, role):
    client = login_as(make_user(role, "SXD" if role == "agency_staff" else None))
    assert client.get("/can-bo/phan-loai").status_code == 403
    code = waiting[0].tracking_code
    assert client.post(f"/can-bo/phan-loai/{code}", data={}).status_code in (400, 403)


def test_queue_needs_login(client):
    response = client.get("/can-bo/phan-loai")
    assert response.status_code == 302
    assert "/dang-nhap" in response.headers["Location"]


def test_manual_triage_end_to_end(make_user, login_as, waiting):
    unsure, _ = waiting
    supervisor = make_user("supervisor")
    client = login_as(supervisor)
    page = client.get("/can-bo/phan-loai").get_data(as_text=True)
    prefix = f"t{unsure.id}-"
    response = client.post(
        f"/can-bo/phan-loai/{unsure.tracking_code}",
        data={
            prefix + "csrf_token": hidden_csrf(page),
            prefix + "field": "environment",
            prefix + "kind": "kien_nghi",
            prefix + "agency": "SNNMT",
            prefix + "note": "Trại heo lớn, giao Sở xử lý.",
        },
    )
    assert response.status_code == 302
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Đã phân loại {unsure.tracking_code}" in follow
    assert f'data-code="{unsure.tracking_code}"' not in follow  # left the queue
    complaint = db.session.get(Complaint, unsure.id)
    assert complaint.state == "assigned"
    assert complaint.agency.code == "SNNMT"
    assert complaint.kind == "kien_nghi"
    assert complaint.deadline_at is not None
    manual = db.session.scalar(select(TriageResult).where(TriageResult.source == "manual"))
    assert manual.actor_id == supervisor.id
    assert manual.corrects_model is True
    notes = [ev.note for ev in complaint.events]
    assert "Trại heo lớn, giao Sở xử lý." in notes


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"field": "space"}, "Lĩnh vực không hợp lệ."),
        ({"kind": ""}, "Loại đơn không hợp lệ."),
        ({"agency": "KHONG-CO"}, "Cần chọn cơ quan xử lý."),
        ({"agency": ""}, "Cần chọn cơ quan xử lý."),
    ],
)
def test_invalid_triage_rerenders_with_messages_and_writes_nothing(
    make_user, login_as, waiting, changes, message
):
    _, fresh = waiting
    client = login_as(make_user("supervisor"))
    page = client.get("/can-bo/phan-loai").get_data(as_text=True)
    prefix = f"t{fresh.id}-"
    data = {"field": "social", "kind": "hoi_dap", "agency": "SNV", **changes}
    before = db.session.scalar(select(func.count()).select_from(ComplaintEvent))
    response = client.post(
        f"/can-bo/phan-loai/{fresh.tracking_code}",
        data={prefix + "csrf_token": hidden_csrf(page), **{prefix + k: v for k, v in data.items()}},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert "Thông tin phân loại chưa hợp lệ" in html
    db.session.expire_all()
    assert db.session.get(Complaint, fresh.id).state == "received"
    assert db.session.scalar(select(func.count()).select_from(ComplaintEvent)) == before
    assert (
        db.session.scalar(
            select(func.count()).select_from(TriageResult).where(TriageResult.source == "manual")
        )
        == 0
    )


def test_triage_of_an_item_no_longer_waiting_is_refused_politely(make_user, login_as, waiting):
    unsure, _ = waiting
    supervisor = make_user("supervisor")
    client = login_as(supervisor)
    page = client.get("/can-bo/phan-loai").get_data(as_text=True)
    prefix = f"t{unsure.id}-"
    data = {
        prefix + "csrf_token": hidden_csrf(page),
        prefix + "field": "environment",
        prefix + "kind": "phan_anh",
        prefix + "agency": "SNNMT",
    }
    assert client.post(f"/can-bo/phan-loai/{unsure.tracking_code}", data=data).status_code == 302
    again = client.post(f"/can-bo/phan-loai/{unsure.tracking_code}", data=data)
    assert again.status_code == 302
    assert "không còn chờ phân loại" in client.get("/can-bo/phan-loai").get_data(as_text=True)


def test_triage_without_csrf_is_refused(make_user, login_as, waiting):
    unsure, _ = waiting
    client = login_as(make_user("supervisor"))
    prefix = f"t{unsure.id}-"
    response = client.post(
        f"/can-bo/phan-loai/{unsure.tracking_code}",
        data={
            prefix + "field": "environment",
            prefix + "kind": "phan_anh",
            prefix + "agency": "SNNMT",
        },
    )
    assert response.status_code == 400
    assert db.session.get(Complaint, unsure.id).state == "needs_review"
