"""Training: cross-validation, threshold choice, metadata, corrections, ``python -m ml.train``.

Usage: ``python -m ml.train [--data DIR] [--out DIR] [--include-corrections [FILE]]``.
Deterministic: fixed fold seeds and deterministic solvers, so the same corpus and config give
the same version string and the same predictions.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

from ml.artifacts import ML_DIR, ArtifactError, installed_versions, read_metadata, save_artifact
from ml.dataset import DataError, in_validation, load_dir, load_jsonl, rows_sha256
from ml.evaluate import TARGET_PRECISION, choose_threshold, routing, sla_correct
from ml.labels import FIELDS, HEADS, KINDS
from ml.pipeline import SEED, Config, TextModel, sla_group_proba
from ml.preprocess import Doc, prepare_many

log = logging.getLogger(__name__)

DEFAULT_CONFIG = Config(features="syllable", model="svc", C=3.0)  # ml.compare on 5,025 texts
DEFAULT_DATA = ML_DIR / "data" / "corpus"
DEFAULT_CORRECTIONS = ML_DIR / "data" / "corrections.jsonl"
CV_FOLDS = 5


def targets_of(rows: Sequence[dict]) -> dict[str, np.ndarray]:
    """The label arrays of labelled rows, per head."""
    return {head: np.array([r[head] for r in rows]) for head in HEADS}


def _fit_fold(config: Config, docs: list[Doc], targets: dict, train: np.ndarray, test: np.ndarray):
    model = TextModel(config).fit(
        [docs[i] for i in train], {h: y[train] for h, y in targets.items()}
    )
    return test, model.predict_proba([docs[i] for i in test])


def out_of_fold(
    docs: list[Doc], targets: dict[str, np.ndarray], config: Config, n_jobs: int = 1
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Out-of-fold probabilities per head, columns in ``np.unique(y)`` order.

    Folds are stratified on the field (the harder, 13-class head) with a fixed seed.
    """
    classes = {h: np.unique(y) for h, y in targets.items()}
    n_min = int(min(np.unique(targets["field"], return_counts=True)[1]))
    folds = min(CV_FOLDS, n_min)
    if folds < 2:
        raise DataError("every field needs at least 2 examples for cross-validation")
    splitter = StratifiedKFold(folds, shuffle=True, random_state=SEED)
    jobs = Parallel(n_jobs=n_jobs)(
        delayed(_fit_fold)(config, docs, targets, train, test)
        for train, test in splitter.split(np.zeros(len(docs)), targets["field"])
    )
    oof = {h: np.zeros((len(docs), len(classes[h]))) for h in targets}
    for test, proba in jobs:
        for head, (fold_classes, p) in proba.items():
            cols = np.searchsorted(classes[head], fold_classes)
            oof[head][np.ix_(test, cols)] = p
    return {h: (classes[h], oof[h]) for h in targets}


def cv_summary(targets: dict[str, np.ndarray], oof: dict) -> dict:
    """CV metrics per head and the two routing thresholds chosen from out-of-fold probabilities.

    kind_threshold: lowest gate on the SLA-group probability with >= 95 % of passing items on
    the right SLA clock. threshold: then, among items passing the kind gate, the lowest field
    probability with >= 95 % of passing items both in the right field and on the right clock.
    """
    f_classes, f_proba = oof["field"]
    k_classes, k_proba = oof["kind"]
    f_pred, k_pred = f_classes[f_proba.argmax(1)], k_classes[k_proba.argmax(1)]
    f_ok = f_pred == targets["field"]
    k_sla_ok = sla_correct(targets["kind"], k_pred)
    k_gate = sla_group_proba(k_classes, k_proba)
    kind_threshold = choose_threshold(k_gate, k_sla_ok)
    passes_kind = k_gate >= kind_threshold
    both_ok = f_ok & k_sla_ok
    threshold = choose_threshold(f_proba.max(1)[passes_kind], both_ok[passes_kind])
    routed = passes_kind & (f_proba.max(1) >= threshold)
    metrics = {}
    for head, pred in (("field", f_pred), ("kind", k_pred)):
        y = targets[head]
        gate, ok, t = (
            (f_proba.max(1), f_ok, threshold)
            if head == "field"
            else (k_gate, k_sla_ok, kind_threshold)
        )
        coverage, precision = routing(gate, ok, t)
        metrics[head] = {
            "macro_f1": round(float(f1_score(y, pred, average="macro")), 4),
            "accuracy": round(float((y == pred).mean()), 4),
            "coverage": round(coverage, 4),
            "precision_at_threshold": None if precision is None else round(precision, 4),
        }
    return {
        "metrics": metrics,
        "threshold": threshold,
        "kind_threshold": kind_threshold,
        "routing": {
            "target_precision": TARGET_PRECISION,
            "coverage": round(float(routed.mean()), 4),
            "precision": round(float(both_ok[routed].mean()), 4) if routed.any() else None,
        },
    }


