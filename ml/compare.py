"""``python -m ml.compare``: cross-validated macro-F1 of every feature set x classifier.

Usage: ``python -m ml.compare [--data DIR] [--jobs N] [--write-readme]``. Every candidate is
scored with the same stratified 5-fold split as ``ml.train`` (pooled out-of-fold predictions),
so the table is reproducible. ``--write-readme`` replaces the table in ml/README.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score

from ml.artifacts import ML_DIR
from ml.dataset import load_dir
from ml.pipeline import FEATURE_SETS, MODELS, Config
from ml.preprocess import Doc, normalize, segment, strip_diacritics
from ml.train import DEFAULT_DATA, out_of_fold, targets_of

README = ML_DIR / "README.md"
START, END = "<!-- compare:start -->", "<!-- compare:end -->"
C_GRID = {"lr": (3.0, 10.0, 30.0, 100.0), "svc": (0.1, 0.3, 1.0, 3.0)}
# Segmentation must beat the best unsegmented candidate by this much to pay for word_tokenize.
SEGMENTATION_MARGIN = 0.01


def _prepare_timed(texts: list[str]) -> tuple[list[Doc], float, float]:
    """Docs with every view, plus ms per text of normalising and of segmenting."""
    start = time.perf_counter()
    norms = [normalize(t) for t in texts]
    t_norm = time.perf_counter() - start
    start = time.perf_counter()
    segs = [segment(n) for n in norms]
    t_seg = time.perf_counter() - start
    docs = [Doc(n, strip_diacritics(n), s) for n, s in zip(norms, segs)]
    n = max(len(texts), 1)
    return docs, 1000 * t_norm / n, 1000 * t_seg / n


def score(docs: list[Doc], targets: dict, config: Config, jobs: int) -> dict[str, float]:
    """Pooled out-of-fold macro-F1 per head, and the wall time."""
    start = time.perf_counter()
    oof = out_of_fold(docs, targets, config, n_jobs=jobs)
    out = {"seconds": time.perf_counter() - start}
    for head, (classes, proba) in oof.items():
        out[head] = float(f1_score(targets[head], classes[proba.argmax(1)], average="macro"))
    return out


def _row(config: Config, s: dict[str, float]) -> str:
    mean = (s["field"] + s["kind"]) / 2
    return (
        f"| {config.features} | {config.model} | {config.c:g} | {s['field']:.4f} | "
        f"{s['kind']:.4f} | {mean:.4f} | {s['seconds']:.1f} |"
    )


def run(data: Path, jobs: int) -> str:
    """Score every candidate; return the markdown report."""
    rows = load_dir(data)
    targets = targets_of(rows)
    docs, ms_norm, ms_seg = _prepare_timed([r["text"] for r in rows])
    lines = [
        f"Corpus: {len(rows)} texts from `{data.name}/`; stratified 5-fold CV (seed 0), pooled "
        "out-of-fold macro-F1.",
        f"Text path cost per text: normalise {ms_norm:.2f} ms; underthesea word_tokenize "
        f"{ms_seg:.2f} ms more.",
        "",
        "| features | model | C | field macro-F1 | kind macro-F1 | mean | CV seconds |",
        "|---|---|---|---|---|---|---|",
    ]
    results = []
    for features in FEATURE_SETS:
        for model in MODELS:
            config = Config(features, model)
            s = score(docs, targets, config, jobs)
            results.append((config, s))
            lines.append(_row(config, s))
            print(lines[-1], flush=True)
    best = _choose(results)
    lines += ["", f"C sweep for the chosen feature set ({best.features}):", ""]
    lines += [lines[3], lines[4]]
    for model in ("lr", "svc"):
        for c in C_GRID[model]:
            config = Config(best.features, model, c)
            s = score(docs, targets, config, jobs)
            results.append((config, s))
            lines.append(_row(config, s))
            print(lines[-1], flush=True)
    final = _choose([(c, s) for c, s in results if c.features == best.features])
    lines += ["", f"Chosen: features={final.features} model={final.model} C={final.c:g}"]
    return "\n".join(lines)


def _choose(results: list[tuple[Config, dict]]) -> Config:
    """Best mean macro-F1; a segmented config must win by SEGMENTATION_MARGIN to be chosen."""

    def mean(s: dict) -> float:
        return (s["field"] + s["kind"]) / 2

    plain = max((r for r in results if not r[0].segmented), key=lambda r: mean(r[1]))
    seg = max((r for r in results if r[0].segmented), key=lambda r: mean(r[1]), default=None)
    if seg is not None and mean(seg[1]) > mean(plain[1]) + SEGMENTATION_MARGIN:
        return seg[0]
    return plain[0]


def write_readme(table: str) -> None:
    """Replace the text between the compare markers of ml/README.md."""
    text = README.read_text(encoding="utf-8")
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    README.write_text(f"{head}{START}\n{table}\n{END}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """CLI entry point."""
    parser = argparse.ArgumentParser(prog="python -m ml.compare", description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--write-readme", action="store_true")
    args = parser.parse_args(argv)
    np.seterr(all="ignore")
    table = run(args.data, args.jobs)
    print(table)
    if args.write_readme:
        write_readme(table)
        print(f"table written to {README}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
