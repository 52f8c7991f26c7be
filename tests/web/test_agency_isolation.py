"""Two agencies, every inbox route (pages and API): staff only ever reach their own items."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hotline.codes import new_tracking_code
from hotline.complaints.models import Attachment, ComplaintEvent
from hotline.extensions import db
from hotline.web.agency.actions import DONE_MESSAGES
from hotline.web.api.inbox import API_ACTIONS
from tests.handling_support import csrf_token, isolate_requests, make_item


@pytest.fixture(autouse=True)
def _isolated(app):
    """Each request sees only its own client's login."""
    isolate_requests(app)


@pytest.fixture
def two_agencies(app, make_user, settings):
    """Staff of Sở Xây dựng (A) and Sở Y tế (B); an item of B with an attachment."""
    mine = make_item("accepted", "SXD")
    theirs = make_item(
        "accepted",
        "SYT",
        field="health",
        content="Bệnh viện thu phí khám không đúng quy định, đề nghị kiểm tra.",
    )
    settings.upload_dir.mkdir(parents=True, exist_ok=True)
    (settings.upload_dir / "isolation-test.pdf").write_bytes(b"%PDF-1.4 test")
    att = Attachment(
        complaint=theirs,
        stored_name="isolation-test.pdf",
        display_name="a.pdf",
        extension="pdf",
        content_type="application/pdf",
        size=13,
        sha256="0" * 64,
    )
    db.session.add(att)
    db.session.commit()
    return {
        "a": make_user("agency_staff", "SXD"),
        "b": make_user("agency_staff", "SYT"),
        "mine": mine,
        "theirs": theirs,
        "attachment": att,
    }


def _events(c) -> int:
    return db.session.scalar(
        select(func.count(ComplaintEvent.id)).where(ComplaintEvent.complaint_id == c.id)
    )


def test_pages_hide_other_agencies_items(client, login_as, two_agencies):
    login_as(two_agencies["a"])
    theirs, mine = two_agencies["theirs"], two_agencies["mine"]
    for query in (
        "",
        "?state=accepted",
        "?state=open",
        "?field=health",
        "?overdue=y",
        "?due_soon=y",
        f"?q={theirs.tracking_code}",
        "?q=B%E1%BB%87nh+vi%E1%BB%87n",
    ):
        html = client.get("/co-quan/" + query).get_data(as_text=True)
        assert f'data-code="{theirs.tracking_code}"' not in html, query
    assert mine.tracking_code in client.get("/co-quan/").get_data(as_text=True)

    missing = client.get(f"/co-quan/{new_tracking_code()}")
    response = client.get(f"/co-quan/{theirs.tracking_code}")
    assert response.status_code == missing.status_code == 404
    assert theirs.tracking_code not in response.get_data(as_text=True)
    att = two_agencies["attachment"]
    assert client.get(f"/co-quan/{theirs.tracking_code}/tep/{att.id}").status_code == 404
    assert client.get(f"/co-quan/{mine.tracking_code}/tep/{att.id}").status_code == 404

    token = csrf_token(client, f"/co-quan/{mine.tracking_code}")
    before = _events(theirs)
    for action in DONE_MESSAGES:
        response = client.post(
            f"/co-quan/{theirs.tracking_code}/{action}",
            data={
                "csrf_token": token,
                "reason": "Thử truy cập trái phép",
                "text": "x" * 30,
                "days": "3",
                "agency": "SXD",
                "decision": "approve",
                "note": "x",
            },
        )
        assert response.status_code == 404, action
    db.session.refresh(theirs)
    assert theirs.state == "accepted" and theirs.agency.code == "SYT"
    assert _events(theirs) == before


def test_api_hides_other_agencies_items(client, token_for, two_agencies):
    headers = token_for(two_agencies["a"])
    theirs = two_agencies["theirs"]
    for query in (
        "",
        "?state=accepted",
        "?field=health",
        "?overdue=1",
        "?due_soon=1",
        f"?q={theirs.tracking_code}",
    ):
        body = client.get("/api/v1/inbox" + query, headers=headers).get_json()
        assert theirs.tracking_code not in {i["tracking_code"] for i in body["items"]}, query
    body = client.get("/api/v1/inbox", headers=headers).get_json()
    assert [i["tracking_code"] for i in body["items"]] == [two_agencies["mine"].tracking_code]

    missing = client.get(f"/api/v1/complaints/{new_tracking_code()}/detail", headers=headers)
    response = client.get(f"/api/v1/complaints/{theirs.tracking_code}/detail", headers=headers)
    assert response.status_code == missing.status_code == 404
    assert response.content_type == "application/problem+json"
    assert response.get_json() == missing.get_json()
    before = _events(theirs)
    for action in API_ACTIONS:
        response = client.post(
            f"/api/v1/complaints/{theirs.tracking_code}/actions",
            headers=headers,
            json={"action": action, "reason": "thử", "text": "x" * 30, "days": 3},
        )
        assert response.status_code == 404, action
    db.session.refresh(theirs)
    assert theirs.state == "accepted" and _events(theirs) == before


def test_own_agency_and_supervisor_see_it(client, app, token_for, make_user, two_agencies):
    theirs = two_agencies["theirs"]
    headers_b = token_for(two_agencies["b"])
    assert (
        client.get(
            f"/api/v1/complaints/{theirs.tracking_code}/detail", headers=headers_b
        ).status_code
        == 200
    )
    supervisor = token_for(make_user("supervisor"))
    codes = {
        i["tracking_code"]
        for i in client.get("/api/v1/inbox", headers=supervisor).get_json()["items"]
    }
    assert {theirs.tracking_code, two_agencies["mine"].tracking_code} <= codes
    orphan = make_user("agency_staff", "SCT")
    orphan.agency_id = None  # e.g. the agency was removed from the account: nothing at all
    db.session.commit()
    nobody = token_for(orphan)
    assert client.get("/api/v1/inbox", headers=nobody).get_json()["total"] == 0
    assert (
        client.get(f"/api/v1/complaints/{theirs.tracking_code}/detail", headers=nobody).status_code
        == 404
    )
    operator = token_for(make_user("operator"))
    assert client.get("/api/v1/inbox", headers=operator).status_code == 403


def test_anonymous_is_turned_away(client, two_agencies):
    code = two_agencies["theirs"].tracking_code
    assert client.get("/co-quan/").status_code == 302
    assert client.get(f"/co-quan/{code}").status_code == 302
    assert client.get("/api/v1/inbox").status_code == 401
    assert client.get(f"/api/v1/complaints/{code}/detail").status_code == 401
    assert (
        client.post(f"/api/v1/complaints/{code}/actions", json={"action": "accept"}).status_code
        == 401
    )
