"""Feature and model builders: the candidate configurations and the two-headed text model."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
from scipy import sparse
from scipy.special import expit
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.naive_bayes import ComplementNB
from sklearn.pipeline import FeatureUnion
from sklearn.svm import LinearSVC

from ml.labels import HEADS, KIND_SLA_GROUP
from ml.preprocess import Doc

log = logging.getLogger(__name__)

SEED = 0
FEATURE_SETS: tuple[str, ...] = (
    "syllable",
    "segmented",
    "syllable+segmented",
    "char",
    "syllable+char",
)
MODELS: tuple[str, ...] = ("lr", "svc", "cnb")
# Inverse regularisation per model (unused by ComplementNB, whose alpha stays 0.3).
DEFAULT_C: dict[str, float] = {"lr": 10.0, "svc": 1.0, "cnb": 1.0}
# Token = a run of word characters; keeps one-letter syllables ("ở", "ý") and "_"-joined compounds.
TOKEN_PATTERN = r"(?u)\b\w+\b"


@dataclass(frozen=True)
class Config:
    """One candidate: which text views feed which vectorizers, and which classifier."""

    features: str = "syllable"
    model: str = "lr"
    C: float | None = None

    def __post_init__(self) -> None:
        if self.features not in FEATURE_SETS:
            raise ValueError(f"unknown feature set {self.features!r}")
        if self.model not in MODELS:
            raise ValueError(f"unknown model {self.model!r}")

    @property
    def c(self) -> float:
        """The regularisation strength actually used."""
        return DEFAULT_C[self.model] if self.C is None else self.C

    @property
    def segmented(self) -> bool:
        """Whether this config needs underthesea word segmentation (the slow step)."""
        return "segmented" in self.features

    def as_dict(self) -> dict:
        """JSON-serialisable form, stored in metadata.json (C resolved)."""
        return {**asdict(self), "C": self.c}


class View:
    """Picks one view of a :class:`~ml.preprocess.Doc`; a class (not a lambda) so it pickles."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, doc: Doc) -> str:
        return getattr(doc, self.name)


def _words(view: str) -> TfidfVectorizer:
    return TfidfVectorizer(
        preprocessor=View(view),
        lowercase=False,
        token_pattern=TOKEN_PATTERN,
        ngram_range=(1, 2),
        min_df=2,
        sublinear_tf=True,
        dtype=np.float32,
    )


def _chars(view: str) -> TfidfVectorizer:
    return TfidfVectorizer(
        preprocessor=View(view),
        lowercase=False,
        analyzer="char_wb",
        ngram_range=(2, 5),
        min_df=2,
        max_features=60_000,
        sublinear_tf=True,
        dtype=np.float32,
    )


def build_features(features: str) -> FeatureUnion:
    """The vectorizers of a feature set; every set includes a diacritic-free view."""
    parts: list[tuple[str, TfidfVectorizer]] = []
    if features in ("syllable", "syllable+segmented", "syllable+char"):
        parts.append(("syllables", _words("text")))
    if features in ("segmented", "syllable+segmented"):
        parts.append(("words", _words("seg")))
    if features in ("syllable", "segmented", "syllable+segmented", "syllable+char"):
        parts.append(("plain", _words("plain")))
    if features in ("char", "syllable+char"):
        parts.append(("chars", _chars("plain")))
    return FeatureUnion(parts)


def build_classifier(config: Config, n_min: int) -> object:
    """A classifier with calibrated ``predict_proba``; ``n_min`` = smallest class size."""
    folds = max(2, min(3, n_min))
    inner = StratifiedKFold(folds, shuffle=True, random_state=SEED)
    if config.model == "lr":
        return LogisticRegression(C=config.c, max_iter=3000, class_weight="balanced")
    if config.model == "svc":
        svc = LinearSVC(C=config.c, class_weight="balanced", random_state=SEED)
        return CalibratedClassifierCV(svc, cv=inner, method="sigmoid")
    return CalibratedClassifierCV(ComplementNB(alpha=0.3), cv=inner, method="sigmoid")


