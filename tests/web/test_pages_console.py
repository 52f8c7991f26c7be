"""Operator call console and the caller-history JSON endpoint."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from hotline.complaints.models import Complaint, ComplaintEvent, OutboxJob
from hotline.extensions import db


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{re.escape(name)}" type="hidden" value="([^"]*)"', html)
    assert match, f"no hidden {name} in page"
    return match.group(1)


@pytest.fixture
def operator(make_user, login_as):
    """A logged-in operator; returns (client, user)."""
    user = make_user("operator")
    return login_as(user), user


def call_form(client, **changes) -> dict:
    html = client.get("/can-bo/tong-dai").get_data(as_text=True)
    data = {
        "csrf_token": hidden(html, "csrf_token"),
        "idempotency_key": hidden(html, "idempotency_key"),
        "phone": "0912 345 678",
        "channel": "phone",
        "content": "Đèn đường trên đường Đồng Khởi bị hỏng cả tuần nay, buổi tối rất tối.",
        "ward_code": "",
        "location_text": "",
        "name": "Trần Thị Bình",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("role", ["operator", "supervisor", "admin"])
def test_console_renders_for_staff_who_take_calls(make_user, login_as, role):
    client = login_as(make_user(role))
    response = client.get("/can-bo/tong-dai")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Tiếp nhận cuộc gọi" in html
    # The phone comes first and has the focus.
    first_input = re.search(r'<(input|select|textarea)(?![^>]*type="hidden")[^>]*>', html).group(0)
    assert 'name="phone"' in first_input
    assert "autofocus" in first_input
    assert '<option selected value="phone">' in html


@pytest.mark.parametrize("role", ["agency_staff", "inspector"])
def test_console_is_refused_to_other_roles(make_user, login_as, role):
    client = login_as(make_user(role, "SXD" if role == "agency_staff" else None))
    assert client.get("/can-bo/tong-dai").status_code == 403
    assert client.get("/can-bo/tong-dai/lich-su?phone=0912345678").status_code == 403


def test_console_redirects_anonymous_users_to_login(client):
    response = client.get("/can-bo/tong-dai")
    assert response.status_code == 302
    assert "/dang-nhap" in response.headers["Location"]
    assert client.get("/can-bo/tong-dai/lich-su?phone=0912345678").status_code == 302


def test_saving_a_call_records_the_operator_and_shows_the_code(operator):
    client, user = operator
    response = client.post("/can-bo/tong-dai", data=call_form(client, escalated_to_central="y"))
    assert response.status_code == 302
    complaint = db.session.scalar(select(Complaint))
    assert complaint.created_by_id == user.id
    assert complaint.channel == "phone"
    assert complaint.escalated_to_central
    assert complaint.citizen_phone == "+84912345678"
    assert complaint.events[0].actor_kind == "staff"
    assert db.session.scalar(select(OutboxJob)).done_at is not None  # dispatched
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert complaint.tracking_code in html
    assert "Đọc mã tra cứu cho người gọi" in html
    # A fresh empty form follows, with a new idempotency key.
    assert 'name="content" rows="7"></textarea>' in html or "Đèn đường" not in html
    # Shown once.
    assert complaint.tracking_code not in client.get("/can-bo/tong-dai").get_data(as_text=True)


def test_anonymous_call_gets_a_secret_to_read_out(operator):
    client, _ = operator
    data = call_form(client, anonymous="y", name="", phone="")
    response = client.post("/can-bo/tong-dai", data=data)
    assert response.status_code == 302
    html = client.get("/can-bo/tong-dai").get_data(as_text=True)
    assert re.search(r"data-secret>[0-9A-Z]{12}<", html)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"content": "ngắn"}, "Cần ít nhất 10 ký tự."),
        ({"phone": "999"}, "Số điện thoại không hợp lệ"),
        ({"channel": "fax"}, "Kênh tiếp nhận phải là một trong"),
        ({"name": ""}, "Họ tên người gửi là bắt buộc"),
        ({"ward_code": "999999"}, "không thuộc danh mục"),
    ],
)
def test_bad_call_rerenders_and_writes_nothing(operator, changes, message):
    client, _ = operator
    response = client.post("/can-bo/tong-dai", data=call_form(client, **changes))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(Complaint) == 0
    assert count(ComplaintEvent) == 0
    assert count(OutboxJob) == 0


def test_double_save_of_one_call_creates_one_complaint(operator):
    client, _ = operator
    data = call_form(client)
    assert client.post("/can-bo/tong-dai", data=data).status_code == 302
    assert client.post("/can-bo/tong-dai", data=data).status_code == 302
    assert count(Complaint) == 1
    assert "Phiếu đã được lưu trước đó" in client.get("/can-bo/tong-dai").get_data(as_text=True)


def test_caller_history_lists_earlier_complaints(operator, complaint_payload):
    client, _ = operator
    client.post("/api/v1/complaints", json=complaint_payload)  # phone 0912 345 678
    other = dict(complaint_payload, citizen={"name": "B", "phone": "0987 654 321"})
    client.post("/api/v1/complaints", json=other)
    body = client.get(
        "/can-bo/tong-dai/lich-su?phone=0912.345.678", headers={"Accept": "application/json"}
    ).get_json()
    assert body["phone_valid"] is True
    assert body["total"] == 1
    item = body["complaints"][0]
    code = db.session.scalar(
        select(Complaint.tracking_code).where(Complaint.citizen_phone == "+84912345678")
    )
    assert item["tracking_code"] == code
    assert item["state_label"]
    assert item["received_at"]
    assert item["excerpt"].startswith("Đoạn đường ĐT768")
    assert item["url"].endswith(f"/can-bo/phan-anh/{code}")


def test_caller_history_with_a_bad_number_is_empty(operator):
    client, _ = operator
    body = client.get("/can-bo/tong-dai/lich-su?phone=12").get_json()
    assert body == {"phone_valid": False, "total": 0, "complaints": []}
