"""``python -m ml.bench``: throughput vs underthesea word_tokenize, load time, size, memory.

Usage: ``python -m ml.bench [--model DIR] [--data FILE_OR_DIR] [--n N]``. Texts default to the
holdout set (or the corpus when there is none). Prediction is timed one text per call, as the
classify job runs it.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
from pathlib import Path

from ml.artifacts import ML_DIR, ArtifactError, artifact_size, default_model_dir


def _texts(source: Path | None, n: int) -> list[str]:
    from ml.dataset import load_dir, load_jsonl

    if source is None:
        holdout = ML_DIR / "data" / "holdout"
        source = holdout if any(holdout.glob("*.jsonl")) else ML_DIR / "data" / "corpus"
    if source.is_dir():
        paths = sorted(source.glob("*.jsonl"))
        rows = [r for p in paths for r in load_jsonl(p, require_labels=False)]
        if not rows:
            rows = load_dir(source)
    else:
        rows = load_jsonl(source, require_labels=False)
    texts = [r["text"] for r in rows]
    return (texts * (n // max(len(texts), 1) + 1))[:n]


def _rate(fn, texts: list[str]) -> float:
    start = time.perf_counter()
    for t in texts:
        fn(t)
    return len(texts) / (time.perf_counter() - start)


def main(argv: list[str] | None = None) -> int:
    """CLI entry point."""
    parser = argparse.ArgumentParser(prog="python -m ml.bench", description=__doc__)
    parser.add_argument("--model", type=Path, default=None, help="artifact dir (default: current)")
    parser.add_argument("--data", type=Path, default=None, help="JSONL file or dir of texts")
    parser.add_argument("--n", type=int, default=1000, help="texts to time")
    args = parser.parse_args(argv)
    model_dir = args.model or default_model_dir()

    # Cold load, as a fresh worker sees it: imports (sklearn, underthesea) + joblib + warm-up.
    start = time.perf_counter()
    try:
        from ml.predict import Classifier

        clf = Classifier.load(model_dir)
    except ArtifactError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    cold_s = time.perf_counter() - start
    # The model itself, libraries already imported (what the < 2 s target is about).
    start = time.perf_counter()
    Classifier.load(model_dir)
    load_s = time.perf_counter() - start
    # Memory of a second load, traced separately: tracemalloc slows imports several-fold.
    tracemalloc.start()
    Classifier.load(model_dir)
    _, load_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    from underthesea import word_tokenize

    texts = _texts(args.data, args.n)
    word_tokenize(texts[0])  # load the CRF model outside the timing
    clf.predict(texts[0])
    wt_rate = _rate(lambda t: word_tokenize(t, format="text"), texts)
    pred_rate = _rate(clf.predict, texts)
    start = time.perf_counter()
    for i in range(0, len(texts), 64):
        clf.predict_many(texts[i : i + 64])
    batch_rate = len(texts) / (time.perf_counter() - start)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size_mb = artifact_size(model_dir) / 1e6
    ratio = pred_rate / wt_rate
    mean_chars = sum(map(len, texts)) / len(texts)

    print(f"model {clf.version} ({clf.model.config.features}, {clf.model.config.model})")
    print(f"texts: {len(texts)} (mean {mean_chars:.0f} characters)")
    print(f"word_tokenize alone:        {wt_rate:8.1f} texts/s")
    print(f"full prediction (1 by 1):   {pred_rate:8.1f} texts/s")
    print(f"full prediction (batch 64): {batch_rate:8.1f} texts/s")
    print(
        f"ratio prediction / word_tokenize: {ratio:.2f} (target >= 0.70) "
        f"{'OK' if ratio >= 0.7 else 'MISSED'}"
    )
    print(
        f"model load time: {load_s:.2f} s (target < 2 s) {'OK' if load_s < 2 else 'MISSED'}; "
        f"cold, including sklearn/underthesea imports: {cold_s:.2f} s"
    )
    print(f"artifact size: {size_mb:.1f} MB (target < 50 MB) {'OK' if size_mb < 50 else 'MISSED'}")
    print(
        f"peak traced memory of one load: {load_peak / 1e6:.1f} MB; "
        f"process peak RSS {rss_mb:.0f} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
