"""Intake and status over the JSON API."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hotline.complaints.models import Complaint, ComplaintEvent, OutboxJob
from hotline.extensions import db


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_intake_returns_tracking_code_and_stores_everything(client, complaint_payload):
    response = client.post("/api/v1/complaints", json=complaint_payload)
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "received"
    assert "secret" not in body  # a phone number was given
    complaint = db.session.scalar(select(Complaint))
    assert complaint.tracking_code == body["tracking_code"]
    assert complaint.citizen_phone == "+84912345678"
    assert body["status_url"].endswith(f"/tra-cuu/{complaint.tracking_code}")
    # Without Redis the triage job ran in-process after the commit.
    job = db.session.scalar(select(OutboxJob))
    assert job.done_at is not None
    assert complaint.state == "needs_review"  # no model in this test


def test_content_is_nfc_normalised(client, complaint_payload):
    import unicodedata

    complaint_payload["content"] = unicodedata.normalize(
        "NFD", "Đường bị ngập nặng sau cơn mưa chiều nay"
    )
    assert client.post("/api/v1/complaints", json=complaint_payload).status_code == 201
    stored = db.session.scalar(select(Complaint.content))
    assert stored == unicodedata.normalize("NFC", stored)
    assert stored.startswith("Đường")


def test_anonymous_gets_a_secret_and_no_contact_is_kept(client, complaint_payload):
    complaint_payload["anonymous"] = True
    response = client.post("/api/v1/complaints", json=complaint_payload)
    assert response.status_code == 201
    body = response.get_json()
    assert len(body["secret"]) == 12
    complaint = db.session.scalar(select(Complaint))
    assert complaint.citizen_name is None and complaint.citizen_phone is None
    status = client.get(f"/api/v1/complaints/{body['tracking_code']}?secret={body['secret']}")
    assert status.status_code == 200


def test_idempotency_key_returns_the_same_complaint(client, complaint_payload):
    headers = {"Idempotency-Key": "call-2026-11-25-0001"}
    first = client.post("/api/v1/complaints", json=complaint_payload, headers=headers)
    second = client.post("/api/v1/complaints", json=complaint_payload, headers=headers)
    assert first.status_code == 201 and second.status_code == 200
    assert first.get_json()["tracking_code"] == second.get_json()["tracking_code"]
    assert count(Complaint) == 1


def test_idempotency_key_reused_with_other_content_is_refused(client, complaint_payload):
    headers = {"Idempotency-Key": "k-1"}
    assert (
        client.post("/api/v1/complaints", json=complaint_payload, headers=headers).status_code
        == 201
    )
    complaint_payload["content"] = "Một nội dung hoàn toàn khác về rác thải ở chợ."
    response = client.post("/api/v1/complaints", json=complaint_payload, headers=headers)
    assert response.status_code == 409
    assert count(Complaint) == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"content": "ngắn"}, "content"),
        ({"content": "x" * 10_001}, "content"),
        ({"content": None}, "content"),
        ({"channel": "fax"}, "channel"),
        ({"citizen": {"name": "A", "phone": "12345"}}, "citizen.phone"),
        ({"citizen": {"name": "A", "email": "khong-phai-email"}}, "citizen.email"),
        ({"citizen": {"phone": "0912345678"}}, "citizen.name"),
        ({"ward_code": 1}, "ward_code"),
        ({"ward_code": "abc"}, "ward_code"),
        ({"anonymous": "yes"}, "anonymous"),
    ],
)
def test_invalid_fields_get_field_messages_and_write_nothing(
    client, complaint_payload, change, field
):
    complaint_payload.update(change)
    response = client.post("/api/v1/complaints", json=complaint_payload)
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert field in response.get_json()["errors"]
    assert count(Complaint) == 0 and count(ComplaintEvent) == 0 and count(OutboxJob) == 0


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (b"{not json", "application/json"),
        (b'{"content": "\xff\xfe invalid utf8 here"}', "application/json"),
        (b"content=hello", "application/x-www-form-urlencoded"),
        (b"[1, 2, 3]", "application/json"),
    ],
)
def test_malformed_bodies_are_4xx(client, data, content_type):
    response = client.post("/api/v1/complaints", data=data, content_type=content_type)
    assert 400 <= response.status_code < 500
    assert response.content_type == "application/problem+json"
    assert count(Complaint) == 0


def test_oversized_body_is_413(client):
    from hotline.web.api import JSON_MAX_BYTES

    response = client.post(
        "/api/v1/complaints",
        data=b'{"content": "' + b"a" * (JSON_MAX_BYTES + 10) + b'"}',
        content_type="application/json",
    )
    assert response.status_code == 413
    assert count(Complaint) == 0


def test_status_needs_the_right_second_factor(client, complaint_payload):
    code = client.post("/api/v1/complaints", json=complaint_payload).get_json()["tracking_code"]
    ok = client.get(f"/api/v1/complaints/{code}?phone_last4=5678")
    assert ok.status_code == 200
    body = ok.get_json()
    assert body["tracking_code"] == code
    assert "citizen" not in body and "0912" not in ok.get_data(as_text=True)
    wrong = client.get(f"/api/v1/complaints/{code}?phone_last4=0000")
    unknown = client.get("/api/v1/complaints/AAAAA-AAAAA-AAAAA?phone_last4=5678")
    missing = client.get(f"/api/v1/complaints/{code}")
    assert wrong.status_code == unknown.status_code == missing.status_code == 404
    assert wrong.get_json() == unknown.get_json() == missing.get_json()


def test_agencies_list_has_all_communes(client):
    agencies = client.get("/api/v1/agencies").get_json()["agencies"]
    communes = [a for a in agencies if a["level"] == "commune"]
    assert len(communes) == 95
    assert {"code": "SNV", "name": "Sở Nội vụ", "level": "province", "ward_code": None} in agencies


def test_openapi_covers_every_api_route(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    documented = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = rule.rule.replace("<", "{").replace(">", "}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method.lower()) in documented, (path, method)


def test_citizens_never_see_internal_states(client, complaint_payload):
    code = client.post("/api/v1/complaints", json=complaint_payload).get_json()["tracking_code"]
    complaint = db.session.scalar(select(Complaint))
    assert complaint.state == "needs_review"  # no model here
    body = client.get(f"/api/v1/complaints/{code}?phone_last4=5678").get_json()
    assert (body["status"], body["status_label"]) == ("received", "Đã tiếp nhận")
