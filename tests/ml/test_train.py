"""Training on a tiny synthetic corpus: metadata, determinism, loading and version checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ml.artifacts import ArtifactError, default_model_dir
from ml.labels import FIELDS, KINDS
from ml.predict import Classifier, Prediction
from ml.train import main as train_main

SAMPLES = [
    "Xin cấp sổ đỏ cho đất nhà tôi, hồ sơ nộp lâu rồi",
    "xe qua tai lam hu mat duong, o ga rat nguy hiem",
    "Tôi tố cáo cán bộ nhận tiền khi làm căn cước công dân",
]


def test_metadata(fixture_model: Path, fixture_corpus: Path) -> None:
    meta = json.loads((fixture_model / "metadata.json").read_text(encoding="utf-8"))
    assert meta["version"].startswith("m-")
    assert meta["labels"] == {"field": list(FIELDS), "kind": list(KINDS)}
    assert {"python", "scikit-learn", "underthesea"} <= set(meta["versions"])
    assert len(meta["corpus_sha256"]) == 64
    for head in ("field", "kind"):
        assert 0.0 <= meta["cv_metrics"][head]["macro_f1"] <= 1.0
    assert 0.5 <= meta["threshold"] <= 1.0
    assert 0.5 <= meta["kind_threshold"] <= 1.0
    assert (fixture_model / "model.joblib").is_file()


def test_training_is_deterministic(
    fixture_model: Path, fixture_corpus: Path, tmp_path: Path
) -> None:
    again = tmp_path / "again"
    assert train_main(["--data", str(fixture_corpus), "--out", str(again), "--jobs", "2"]) == 0
    first, second = Classifier.load(fixture_model), Classifier.load(again)
    assert first.version == second.version
    assert first.threshold == second.threshold
    for text in SAMPLES:
        a, b = first.predict(text), second.predict(text)
        assert (a.field_top, a.kind_top) == (b.field_top, b.kind_top)


def test_prediction_api(fixture_model: Path) -> None:
    clf = Classifier.load(str(fixture_model))
    p = clf.predict(SAMPLES[0])
    assert isinstance(p, Prediction)
    assert p.field in FIELDS and p.kind in KINDS
    assert len(p.field_top) == 3 and len(p.kind_top) == 3
    assert p.field_top[0] == (p.field, p.field_proba)
    assert p.kind_top[0] == (p.kind, p.kind_proba)
    assert sum(v for _, v in p.field_top) <= 1.0 + 1e-6
    assert p.model_version == clf.version
    gates = p.field_proba >= clf.threshold and p.kind_sla_proba >= clf.kind_threshold
    assert p.confident == gates
    assert json.loads(json.dumps(p.as_dict()))["field"] == p.field
    with pytest.raises(AttributeError):
        p.field = "land"  # frozen


def test_single_and_batch_predictions_agree(fixture_model: Path) -> None:
    clf = Classifier.load(fixture_model)
    batch = clf.predict_many(SAMPLES)
    for text, p in zip(SAMPLES, batch, strict=True):
        one = clf.predict(text)
        assert one.field == p.field and one.kind == p.kind
        assert one.field_proba == pytest.approx(p.field_proba, abs=1e-5)


def test_missing_artifact_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match="no model artifact"):
        Classifier.load(tmp_path / "nothing")


def test_incompatible_versions_are_refused(fixture_model: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "old"
    shutil.copytree(fixture_model, copy)
    meta = json.loads((copy / "metadata.json").read_text(encoding="utf-8"))
    meta["versions"]["scikit-learn"] = "0.24.2"
    (copy / "metadata.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ArtifactError, match="scikit-learn"):
        Classifier.load(copy)


def test_default_model_dir() -> None:
    assert default_model_dir().parts[-3:] == ("ml", "artifacts", "current")


def test_unknown_label_in_training_data(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "bad.jsonl").write_text(
        '{"text": "một văn bản đủ dài", "field": "roads", "kind": "phan_anh"}\n', encoding="utf-8"
    )
    assert train_main(["--data", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    assert "bad.jsonl:1" in capsys.readouterr().err
