"""Agency inbox pages: filters, detail, action forms (CSRF, errors write nothing), attachments."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from hotline.clock import utcnow
from hotline.complaints.attachments import MAX_ATTACHMENT_BYTES
from hotline.complaints.models import Attachment, ComplaintEvent, IdentityGrant
from hotline.extensions import db
from tests.handling_support import (
    JPG,
    PDF,
    PNG,
    csrf_token,
    isolate_requests,
    make_item,
    office_file,
)


@pytest.fixture(autouse=True)
def _isolated(app):
    """Each request sees only its own client's login (see isolate_requests)."""
    isolate_requests(app)


@pytest.fixture
def staff(make_user, login_as):
    """An agency_staff of Sở Xây dựng, logged in."""
    user = make_user("agency_staff", "SXD")
    login_as(user)
    return user


def _events(complaint) -> int:
    return db.session.scalar(
        select(func.count(ComplaintEvent.id)).where(ComplaintEvent.complaint_id == complaint.id)
    )


def test_inbox_filters(client, staff):
    late = make_item("accepted", deadline=utcnow() - timedelta(hours=2))
    soon = make_item("accepted", deadline=utcnow() + timedelta(hours=3))
    later = make_item(
        "assigned",
        field="construction",
        content="Nhà số 5 xây dựng lấn chiếm vỉa hè, đề nghị xử lý.",
    )
    closed = make_item("closed")

    def codes(query: str) -> set[str]:
        html = client.get("/co-quan/" + query).get_data(as_text=True)
        return {c.tracking_code for c in (late, soon, later, closed) if c.tracking_code in html}

    # The inbox opens on the open items; "all states" is one choice away.
    assert codes("") == {late.tracking_code, soon.tracking_code, later.tracking_code}
    assert codes("?state=") == {
        late.tracking_code,
        soon.tracking_code,
        later.tracking_code,
        closed.tracking_code,
    }
    assert codes("?overdue=y") == {late.tracking_code}
    assert codes("?due_soon=y") == {soon.tracking_code}
    assert codes("?state=assigned") == {later.tracking_code}
    assert codes("?state=open") == {late.tracking_code, soon.tracking_code, later.tracking_code}
    assert codes("?field=construction") == {later.tracking_code}
    assert codes("?q=v%E1%BB%89a+h%C3%A8") == {later.tracking_code}  # "vỉa hè"
    assert codes("?q=" + closed.tracking_code) == {closed.tracking_code}


def test_inbox_paginates(client, staff):
    for _ in range(27):
        make_item("assigned")
    first = client.get("/co-quan/").get_data(as_text=True)
    assert first.count('data-code="') == 25 and 'rel="next"' in first
    assert client.get("/co-quan/?page=2").get_data(as_text=True).count('data-code="') == 2


def test_accept_with_csrf(client, staff):
    complaint = make_item("assigned")
    url = f"/co-quan/{complaint.tracking_code}"
    assert client.post(url + "/accept").status_code == 400  # no CSRF token
    assert complaint.state == "assigned"
    token = csrf_token(client, url)
    response = client.post(url + "/accept", data={"csrf_token": token})
    assert response.status_code == 302
    db.session.refresh(complaint)
    assert complaint.state == "accepted"
    assert "Cơ quan đã thụ lý" in client.get(url).get_data(as_text=True)


def test_form_errors_rerender_and_write_nothing(client, staff):
    complaint = make_item("assigned")
    url = f"/co-quan/{complaint.tracking_code}"
    token = csrf_token(client, url)
    before = _events(complaint)
    response = client.post(url + "/return", data={"csrf_token": token, "reason": ""})
    assert response.status_code == 422
    assert "Vui lòng nhập lý do trả lại" in response.get_data(as_text=True)
    response = client.post(url + "/answer", data={"csrf_token": token, "text": "x" * 50})
    assert response.status_code == 409  # not accepted yet
    db.session.refresh(complaint)
    assert complaint.state == "assigned" and _events(complaint) == before


def test_staff_cannot_take_supervisor_actions(client, staff):
    complaint = make_item("accepted")
    url = f"/co-quan/{complaint.tracking_code}"
    token = csrf_token(client, url)
    response = client.post(url + "/pause", data={"csrf_token": token, "reason": "Chờ giám định"})
    assert response.status_code == 403
    page = client.get(url).get_data(as_text=True)
    assert 'data-action="pause"' not in page and 'data-action="accept"' not in page


