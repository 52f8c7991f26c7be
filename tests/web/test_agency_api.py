"""Inbox API: filters and paging, actions and their errors (problem+json), base64 attachments."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hotline.clock import utcnow
from hotline.complaints.models import Attachment
from hotline.extensions import db
from tests.handling_support import PDF, isolate_requests, make_item


@pytest.fixture(autouse=True)
def _isolated(app):
    """Each request sees only its own token's user."""
    isolate_requests(app)


@pytest.fixture
def staff_headers(make_user, token_for):
    """Bearer header of a Sở Xây dựng staff member."""
    return token_for(make_user("agency_staff", "SXD"))


def _act(client, headers, code, **body):
    return client.post(f"/api/v1/complaints/{code}/actions", headers=headers, json=body)


def test_inbox_filters_and_paging(client, staff_headers):
    late = make_item("accepted", deadline=utcnow() - timedelta(hours=1))
    for _ in range(4):
        make_item("assigned")
    body = client.get("/api/v1/inbox?per_page=2", headers=staff_headers).get_json()
    assert (body["total"], body["pages"], len(body["items"])) == (5, 3, 2)
    assert body["items"][0]["tracking_code"] == late.tracking_code  # most urgent first
    overdue = client.get("/api/v1/inbox?overdue=true", headers=staff_headers).get_json()
    assert [i["tracking_code"] for i in overdue["items"]] == [late.tracking_code]
    assert overdue["items"][0]["overdue"] is True
    for bad in ("?state=nope", "?per_page=1000", "?overdue=maybe", "?page=0", "?field=x"):
        response = client.get("/api/v1/inbox" + bad, headers=staff_headers)
        assert response.status_code == 422, bad
        assert response.content_type == "application/problem+json"


def test_actions_and_errors(client, staff_headers, make_user, token_for):
    c = make_item("assigned")
    code = c.tracking_code
    assert _act(client, staff_headers, code, action="fly").status_code == 422
    response = _act(client, staff_headers, code, action="answer", text="Đã xử lý xong việc.")
    assert response.status_code == 409 and response.get_json()["title"]
    assert _act(client, staff_headers, code, action="pause", reason="x y z").status_code == 403
    body = _act(client, staff_headers, code, action="accept").get_json()
    assert body["state"] == "accepted" and "answer" in body["allowed_actions"]
    response = _act(client, staff_headers, code, action="extend", reason="Cần xác minh", days=99)
    assert response.status_code == 422 and "days" in response.get_json()["errors"]
    body = _act(
        client, staff_headers, code, action="extend", reason="Cần xác minh", days=3
    ).get_json()
    assert body["extension_requests"][0]["status"] == "pending"
    supervisor = token_for(make_user("supervisor"))
    old_deadline = body["deadline"]
    body = _act(client, supervisor, code, action="approve_extension").get_json()
    assert body["state"] == "extended" and body["deadline"] > old_deadline
    body = _act(client, staff_headers, code, action="note", text="Đã liên hệ công dân").get_json()
    assert body["timeline"][-1]["action"] == "note" and body["timeline"][-1]["public"] is False
    bad_file = {"filename": "x.pdf", "content_base64": "%%%"}
    response = _act(
        client,
        staff_headers,
        code,
        action="answer",
        text="Đã xử lý xong việc.",
        attachment=bad_file,
    )
    assert response.status_code == 422 and "attachment" in response.get_json()["errors"]
    fake_pdf = {"filename": "x.pdf", "content_base64": base64.b64encode(b"MZ...").decode()}
    assert (
        _act(
            client,
            staff_headers,
            code,
            action="answer",
            text="Đã xử lý xong việc.",
            attachment=fake_pdf,
        ).status_code
        == 422
    )
    assert db.session.scalar(select(func.count(Attachment.id))) == 0
    pdf = {"filename": "bien-ban.pdf", "content_base64": base64.b64encode(PDF).decode()}
    body = _act(
        client, staff_headers, code, action="answer", text="Đã xử lý xong việc.", attachment=pdf
    ).get_json()
    assert body["state"] == "answered" and body["attachments"][0]["name"] == "bien-ban.pdf"
    assert _act(client, staff_headers, code, action="close").get_json()["state"] == "closed"


def test_return_leaves_the_inbox(client, staff_headers, fake_classifier):
    c = make_item("assigned")
    response = _act(client, staff_headers, c.tracking_code, action="return", reason="")
    assert response.status_code == 422
    response = _act(
        client,
        staff_headers,
        c.tracking_code,
        action="return",
        reason="Không thuộc thẩm quyền của Sở",
    )
    assert response.status_code == 200
    assert (
        client.get(
            f"/api/v1/complaints/{c.tracking_code}/detail", headers=staff_headers
        ).status_code
        == 404
    )


def test_openapi_documents_inbox_routes(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in (
        "/api/v1/inbox",
        "/api/v1/complaints/{code}/detail",
        "/api/v1/complaints/{code}/actions",
        "/api/v1/complaints/{code}/feedback",
    ):
        assert path in paths
