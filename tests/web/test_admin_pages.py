"""Administration pages: permissions, validation (Vietnamese, 4xx), audit rows, the tester."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from hotline.audit import AuditLog
from hotline.directory.models import Agency, RoutingRule, SlaPolicy, User
from hotline.extensions import db


@pytest.fixture
def admin_client(app, make_user, login_as):
    """A client logged in as an admin, with CSRF off for its posts (CSRF has its own test)."""
    user = make_user("admin")
    client = login_as(user)
    app.config["WTF_CSRF_ENABLED"] = False
    yield client
    app.config["WTF_CSRF_ENABLED"] = True


def audit_rows(entity: str) -> list[AuditLog]:
    return list(db.session.scalars(select(AuditLog).where(AuditLog.entity == entity)))


VALID_RULE = {
    "priority": "5",
    "field": "environment",
    "kind": "",
    "scope": "",
    "keywords": "khu công nghiệp, KCN",
    "ward_code": "",
    "agency_code": "BQLKCN",
    "explanation": "ô nhiễm trong khu công nghiệp",
}


@pytest.mark.parametrize(
    ("role", "path", "status"),
    [
        ("operator", "/quan-tri/dinh-tuyen", 403),
        ("agency_staff", "/quan-tri/dinh-tuyen", 403),
        ("inspector", "/quan-tri/thoi-han", 403),
        ("supervisor", "/quan-tri/dinh-tuyen", 200),
        ("supervisor", "/quan-tri/thoi-han", 200),
        ("supervisor", "/quan-tri/co-quan", 200),
        ("supervisor", "/quan-tri/thu-dinh-tuyen", 200),
        ("supervisor", "/quan-tri/dinh-tuyen/moi", 403),
        ("supervisor", "/quan-tri/tai-khoan", 403),
        ("supervisor", "/quan-tri/nhat-ky", 403),
        ("admin", "/quan-tri/dinh-tuyen/moi", 200),
        ("admin", "/quan-tri/tai-khoan", 200),
        ("admin", "/quan-tri/nhat-ky", 200),
    ],
)
def test_permissions(app, make_user, login_as, role, path, status):
    user = make_user(role, "SXD" if role == "agency_staff" else None)
    assert login_as(user).get(path).status_code == status


def test_anonymous_is_sent_to_login(client):
    response = client.get("/quan-tri/dinh-tuyen")
    assert response.status_code == 302 and "/dang-nhap" in response.headers["Location"]


def test_supervisor_cannot_change_rules(app, make_user, login_as):
    client = login_as(make_user("supervisor"))
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        assert client.post("/quan-tri/dinh-tuyen/moi", data=VALID_RULE).status_code == 403
    finally:
        app.config["WTF_CSRF_ENABLED"] = True


def test_forms_need_csrf(app, make_user, login_as):
    client = login_as(make_user("admin"))
    response = client.post("/quan-tri/dinh-tuyen/moi", data=VALID_RULE)
    assert response.status_code == 400
    assert not audit_rows("routing_rule")


def test_create_rule_routes_and_is_audited(admin_client):
    response = admin_client.post("/quan-tri/dinh-tuyen/moi", data=VALID_RULE)
    assert response.status_code == 302
    rule = db.session.scalar(select(RoutingRule).where(RoutingRule.priority == 5))
    assert rule.keywords == ["khu công nghiệp", "KCN"] and rule.agency.code == "BQLKCN"
    [row] = audit_rows("routing_rule")
    assert (row.action, row.entity_id, row.before) == ("create", str(rule.id), None)
    assert row.after["agency"] == "BQLKCN" and row.actor.role == "admin"
    tester = admin_client.get(
        "/quan-tri/thu-dinh-tuyen",
        query_string={"field": "environment", "text": "Khói từ KCN Nhơn Trạch"},
    )
    assert "Ban Quản lý các Khu công nghiệp" in tester.get_data(as_text=True)


@pytest.mark.parametrize(
    ("changes", "field_name", "message"),
    [
        ({"priority": "abc"}, "priority", "Thứ tự ưu tiên phải là số nguyên"),
        ({"field": "weather"}, "field", "Lĩnh vực không hợp lệ"),
        ({"agency_code": ""}, "agency_code", "Cần chọn cơ quan xử lý"),
        ({"local_commune": "y"}, "agency_code", "không chọn cả hai"),
        (
            {"agency_code": "", "local_commune": "y", "scope": "province"},
            "scope",
            "Phạm vi cấp tỉnh không có xã/phường",
        ),
        ({"ward_code": "99999"}, "ward_code", "không thuộc danh mục"),
        ({"field": "", "keywords": ""}, "field", "ít nhất một điều kiện"),
    ],
)
def test_rule_validation(admin_client, changes, field_name, message):
    before = db.session.scalar(select(func.count(RoutingRule.id)))
    response = admin_client.post("/quan-tri/dinh-tuyen/moi", data={**VALID_RULE, **changes})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(RoutingRule.id))) == before
    assert not audit_rows("routing_rule")


def test_edit_and_deactivate_rule(admin_client):
    rule = db.session.scalar(select(RoutingRule).where(RoutingRule.priority == 10))
    assert admin_client.get(f"/quan-tri/dinh-tuyen/{rule.id}").status_code == 200
    data = {
        "priority": "10",
        "field": "urban_services",
        "keywords": "mất điện\nchập chờn",
        "agency_code": "DIENLUC",
        "explanation": "điện",
    }
    assert admin_client.post(f"/quan-tri/dinh-tuyen/{rule.id}", data=data).status_code == 302
    assert admin_client.post(f"/quan-tri/dinh-tuyen/{rule.id}/trang-thai").status_code == 302
    db.session.expire_all()
    rule = db.session.get(RoutingRule, rule.id)
    assert rule.keywords == ["mất điện", "chập chờn"] and rule.active is False
    update, deactivate = audit_rows("routing_rule")
    assert "cúp điện" in update.before["keywords"] and update.after["keywords"] == rule.keywords
    assert (deactivate.action, deactivate.before["active"], deactivate.after["active"]) == (
        "deactivate",
        True,
        False,
    )
    assert admin_client.get("/quan-tri/dinh-tuyen/999999").status_code == 404


def test_tester_explains_no_rule_and_requires_a_field(admin_client):
    page = admin_client.get(
        "/quan-tri/thu-dinh-tuyen", query_string={"field": "other", "text": "xã Bàu Hàm"}
    )
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "Không có quy tắc phù hợp" in body and "Xã Bàu Hàm" in body
    missing = admin_client.get("/quan-tri/thu-dinh-tuyen", query_string={"text": "x"})
    assert missing.status_code == 422 and "Cần chọn lĩnh vực" in missing.get_data(as_text=True)


def test_sla_versions_are_added_never_rewritten(admin_client):
    tomorrow = date.today() + timedelta(days=2)
    data = {
        "kind": "hoi_dap",
        "effective_from": tomorrow.isoformat(),
        "accept_days": "",
        "accept_unit": "working",
        "resolve_days": "2",
        "resolve_unit": "working",
        "legal_basis": "Quy chế mới của Tổng đài",
    }
    assert admin_client.post("/quan-tri/thoi-han", data=data).status_code == 302
    [row] = audit_rows("sla_policy")
    assert row.after["resolve_days"] == 2
    past = admin_client.post("/quan-tri/thoi-han", data={**data, "effective_from": "2026-01-01"})
    assert past.status_code == 422 and "Ngày hiệu lực phải sau hôm nay" in past.get_data(
        as_text=True
    )
    twice = admin_client.post("/quan-tri/thoi-han", data=data)
    assert twice.status_code == 422 and "Đã có phiên bản" in twice.get_data(as_text=True)
    bad = admin_client.post(
        "/quan-tri/thoi-han",
        data={**data, "effective_from": "mai", "resolve_days": "0", "legal_basis": ""},
    )
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "Ngày hiệu lực không hợp lệ" in text
    assert "Cần ghi căn cứ pháp lý" in text and "từ 1 đến 365" in text
    assert (
        db.session.scalar(select(func.count(SlaPolicy.id)).where(SlaPolicy.kind == "hoi_dap")) == 2
    )
    assert len(audit_rows("sla_policy")) == 1


def test_agency_email(admin_client):
    agency = db.session.scalar(select(Agency).where(Agency.code == "SXD"))
    old = agency.email
    try:
        ok = admin_client.post(
            "/quan-tri/co-quan/SXD/email", data={f"a{agency.id}-email": "XayDung@DongNai.gov.vn"}
        )
        assert ok.status_code == 302
        db.session.expire_all()
        assert db.session.get(Agency, agency.id).email == "xaydung@dongnai.gov.vn"
        [row] = audit_rows("agency")
        assert (row.entity_id, row.before, row.after) == (
            "SXD",
            {"email": old},
            {"email": "xaydung@dongnai.gov.vn"},
        )
        bad = admin_client.post(
            "/quan-tri/co-quan/SXD/email", data={f"a{agency.id}-email": "không-phải-email"}
        )
        assert bad.status_code == 422 and "Địa chỉ email không hợp lệ" in bad.get_data(as_text=True)
        assert admin_client.post("/quan-tri/co-quan/NOPE/email", data={}).status_code == 404
    finally:  # agencies are reference data kept between tests
        db.session.get(Agency, agency.id).email = old
        db.session.commit()


def test_create_user_and_lock(admin_client):
    data = {
        "email": "canbo@sxd.vn",
        "full_name": "Trần Thị Bình",
        "role": "agency_staff",
        "agency_code": "SXD",
        "password": "mat-khau-dai",
    }
    assert admin_client.post("/quan-tri/tai-khoan", data=data).status_code == 302
    user = db.session.scalar(select(User).where(User.email == "canbo@sxd.vn"))
    assert user.agency.code == "SXD" and user.check_password("mat-khau-dai")
    [row] = audit_rows("user_account")
    assert "password" not in str(row.after) and row.after["role"] == "agency_staff"
    again = admin_client.post(
        "/quan-tri/tai-khoan", data={**data, "agency_code": "", "password": "ngan"}
    )
    text = again.get_data(as_text=True)
    assert again.status_code == 422
    for message in (
        "Email này đã có tài khoản",
        "Cán bộ cơ quan phải thuộc một cơ quan",
        "Mật khẩu cần ít nhất 8 ký tự",
    ):
        assert message in text
    assert admin_client.post(f"/quan-tri/tai-khoan/{user.id}/trang-thai").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).active is False
    assert [r.action for r in audit_rows("user_account")] == ["create", "deactivate"]
    assert "canbo@sxd.vn" in admin_client.get("/quan-tri/nhat-ky").get_data(as_text=True)