@pytest.mark.parametrize(
    ("name", "data", "ok"),
    [
        ("bao-cao.pdf", PDF, True),
        ("anh.PNG", PNG, True),
        ("anh.jpg", JPG, True),
        ("bien-ban.docx", office_file("word"), True),
        ("so-lieu.xlsx", office_file("xl"), True),
        ("so-lieu.xlsx", office_file("word"), False),  # a docx renamed
        ("virus.exe", b"MZ" + b"\x00" * 100, False),
        ("gia.pdf", b"MZ" + b"\x00" * 100, False),  # extension lies
        ("anh.png", PDF, False),
        ("khong-duoi", PDF, False),
        ("../../etc/passwd.pdf", PDF, True),  # the name is never a path
    ],
)
def test_answer_attachment_types(client, staff, settings, name, data, ok):
    complaint = make_item("accepted")
    url = f"/co-quan/{complaint.tracking_code}"
    token = csrf_token(client, url)
    files_before = set(settings.upload_dir.iterdir())
    response = client.post(
        url + "/answer",
        content_type="multipart/form-data",
        data={
            "csrf_token": token,
            "text": "Đơn vị đã sửa chữa xong, gửi kèm biên bản.",
            "attachment": (io.BytesIO(data), name),
        },
    )
    db.session.refresh(complaint)
    rows = db.session.scalars(select(Attachment)).all()
    if ok:
        assert response.status_code == 302
        assert complaint.state == "answered" and len(rows) == 1
        new_files = set(settings.upload_dir.iterdir()) - files_before
        assert [f.name for f in new_files] == [rows[0].stored_name]
        assert "/" not in rows[0].display_name and ".." not in rows[0].stored_name
        download = client.get(f"{url}/tep/{rows[0].id}")
        body = download.data
        download.close()
        assert download.status_code == 200 and body == data
    else:
        assert response.status_code == 422
        assert "Tệp đính kèm" in response.get_data(as_text=True) or "tệp" in response.get_data(
            as_text=True
        )
        assert complaint.state == "accepted" and rows == []
        assert set(settings.upload_dir.iterdir()) == files_before


