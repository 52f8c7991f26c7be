"""The evaluate and predict command lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ml.evaluate import choose_threshold
from ml.evaluate import main as evaluate_main
from ml.predict import main as predict_main

HEAD_KEYS = {"accuracy", "macro_f1", "per_class", "coverage", "precision_at_threshold"}


def test_evaluate_json_schema(
    fixture_model: Path, tmp_path: Path, capsys, rows_factory, jsonl_writer
) -> None:
    data = jsonl_writer(tmp_path / "eval.jsonl", rows_factory(per_field=2, offset=500))
    assert evaluate_main(["--data", str(data), "--model", str(fixture_model), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"field", "kind"}
    for head in ("field", "kind"):
        assert set(out[head]) == HEAD_KEYS
        for metrics in out[head]["per_class"].values():
            assert set(metrics) == {"precision", "recall", "f1", "support"}
        assert 0.0 <= out[head]["coverage"] <= 1.0


def test_evaluate_without_kind_labels(
    fixture_model: Path, tmp_path: Path, capsys, rows_factory, jsonl_writer
) -> None:
    rows = [{"text": r["text"], "field": r["field"]} for r in rows_factory(per_field=1)]
    data = jsonl_writer(tmp_path / "fields.jsonl", rows)
    assert evaluate_main(["--data", str(data), "--model", str(fixture_model), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["kind"] is None
    assert out["field"]["per_class"]


def test_evaluate_text_report(
    fixture_model: Path, tmp_path: Path, capsys, rows_factory, jsonl_writer
) -> None:
    data = jsonl_writer(tmp_path / "eval.jsonl", rows_factory(per_field=1, offset=700))
    assert evaluate_main(["--data", str(data), "--model", str(fixture_model)]) == 0
    out = capsys.readouterr().out
    assert "macro-F1" in out and "confusion" in out and "coverage" in out


def test_evaluate_unknown_label_names_the_line(fixture_model: Path, tmp_path: Path, capsys) -> None:
    data = tmp_path / "bad.jsonl"
    data.write_text(
        '{"text": "đường hư hỏng nặng", "field": "traffic", "kind": "phan_anh"}\n'
        '{"text": "đất bị lấn chiếm", "field": "dat_dai", "kind": "phan_anh"}\n',
        encoding="utf-8",
    )
    assert evaluate_main(["--data", str(data), "--model", str(fixture_model), "--json"]) == 2
    captured = capsys.readouterr()
    assert "bad.jsonl:2" in captured.err and "dat_dai" in captured.err
    assert captured.out == ""


def test_evaluate_missing_model(tmp_path: Path, capsys, rows_factory, jsonl_writer) -> None:
    data = jsonl_writer(tmp_path / "eval.jsonl", rows_factory(per_field=1))
    assert evaluate_main(["--data", str(data), "--model", str(tmp_path / "none")]) == 2
    assert "no model artifact" in capsys.readouterr().err


def test_predict_cli(fixture_model: Path, capsys) -> None:
    assert predict_main(["Xin cấp sổ đỏ cho đất nhà tôi", "--model", str(fixture_model)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("field: ")
    assert "kind:" in out and "field top 3:" in out and "kind top 3:" in out


def test_predict_cli_json(fixture_model: Path, capsys) -> None:
    assert predict_main(["xin hoi thu tuc", "--model", str(fixture_model), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["field_top"]) == 3 and isinstance(out["confident"], bool)


@pytest.mark.parametrize(
    ("proba", "correct", "expected"),
    [
        ([0.9, 0.8, 0.7, 0.6], [1, 1, 1, 1], 0.6),  # all right: the lowest value (>= 0.5)
        ([0.9, 0.8, 0.7, 0.6], [1, 1, 0, 1], 0.8),  # cutting at 0.7 would admit an error
        ([0.9, 0.8], [0, 0], 1.0),  # never precise enough: route nothing automatically
        ([0.4, 0.3], [1, 1], 0.5),  # floor
    ],
)
def test_choose_threshold(proba: list[float], correct: list[int], expected: float) -> None:
    assert choose_threshold(proba, correct, target=0.95) == expected
