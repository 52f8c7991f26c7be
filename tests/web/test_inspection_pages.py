"""Inspection pages: permissions, dashboard figures, plan workflow, uploads, exports, print page."""

from __future__ import annotations

import io
import re

import pytest
from tests.inspection.scenario import PERIOD, build_scenario
from openpyxl import load_workbook
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from hotline.audit import AuditLog
from hotline.extensions import db
from hotline.inspection.indicators import parse_period
from hotline.inspection.models import FindingDocument, InspectionLead, InspectionPlan, PlanItem
from hotline.inspection.plans import propose_plan


def csrf(client, url="/thanh-tra/") -> str:
    html = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


@pytest.fixture
def scenario(app):
    """The scenario complaints, by name."""
    return build_scenario()


@pytest.fixture
def inspector(make_user, login_as):
    """A logged-in inspector."""
    user = make_user("inspector")
    login_as(user)
    return user


def _plan(scenario) -> InspectionPlan:
    from tests.inspection.scenario import AS_OF

    plan = propose_plan(parse_period(PERIOD), None, as_of=AS_OF)
    db.session.commit()
    return plan


# -- permissions --------------------------------------------------------------------------
PAGES = [
    "/thanh-tra/",
    "/thanh-tra/ke-hoach",
    "/thanh-tra/trong-so",
    "/thanh-tra/danh-gia",
    f"/thanh-tra/chi-so.xlsx?period={PERIOD}",
]


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_is_sent_to_login(client, app, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/dang-nhap" in response.headers["Location"]


@pytest.mark.parametrize("role", ["operator", "agency_staff"])
def test_other_roles_get_403(client, make_user, login_as, role):
    login_as(make_user(role, "SNNMT" if role == "agency_staff" else None))
    for url in PAGES + ["/thanh-tra/nguon-tin"]:
        assert client.get(url).status_code == 403, url


def test_supervisor_reads_but_cannot_change(client, make_user, login_as, scenario):
    plan = _plan(scenario)
    login_as(make_user("supervisor"))
    for url in PAGES + [f"/thanh-tra/ke-hoach/{plan.id}", f"/thanh-tra/ke-hoach/{plan.id}/in"]:
        assert client.get(url).status_code == 200, url
    token = csrf(client)
    item = plan.items[0]
    response = client.post(
        f"/thanh-tra/muc/{item.id}/chuyen", data={"csrf_token": token, "to": "approved"}
    )
    assert response.status_code == 403
    response = client.post("/thanh-tra/trong-so", data={"csrf_token": token})
    assert response.status_code == 403
    assert db.session.get(PlanItem, item.id).state == "proposed"


# -- dashboard ----------------------------------------------------------------------------
def test_dashboard_shows_figures_and_chart_data(client, inspector, scenario):
    html = client.get(f"/thanh-tra/?period={PERIOD}").get_data(as_text=True)
    assert "vendor/chartjs/chart.umd.min.js" in html
    assert 'id="overdue-matrix"' in html
    row = re.search(r'<tr data-agency="SNNMT">(.*?)</tr>', html, re.S).group(1)
    assert "40,0%" in row and "2/5" in row
    assert '"months":' in html and "Đất đai" in html
    assert "quý III/2026" in html  # trend against the previous period


def test_dashboard_filters(client, inspector, scenario):
    html = client.get(f"/thanh-tra/?period={PERIOD}&agency=SYT").get_data(as_text=True)
    assert 'data-agency="SYT"' in html and 'data-agency="SNNMT"' not in html
    assert client.get("/thanh-tra/?period=2026-Q7").status_code == 422
    assert client.get("/thanh-tra/?field=nope").status_code == 422
    assert client.get("/thanh-tra/?agency=NOPE").status_code == 422
    assert client.get("/thanh-tra/co-quan/SNNMT").status_code == 200
    assert client.get("/thanh-tra/co-quan/NOPE").status_code == 404


def test_vendored_chart_library_is_served(client, app):
    response = client.get("/static/vendor/chartjs/chart.umd.min.js")
    assert response.status_code == 200
    assert b"Chart.js v4" in response.data[:200]
    response.close()


# -- exports ------------------------------------------------------------------------------
def test_indicators_xlsx_has_the_figures(client, inspector, scenario):
    response = client.get(f"/thanh-tra/chi-so.xlsx?period={PERIOD}")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.data))
    ws = wb["Theo cơ quan"]
    header = [c.value for c in ws[3]]
    rows = {
        r[0]: dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=4, values_only=True)
    }
    snnmt = rows["SNNMT"]
    # Hand-computed (tests/inspection/scenario.py); days late depend on "now" here, counts do not.
    assert snnmt["Số phản ánh tiếp nhận"] == 7
    assert snnmt["Trả lời đúng hạn"] == 2
    assert snnmt["Tỷ lệ trả lại (%)"] == 12.5
    assert snnmt["Tỷ lệ mở lại (%)"] == 25.0
    assert snnmt["Mức hài lòng (1–5)"] == 2.33
    assert snnmt["Vụ việc phản ánh lặp lại"] == 1
    assert snnmt["Tố cáo nặc danh có chứng cứ"] == 1
    assert rows["TỔNG"]["Số phản ánh tiếp nhận"] == 17
    assert rows["SXD"]["Tỷ lệ đúng hạn (%)"] == 100.0
    fields = {r[0]: r for r in wb["Theo lĩnh vực"].iter_rows(min_row=4, values_only=True)}
    assert fields["land"][2] == 6
    matrix = list(wb["Trễ hạn cơ quan × lĩnh vực"].iter_rows(values_only=True))
    assert "Đất đai" in matrix[0]
    assert any(r[0] == "SNNMT" and r[-1] == 3 for r in matrix[1:])


