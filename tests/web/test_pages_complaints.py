"""Staff complaint list and detail: filters, pagination, agency isolation, protected identities."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hotline.complaints.intake import IntakeData, submit_complaint
from hotline.complaints.models import Complaint, ComplaintEvent
from hotline.complaints.triage import manual_triage
from hotline.directory.models import Agency
from hotline.extensions import db


@pytest.fixture
def supervisor(make_user):
    return make_user("supervisor")


@pytest.fixture
def make_complaint(app, supervisor, held_jobs):
    """make_complaint(agency="SXD", kind=..., channel=..., confidential=...) -> Complaint."""

    def _make(
        agency: str | None = None,
        *,
        field: str = "traffic",
        kind: str = "phan_anh",
        channel: str = "web",
        confidential: bool = False,
        content: str | None = None,
        name: str = "Lê Văn Cường",
        phone: str = "+84912345678",
    ) -> Complaint:
        data = IntakeData(
            content=content or "Mặt đường Võ Thị Sáu có ổ gà sâu, cần sửa gấp trước mùa mưa.",
            channel=channel,
            name=name,
            phone=phone,
            confidential=confidential,
        )
        complaint = submit_complaint(data).complaint
        if agency:
            target = db.session.scalar(select(Agency).where(Agency.code == agency))
            manual_triage(complaint, field=field, kind=kind, agency=target, actor=supervisor)
            db.session.commit()
        return complaint

    return _make


@pytest.mark.parametrize("role", ["operator", "supervisor", "inspector", "admin", "agency_staff"])
def test_list_renders_for_every_staff_role(make_user, login_as, make_complaint, role):
    make_complaint("SXD")
    client = login_as(make_user(role, "SXD" if role == "agency_staff" else None))
    response = client.get("/can-bo/phan-anh")
    assert response.status_code == 200
    assert "Danh sách phản ánh" in response.get_data(as_text=True)


def test_list_and_detail_need_login(client, make_complaint):
    code = make_complaint().tracking_code
    for url in ("/can-bo/phan-anh", f"/can-bo/phan-anh/{code}"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/dang-nhap" in response.headers["Location"]


def test_agency_staff_see_only_their_agency(make_user, login_as, make_complaint):
    mine = make_complaint("SXD")
    theirs = make_complaint("SYT", field="health")
    unassigned = make_complaint()
    client = login_as(make_user("agency_staff", "SXD"))
    html = client.get("/can-bo/phan-anh").get_data(as_text=True)
    assert mine.tracking_code in html
    assert theirs.tracking_code not in html
    assert unassigned.tracking_code not in html
    assert client.get(f"/can-bo/phan-anh/{mine.tracking_code}").status_code == 200
    assert client.get(f"/can-bo/phan-anh/{theirs.tracking_code}").status_code == 404
    assert client.get(f"/can-bo/phan-anh/{unassigned.tracking_code}").status_code == 404
    # Searching for another agency's code finds nothing either.
    html = client.get(f"/can-bo/phan-anh?q={theirs.tracking_code}").get_data(as_text=True)
    assert f'data-code="{theirs.tracking_code}"' not in html
    assert "Tìm thấy 0 phản ánh" in html


def test_agency_staff_without_agency_see_nothing(make_user, login_as, make_complaint):
    make_complaint()  # unassigned: agency_id IS NULL must not match a user without agency
    user = make_user("agency_staff", "SXD")
    user.agency_id = None
    db.session.commit()
    html = login_as(user).get("/can-bo/phan-anh").get_data(as_text=True)
    assert "Tìm thấy 0 phản ánh" in html


def test_filters_and_code_search(login_as, supervisor, make_complaint):
    road = make_complaint("SXD", channel="phone")
    school = make_complaint("SGDDT", field="education")
    new = make_complaint()
    client = login_as(supervisor)

    def codes(query: str) -> set[str]:
        html = client.get(f"/can-bo/phan-anh?{query}").get_data(as_text=True)
        return {
            c
            for c in (road.tracking_code, school.tracking_code, new.tracking_code)
            if f'data-code="{c}"' in html
        }

    assert codes("") == {road.tracking_code, school.tracking_code, new.tracking_code}
    assert codes("state=received") == {new.tracking_code}
    assert codes("state=assigned&field=education") == {school.tracking_code}
    assert codes("channel=phone") == {road.tracking_code}
    assert codes(f"q={road.tracking_code.lower()}") == {road.tracking_code}
    assert codes(f"q={road.tracking_code[:5]}") >= {road.tracking_code}
    assert codes("q=%25") == {road.tracking_code, school.tracking_code, new.tracking_code}
    assert codes("q=ZZZZZZZZ") == set()


def test_list_is_paginated(login_as, supervisor, make_complaint):
    for _ in range(27):
        make_complaint()
    client = login_as(supervisor)
    first = client.get("/can-bo/phan-anh").get_data(as_text=True)
    second = client.get("/can-bo/phan-anh?page=2").get_data(as_text=True)
    assert first.count('<tr data-code="') == 25
    assert second.count('<tr data-code="') == 2
    assert "trang 1/2" in first
    assert 'rel="next"' in first
    assert client.get("/can-bo/phan-anh?page=99").status_code == 200
    assert client.get("/can-bo/phan-anh?page=abc").status_code == 200


def test_detail_shows_content_contact_triage_routing_and_internal_timeline(
    login_as, supervisor, make_complaint, fake_classifier
):
    from hotline.complaints.triage import auto_triage

    complaint = make_complaint()
    fake_classifier.next = type(fake_classifier.next)("traffic", "phan_anh", 0.91, 0.88)
    auto_triage(complaint)
    db.session.commit()
    html = (
        login_as(supervisor)
        .get(f"/can-bo/phan-anh/{complaint.tracking_code}")
        .get_data(as_text=True)
    )
    assert "Mặt đường Võ Thị Sáu" in html
    assert "Lê Văn Cường" in html
    assert "+84912345678" in html
    assert "Mô hình" in html
    assert "91%" in html
    assert "88%" in html
    assert "fake-1" in html
    assert complaint.routing_explanation
    assert complaint.routing_explanation in html
    assert "Nội bộ" in html
    assert "Đã phân loại" in html


@pytest.mark.parametrize("role", ["agency_staff", "operator"])
def test_protected_identity_is_hidden(make_user, login_as, make_complaint, role):
    denunciation = make_complaint("SNV", field="admin_procedure", kind="to_cao")
    confidential = make_complaint("SNV", field="admin_procedure", confidential=True)
    client = login_as(make_user(role, "SNV" if role == "agency_staff" else None))
    for complaint in (denunciation, confidential):
        html = client.get(f"/can-bo/phan-anh/{complaint.tracking_code}").get_data(as_text=True)
        assert "Thông tin người tố cáo được bảo mật" in html
        assert "Lê Văn Cường" not in html
        assert "+84912345678" not in html
        assert "5678" not in html


def test_supervisor_viewing_a_protected_identity_is_recorded(login_as, supervisor, make_complaint):
    complaint = make_complaint("SNV", field="admin_procedure", kind="to_cao")
    html = (
        login_as(supervisor)
        .get(f"/can-bo/phan-anh/{complaint.tracking_code}")
        .get_data(as_text=True)
    )
    assert "Lê Văn Cường" in html
    assert "lượt xem này đã được ghi lại" in html
    viewed = db.session.scalar(
        select(ComplaintEvent).where(ComplaintEvent.action == "identity_viewed")
    )
    assert viewed.actor_id == supervisor.id
    assert viewed.public is False


def test_unknown_code_is_404(login_as, supervisor):
    client = login_as(supervisor)
    assert client.get("/can-bo/phan-anh/khong-co").status_code == 404
    from hotline.codes import new_tracking_code

    assert client.get(f"/can-bo/phan-anh/{new_tracking_code()}").status_code == 404


def test_detail_of_an_unassigned_item_is_not_shown_to_agency_staff(
    make_user, login_as, make_complaint
):
    complaint = make_complaint()
    assert db.session.get(Complaint, complaint.id).agency_id is None
    client = login_as(make_user("agency_staff", "SXD"))
    assert client.get(f"/can-bo/phan-anh/{complaint.tracking_code}").status_code == 404
