"""Citizen pages: the web form, the receipt, the status lookup."""

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
def form_page(client):
    """GET the home page; returns (csrf token, idempotency key)."""
    html = client.get("/").get_data(as_text=True)
    return hidden(html, "csrf_token"), hidden(html, "idempotency_key")


def citizen_form(form_page, **changes) -> dict:
    token, key = form_page
    data = {
        "csrf_token": token,
        "idempotency_key": key,
        "content": "Đoạn đường ĐT768 qua ấp 3 có nhiều ổ gà lớn, xe máy đi qua rất nguy hiểm.",
        "name": "Nguyễn Văn An",
        "phone": "0912 345 678",
        "email": "",
        "address": "",
        "location_text": "Ấp 3",
        "ward_code": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_home_page_has_the_form_in_vietnamese(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Phiếu phản ánh, kiến nghị" in html
    assert 'name="csrf_token"' in html
    assert 'name="idempotency_key"' in html
    # The ward picker works without JavaScript: all 95 official units are in the select.
    assert html.count('<option value="') >= 95
    assert "Phường Biên Hòa" in html


def test_submit_stores_dispatches_and_shows_receipt(client, form_page):
    response = client.post("/gui-phan-anh", data=citizen_form(form_page, ward_code="26068"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/gui-phan-anh/da-tiep-nhan")
    complaint = db.session.scalar(select(Complaint))
    assert complaint.channel == "web"
    assert complaint.citizen_phone == "+84912345678"
    assert complaint.ward_code == 26068
    assert complaint.created_by_id is None
    assert complaint.idempotency_key.startswith("web:")
    # The owed triage job was dispatched (inline without Redis): no model, so needs_review.
    assert db.session.scalar(select(OutboxJob)).done_at is not None
    assert complaint.state == "needs_review"
    receipt = client.get("/gui-phan-anh/da-tiep-nhan")
    html = receipt.get_data(as_text=True)
    assert receipt.status_code == 200
    assert complaint.tracking_code in html
    assert "4 số cuối số điện thoại" in html
    assert f"/tra-cuu/{complaint.tracking_code}" in html
    assert "Mã bí mật" not in html


def test_without_phone_the_secret_is_shown_once(client, form_page):
    data = citizen_form(form_page, phone="", email="an@example.vn")
    assert client.post("/gui-phan-anh", data=data).status_code == 302
    first = client.get("/gui-phan-anh/da-tiep-nhan").get_data(as_text=True)
    secret = re.search(r"data-secret>([0-9A-Z]{12})<", first).group(1)
    assert "Hãy ghi lại mã bí mật này" in first
    code = db.session.scalar(select(Complaint.tracking_code))
    again = client.get("/gui-phan-anh/da-tiep-nhan").get_data(as_text=True)
    assert secret not in again
    assert code in again
    assert "không thể xem lại" in again
    status = client.get(f"/tra-cuu?code={code}&factor={secret}")
    assert status.status_code == 200


def test_anonymous_submission_keeps_no_contact(client, form_page):
    data = citizen_form(form_page, anonymous="y", name="", phone="")
    assert client.post("/gui-phan-anh", data=data).status_code == 302
    complaint = db.session.scalar(select(Complaint))
    assert complaint.anonymous
    assert complaint.citizen_name is None
    assert "data-secret" in client.get("/gui-phan-anh/da-tiep-nhan").get_data(as_text=True)


def test_receipt_without_a_submission_goes_home(client):
    response = client.get("/gui-phan-anh/da-tiep-nhan")
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"content": "ngắn"}, "Cần ít nhất 10 ký tự."),
        ({"content": "x" * 10_001}, "Không được quá 10000 ký tự."),
        ({"content": ""}, "Nội dung phản ánh là bắt buộc."),
        ({"phone": "12345"}, "Số điện thoại không hợp lệ"),
        ({"email": "khong-phai-email"}, "Địa chỉ email không hợp lệ."),
        ({"name": ""}, "Họ tên người gửi là bắt buộc"),
        ({"phone": ""}, "Cần số điện thoại hoặc email"),
        ({"ward_code": "1"}, "không thuộc danh mục đơn vị hành chính"),
        ({"ward_code": "abc"}, "Mã xã/phường phải là số."),
    ],
)
def test_bad_input_rerenders_with_vietnamese_messages_and_writes_nothing(
    client, form_page, changes, message
):
    response = client.post("/gui-phan-anh", data=citizen_form(form_page, **changes))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert "Thông tin chưa hợp lệ" in html
    assert 'aria-invalid="true"' in html
    # What was typed is kept, and the same idempotency key is reused for the retry.
    assert hidden(html, "idempotency_key") == form_page[1]
    assert count(Complaint) == 0
    assert count(ComplaintEvent) == 0
    assert count(OutboxJob) == 0


def test_missing_csrf_token_is_refused(client, form_page):
    data = citizen_form(form_page)
    del data["csrf_token"]
    response = client.post("/gui-phan-anh", data=data)
    assert response.status_code == 400
    assert "Phiên làm việc đã hết hạn" in response.get_data(as_text=True)
    assert count(Complaint) == 0


def test_double_submit_creates_one_complaint_and_keeps_the_secret(client, form_page):
    data = citizen_form(form_page, phone="", email="an@example.vn")
    first = client.post("/gui-phan-anh", data=data)
    second = client.post("/gui-phan-anh", data=data)
    assert first.status_code == second.status_code == 302
    assert count(Complaint) == 1
    # The repeated post did not wipe the secret the first one left for the receipt.
    assert "data-secret" in client.get("/gui-phan-anh/da-tiep-nhan").get_data(as_text=True)


