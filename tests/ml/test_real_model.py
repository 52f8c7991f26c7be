"""The model trained on the real corpus (``python -m ml.train``): quality floors and budgets."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from ml.artifacts import artifact_size, default_model_dir
from ml.evaluate import evaluate_rows
from ml.predict import Classifier

pytestmark = pytest.mark.ml
HOLDOUT = Path(default_model_dir()).parents[1] / "data" / "holdout"


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("Xin hỏi thủ tục cấp sổ đỏ lần đầu cho đất ông bà để lại", "land"),
        ("xin hoi thu tuc cap so do lan dau cho dat ong ba de lai", "land"),
        ("Đường liên ấp có nhiều ổ gà sâu, xe máy té ngã liên tục", "traffic"),
        ("duong lien ap co nhieu o ga sau, xe may te nga lien tuc", "traffic"),
        ("Công ty xả nước thải đen ngòm ra suối, cá chết hàng loạt", "environment"),
        ("Hồ sơ cấp CCCD của tôi nộp 2 tháng chưa có, cán bộ hẹn hoài", "admin_procedure"),
    ],
)
def test_obvious_cases(real_classifier: Classifier, text: str, field: str) -> None:
    assert real_classifier.predict(text).field == field


def test_holdout_quality(real_classifier: Classifier) -> None:
    from ml.dataset import load_jsonl

    rows = [r for p in sorted(HOLDOUT.glob("*.jsonl")) for r in load_jsonl(p, require_labels=False)]
    if not rows:
        pytest.skip("no holdout data")
    report, _ = evaluate_rows(real_classifier, rows)
    assert report["field"]["macro_f1"] >= 0.70
    if report["kind"] is not None:
        assert report["kind"]["macro_f1"] >= 0.70


def test_budgets(real_classifier: Classifier) -> None:
    start = time.perf_counter()
    Classifier.load(default_model_dir())
    assert time.perf_counter() - start < 2.0
    assert artifact_size(default_model_dir()) < 50e6
    meta = json.loads((default_model_dir() / "metadata.json").read_text(encoding="utf-8"))
    assert meta["routing"]["precision"] is None or meta["routing"]["precision"] >= 0.95
