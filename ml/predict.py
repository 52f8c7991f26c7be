"""Serving: ``Classifier.load(dir).predict(text) -> Prediction``, and ``python -m ml.predict``.

The classifier is pure and thread-safe for prediction; load it once per worker process.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from sklearn import config_context

from ml.artifacts import ArtifactError, default_model_dir, load_artifact
from ml.labels import FIELDS, KINDS
from ml.pipeline import TextModel, sla_group_proba
from ml.preprocess import prepare

TOP_K = 3


@dataclass(frozen=True)
class Prediction:
    """One classified text.

    ``confident`` is True when automatic routing is allowed: ``field_proba >= threshold`` AND the
    probability of the predicted kind's SLA group (``kind_sla_proba``; phan_anh and kien_nghi
    share one clock) is ``>= kind_threshold``. Routing follows the field; the deadline follows
    the kind, so a wrong clock is as harmful as a wrong agency.
    """

    field: str
    kind: str
    field_proba: float
    kind_proba: float
    field_top: list[tuple[str, float]]
    kind_top: list[tuple[str, float]]
    model_version: str
    confident: bool
    kind_sla_proba: float

    def as_dict(self) -> dict:
        """JSON-serialisable form (tuples become lists)."""
        out = asdict(self)
        out["field_top"] = [[code, p] for code, p in self.field_top]
        out["kind_top"] = [[code, p] for code, p in self.kind_top]
        return out


def _top(classes: np.ndarray, row: np.ndarray) -> list[tuple[str, float]]:
    order = np.argsort(-row, kind="stable")[:TOP_K]
    return [(str(classes[i]), round(float(row[i]), 6)) for i in order]


class Classifier:
    """A loaded model artifact (see :mod:`ml.artifacts`)."""

    def __init__(self, model: TextModel, metadata: dict) -> None:
        self.model = model
        self.metadata = metadata
        self.version: str = metadata["version"]
        self.threshold: float = float(metadata["threshold"])
        self.kind_threshold: float = float(metadata["kind_threshold"])
        self._segmented = bool(model.config.segmented)

    @classmethod
    def load(cls, path: str | Path | None = None) -> Classifier:
        """Load an artifact dir (default ``ml/artifacts/current``); raises ``ArtifactError``."""
        model, metadata = load_artifact(path if path is not None else default_model_dir())
        if not isinstance(model, TextModel):
            raise ArtifactError(f"{path} does not hold an ml.pipeline.TextModel")
        if (
            tuple(metadata.get("labels", {}).get("field", ())) != FIELDS
            or tuple(metadata.get("labels", {}).get("kind", ())) != KINDS
        ):
            raise ArtifactError(f"{path} was trained for another label set: retrain")
        for key in ("version", "threshold", "kind_threshold"):
            if key not in metadata:
                raise ArtifactError(f"metadata.json in {path} lacks {key!r}: retrain")
        clf = cls(model, metadata)
        # Warm up now (imports underthesea, builds the fast-path tables), so a worker preloaded
        # before fork pays this once and the first complaint is not slower than the rest.
        clf.predict("khởi động")
        return clf

    def predict(self, text: str) -> Prediction:
        """Classify one text."""
        return self.predict_many([text])[0]

    def predict_many(self, texts: Sequence[str]) -> list[Prediction]:
        """Classify several texts in one vectorizer pass."""
        docs = [prepare(t, segmented=self._segmented) for t in texts]
        # Inputs come from our own vectorizers: skip sklearn's per-call finiteness checks.
        with config_context(assume_finite=True, skip_parameter_validation=True):
            out = self.model.predict_proba(docs)
        f_classes, f_proba = out["field"]
        k_classes, k_proba = out["kind"]
        k_sla = sla_group_proba(k_classes, k_proba)
        preds = []
        for i in range(len(docs)):
            f_top, k_top = _top(f_classes, f_proba[i]), _top(k_classes, k_proba[i])
            preds.append(
                Prediction(
                    field=f_top[0][0],
                    kind=k_top[0][0],
                    field_proba=f_top[0][1],
                    kind_proba=k_top[0][1],
                    field_top=f_top,
                    kind_top=k_top,
                    model_version=self.version,
                    confident=bool(
                        f_top[0][1] >= self.threshold and k_sla[i] >= self.kind_threshold
                    ),
                    kind_sla_proba=round(float(k_sla[i]), 6),
                )
            )
        return preds


def main(argv: list[str] | None = None) -> int:
    """CLI entry point: ``python -m ml.predict "text..." [--model DIR] [--json]``."""
    import json

    parser = argparse.ArgumentParser(prog="python -m ml.predict", description=__doc__)
    parser.add_argument("text", help="complaint text")
    parser.add_argument("--model", type=Path, default=None, help="artifact dir (default: current)")
    parser.add_argument("--json", action="store_true", help="print Prediction.as_dict() as JSON")
    args = parser.parse_args(argv)
    try:
        clf = Classifier.load(args.model)
    except ArtifactError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    p = clf.predict(args.text)
    if args.json:
        print(json.dumps(p.as_dict(), ensure_ascii=False))
        return 0
    print(f"field: {p.field} ({p.field_proba:.3f})")
    print(f"kind:  {p.kind} ({p.kind_proba:.3f})")
    print("field top 3: " + ", ".join(f"{c} {v:.3f}" for c, v in p.field_top))
    print("kind top 3:  " + ", ".join(f"{c} {v:.3f}" for c, v in p.kind_top))
    route = "auto-route" if p.confident else "needs_review"
    print(
        f"confident: {p.confident} -> {route} (field >= {clf.threshold:.3f}, "
        f"kind SLA group {p.kind_sla_proba:.3f} >= {clf.kind_threshold:.3f})"
    )
    print(f"model: {p.model_version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