def make_version(data_sha: str, config: Config) -> str:
    """Date-free version: hash of the training data, the config and the library versions."""
    v = installed_versions()
    key = json.dumps(
        [data_sha, config.as_dict(), v["scikit-learn"], v["underthesea"], FIELDS, KINDS],
        sort_keys=True,
    )
    return "m-" + hashlib.sha256(key.encode()).hexdigest()[:12]


def train(
    rows: Sequence[dict],
    config: Config = DEFAULT_CONFIG,
    *,
    n_jobs: int = 1,
    extra: dict | None = None,
) -> tuple[TextModel, dict]:
    """Cross-validate, then fit on all rows. Returns (model, metadata)."""
    started = time.perf_counter()
    docs = prepare_many([r["text"] for r in rows], segmented=config.segmented)
    targets = targets_of(rows)
    summary = cv_summary(targets, out_of_fold(docs, targets, config, n_jobs=n_jobs))
    model = TextModel(config).fit(docs, targets)
    data_sha = rows_sha256(rows)
    metadata = {
        "version": make_version(data_sha, config),
        "labels": {"field": list(FIELDS), "kind": list(KINDS)},
        "versions": installed_versions(),
        "data_sha256": data_sha,
        "corpus_sha256": data_sha,
        "corrections": None,
        "n_texts": len(rows),
        "config": config.as_dict(),
        "cv_folds": min(CV_FOLDS, int(min(np.unique(targets["field"], return_counts=True)[1]))),
        "cv_metrics": summary["metrics"],
        "threshold": summary["threshold"],
        "kind_threshold": summary["kind_threshold"],
        "routing": summary["routing"],
        **(extra or {}),
    }
    log.info("trained version=%s in %.1fs", metadata["version"], time.perf_counter() - started)
    return model, metadata


def _macro_f1s(model: TextModel, rows: Sequence[dict], docs: list[Doc]) -> dict[str, float]:
    out = model.predict_proba(docs)
    scores = {}
    for head in HEADS:
        classes, proba = out[head]
        pred = classes[proba.argmax(1)]
        y = [r[head] for r in rows]
        scores[head] = round(float(f1_score(y, pred, average="macro")), 4)
    return scores


def compare_on_validation(
    base_rows: Sequence[dict], base_config: Config, cand_rows: Sequence[dict], cand_config: Config
) -> tuple[dict[str, float], dict[str, float], int]:
    """Macro-F1 per head of the current recipe and the candidate on the fixed validation split.

    Both are refit on the training side of the split (texts whose hash is outside the
    validation bucket), so neither has seen the validation texts; the validation side is the
    union of both data sets' validation texts (corrections included).
    """
    seen, validation = set(), []
    for r in [*cand_rows, *base_rows]:
        key = (r["text"], r["field"], r["kind"])
        if in_validation(r["text"]) and key not in seen:
            seen.add(key)
            validation.append(r)
    val_docs = prepare_many([r["text"] for r in validation], segmented=True)
    scores = []
    for rows, config in ((base_rows, base_config), (cand_rows, cand_config)):
        fit_rows = [r for r in rows if not in_validation(r["text"])]
        docs = prepare_many([r["text"] for r in fit_rows], segmented=config.segmented)
        model = TextModel(config).fit(docs, targets_of(fit_rows))
        scores.append(_macro_f1s(model, validation, val_docs))
    return scores[0], scores[1], len(validation)


