"""The shared text path: NFC, tone marks, abbreviations, diacritic-free tolerance."""

from __future__ import annotations

import unicodedata

import pytest

from ml.preprocess import expand_abbreviations, normalize, prepare, strip_diacritics


def test_nfc_and_nfd_inputs_give_the_same_text() -> None:
    text = "Đất nhà tôi bị lấn chiếm, xin cấp sổ đỏ"
    decomposed = unicodedata.normalize("NFD", text)
    assert decomposed != text
    assert prepare(decomposed) == prepare(text)


def test_tone_mark_placement_is_normalised() -> None:
    assert "quá" in normalize("chờ qúa lâu")


def test_lower_cases_and_collapses_spaces() -> None:
    assert normalize("  XIN   Hỏi  ") == "xin hỏi"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("UBND xã", "ủy ban nhân dân xã"),
        ("ubnd xa", "ủy ban nhân dân xa"),
        ("cấp GCN QSDĐ", "cấp giấy chứng nhận quyền sử dụng đất"),
        ("qsdd", "quyền sử dụng đất"),
        ("KCN Amata", "khu công nghiệp amata"),
        ("sổ BHXH và thẻ BHYT", "sổ bảo hiểm xã hội và thẻ bảo hiểm y tế"),
        ("làm CCCD", "làm căn cước công dân"),
        ("dự án GPMB", "dự án giải phóng mặt bằng"),
        ("hồ sơ TTHC", "hồ sơ thủ tục hành chính"),
        ("HĐND tỉnh", "hội đồng nhân dân tỉnh"),
        ("Sở TNMT", "sở tài nguyên môi trường"),
        ("báo CA xã", "báo công an xã"),
        ("ko dc j", "không được gì"),
        ("k đc vs ng dân", "không được với người dân"),
    ],
)
def test_abbreviations_are_expanded(raw: str, expected: str) -> None:
    assert expand_abbreviations(raw) == expected


def test_lower_case_ca_is_an_ordinary_word() -> None:
    assert expand_abbreviations("ca trực đêm") == "ca trực đêm"


def test_amounts_are_not_read_as_khong() -> None:
    text = normalize("thu 50k mỗi hồ sơ, nợ 5tr")
    assert "không" not in text
    assert "50 nghìn" in text
    assert "5 triệu" in text


def test_so_do_with_and_without_diacritics_meet() -> None:
    with_marks = prepare("Xin cấp sổ đỏ cho đất nhà tôi")
    without = prepare("Xin cap so do cho dat nha toi")
    assert with_marks.plain == without.plain
    assert "so do" in without.plain


def test_strip_diacritics_handles_d_stroke() -> None:
    assert strip_diacritics("Đường đất đỏ") == "Duong dat do"


def test_segmentation_only_when_asked() -> None:
    assert prepare("sổ đỏ của tôi").seg == ""
    assert "sổ_đỏ" in prepare("sổ đỏ của tôi", segmented=True).seg
