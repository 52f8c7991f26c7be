"""End to end over HTTP: submit → auto-triage → route → accept → answer → citizen rates → closed;
return → re-triage → re-route; reopen. Once with the stand-in model, once with the real one."""

from __future__ import annotations

import base64

import pytest
from sqlalchemy import select

from hotline.complaints.models import Complaint, RoutingCorrection
from hotline.directory.models import Agency
from hotline.extensions import db
from tests.conftest import FakePrediction
from tests.handling_support import PDF, csrf_token, isolate_requests

PHONE_LAST4 = "5678"


@pytest.fixture(autouse=True)
def _isolated(app):
    """Each request sees only its own client's login or token."""
    isolate_requests(app)


def submit(client, text: str) -> str:
    payload = {
        "content": text,
        "channel": "web",
        "citizen": {"name": "Trần Thị Bình", "phone": "0912 345 678", "email": "binh@example.vn"},
    }
    response = client.post("/api/v1/complaints", json=payload)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["tracking_code"]


def status(client, code: str) -> dict:
    return client.get(f"/api/v1/complaints/{code}?phone_last4={PHONE_LAST4}").get_json()


def act(client, headers, code, **body) -> dict:
    response = client.post(f"/api/v1/complaints/{code}/actions", headers=headers, json=body)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def staff_of(code: str, make_user, token_for) -> dict:
    """A token for a staff member of the agency the item is assigned to now."""
    complaint = db.session.scalar(select(Complaint).where(Complaint.tracking_code == code))
    db.session.refresh(complaint)
    return token_for(make_user("agency_staff", complaint.agency.code))


def ensure_routed(client, code, make_user, token_for, field="urban_services", agency="DIENLUC"):
    """The real model may be unsure: then a supervisor triages by hand, as in production."""
    complaint = db.session.scalar(select(Complaint).where(Complaint.tracking_code == code))
    db.session.refresh(complaint)
    if complaint.state == "needs_review":
        sup = token_for(make_user("supervisor"))
        response = client.post(
            f"/api/v1/complaints/{code}/triage",
            headers=sup,
            json={"field": field, "kind": "phan_anh", "agency": agency},
        )
        assert response.status_code == 200
    assert status(client, code)["status"] == "assigned"


def happy_path(client, app, make_user, token_for, text: str) -> str:
    code = submit(client, text)
    ensure_routed(client, code, make_user, token_for)
    staff = staff_of(code, make_user, token_for)
    inbox = client.get("/api/v1/inbox?state=assigned", headers=staff).get_json()
    assert code in [i["tracking_code"] for i in inbox["items"]]
    assert act(client, staff, code, action="accept")["state"] == "accepted"
    answer = "Điện lực đã thay dây và khôi phục cấp điện cho khu vực."
    pdf = {"filename": "bien-ban.pdf", "content_base64": base64.b64encode(PDF).decode()}
    assert (
        act(client, staff, code, action="answer", text=answer, attachment=pdf)["state"]
        == "answered"
    )
    # The citizen sees the answer on the status page and rates it there (form with CSRF).
    page_url = f"/tra-cuu/{code}?code={code}&factor={PHONE_LAST4}"
    page = client.get(page_url).get_data(as_text=True)
    assert answer in page and "data-feedback" in page and "bien-ban.pdf" in page
    token = csrf_token(client, page_url)
    bad = client.post(
        f"/tra-cuu/{code}/danh-gia",
        data={"csrf_token": token, "factor": PHONE_LAST4, "rating": "9"},
    )
    assert bad.status_code == 422 and status(client, code)["status"] == "answered"
    wrong = client.post(
        f"/tra-cuu/{code}/danh-gia", data={"csrf_token": token, "factor": "0000", "rating": "5"}
    )
    assert wrong.status_code == 404
    done = client.post(
        f"/tra-cuu/{code}/danh-gia",
        data={"csrf_token": token, "factor": PHONE_LAST4, "rating": "5"},
    )
    assert done.status_code == 303
    final = status(client, code)
    assert final["status"] == "closed" and final["answer"] == answer
    return code


def test_happy_path(client, app, fake_classifier, make_user, token_for):
    fake_classifier.next = FakePrediction("urban_services", "phan_anh", 0.95, 0.95)
    happy_path(
        client,
        app,
        make_user,
        token_for,
        "Khu phố 3 bị mất điện từ tối qua đến nay chưa có điện lại, đề nghị kiểm tra.",
    )


