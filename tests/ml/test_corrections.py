"""Learning from corrections: promote only when macro-F1 on the fixed split does not drop."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ml import train
from ml.dataset import in_validation


def _version(model_dir: Path) -> str:
    return json.loads((model_dir / "metadata.json").read_text(encoding="utf-8"))["version"]


@pytest.fixture
def current(fixture_model: Path, tmp_path: Path) -> Path:
    """A private copy of the fixture model to be replaced (or not)."""
    out = tmp_path / "current"
    shutil.copytree(fixture_model, out)
    return out


@pytest.fixture
def corrections(tmp_path: Path, rows_factory, jsonl_writer) -> Path:
    """A corrections file of fresh, correctly labelled texts."""
    return jsonl_writer(tmp_path / "corrections.jsonl", rows_factory(per_field=2, offset=900))


def _run(data: Path, out: Path, corrections: Path) -> int:
    return train.main(
        ["--data", str(data), "--out", str(out), "--include-corrections", str(corrections)]
    )


@pytest.mark.parametrize(
    ("candidate", "promoted"),
    [
        ({"field": 0.80, "kind": 0.90}, True),  # equal: does not drop
        ({"field": 0.85, "kind": 0.91}, True),
        ({"field": 0.79, "kind": 0.95}, False),  # field drops
        ({"field": 0.90, "kind": 0.89}, False),  # kind drops
    ],
)
def test_promotion_decision(
    monkeypatch, capsys, fixture_corpus, current, corrections, candidate, promoted
) -> None:
    before = _version(current)
    base = {"field": 0.80, "kind": 0.90}
    monkeypatch.setattr(train, "compare_on_validation", lambda *a: (base, candidate, 42))
    assert _run(fixture_corpus, current, corrections) == 0
    out = capsys.readouterr().out
    assert ("PROMOTED" in out) is promoted
    assert ("KEPT" in out) is (not promoted)
    meta = json.loads((current / "metadata.json").read_text(encoding="utf-8"))
    if promoted:
        assert meta["version"] != before
        assert meta["corrections"]["lines"] == 26
    else:
        assert meta["version"] == before


def test_real_comparison_runs(capsys, fixture_corpus, current, corrections) -> None:
    assert _run(fixture_corpus, current, corrections) == 0
    out = capsys.readouterr().out
    assert "fixed validation split" in out
    assert "PROMOTED" in out or "KEPT" in out


def test_without_current_model_it_promotes(capsys, fixture_corpus, tmp_path, corrections) -> None:
    out_dir = tmp_path / "fresh"
    assert _run(fixture_corpus, out_dir, corrections) == 0
    assert "PROMOTED" in capsys.readouterr().out
    assert (out_dir / "model.joblib").is_file()


def test_missing_corrections_file_keeps_the_model(capsys, fixture_corpus, current, tmp_path):
    before = _version(current)
    assert _run(fixture_corpus, current, tmp_path / "none.jsonl") == 0
    assert "kept" in capsys.readouterr().out
    assert _version(current) == before


def test_validation_split_is_fixed() -> None:
    texts = [f"văn bản số {i}" for i in range(400)]
    picked = [t for t in texts if in_validation(t)]
    assert picked == [t for t in texts if in_validation(t)]
    assert 0.1 < len(picked) / len(texts) < 0.3
    assert in_validation("Văn bản số 7") == in_validation("văn bản số 7")