def test_plan_xlsx_and_print_page(client, inspector, scenario):
    plan = _plan(scenario)
    response = client.get(f"/thanh-tra/ke-hoach/{plan.id}.xlsx")
    wb = load_workbook(io.BytesIO(response.data))
    ws = wb["Kế hoạch"]
    first = [c.value for c in ws[5]]
    assert first[1] == "Sở Nông nghiệp và Môi trường"
    assert first[2] == plan.items[0].score
    assert "40,0%" in first[4]
    assert scenario["A3"].tracking_code in first[5]
    html = client.get(f"/thanh-tra/ke-hoach/{plan.id}/in").get_data(as_text=True)
    for text in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "UBND TỈNH ĐỒNG NAI",
        "SỞ NỘI VỤ",
        "Số:",
        "Đồng Nai, ngày",
        "V/v",
        "Nơi nhận:",
        "KẾ HOẠCH",
        "I. MỤC ĐÍCH",
        "inspection_print.css",
        "Sở Nông nghiệp và Môi trường",
    ):
        assert text in html, text


# -- plan workflow ------------------------------------------------------------------------
def test_propose_approve_conclude_follow_up(client, inspector, scenario):
    token = csrf(client)
    response = client.post(
        "/thanh-tra/ke-hoach/de-xuat", data={"csrf_token": token, "period": PERIOD}
    )
    assert response.status_code == 302
    plan = InspectionPlan.query.one()
    item = plan.items[0]
    url = f"/thanh-tra/muc/{item.id}"
    assert (
        client.post(
            f"{url}/sua",
            data={"csrf_token": token, "planned_start": "2027-02-01", "planned_end": "2027-01-01"},
        ).status_code
        == 422
    )
    assert (
        client.post(
            f"{url}/sua",
            data={
                "csrf_token": token,
                "planned_start": "2027-02-01",
                "planned_end": "2027-02-10",
                "focus_fields": ["land"],
                "note": "Ghi chú",
            },
        ).status_code
        == 302
    )
    for to in ("approved", "in_progress"):
        assert client.post(f"{url}/chuyen", data={"csrf_token": token, "to": to}).status_code == 302
    # Concluding without a finding is refused with a clear message.
    response = client.post(f"{url}/chuyen", data={"csrf_token": token, "to": "concluded"})
    assert response.status_code == 409
    assert "ít nhất một kết quả" in response.get_data(as_text=True)
    assert (
        client.post(f"{url}/ket-qua", data={"csrf_token": token, "violations": ""}).status_code
        == 422
    )
    response = client.post(
        f"{url}/ket-qua",
        data={
            "csrf_token": token,
            "violations": "Chậm giải quyết 3 phản ánh đất đai.",
            "severity": "serious",
            "responsible_unit": "Phòng Quản lý đất đai",
            "recommendations": ["discipline", "process_fix"],
        },
    )
    assert response.status_code == 302
    assert (
        client.post(f"{url}/chuyen", data={"csrf_token": token, "to": "concluded"}).status_code
        == 302
    )
    assert (
        client.post(
            f"{url}/chuyen",
            data={"csrf_token": token, "to": "follow_up_done", "note": "Đã khắc phục"},
        ).status_code
        == 302
    )
    db.session.expire_all()
    item = db.session.get(PlanItem, item.id)
    assert item.state == "follow_up_done" and item.focus_fields == ["land"]
    assert AuditLog.query.filter_by(entity="plan_item", entity_id=str(item.id)).count() >= 6
    html = client.get(f"/thanh-tra/ke-hoach/{plan.id}").get_data(as_text=True)
    assert "Chậm giải quyết 3 phản ánh đất đai." in html