class TextModel:
    """One shared feature extractor and one calibrated classifier per head (field, kind)."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.features = build_features(config.features)
        self.heads: dict[str, object] = {}

    def fit(self, docs: Sequence[Doc], targets: dict[str, Sequence[str]]) -> TextModel:
        """Fit the vectorizers once, then each head on the shared matrix."""
        x = self.features.fit_transform(docs)
        for _, vectorizer in self.features.transformer_list:
            vectorizer.stop_words_ = None  # only for introspection; keeps the artifact small
        for head in HEADS:
            y = np.asarray(targets[head])
            n_min = int(min(np.unique(y, return_counts=True)[1]))
            self.heads[head] = build_classifier(self.config, n_min).fit(x, y)
            log.debug("fitted head=%s classes=%d", head, len(self.heads[head].classes_))
        return self

    def predict_proba(self, docs: Sequence[Doc]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Per head: (classes, probability matrix of shape (n_docs, n_classes))."""
        if len(docs) == 1:
            # Serving classifies one text per job, where sklearn's per-call overhead (validation,
            # FeatureUnion, sparse bookkeeping) costs more than the arithmetic: use the fast path.
            x = self._transform_one(docs[0])
            return {h: (clf.classes_, self._proba_one(h, clf, x)) for h, clf in self.heads.items()}
        x = self.features.transform(docs)
        return {h: (clf.classes_, clf.predict_proba(x)) for h, clf in self.heads.items()}

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state.pop("_fast", None)  # rebuilt lazily after loading; analyzers hold closures
        return state

    def _fast_parts(self) -> list[tuple[object, dict, np.ndarray, int]]:
        fast = self.__dict__.get("_fast")
        if fast is None:
            fast, offset = [], 0
            for _, vec in self.features.transformer_list:
                fast.append((vec.build_analyzer(), vec.vocabulary_, vec.idf_, offset))
                offset += len(vec.vocabulary_)
            self._fast = fast
        return fast

    def _transform_one(self, doc: Doc) -> sparse.csr_matrix:
        """Same matrix as ``self.features.transform([doc])`` (sublinear tf-idf, l2 per block)."""
        cols, vals, width = [], [], 0
        for analyzer, vocabulary, idf, offset in self._fast_parts():
            width = offset + len(vocabulary)
            counts = Counter(analyzer(doc))
            pairs = [(vocabulary[t], c) for t, c in counts.items() if t in vocabulary]
            if not pairs:
                continue
            idx = np.array([i for i, _ in pairs], dtype=np.int64)
            w = (1.0 + np.log(np.array([c for _, c in pairs], dtype=np.float64))) * idf[idx]
            w /= np.sqrt(w @ w)
            cols.append(idx + offset)
            vals.append(w)
        col = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
        val = np.concatenate(vals).astype(np.float32) if vals else np.zeros(0, dtype=np.float32)
        return sparse.csr_matrix((val, col, [0, len(col)]), shape=(1, width))

    @staticmethod
    def _proba_one(head: str, clf: object, x: sparse.csr_matrix) -> np.ndarray:
        """``clf.predict_proba(x)`` for one row, by the same arithmetic without the overhead.

        tests/ml/test_pipeline.py checks it against scikit-learn for every model type.
        """
        n_classes = len(clf.classes_)
        if isinstance(clf, LogisticRegression) and n_classes > 2:
            # multinomial LR: softmax of the decision function
            z = (x @ clf.coef_.T).ravel() + clf.intercept_
            z = np.exp(z - z.max())
            return (z / z.sum())[None, :]
        if (
            isinstance(clf, CalibratedClassifierCV)
            and isinstance(clf.estimator, LinearSVC)
            and clf.method == "sigmoid"
            and n_classes > 2
        ):
            # mean over the CV ensemble of one-vs-rest Platt sigmoids, each row renormalised
            total = np.zeros(n_classes)
            for cc in clf.calibrated_classifiers_:
                svc = cc.estimator
                d = (x @ svc.coef_.T).ravel() + svc.intercept_
                p = np.zeros(n_classes)
                idx = np.searchsorted(clf.classes_, svc.classes_)
                a = np.array([c.a_ for c in cc.calibrators])
                b = np.array([c.b_ for c in cc.calibrators])
                p[idx] = expit(-(a * d + b))
                s = p.sum()
                total += p / s if s != 0 else np.full(n_classes, 1 / n_classes)
            return np.minimum(total / len(clf.calibrated_classifiers_), 1.0)[None, :]
        return clf.predict_proba(x)


def sla_group_proba(classes: Sequence[str], proba: np.ndarray) -> np.ndarray:
    """For each row, the probability mass of the SLA group of its most likely kind."""
    groups = np.array([KIND_SLA_GROUP[k] for k in classes])
    top_groups = groups[proba.argmax(axis=1)]
    mask = groups[None, :] == top_groups[:, None]
    return (proba * mask).sum(axis=1)


def kind_sla_groups(kinds: Sequence[str]) -> np.ndarray:
    """Map kind codes to their SLA group names."""
    return np.array([KIND_SLA_GROUP[k] for k in kinds])
