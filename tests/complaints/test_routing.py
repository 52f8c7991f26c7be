"""Routing over the seeded rules (DOMAIN.md defaults): field × scope × keywords × ward."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hotline.complaints.intake import parse_intake, submit_complaint
from hotline.complaints.models import Complaint
from hotline.complaints.routing import choose_route
from hotline.directory.models import Agency, RoutingRule
from hotline.extensions import db

pytestmark = pytest.mark.usefixtures("held_jobs")  # these tests run the jobs themselves

TAM_HIEP = 26017  # Phường Tam Hiệp
BAU_HAM = 26254  # Xã Bàu Hàm
LOCAL = "UBND"  # the commune of the place: UBND-<ward>


@pytest.mark.parametrize(
    ("field", "ward", "text", "expected"),
    [
        ("land", None, "Tranh chấp đất", "SNNMT"),
        ("land", TAM_HIEP, "Tranh chấp đất", LOCAL),
        ("environment", None, "Khói bụi", "SNNMT"),
        ("environment", BAU_HAM, "Mùi hôi trại heo", LOCAL),
        ("compensation", BAU_HAM, "Giá bồi thường thấp", LOCAL),
        ("compensation", None, "Giá bồi thường thấp", "SNNMT"),
        ("investment", None, "Dự án chậm tiến độ", "STC"),
        ("investment", TAM_HIEP, "Dự án chậm tiến độ", "STC"),
        ("investment", None, "Doanh nghiệp trong khu công nghiệp Amata", "BQLKCN"),
        ("investment", BAU_HAM, "Nhà máy ở KCN Bàu Xéo xả khói", "BQLKCN"),
        ("investment", None, "Cong ty trong khu cong nghiep", "BQLKCN"),  # no diacritics
        ("investment", None, "Dự án KCNX chậm", "STC"),  # whole words only
        ("construction", TAM_HIEP, "Xây nhà lấn hẻm", LOCAL),
        ("construction", TAM_HIEP, "Chậm cấp giấy phép xây dựng", "SXD"),
        ("construction", None, "Xây nhà lấn hẻm", "SXD"),
        ("traffic", None, "Ổ gà", "SXD"),
        ("traffic", TAM_HIEP, "Ổ gà", "SXD"),
        ("traffic", BAU_HAM, "Thanh niên đua xe mỗi tối", "CAT"),
        ("traffic", None, "Thanh nien DUA XE moi toi", "CAT"),
        ("urban_services", TAM_HIEP, "Khu phố bị mất điện cả ngày", "DIENLUC"),
        ("urban_services", None, "Mat dien lien tuc", "DIENLUC"),
        ("urban_services", BAU_HAM, "Cúp nước ba ngày", "CAPNUOC"),
        ("urban_services", TAM_HIEP, "Cống thoát nước bị nghẹt", LOCAL),
        ("urban_services", None, "Cống thoát nước bị nghẹt", "SXD"),
        ("social", None, "Chưa nhận được thẻ BHYT", "BHXH"),
        ("social", TAM_HIEP, "Chậm chi trợ cấp người có công", "SNV"),
        ("health", TAM_HIEP, "Bệnh viện thu phí cao", "SYT"),
        ("education", None, "Trường thu tiền", "SGDDT"),
        ("public_order", BAU_HAM, "Trộm cắp", "CAT"),
        ("admin_procedure", TAM_HIEP, "Hồ sơ trễ hạn", LOCAL),
        ("admin_procedure", None, "Hồ sơ trễ hạn", "SNV"),
        ("traffic", TAM_HIEP, "Mất điện đèn tín hiệu", "SXD"),  # the power keyword is per field
        ("other", None, "Không rõ", None),
        ("other", TAM_HIEP, "mất điện", None),
    ],
)
def test_default_routing(app, field, ward, text, expected):
    route = choose_route(field, "phan_anh", ward, text)
    if expected is None:
        assert route is None
        return
    assert route is not None
    code = f"UBND-{ward}" if expected == LOCAL else expected
    assert route.agency.code == code
    assert route.rule is not None and route.rule.active
    scope = "phạm vi cấp xã" if ward else "phạm vi cấp tỉnh"
    assert route.explanation.startswith(f"{route.agency.name} — lĩnh vực ")
    assert scope in route.explanation


def test_explanation_reads_like_the_issue(app):
    route = choose_route("land", "khieu_nai", None, "")
    assert route.explanation == "Sở Nông nghiệp và Môi trường — lĩnh vực đất đai, phạm vi cấp tỉnh"
    power = choose_route("urban_services", "phan_anh", TAM_HIEP, "Cúp điện")
    assert "từ khóa “cúp điện”" in power.explanation and power.keyword == "cúp điện"


def _agency(code: str) -> Agency:
    return db.session.scalar(select(Agency).where(Agency.code == code))


def test_kind_ward_and_priority(app):
    inspection = _agency("TTT")
    db.session.add_all(
        [
            RoutingRule(
                priority=1,
                field="admin_procedure",
                kind="to_cao",
                agency=inspection,
                explanation="tố cáo cán bộ",
            ),
            RoutingRule(
                priority=2,
                field="environment",
                ward_code=BAU_HAM,
                agency=_agency("SNNMT"),
                explanation="điểm nóng ô nhiễm",
            ),
        ]
    )
    db.session.flush()
    assert choose_route("admin_procedure", "to_cao", TAM_HIEP, "").agency is inspection
    assert "loại tố cáo" in choose_route("admin_procedure", "to_cao", None, "").explanation
    assert choose_route("admin_procedure", "phan_anh", TAM_HIEP, "").agency.code == "UBND-26017"
    assert choose_route("environment", "phan_anh", BAU_HAM, "").agency.code == "SNNMT"
    assert choose_route("environment", "phan_anh", TAM_HIEP, "").agency.code == "UBND-26017"


def test_inactive_rules_and_agencies_are_skipped(app):
    power = db.session.scalar(select(RoutingRule).where(RoutingRule.priority == 10))
    power.active = False
    db.session.flush()
    assert choose_route("urban_services", None, TAM_HIEP, "mất điện").agency.code == "UBND-26017"
    power.active = True
    _agency("DIENLUC").active = False
    db.session.flush()
    assert choose_route("urban_services", None, None, "mất điện").agency.code == "SXD"
    db.session.rollback()


def _submit(payload) -> Complaint:
    return submit_complaint(parse_intake(payload)).complaint


def test_auto_triage_resolves_place_then_routes_and_keeps_the_rule(
    app, fake_classifier, complaint_payload
):
    from hotline.complaints.triage import auto_triage

    fake_classifier.next = type(fake_classifier.next)("land", "phan_anh", 0.95, 0.95)
    complaint_payload["location_text"] = "tổ 3, KP 2, P. Tam Hiệp, TP Biên Hòa"
    complaint = _submit(complaint_payload)
    assert auto_triage(complaint) == "assigned"
    assert (complaint.ward_code, complaint.location_source) == (TAM_HIEP, "address")
    assert complaint.agency.code == "UBND-26017"
    rule = db.session.get(RoutingRule, complaint.routing_rule_id)
    assert (rule.field, rule.scope, rule.local_commune) == ("land", "commune", True)
    assert complaint.routing_explanation.startswith("UBND phường Tam Hiệp — lĩnh vực đất đai")


def test_unresolved_place_routes_at_province_scope(app, fake_classifier, complaint_payload):
    from hotline.complaints.triage import auto_triage

    fake_classifier.next = type(fake_classifier.next)("land", "phan_anh", 0.95, 0.95)
    complaint = _submit(complaint_payload)
    assert auto_triage(complaint) == "assigned"
    assert (complaint.ward_code, complaint.location_source) == (None, "unresolved")
    assert complaint.agency.code == "SNNMT"
    assert "phạm vi cấp tỉnh" in complaint.routing_explanation


def test_no_rule_means_needs_review_never_dropped(app, fake_classifier, complaint_payload):
    from hotline.complaints.triage import auto_triage

    fake_classifier.next = type(fake_classifier.next)("other", "phan_anh", 0.95, 0.95)
    complaint = _submit(complaint_payload)
    assert auto_triage(complaint) == "needs_review"
    assert complaint.agency is None and complaint.routing_rule_id is None


def test_manual_triage_keeps_the_matching_rule_or_says_it_was_chosen(
    app, make_user, complaint_payload
):
    from hotline.complaints.triage import manual_triage

    supervisor = make_user("supervisor")
    complaint_payload["location_text"] = "xã Bàu Hàm"
    complaint = _submit(complaint_payload)
    manual_triage(
        complaint, field="traffic", kind="phan_anh", agency=_agency("SXD"), actor=supervisor
    )
    assert complaint.ward_code == BAU_HAM and complaint.routing_rule_id is not None
    other = _submit({**complaint_payload, "content": "Ổ gà lớn trên tỉnh lộ 768, nguy hiểm."})
    manual_triage(other, field="traffic", kind="phan_anh", agency=_agency("CAT"), actor=supervisor)
    assert other.routing_rule_id is None
    assert other.routing_explanation.endswith("(do giám sát viên chọn)")
