"""The single text path shared by training and serving: normalise, expand abbreviations, views.

Every text goes through :func:`prepare`, which returns a :class:`Doc` holding the views the
feature builders read:

* ``text``  - NFC, underthesea ``text_normalize`` (fixes tone-mark placement such as "qúa"),
  citizen abbreviations expanded ("UBND" -> "ủy ban nhân dân", "ko" -> "không"), lower-cased;
* ``plain`` - ``text`` with diacritics stripped ("sổ đỏ" -> "so do"), so a complaint typed without
  diacritics meets the same features as one typed with them;
* ``seg``   - underthesea ``word_tokenize`` of ``text`` (compound words joined by "_"), filled only
  when the model config asks for segmentation because it is the slow step.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import NamedTuple

# Upper-case only: in lower case these are ordinary words ("ca" = shift/song, "pa" ...).
_CASE_SENSITIVE: dict[str, str] = {
    "CA": "công an",
    "PA": "phản ánh",
    "KN": "kiến nghị",
    "TP": "thành phố",
    "HS": "hồ sơ",
}

# Matched on the lower-cased text, whole tokens only. Keys may lack diacritics: citizens type
# "ubnd", "qsdd", "dc" as often as "UBND", "QSDĐ", "đc".
_ABBREVIATIONS: dict[str, str] = {
    "ubnd": "ủy ban nhân dân",
    "hđnd": "hội đồng nhân dân",
    "hdnd": "hội đồng nhân dân",
    "ubmttq": "ủy ban mặt trận tổ quốc",
    "gcn": "giấy chứng nhận",
    "gcnqsdđ": "giấy chứng nhận quyền sử dụng đất",
    "gcnqsdd": "giấy chứng nhận quyền sử dụng đất",
    "qsdđ": "quyền sử dụng đất",
    "qsdd": "quyền sử dụng đất",
    "sổ đỏ": "sổ đỏ giấy chứng nhận quyền sử dụng đất",
    "so do": "sổ đỏ giấy chứng nhận quyền sử dụng đất",
    "sổ hồng": "sổ hồng giấy chứng nhận quyền sử dụng đất",
    "kcn": "khu công nghiệp",
    "ccn": "cụm công nghiệp",
    "kdc": "khu dân cư",
    "bhxh": "bảo hiểm xã hội",
    "bhyt": "bảo hiểm y tế",
    "bhtn": "bảo hiểm thất nghiệp",
    "cccd": "căn cước công dân",
    "cmnd": "chứng minh nhân dân",
    "gpmb": "giải phóng mặt bằng",
    "tđc": "tái định cư",
    "tdc": "tái định cư",
    "tthc": "thủ tục hành chính",
    "cchc": "cải cách hành chính",
    "tnmt": "tài nguyên môi trường",
    "tn & mt": "tài nguyên môi trường",
    "nn & mt": "nông nghiệp và môi trường",
    "gtvt": "giao thông vận tải",
    "atgt": "an toàn giao thông",
    "csgt": "cảnh sát giao thông",
    "pccc": "phòng cháy chữa cháy",
    "attp": "an toàn thực phẩm",
    "vsattp": "vệ sinh an toàn thực phẩm",
    "bql": "ban quản lý",
    "cbcc": "cán bộ công chức",
    "cb": "cán bộ",
    "nlđ": "người lao động",
    "nld": "người lao động",
    "dn": "doanh nghiệp",
    "bđs": "bất động sản",
    "thcs": "trung học cơ sở",
    "thpt": "trung học phổ thông",
    "nđ": "nghị định",
    "qđ": "quyết định",
    "sxkd": "sản xuất kinh doanh",
    "ko": "không",
    "k": "không",
    "kh": "không",
    "hok": "không",
    "khg": "không",
    "kg": "không",
    "dc": "được",
    "đc": "được",
    "dk": "được",
    "đk": "được",
    "j": "gì",
    "vs": "với",
    "ng": "người",
    "ntn": "như thế nào",
    "bn": "bao nhiêu",
    "r": "rồi",
    "cx": "cũng",
    "mik": "mình",
    "bt": "biết",
    "tr": "triệu",
    "xd": "xây dựng",
}

# "10k", "5tr" are amounts, not "10 không": rewrite them before the tokenizer splits them.
_AMOUNT_RE = re.compile(r"(?<=\d)\s*(k|tr)(?!\w)", re.IGNORECASE)
_AMOUNTS = {"k": " nghìn", "tr": " triệu"}
_CASE_SENSITIVE_RE = re.compile(
    r"(?<![\w&])(" + "|".join(map(re.escape, _CASE_SENSITIVE)) + r")(?![\w&])"
)
_ABBREVIATION_RE = re.compile(
    r"(?<![\w&])("
    + "|".join(map(re.escape, sorted(_ABBREVIATIONS, key=len, reverse=True)))
    + r")(?![\w&])"
)
_SPACES_RE = re.compile(r"\s+")


class Doc(NamedTuple):
    """The views of one prepared text (see the module docstring)."""

    text: str
    plain: str
    seg: str


def strip_diacritics(text: str) -> str:
    """Remove Vietnamese diacritics: "Sổ đỏ" -> "So do"."""
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.replace("đ", "d").replace("Đ", "D")


def expand_abbreviations(text: str) -> str:
    """Expand citizen abbreviations; the case-sensitive ones first, then lower-case the rest."""
    text = _CASE_SENSITIVE_RE.sub(lambda m: _CASE_SENSITIVE[m.group(1)], text)
    text = text.lower()
    return _ABBREVIATION_RE.sub(lambda m: _ABBREVIATIONS[m.group(1)], text)


def normalize(text: str) -> str:
    """NFC, underthesea ``text_normalize``, abbreviation expansion and lower-casing."""
    from underthesea import text_normalize  # deferred: importing underthesea takes ~0.7 s

    text = unicodedata.normalize("NFC", text)
    text = _SPACES_RE.sub(" ", text).strip()
    text = _AMOUNT_RE.sub(lambda m: _AMOUNTS[m.group(1).lower()], text)
    text = text_normalize(text)
    text = expand_abbreviations(text)
    return unicodedata.normalize("NFC", text)


def segment(text: str) -> str:
    """underthesea word segmentation, compounds joined by "_" (e.g. "sổ_đỏ")."""
    from underthesea import word_tokenize

    return word_tokenize(text, format="text")


def prepare(text: str, *, segmented: bool = False) -> Doc:
    """Run one raw text through the whole text path."""
    norm = normalize(text)
    return Doc(text=norm, plain=strip_diacritics(norm), seg=segment(norm) if segmented else "")


def prepare_many(texts: Iterable[str], *, segmented: bool = False) -> list[Doc]:
    """:func:`prepare` over many texts."""
    return [prepare(t, segmented=segmented) for t in texts]