def test_same_form_reused_with_other_content_asks_again(client, form_page):
    assert client.post("/gui-phan-anh", data=citizen_form(form_page)).status_code == 302
    other = citizen_form(form_page, content="Một nội dung khác hẳn về rác thải ở chợ Tân Phong.")
    response = client.post("/gui-phan-anh", data=other)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "đã được gửi trước đó" in html
    assert hidden(html, "idempotency_key") != form_page[1]
    assert count(Complaint) == 1


# ---- status page ----


@pytest.fixture
def submitted(client, complaint_payload) -> Complaint:
    """A complaint sent through the API (phone 0912 345 678)."""
    response = client.post("/api/v1/complaints", json=complaint_payload)
    assert response.status_code == 201
    return db.session.scalar(select(Complaint))


def test_status_form_renders_and_prefills_from_the_path(client, submitted):
    assert client.get("/tra-cuu").status_code == 200
    html = client.get(f"/tra-cuu/{submitted.tracking_code}").get_data(as_text=True)
    assert f'value="{submitted.tracking_code}"' in html
    assert "4 số cuối số điện thoại" in html


def test_status_with_phone_digits_shows_public_view(client, submitted):
    response = client.get(f"/tra-cuu?code={submitted.tracking_code}&factor=5678")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # Internal needs_review shows as the last public step.
    assert "data-state>Đã tiếp nhận<" in html
    assert "Đang phân loại" in html
    assert "Chưa chuyển cơ quan xử lý" in html
    assert "Tiến trình xử lý" in html
    assert "Nguyễn Văn An" not in html  # no contact data on the public page
    assert "Mô hình" not in html


def test_status_path_form_with_factor_works(client, submitted):
    code = submitted.tracking_code.replace("-", "").lower()
    response = client.get(f"/tra-cuu/{code}?factor=5678")
    assert response.status_code == 200


def test_status_shows_agency_deadline_answer_and_overdue(client, submitted, make_user):
    from datetime import timedelta

    from hotline.clock import utcnow
    from hotline.complaints.triage import manual_triage
    from hotline.directory.models import Agency

    supervisor = make_user("supervisor")
    agency = db.session.scalar(select(Agency).where(Agency.code == "SXD"))
    manual_triage(submitted, field="traffic", kind="phan_anh", agency=agency, actor=supervisor)
    submitted.deadline_at = utcnow() - timedelta(days=1)
    submitted.public_answer = "Sở Xây dựng đã cho vá ổ gà."
    db.session.commit()
    html = client.get(f"/tra-cuu/{submitted.tracking_code}?factor=5678").get_data(as_text=True)
    assert "Sở Xây dựng" in html
    assert "Giao thông" in html
    assert "Phản ánh" in html
    assert "Quá hạn" in html
    assert "Sở Xây dựng đã cho vá ổ gà." in html
    assert "Đã chuyển cơ quan xử lý" in html


@pytest.mark.parametrize("factor", ["0000", "ABCDEFGHJKMN", "5679"])
def test_wrong_factor_and_unknown_code_look_the_same(client, submitted, factor):
    from hotline.codes import new_tracking_code
    from hotline.complaints.lookup import NOT_FOUND

    wrong = client.get(f"/tra-cuu?code={submitted.tracking_code}&factor={factor}")
    unknown = client.get(f"/tra-cuu?code={new_tracking_code()}&factor=5678")
    garbage = client.get("/tra-cuu?code=khong-phai-ma&factor=5678")
    for response in (wrong, unknown, garbage):
        assert response.status_code == 404
        html = response.get_data(as_text=True)
        assert NOT_FOUND in html
        assert "data-status-result" not in html


def test_status_without_factor_asks_for_it(client, submitted):
    response = client.get(f"/tra-cuu?code={submitted.tracking_code}&factor=")
    assert response.status_code == 400
    assert "Vui lòng nhập 4 số cuối" in response.get_data(as_text=True)


class TestWithoutTestingMode:
    @pytest.fixture
    def settings(self, make_settings):
        """Like production without Redis: the inline job ends the DB session (testing=False)."""
        return make_settings(testing=False)

    def test_submit_survives_the_inline_job_ending_the_session(self, client, form_page):
        response = client.post("/gui-phan-anh", data=citizen_form(form_page))
        assert response.status_code == 302
        html = client.get("/gui-phan-anh/da-tiep-nhan").get_data(as_text=True)
        assert db.session.scalar(select(Complaint.tracking_code)) in html


class TestRateLimit:
    @pytest.fixture
    def settings(self, make_settings):
        """Rate limits on, with a tiny budget for status lookups."""
        return make_settings(ratelimit_enabled=True, ratelimit_status="3 per minute")

    def test_status_guesses_are_rate_limited_but_the_blank_form_is_not(self, app, client):
        from hotline.extensions import limiter

        limiter.reset()
        for _ in range(5):
            assert client.get("/tra-cuu").status_code == 200
        codes = [
            client.get("/tra-cuu?code=AAAAA-BBBBB-CCCCC&factor=1234").status_code for _ in range(4)
        ]
        assert codes[:3] == [404, 404, 404]
        assert codes[3] == 429
        limiter.reset()
