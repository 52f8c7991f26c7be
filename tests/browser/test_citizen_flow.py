"""End to end in a real browser: a citizen sends and looks up; an operator logs the next call."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from hotline.complaints.models import Complaint
from hotline.extensions import db

pytestmark = pytest.mark.browser

CONTENT = "Đèn chiếu sáng trên đường Bùi Văn Hòa bị hỏng cả tuần nay, buổi tối rất nguy hiểm."


def test_citizen_submits_and_checks_status_then_operator_logs_a_call(
    live_server, browser_page, make_user
):
    operator = make_user("operator")
    operator_id, operator_email = operator.id, operator.email
    db.session.remove()
    page = browser_page

    # --- citizen: web form ---
    page.goto(f"{live_server}/")
    page.get_by_label("Nội dung phản ánh, kiến nghị").fill(CONTENT)
    ward = page.get_by_role("combobox", name="Xã/phường nơi xảy ra sự việc")
    ward.type("trang dai")  # no diacritics: the server folds them
    page.locator(".ward-list [role=option]", has_text="Phường Trảng Dài").wait_for()
    ward.press("Enter")  # picks the option, must not submit the form
    assert page.url.rstrip("/") == live_server
    assert page.locator("select[name=ward_code]").input_value() == "25993"
    page.get_by_label("Họ và tên").fill("Nguyễn Văn An")
    page.get_by_label("Số điện thoại", exact=True).fill("0912 345 678")
    page.get_by_role("button", name="Gửi phản ánh").click()
    page.wait_for_url(re.compile(r"/gui-phan-anh/da-tiep-nhan$"))
    code = page.locator("[data-tracking-code]").inner_text().strip()
    assert re.fullmatch(r"[0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5}", code)

    # --- citizen: status page ---
    page.get_by_role("link", name="Tra cứu ngay").click()
    assert page.get_by_label("Mã tra cứu", exact=True).input_value() == code
    factor = page.get_by_label("4 số cuối số điện thoại (hoặc mã bí mật)")
    factor.fill("5678")
    factor.press("Enter")
    page.locator("[data-status-result]").wait_for()
    assert page.locator("[data-state]").inner_text().strip() == "Đã tiếp nhận"

    # --- operator: console ---
    page.context.clear_cookies()
    page.goto(f"{live_server}/dang-nhap")
    page.get_by_label("Email", exact=True).fill(operator_email)
    page.get_by_label("Mật khẩu").fill("matkhau-123")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(r"/can-bo/tong-dai$"))
    phone = page.get_by_label("Số điện thoại người gọi")
    assert page.evaluate("document.activeElement.name") == "phone"  # phone first, focused
    phone.type("0912345678")
    page.locator(f".history-item[data-code='{code}']").wait_for()
    assert "Đèn chiếu sáng" in page.locator("[data-history-list]").inner_text()
    phone.press("Enter")  # moves on, does not save
    assert page.evaluate("document.activeElement.name") == "channel"
    page.get_by_label("Họ tên người gọi").fill("Nguyễn Văn An")
    page.get_by_label("Họ tên người gọi").press("Enter")
    assert "/can-bo/tong-dai" in page.url
    assert not page.locator("[data-saved]").count()
    content = page.get_by_label("Nội dung phản ánh")
    content.fill("Gọi lại: đèn đường Bùi Văn Hòa vẫn chưa được sửa, đề nghị xử lý sớm.")
    content.press("Control+Enter")
    page.locator("[data-saved] [data-tracking-code]").wait_for()
    second = page.locator("[data-saved] [data-tracking-code]").inner_text().strip()
    assert second != code
    # A fresh empty form, phone focused again for the next call.
    assert page.get_by_label("Nội dung phản ánh").input_value() == ""
    assert page.evaluate("document.activeElement.name") == "phone"
    assert page.js_errors == []

    db.session.remove()
    saved = db.session.scalar(select(Complaint).where(Complaint.tracking_code == second))
    assert saved.channel == "phone"
    assert saved.created_by_id == operator_id
    assert saved.citizen_phone == "+84912345678"
    first = db.session.scalar(select(Complaint).where(Complaint.tracking_code == code))
    assert first.ward_code == 25993
    assert first.channel == "web"
