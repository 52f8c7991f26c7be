"""Seed data: pre-2025 district and township names that citizens still write → a current unit.

*Seed data, not logic.* The vietnam-provinces package (2025.10.1) carries only the 95 current
units of Đồng Nai (province 75) and no old→new table, so this list is kept by hand and kept
small. Source: Nghị quyết 202/2025/QH15 (Đồng Nai + Bình Phước) and Nghị quyết 1662/NQ-UBTVQH15
of 16/6/2025 (Đồng Nai's communes after the reorganisation). Only names with a current unit
*of the same name* are mapped; that unit is the best single guess for a whole former district,
so these matches carry a low confidence and staff can correct them. Former districts whose name
no current unit carries (huyện Vĩnh Cửu, huyện Bù Đốp, huyện Hớn Quản) are deliberately absent:
they resolve to provincial scope rather than to a guessed commune.
"""

from __future__ import annotations

# Former districts, towns and cities (huyện / thị xã / thành phố) → current ward code.
LEGACY_DISTRICTS: dict[str, int] = {
    # Đồng Nai before 1 July 2025
    "Biên Hòa": 26068,  # → Phường Biên Hòa
    "Long Khánh": 26080,  # → Phường Long Khánh
    "Trảng Bom": 26248,  # → Xã Trảng Bom
    "Thống Nhất": 26299,  # → Xã Thống Nhất
    "Định Quán": 26206,  # → Xã Định Quán
    "Tân Phú": 26116,  # → Xã Tân Phú
    "Xuân Lộc": 26425,  # → Xã Xuân Lộc
    "Cẩm Mỹ": 26341,  # → Xã Cẩm Mỹ
    "Long Thành": 26368,  # → Xã Long Thành
    "Nhơn Trạch": 26485,  # → Xã Nhơn Trạch
    # Bình Phước before 1 July 2025
    "Đồng Xoài": 25210,  # → Phường Đồng Xoài
    "Bình Long": 25326,  # → Phường Bình Long
    "Phước Long": 25217,  # → Phường Phước Long
    "Chơn Thành": 25432,  # → Phường Chơn Thành
    "Bù Đăng": 25396,  # → Xã Bù Đăng
    "Bù Gia Mập": 25222,  # → Xã Bù Gia Mập
    "Đồng Phú": 25363,  # → Xã Đồng Phú
    "Lộc Ninh": 25270,  # → Xã Lộc Ninh
    "Phú Riềng": 25264,  # → Xã Phú Riềng
}

# Former townships (thị trấn) that share their name with a current unit are matched by name;
# these are the names that two former townships shared, so the name alone cannot say which.
AMBIGUOUS_TOWNSHIPS: frozenset[str] = frozenset({"Tân Phú"})  # Tân Phú (Đồng Nai) / Đồng Phú (BP)