def _train_with_corrections(args: argparse.Namespace, corpus: list[dict], config: Config) -> int:
    path = Path(args.include_corrections)
    corrections = load_jsonl(path) if path.exists() else []
    if not corrections:
        print(f"no corrections in {path}: nothing to learn, current model kept")
        return 0
    rows = corpus + corrections
    extra = {
        "corpus_sha256": rows_sha256(corpus),
        "corrections": {
            "file": str(path),
            "lines": len(corrections),
            "sha256": rows_sha256(corrections),
        },
    }
    try:
        current = read_metadata(args.out)
    except ArtifactError:
        current = None
    if current is None:
        print(f"no current model at {args.out}: training with {len(corrections)} corrections")
        verdict = True
    else:
        # corrections.jsonl is append-only: the current model used its first N lines.
        used = (current.get("corrections") or {}).get("lines", 0)
        base_rows = corpus + corrections[:used]
        base, cand, n_val = compare_on_validation(
            base_rows, Config(**current["config"]), rows, config
        )
        print(f"fixed validation split: {n_val} texts (hash bucket 1 of 5)")
        print(f"{'macro-F1':<10}{'current':>9}{'candidate':>11}")
        for head in HEADS:
            print(f"{head:<10}{base[head]:>9.4f}{cand[head]:>11.4f}")
        verdict = all(cand[h] >= base[h] for h in HEADS)
    if not verdict:
        print(f"KEPT: macro-F1 would drop; {args.out} unchanged ({current['version']})")
        return 0
    model, metadata = train(rows, config, n_jobs=args.jobs, extra=extra)
    save_artifact(args.out, model, metadata)
    print(f"PROMOTED: {metadata['version']} written to {args.out}")
    _print_summary(metadata)
    return 0


def _print_summary(metadata: dict) -> None:
    for head, m in metadata["cv_metrics"].items():
        print(
            f"cv {head}: macro-F1 {m['macro_f1']:.4f}, accuracy {m['accuracy']:.4f}, "
            f"auto-route coverage {m['coverage']:.1%} at precision {m['precision_at_threshold']}"
        )
    r = metadata["routing"]
    print(
        f"threshold {metadata['threshold']} (field), kind SLA-group threshold "
        f"{metadata['kind_threshold']}: auto-routed {r['coverage']:.1%} "
        f"at precision {r['precision']}"
    )


def main(argv: list[str] | None = None) -> int:
    """CLI entry point."""
    parser = argparse.ArgumentParser(prog="python -m ml.train", description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="dir of *.jsonl")
    parser.add_argument("--out", type=Path, default=None, help="artifact dir (default: current)")
    parser.add_argument(
        "--include-corrections",
        nargs="?",
        const=str(DEFAULT_CORRECTIONS),
        default=None,
        metavar="FILE",
        help=f"add labelled corrections (default file {DEFAULT_CORRECTIONS}); promote only if "
        "macro-F1 on the fixed validation split does not drop",
    )
    parser.add_argument("--features", default=DEFAULT_CONFIG.features, help="feature set")
    parser.add_argument("--model", default=DEFAULT_CONFIG.model, help="lr | svc | cnb")
    parser.add_argument("--C", type=float, default=None, help="regularisation strength")
    parser.add_argument("--jobs", type=int, default=2, help="parallel CV folds")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if args.out is None:
        from ml.artifacts import default_model_dir

        args.out = default_model_dir()
    try:
        config = Config(args.features, args.model, DEFAULT_CONFIG.C if args.C is None else args.C)
        corpus = load_dir(args.data)
        if args.include_corrections is not None:
            return _train_with_corrections(args, corpus, config)
        model, metadata = train(corpus, config, n_jobs=args.jobs)
    except (DataError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    save_artifact(args.out, model, metadata)
    print(f"{metadata['version']}: {metadata['n_texts']} texts -> {args.out}")
    _print_summary(metadata)
    return 0


if __name__ == "__main__":
    sys.exit(main())
