"""Location: the 95 units with/without diacritics and prefixes, misspellings, old names."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hotline.complaints.models import Complaint
from hotline.directory.location import locate_complaint, resolve_location
from hotline.directory.models import Ward
from hotline.extensions import db


def code_of(name: str) -> int:
    return db.session.scalar(select(Ward.code).where(Ward.name == name))


@pytest.mark.parametrize(
    ("address", "ward"),
    [
        ("Phường Tam Hiệp", "Phường Tam Hiệp"),
        ("tổ 5, khu phố 3, phường Trảng Dài, TP Biên Hòa", "Phường Trảng Dài"),
        ("phuong tam hiep", "Phường Tam Hiệp"),  # no diacritics
        ("P.Tam Hiệp", "Phường Tam Hiệp"),
        ("P. Long Bình", "Phường Long Bình"),
        ("F.Tam Hiep", "Phường Tam Hiệp"),
        ("X.Bàu Hàm", "Xã Bàu Hàm"),
        ("ấp 2, xa Bau Ham", "Xã Bàu Hàm"),
        ("Bàu Hàm, Đồng Nai", "Xã Bàu Hàm"),  # a bare name is fine in an address
        ("phường Thống Nhất, Biên Hòa", "Phường Biên Hòa"),  # the former city, best guess
        ("Phường Bình Phước, Đồng Nai", "Phường Bình Phước"),
        ("xã Bầu Hàm", "Xã Bàu Hàm"),  # misspelt tone
        ("ấp 2, xã Dầu Dây", "Xã Dầu Giây"),  # d/gi by ear
        ("xã Da Kiệm", "Xã Gia Kiệm"),
        ("xã Nhân Trạch", "Xã Nhơn Trạch"),  # one letter off
        ("xã Đắk Lua", "Xã Đak Lua"),
        ("xã Lộc Thạnh", "Xã Lộc Thạnh"),  # Lộc Thành / Lộc Thạnh differ only by a tone
        ("xã Lộc Thành", "Xã Lộc Thành"),
        ("xã Phước Tân", "Phường Phước Tân"),  # a former xã that is a phường now
        # Pre-2025 names (seed table directory/legacy_units.py)
        ("thị trấn Long Thành, huyện Long Thành", "Xã Long Thành"),
        ("huyện Trảng Bom", "Xã Trảng Bom"),
        ("xã Hố Nai 3, huyện Trảng Bom", "Xã Trảng Bom"),  # an old commune: the district decides
        ("TP. Long Khánh", "Phường Long Khánh"),
        ("TX Bình Long, tỉnh Bình Phước", "Phường Bình Long"),
        ("huyện Bù Đăng, Bình Phước", "Xã Bù Đăng"),
    ],
)
def test_address_is_resolved(app, address, ward):
    result = resolve_location(None, address)
    assert (result.source, result.ward_code) == ("address", code_of(ward)), result


@pytest.mark.parametrize(
    "address",
    [
        "huyện Vĩnh Cửu",  # no current unit carries the name: provincial scope, not a guess
        "tỉnh Bình Phước",  # a former province, not Phường Bình Phước
        "phường Thống Nhất",  # the old ward of Biên Hòa, not today's Xã Thống Nhất
        "quận Tân Phú",  # Hồ Chí Minh City
        "thị trấn Tân Phú",  # two former townships had this name
        "xa Loc Thanh",  # Lộc Thành or Lộc Thạnh: cannot tell without the tone
        "số 12 đường Thống Nhất",
        "",
    ],
)
def test_unresolved_address_means_provincial_scope(app, address):
    assert resolve_location(None, address).ward_code is None


@pytest.mark.parametrize(
    ("text", "ward"),
    [
        ("Rác thải đổ bừa bãi ở xã Bàu Hàm mấy tuần nay.", "Xã Bàu Hàm"),
        ("Đường ở P.Tân Triều ngập sâu mỗi khi mưa", "Phường Tân Triều"),
        ("Tôi ở Trảng Bom, đường hư hỏng", None),  # a bare name in free text is not trusted
        ("Cơ quan Tân Phú chậm trả hồ sơ", None),  # "cơ quan" is not "quận"
        ("Chính quyền địa phương Long Bình chậm xử lý", None),  # "phương" is not "phường"
        ("Nhà máy xả thải ra Sông Ray", None),  # "xả" is not "xã"
    ],
)
def test_text_needs_a_prefix(app, text, ward):
    result = resolve_location(None, None, text)
    assert result.ward_code == (code_of(ward) if ward else None)
    assert result.source == ("text" if ward else "unresolved")


def test_given_code_wins_over_address_and_text(app):
    given = code_of("Phường Long Bình")
    result = resolve_location(given, "xã Bàu Hàm", "ở phường Tam Hiệp")
    assert (result.ward_code, result.source, result.confidence) == (given, "given", 1.0)


def test_problem_place_then_text_then_home_address(app):
    tam_hiep, bau_ham = code_of("Phường Tam Hiệp"), code_of("Xã Bàu Hàm")
    assert resolve_location(None, None, "ở phường Tam Hiệp", "xã Bàu Hàm").ward_code == tam_hiep
    assert resolve_location(None, None, "đường hư", "xã Bàu Hàm").ward_code == bau_ham


def test_locate_complaint_stores_how_it_was_resolved(app):
    c = Complaint(
        tracking_code="PA-LOC-1", channel="web", content="Ổ gà ở xa Bau Ham", citizen_address=None
    )
    db.session.add(c)
    db.session.flush()
    locate_complaint(c)
    assert c.ward_code == code_of("Xã Bàu Hàm")
    assert (c.location_source, c.location_confidence, c.location_match) == ("text", 1.0, "bau ham")
    c2 = Complaint(tracking_code="PA-LOC-2", channel="web", content="Đường hư")
    db.session.add(c2)
    db.session.flush()
    locate_complaint(c2)
    assert (c2.ward_code, c2.location_source) == (None, "unresolved")


def test_matching_never_queries_the_database(app):
    from sqlalchemy import event

    resolve_location(None, "xã Bàu Hàm")  # builds the matcher once
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        for _ in range(50):
            resolve_location(None, "tổ 5, phường Trảng Dài", "Nội dung dài " * 100)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert statements == []


@pytest.mark.parametrize("text", ["Đường hư hỏng nặng ở tt", "Khói bụi từ nhà máy trong huyện"])
def test_a_prefix_as_the_last_word_is_no_error(app, text):
    # A one-word prefix ending the text once made the two-word check read past the end.
    result = resolve_location(None, None, text)
    assert result.source == "unresolved"
