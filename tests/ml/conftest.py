"""Fixtures for ml tests: a tiny synthetic corpus, a model trained on it, the real model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ml.labels import FIELDS, KINDS

TOPICS = {
    "land": ["sổ đỏ", "lấn chiếm đất", "ranh giới thửa đất", "cấp giấy chứng nhận đất"],
    "compensation": ["giải phóng mặt bằng", "tiền bồi thường", "lô tái định cư", "thu hồi đất"],
    "investment": ["dự án treo", "khu công nghiệp", "giấy phép kinh doanh", "chậm bàn giao nhà"],
    "construction": ["xây không phép", "lấn chiếm vỉa hè", "giấy phép xây dựng", "bán lòng đường"],
    "environment": ["ô nhiễm mùi hôi", "nước thải", "rác thải", "karaoke gây ồn"],
    "traffic": ["ổ gà mặt đường", "đèn tín hiệu giao thông", "xe quá tải", "biển báo giao thông"],
    "urban_services": ["ngập nước cống", "cúp điện", "nước sinh hoạt", "đèn đường hỏng"],
    "social": ["bảo hiểm xã hội", "trợ cấp người có công", "hộ nghèo", "nợ lương công nhân"],
    "health": ["bệnh viện", "viện phí", "ngộ độc thực phẩm", "trạm y tế"],
    "education": ["trường học", "tuyển sinh lớp một", "học phí", "giáo viên"],
    "public_order": ["trộm cắp", "lừa đảo", "đánh nhau", "ma túy"],
    "admin_procedure": ["hồ sơ trễ hạn", "cán bộ gây phiền hà", "căn cước công dân", "một cửa"],
    "other": ["góp ý chung", "cảm ơn tổng đài", "vấn đề khác", "ý kiến chung chung"],
}
KIND_TEMPLATES = {
    "phan_anh": "Tôi phản ánh tình trạng {t} ở khu phố {n} đã kéo dài nhiều ngày nay.",
    "kien_nghi": "Đề nghị cơ quan chức năng sớm xử lý việc {t} tại ấp {n} cho dân nhờ.",
    "khieu_nai": "Tôi khiếu nại quyết định của xã về {t} ở thôn {n} vì không đúng quy định.",
    "to_cao": "Tôi tố cáo ông cán bộ nhận tiền sai phạm liên quan {t} tại tổ {n}.",
    "hoi_dap": "Xin hỏi thủ tục và quy định về {t} ở phường {n} như thế nào ạ?",
}


def make_rows(per_field: int = 6, offset: int = 0) -> list[dict]:
    """Synthetic labelled rows: every field gets ``per_field`` texts, kinds cycle."""
    rows = []
    for f_i, field in enumerate(FIELDS):
        for j in range(per_field):
            kind = KINDS[(f_i + j) % len(KINDS)]
            topic = TOPICS[field][j % len(TOPICS[field])]
            text = KIND_TEMPLATES[kind].format(t=topic, n=offset + 10 * f_i + j)
            rows.append({"id": f"{field}-{j}", "text": text, "field": field, "kind": kind})
    return rows


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    """Write rows as JSON lines."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    return path


@pytest.fixture
def rows_factory():
    """``make_rows(per_field, offset)`` for tests that need fresh synthetic rows."""
    return make_rows


@pytest.fixture
def jsonl_writer():
    """``write_jsonl(path, rows)``."""
    return write_jsonl


@pytest.fixture(scope="session")
def fixture_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding a tiny synthetic corpus."""
    directory = tmp_path_factory.mktemp("corpus")
    write_jsonl(directory / "synthetic.jsonl", make_rows())
    return directory


@pytest.fixture(scope="session")
def fixture_model(tmp_path_factory: pytest.TempPathFactory, fixture_corpus: Path) -> Path:
    """An artifact dir trained on the synthetic corpus."""
    from ml.train import main

    out = tmp_path_factory.mktemp("artifacts") / "current"
    assert main(["--data", str(fixture_corpus), "--out", str(out), "--jobs", "1"]) == 0
    return out


@pytest.fixture(scope="session")
def real_classifier():
    """The model trained on the real corpus (skips when it has not been trained)."""
    from ml.artifacts import ArtifactError, default_model_dir
    from ml.predict import Classifier

    try:
        return Classifier.load(default_model_dir())
    except ArtifactError as exc:
        pytest.skip(f"no trained model ({exc}); run `python -m ml.train`")