@pytest.mark.parametrize("size", [MAX_ATTACHMENT_BYTES + 1, MAX_ATTACHMENT_BYTES + 2 * 2**20])
def test_answer_attachment_too_big(client, staff, settings, size):
    complaint = make_item("accepted")
    url = f"/co-quan/{complaint.tracking_code}"
    token = csrf_token(client, url)
    files_before = set(settings.upload_dir.iterdir())
    data = PDF + b"0" * (size - len(PDF))
    # Encoded in memory: the test client would otherwise spool it to a temp file it never closes.
    boundary, body = encode_multipart(
        {
            "csrf_token": token,
            "text": "Đơn vị đã sửa chữa xong.",
            "attachment": FileStorage(io.BytesIO(data), "lon.pdf"),
        }
    )
    response = client.post(
        url + "/answer", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code in (413, 422)
    db.session.refresh(complaint)
    assert complaint.state == "accepted"
    assert db.session.scalar(select(func.count(Attachment.id))) == 0
    assert set(settings.upload_dir.iterdir()) == files_before


def test_denouncer_identity_hidden_until_inspector_grants(client, app, make_user, login_as):
    complaint = make_item(
        "accepted", kind="to_cao", field="admin_procedure", citizen_email="an@example.vn"
    )
    url = f"/co-quan/{complaint.tracking_code}"
    staff = make_user("agency_staff", "SXD")
    login_as(staff)
    html = client.get(url).get_data(as_text=True)
    assert "data-protected" in html and "Nguyễn Văn An" not in html and "0912" not in html
    api = client.get(f"/api/v1/complaints/{complaint.tracking_code}/detail").get_json()
    assert api["contact"] is None
    assert _viewed(complaint) == 0

    inspector = make_user("inspector")
    other = app.test_client()
    _login(other, inspector, app)
    page = other.get(url).get_data(as_text=True)
    assert "Nguyễn Văn An" in page and _viewed(complaint) == 1
    token = csrf_token(other, url)
    bad = other.post(url + "/grant", data={"csrf_token": token, "reason": ""})
    assert bad.status_code == 422, bad.get_data(as_text=True)[-3000:]
    assert (
        other.post(
            url + "/grant", data={"csrf_token": token, "reason": "Phục vụ xác minh"}
        ).status_code
        == 302
    )
    assert db.session.scalar(select(func.count(IdentityGrant.id))) == 1

    seen = _viewed(complaint)  # every page the inspector saw was logged
    html = client.get(url).get_data(as_text=True)
    assert "Nguyễn Văn An" in html and "an@example.vn" in html
    assert _viewed(complaint) == seen + 1
    last = db.session.scalars(
        select(ComplaintEvent)
        .where(ComplaintEvent.action == "identity_viewed")
        .order_by(ComplaintEvent.id.desc())
    ).first()
    assert last.actor_id == staff.id and last.public is False


def _viewed(complaint) -> int:
    return db.session.scalar(
        select(func.count(ComplaintEvent.id)).where(
            ComplaintEvent.complaint_id == complaint.id, ComplaintEvent.action == "identity_viewed"
        )
    )


def _login(client, user, app):
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        assert (
            client.post(
                "/dang-nhap", data={"email": user.email, "password": "matkhau-123"}
            ).status_code
            == 302
        )
    finally:
        app.config["WTF_CSRF_ENABLED"] = True


def test_supervisor_pause_resume_reassign_split(client, make_user, login_as):
    login_as(make_user("supervisor"))
    complaint = make_item("accepted")
    url = f"/co-quan/{complaint.tracking_code}"
    token = csrf_token(client, url)
    assert (
        client.post(
            url + "/pause", data={"csrf_token": token, "reason": "Chờ giám định"}
        ).status_code
        == 302
    )
    assert (
        client.post(
            url + "/resume", data={"csrf_token": token, "reason": "Đã có kết quả"}
        ).status_code
        == 302
    )
    response = client.post(
        url + "/reassign", data={"csrf_token": token, "agency": "", "reason": "Sai cơ quan"}
    )
    assert response.status_code == 422
    assert (
        client.post(
            url + "/reassign",
            data={"csrf_token": token, "agency": "SYT", "reason": "Thuộc ngành y tế"},
        ).status_code
        == 302
    )
    db.session.refresh(complaint)
    assert complaint.state == "assigned" and complaint.agency.code == "SYT"

    mixed = make_item("needs_review", None)
    url = f"/co-quan/{mixed.tracking_code}"
    response = client.post(
        url + "/split",
        data={
            "csrf_token": token,
            "parts-0-content": "Khiếu nại quyết định thu hồi đất.",
            "parts-0-field": "land",
            "parts-0-kind": "khieu_nai",
            "parts-1-content": "Đường trước nhà có ổ gà.",
            "parts-1-field": "traffic",
            "parts-1-kind": "phan_anh",
        },
    )
    assert response.status_code == 302
    db.session.refresh(mixed)
    assert mixed.state == "split"
    assert "Đã tách thành" in client.get(url).get_data(as_text=True)


def test_outbox_page_for_admins(client, held_jobs, make_user, login_as):
    from hotline.complaints.models import OutboxJob

    complaint = make_item("assigned")
    db.session.add(
        OutboxJob(
            job="notify",
            complaint=complaint,
            attempts=2,
            payload={"notification": "assigned"},
            last_error="smtp: SMTPServerDisconnected",
        )
    )
    db.session.commit()
    login_as(make_user("admin"))
    html = client.get("/co-quan/quan-tri/hang-doi").get_data(as_text=True)
    assert "SMTPServerDisconnected" in html and complaint.tracking_code in html
    staff_client = client.application.test_client()
    _login(staff_client, make_user("agency_staff", "SXD"), client.application)
    assert staff_client.get("/co-quan/quan-tri/hang-doi").status_code == 403


def test_inbox_query_count_does_not_grow_with_items(client, staff, app):
    from sqlalchemy import event

    from hotline.extensions import db as _db

    def count_queries() -> int:
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(_db.engine, "before_cursor_execute", listener)
        try:
            assert client.get("/co-quan/").status_code == 200
        finally:
            event.remove(_db.engine, "before_cursor_execute", listener)
        return len(statements)

    make_item("assigned")
    few = count_queries()
    for _ in range(10):
        make_item("accepted")
    assert count_queries() == few


@pytest.mark.parametrize(
    "state",
    [
        "received",
        "needs_review",
        "assigned",
        "accepted",
        "extended",
        "paused",
        "answered",
        "closed",
        "returned",
        "reopened",
        "split",
    ],
)
def test_detail_renders_in_every_state(client, make_user, login_as, state):
    login_as(make_user("supervisor"))
    complaint = make_item(state, None if state in ("received", "needs_review") else "SXD")
    html = client.get(f"/co-quan/{complaint.tracking_code}").get_data(as_text=True)
    assert f'data-state="{state}"' in html
    assert ('data-action="resume"' in html) == (state == "paused")
    assert ('data-action="split"' in html) == (
        state in ("received", "needs_review", "assigned", "returned")
    )
