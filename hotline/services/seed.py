"""Seed data from DOMAIN.md: wards (from vietnam-provinces), agencies, routing defaults, SLA policy.

Idempotent: running it again updates names and adds what is missing, never duplicates.
"""

from __future__ import annotations

import logging
from datetime import date

import vietnam_provinces as vp
from sqlalchemy import func, select

from hotline.extensions import db
from hotline.models import Agency, RoutingRule, SlaPolicy, Ward

log = logging.getLogger(__name__)

PROVINCE_CODE = 75  # Đồng Nai after the 2025 merger with Bình Phước

# code, name, short name, level
PROVINCIAL_BODIES = [
    ("VPUBND", "Văn phòng UBND tỉnh Đồng Nai", "VP UBND tỉnh", "province"),
    ("SNV", "Sở Nội vụ", "Sở Nội vụ", "province"),
    ("STP", "Sở Tư pháp", "Sở Tư pháp", "province"),
    ("STC", "Sở Tài chính", "Sở Tài chính", "province"),
    ("SCT", "Sở Công Thương", "Sở Công Thương", "province"),
    ("SNNMT", "Sở Nông nghiệp và Môi trường", "Sở NN&MT", "province"),
    ("SXD", "Sở Xây dựng", "Sở Xây dựng", "province"),
    ("SKHCN", "Sở Khoa học và Công nghệ", "Sở KH&CN", "province"),
    ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch", "Sở VHTT&DL", "province"),
    ("SGDDT", "Sở Giáo dục và Đào tạo", "Sở GD&ĐT", "province"),
    ("SYT", "Sở Y tế", "Sở Y tế", "province"),
    ("TTT", "Thanh tra tỉnh", "Thanh tra tỉnh", "province"),
    ("BQLKCN", "Ban Quản lý các Khu công nghiệp", "BQL KCN", "province"),
    ("CAT", "Công an tỉnh", "Công an tỉnh", "province"),
    ("BHXH", "Bảo hiểm xã hội tỉnh", "BHXH tỉnh", "province"),
    ("DIENLUC", "Công ty Điện lực Đồng Nai", "Điện lực", "utility"),
    ("CAPNUOC", "Công ty Cấp nước Đồng Nai", "Cấp nước", "utility"),
]

# priority, field, kind, scope, keywords, agency code (None = commune of the place), explanation
DEFAULT_RULES = [
    (
        10,
        "urban_services",
        None,
        None,
        [
            "mất điện",
            "cúp điện",
            "cắt điện",
            "điện lực",
            "tiền điện",
            "hóa đơn điện",
            "điện áp",
            "điện yếu",
            "chập điện",
            "công tơ điện",
            "trạm biến áp",
        ],
        "DIENLUC",
        "cung cấp điện",
    ),
    (
        11,
        "urban_services",
        None,
        None,
        [
            "nước sinh hoạt",
            "cấp nước",
            "mất nước",
            "cúp nước",
            "nước máy",
            "nước sạch",
            "đồng hồ nước",
            "tiền nước",
            "nước yếu",
        ],
        "CAPNUOC",
        "cấp nước sinh hoạt",
    ),
    (
        12,
        "social",
        None,
        None,
        [
            "bảo hiểm xã hội",
            "bhxh",
            "bảo hiểm y tế",
            "bhyt",
            "thẻ bảo hiểm",
            "lương hưu",
            "thất nghiệp",
        ],
        "BHXH",
        "bảo hiểm",
    ),
    (13, "investment", None, None, ["khu công nghiệp", "kcn"], "BQLKCN", "trong khu công nghiệp"),
    (
        14,
        "traffic",
        None,
        None,
        [
            "đua xe",
            "xe quá tải",
            "csgt",
            "cảnh sát giao thông",
            "vi phạm giao thông",
            "lấn làn",
            "trật tự giao thông",
            "tai nạn giao thông",
            "quá tốc độ",
        ],
        "CAT",
        "trật tự giao thông",
    ),
    (
        15,
        "construction",
        None,
        None,
        ["giấy phép xây dựng", "cấp phép xây dựng", "gpxd"],
        "SXD",
        "cấp phép xây dựng",
    ),
    (20, "land", None, "commune", [], None, "vụ việc tại địa phương"),
    (21, "land", None, "province", [], "SNNMT", ""),
    (22, "environment", None, "commune", [], None, "vụ việc tại địa phương"),
    (23, "environment", None, "province", [], "SNNMT", ""),
    (24, "compensation", None, "commune", [], None, "UBND xã nơi có dự án"),
    (25, "compensation", None, "province", [], "SNNMT", "dự án cấp tỉnh"),
    (26, "investment", None, None, [], "STC", ""),
    (27, "construction", None, "commune", [], None, "trật tự xây dựng tại địa phương"),
    (28, "construction", None, "province", [], "SXD", ""),
    (29, "traffic", None, None, [], "SXD", ""),
    (30, "urban_services", None, "commune", [], None, "hạ tầng tại địa phương"),
    (31, "urban_services", None, "province", [], "SXD", ""),
    (32, "social", None, None, [], "SNV", ""),
    (33, "health", None, None, [], "SYT", ""),
    (34, "education", None, None, [], "SGDDT", ""),
    (35, "public_order", None, None, [], "CAT", ""),
    (
        36,
        "admin_procedure",
        None,
        "commune",
        [],
        None,
        "hồ sơ tại UBND xã; Sở Nội vụ được thông báo",
    ),
    (37, "admin_procedure", None, "province", [], "SNV", "cơ quan giữ hồ sơ chưa xác định"),
    # "other" has no rule on purpose: it goes to a supervisor (needs_review).
]