def test_return_retriage_reroute(client, app, fake_classifier, make_user, token_for):
    fake_classifier.next = FakePrediction("traffic", "phan_anh", 0.95, 0.95)
    code = submit(client, "Bệnh viện đa khoa thu tiền khám sai quy định, đề nghị kiểm tra.")
    assert status(client, code)["agency"]["code"] == "SXD"
    staff = staff_of(code, make_user, token_for)
    # Next time the model reads it right (health): re-triage routes to Sở Y tế by itself.
    fake_classifier.next = FakePrediction("health", "phan_anh", 0.95, 0.95)
    act(client, staff, code, action="return", reason="Nội dung thuộc ngành y tế")
    after = status(client, code)
    assert after["status"] == "assigned" and after["agency"]["code"] == "SYT"
    correction = db.session.scalar(select(RoutingCorrection))
    assert correction.wrong_agency.code == "SXD" and correction.field == "traffic"
    assert client.get(f"/api/v1/complaints/{code}/detail", headers=staff).status_code == 404
    new_staff = staff_of(code, make_user, token_for)
    assert act(client, new_staff, code, action="accept")["state"] == "accepted"


def test_return_to_same_agency_goes_to_supervisor(
    client, app, fake_classifier, make_user, token_for
):
    fake_classifier.next = FakePrediction("traffic", "phan_anh", 0.95, 0.95)
    code = submit(client, "Đường ĐT768 qua ấp 3 có nhiều ổ gà lớn, xe máy đi qua rất nguy hiểm.")
    staff = staff_of(code, make_user, token_for)
    act(client, staff, code, action="return", reason="Đường do xã quản lý")
    assert status(client, code)["agency"] is None  # needs_review: never back to SXD by itself
    sup = token_for(make_user("supervisor"))
    commune = db.session.scalar(select(Agency.code).where(Agency.level == "commune").limit(1))
    response = client.post(
        f"/api/v1/complaints/{code}/triage",
        headers=sup,
        json={"field": "traffic", "kind": "phan_anh", "agency": commune},
    )
    assert response.status_code == 200 and status(client, code)["status"] == "assigned"


def test_reopen(client, app, fake_classifier, make_user, token_for):
    fake_classifier.next = FakePrediction("urban_services", "phan_anh", 0.95, 0.95)
    code = submit(client, "Khu phố 3 bị mất điện từ tối qua đến nay chưa có điện lại.")
    staff = staff_of(code, make_user, token_for)
    act(client, staff, code, action="accept")
    act(client, staff, code, action="answer", text="Đã khôi phục cấp điện cho khu phố.")
    url = f"/api/v1/complaints/{code}/feedback"
    assert (
        client.post(
            url, json={"action": "reopen", "phone_last4": "0000", "reason": "Vẫn mất điện"}
        ).status_code
        == 404
    )
    response = client.post(url, json={"action": "reopen", "phone_last4": PHONE_LAST4, "reason": ""})
    assert response.status_code == 422
    response = client.post(
        url,
        json={
            "action": "reopen",
            "phone_last4": PHONE_LAST4,
            "reason": "Tối nay khu phố lại mất điện tiếp.",
        },
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "reopened" and body["agency"]["code"] == "DIENLUC"
    inbox = client.get("/api/v1/inbox?state=reopened", headers=staff).get_json()
    assert [i["tracking_code"] for i in inbox["items"]] == [code]
    act(client, staff, code, action="accept")
    act(client, staff, code, action="answer", text="Đã thay máy biến áp, cấp điện ổn định.")
    body = client.post(
        url, json={"action": "rate", "phone_last4": PHONE_LAST4, "rating": 4}
    ).get_json()
    assert body["status"] == "closed" and body["rating"] == 4


@pytest.mark.ml
def test_happy_path_with_real_model(client, app, make_user, token_for):
    from ml.artifacts import ArtifactError, default_model_dir
    from ml.predict import Classifier

    try:
        app.extensions["hotline_classifier"] = Classifier.load(default_model_dir())
    except ArtifactError as exc:
        pytest.skip(f"no trained model ({exc})")
    code = happy_path(
        client,
        app,
        make_user,
        token_for,
        "Khu phố 3 phường Trảng Dài bị mất điện từ tối qua đến nay, "
        "điện lực chưa khắc phục, đề nghị kiểm tra sớm.",
    )
    complaint = db.session.scalar(select(Complaint).where(Complaint.tracking_code == code))
    assert complaint.triage_results[0].source == "model"
