"""Metrics (per head and for auto-routing) and the ``python -m ml.evaluate`` CLI.

Usage: ``python -m ml.evaluate --data FILE.jsonl [--model DIR] [--json]``. Exit code 2 with a
message on stderr for unreadable data, unknown label codes (naming the line) or a missing model.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

from ml.labels import HEADS, KIND_SLA_GROUP

TARGET_PRECISION = 0.95
MIN_THRESHOLD = 0.5  # never auto-route on a minority opinion, even if CV says it would be fine


def choose_threshold(
    proba: np.ndarray, correct: np.ndarray, target: float = TARGET_PRECISION
) -> float:
    """Lowest threshold t (>= MIN_THRESHOLD) such that items with ``proba >= t`` are at least
    ``target`` correct. Returns 1.0 when no threshold reaches the target."""
    proba = np.asarray(proba, dtype=float)
    correct = np.asarray(correct, dtype=bool)
    order = np.argsort(-proba, kind="stable")
    p_sorted, c_sorted = proba[order], correct[order]
    precision = np.cumsum(c_sorted) / np.arange(1, len(c_sorted) + 1)
    # A cut at value v keeps every item with proba >= v, ties included: use the last index of v.
    last_of_value = np.r_[p_sorted[1:] != p_sorted[:-1], True]
    ok = last_of_value & (precision >= target)
    if not ok.any():
        return 1.0
    lowest = float(p_sorted[np.flatnonzero(ok).max()])
    return round(max(lowest, MIN_THRESHOLD), 4)


def routing(proba: np.ndarray, correct: np.ndarray, threshold: float) -> tuple[float, float | None]:
    """(coverage, precision) of items with ``proba >= threshold``; precision None if none."""
    proba, correct = np.asarray(proba), np.asarray(correct, dtype=bool)
    routed = proba >= threshold
    coverage = float(routed.mean()) if len(proba) else 0.0
    precision = float(correct[routed].mean()) if routed.any() else None
    return coverage, precision


def head_report(
    y_true: Sequence[str],
    y_pred: Sequence[str],
    gate_proba: np.ndarray,
    gate_correct: np.ndarray,
    threshold: float,
) -> dict:
    """The JSON report of one head: accuracy, macro-F1, per class, routing, confusion matrix."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    labels = sorted(set(y_true) | set(y_pred))
    with warnings.catch_warnings():
        # One label only (e.g. a file of one field) is legitimate here; sklearn warns about it.
        warnings.filterwarnings("ignore", message="A single label was found", category=UserWarning)
        p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
        matrix = confusion_matrix(y_true, y_pred, labels=labels).tolist()
    coverage, precision = routing(gate_proba, gate_correct, threshold)
    return {
        "accuracy": float((y_true == y_pred).mean()),
        "macro_f1": float(np.mean(f)),
        "per_class": {
            code: {
                "precision": float(p[i]),
                "recall": float(r[i]),
                "f1": float(f[i]),
                "support": int(s[i]),
            }
            for i, code in enumerate(labels)
        },
        "coverage": coverage,
        "precision_at_threshold": precision,
        "threshold": threshold,
        "confusion": {
            "labels": labels,
            "matrix": matrix,
        },
    }


def sla_correct(y_true: Sequence[str], y_pred: Sequence[str]) -> np.ndarray:
    """Whether each predicted kind starts the same SLA clock as the true kind."""
    return np.array([KIND_SLA_GROUP[t] == KIND_SLA_GROUP[p] for t, p in zip(y_true, y_pred)])


def evaluate_rows(clf: object, rows: list[dict]) -> tuple[dict, dict | None]:
    """Report per head present in ``rows`` plus the combined routing figure (or None)."""
    preds = clf.predict_many([r["text"] for r in rows])
    report: dict = {}
    for head in HEADS:
        labelled = [i for i, r in enumerate(rows) if r.get(head) is not None]
        if not labelled:
            report[head] = None
            continue
        y_true = [rows[i][head] for i in labelled]
        y_pred = [getattr(preds[i], head) for i in labelled]
        if head == "field":
            gate = np.array([preds[i].field_proba for i in labelled])
            correct = np.asarray(y_true) == np.asarray(y_pred)
            threshold = clf.threshold
        else:
            gate = np.array([preds[i].kind_sla_proba for i in labelled])
            correct = sla_correct(y_true, y_pred)
            threshold = clf.kind_threshold
        report[head] = head_report(y_true, y_pred, gate, correct, threshold)
    both = [i for i, r in enumerate(rows) if r.get("field") and r.get("kind")]
    combined = None
    if both:
        routed = [i for i in both if preds[i].confident]
        ok = [
            preds[i].field == rows[i]["field"]
            and KIND_SLA_GROUP[preds[i].kind] == KIND_SLA_GROUP[rows[i]["kind"]]
            for i in routed
        ]
        combined = {
            "coverage": len(routed) / len(both),
            "precision": (sum(ok) / len(ok)) if ok else None,
        }
    return report, combined


def _print_head(head: str, rep: dict) -> None:
    print(f"== {head} ==")
    print(f"accuracy {rep['accuracy']:.3f}   macro-F1 {rep['macro_f1']:.3f}")
    print(f"{'class':<18}{'prec':>7}{'recall':>8}{'f1':>7}{'support':>9}")
    for code, m in rep["per_class"].items():
        print(
            f"{code:<18}{m['precision']:>7.3f}{m['recall']:>8.3f}{m['f1']:>7.3f}{m['support']:>9d}"
        )
    labels = rep["confusion"]["labels"]
    short = [code[:6] for code in labels]
    print("confusion (rows = true, columns = predicted):")
    print(" " * 18 + "".join(f"{s:>7}" for s in short))
    for code, row in zip(labels, rep["confusion"]["matrix"]):
        print(f"{code:<18}" + "".join(f"{v:>7d}" for v in row))
    prec = rep["precision_at_threshold"]
    gate = "field probability" if head == "field" else "probability of the kind's SLA group"
    print(
        f"auto-routing gate ({gate} >= {rep['threshold']:.3f}): coverage {rep['coverage']:.1%}, "
        f"precision {'n/a' if prec is None else f'{prec:.1%}'}"
    )
    print()


def main(argv: list[str] | None = None) -> int:
    """CLI entry point."""
    from ml.artifacts import ArtifactError, default_model_dir
    from ml.dataset import DataError, load_jsonl
    from ml.predict import Classifier

    parser = argparse.ArgumentParser(prog="python -m ml.evaluate", description=__doc__)
    parser.add_argument(
        "--data", required=True, type=Path, help="JSON lines with text[, field, kind]"
    )
    parser.add_argument("--model", type=Path, default=None, help="artifact dir (default: current)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    try:
        rows = load_jsonl(args.data, require_labels=False)
        clf = Classifier.load(args.model or default_model_dir())
    except (DataError, ArtifactError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not rows:
        print(f"error: {args.data} holds no texts", file=sys.stderr)
        return 2
    report, combined = evaluate_rows(clf, rows)
    if args.json:
        out = {
            head: None
            if rep is None
            else {k: v for k, v in rep.items() if k not in ("confusion", "threshold")}
            for head, rep in report.items()
        }
        print(json.dumps(out, ensure_ascii=False))
        return 0
    print(f"model {clf.version}, {len(rows)} texts from {args.data}\n")
    for head, rep in report.items():
        if rep is not None:
            _print_head(head, rep)
    if combined is not None:
        prec = combined["precision"]
        print(
            f"automatic routing (both gates): coverage {combined['coverage']:.1%}, precision "
            f"(field right and same SLA clock) {'n/a' if prec is None else f'{prec:.1%}'}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