# kind, effective_from, accept_days, accept_unit, resolve_days, resolve_unit, legal basis
SLA_POLICIES = [
    (
        "khieu_nai",
        date(2012, 7, 1),
        10,
        "working",
        30,
        "calendar",
        "Luật Khiếu nại 2011, Điều 27–28: thụ lý 10 ngày làm việc; giải quyết 30 ngày",
    ),
    (
        "khieu_nai",
        date(2026, 7, 1),
        7,
        "working",
        30,
        "calendar",
        "Luật Khiếu nại (sửa đổi bởi Luật 136/2025/QH15), Nghị định 155/2026: thụ lý 7 ngày làm "
        "việc; giải quyết 30 ngày",
    ),
    (
        "to_cao",
        date(2019, 1, 1),
        7,
        "working",
        30,
        "calendar",
        "Luật Tố cáo 2018, Điều 24, 30: thụ lý 7 ngày làm việc; giải quyết 30 ngày",
    ),
    (
        "phan_anh",
        date(2014, 7, 1),
        1,
        "working",
        5,
        "working",
        "Luật Tiếp công dân 2013, Điều 28; thực tiễn 1022: chuyển 1 ngày, trả lời 5 ngày làm việc",
    ),
    (
        "kien_nghi",
        date(2014, 7, 1),
        1,
        "working",
        5,
        "working",
        "Luật Tiếp công dân 2013, Điều 28; thực tiễn 1022: chuyển 1 ngày, trả lời 5 ngày làm việc",
    ),
    (
        "hoi_dap",
        date(2014, 7, 1),
        None,
        "working",
        3,
        "working",
        "Thực tiễn Tổng đài 1022: trả lời trong 3 ngày làm việc",
    ),
]


def seed_wards() -> int:
    existing = {w.code: w for w in db.session.scalars(select(Ward))}
    count = 0
    for unit in vp.Ward.iter_all():
        if int(unit.province_code) != PROVINCE_CODE:
            continue
        code = int(unit.code)
        ward = existing.get(code) or Ward(code=code)
        ward.name = unit.name
        ward.division_type = str(unit.division_type.value)
        ward.codename = unit.codename
        ward.province_code = PROVINCE_CODE
        db.session.add(ward)
        count += 1
    return count


def commune_agency_code(ward_code: int) -> str:
    return f"UBND-{ward_code}"


def seed_agencies() -> int:
    existing = {a.code: a for a in db.session.scalars(select(Agency))}
    for code, name, short, level in PROVINCIAL_BODIES:
        agency = existing.get(code) or Agency(code=code)
        agency.name, agency.short_name, agency.level = name, short, level
        db.session.add(agency)
    db.session.flush()
    for ward in db.session.scalars(select(Ward).order_by(Ward.code)):
        code = commune_agency_code(ward.code)
        agency = existing.get(code) or Agency(code=code)
        agency.name = f"UBND {ward.name.replace('Phường', 'phường').replace('Xã', 'xã')}"
        agency.short_name = ward.name
        agency.level = "commune"
        agency.ward_code = ward.code
        db.session.add(agency)
    db.session.flush()
    return db.session.scalar(select(func.count(Agency.id))) or 0


def seed_routing_rules() -> int:
    """Load the default table once; after that the rules belong to the administrators."""
    if db.session.scalar(select(func.count(RoutingRule.id))):
        return 0
    agencies = {a.code: a for a in db.session.scalars(select(Agency))}
    for priority, field, kind, scope, keywords, code, explanation in DEFAULT_RULES:
        db.session.add(
            RoutingRule(
                priority=priority,
                field=field,
                kind=kind,
                scope=scope,
                keywords=keywords,
                agency=agencies[code] if code else None,
                local_commune=code is None,
                explanation=explanation,
            )
        )
    return len(DEFAULT_RULES)


def seed_sla_policies() -> int:
    if db.session.scalar(select(func.count(SlaPolicy.id))):
        return 0
    for kind, start, accept, accept_unit, resolve, resolve_unit, basis in SLA_POLICIES:
        db.session.add(
            SlaPolicy(
                kind=kind,
                effective_from=start,
                accept_days=accept,
                accept_unit=accept_unit,
                resolve_days=resolve,
                resolve_unit=resolve_unit,
                legal_basis=basis,
            )
        )
    return len(SLA_POLICIES)


def seed_all() -> dict[str, int]:
    counts = {
        "wards": seed_wards(),
        "agencies": seed_agencies(),
        "routing_rules": seed_routing_rules(),
        "sla_policies": seed_sla_policies(),
    }
    db.session.commit()
    log.info("seed.done %s", counts)
    return counts