def test_document_upload_checks_type_and_size(client, inspector, scenario):
    from hotline.inspection.plans import add_finding, transition_item

    plan = _plan(scenario)
    item = plan.items[0]
    transition_item(item, "approved", None)
    transition_item(item, "in_progress", None)
    finding = add_finding(item, None, violations="Trễ hạn.")
    db.session.commit()
    token = csrf(client)
    url = f"/thanh-tra/ket-qua/{finding.id}/tai-lieu"

    def post(name, data, doc_type="ket_luan"):
        # Encoded in memory: the test client would otherwise spool big files to a temp file
        # it never closes.
        boundary, body = encode_multipart(
            {
                "csrf_token": token,
                "doc_type": doc_type,
                "document": FileStorage(io.BytesIO(data), name),
            }
        )
        return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")

    assert post("ket-luan.pdf", b"%PDF-1.4 ket luan").status_code == 302
    assert post("ket-luan.exe", b"MZ").status_code == 422
    assert post("gia-mao.pdf", b"<html>").status_code == 422
    assert post("bien-ban.pdf", b"%PDF-" + b"0" * (1024 * 1024), "bien_ban").status_code == 302
    assert post("loai-sai.pdf", b"%PDF-1.4", "bogus").status_code == 422
    # Over the document cap (10 MB) but under the request cap: refused by the type/size check.
    response = post("qua-lon.pdf", b"%PDF-" + b"0" * (11 * 1024 * 1024))
    assert response.status_code == 422
    assert "vượt quá" in response.get_data(as_text=True)
    # Over the whole-request cap: refused before the view runs.
    response = post("rat-lon.pdf", b"%PDF-" + b"0" * (13 * 1024 * 1024))
    assert response.status_code == 413
    assert "vượt quá giới hạn" in response.get_data(as_text=True)
    assert FindingDocument.query.count() == 2
    doc = FindingDocument.query.order_by(FindingDocument.id).first()
    response = client.get(f"/thanh-tra/tai-lieu/{doc.id}")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    response.close()


def test_weights_editor_creates_a_version(client, inspector, app):
    from hotline.inspection.risk import DEFAULT_PARAMS, DEFAULT_WEIGHTS

    token = csrf(client, "/thanh-tra/trong-so")
    form = {
        "csrf_token": token,
        "min_received": "3",
        "plan_threshold": "20",
        "max_items": "5",
        "note": "Tăng trọng số trả lại",
    }
    form |= {f"w_{k}": str(v) for k, v in DEFAULT_WEIGHTS.items()}
    form |= {f"cap_{k}": str(v) for k, v in DEFAULT_PARAMS["caps"].items()}
    form |= {f"t_{k}": str(v) for k, v in DEFAULT_PARAMS["triggers"].items()}
    form["w_returned"] = "25"
    assert client.post("/thanh-tra/trong-so", data=form).status_code == 302
    from hotline.inspection.risk import current_weights

    current = current_weights()
    assert current.version == 2 and current.weights["returned"] == 25
    assert current.params["min_received"] == 3
    form["w_late"] = "abc"
    assert client.post("/thanh-tra/trong-so", data=form).status_code == 422
    assert current_weights().version == 2


def test_evaluation_page(client, inspector, scenario):
    token = csrf(client, "/thanh-tra/danh-gia?year=2026")
    response = client.post(
        "/thanh-tra/danh-gia?year=2026", data={"csrf_token": token, "action": "evaluate"}
    )
    assert response.status_code == 302
    html = client.get("/thanh-tra/danh-gia?year=2026").get_data(as_text=True)
    assert re.search(r'data-agency="SXD">.*?Hoàn thành xuất sắc nhiệm vụ', html, re.S)
    assert client.get("/thanh-tra/danh-gia?year=1500").status_code == 422


def test_mark_lead_page(client, inspector, scenario):
    token = csrf(client, "/thanh-tra/nguon-tin")
    code = scenario["L1"].tracking_code
    data = {"csrf_token": token, "tracking_code": code, "agency": "SXD", "note": "Có ảnh"}
    assert client.post("/thanh-tra/nguon-tin", data=data).status_code == 302
    assert client.post("/thanh-tra/nguon-tin", data=data).status_code == 422  # twice
    bad = data | {"tracking_code": "KHONG-CO"}
    assert client.post("/thanh-tra/nguon-tin", data=bad).status_code == 422
    assert InspectionLead.query.count() == 2  # the scenario's own + this one
    assert (
        client.post(
            "/thanh-tra/nguon-tin", data={"tracking_code": code, "agency": "SXD"}
        ).status_code
        == 400
    )
