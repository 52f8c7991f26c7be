"""The one-text fast path of TextModel must equal scikit-learn's own arithmetic."""

from __future__ import annotations

import numpy as np
import pytest

from ml.labels import KIND_SLA_GROUP, KINDS
from ml.pipeline import FEATURE_SETS, MODELS, Config, TextModel
from ml.preprocess import prepare_many


def test_every_kind_has_an_sla_group() -> None:
    assert set(KIND_SLA_GROUP) == set(KINDS)


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("features", [f for f in FEATURE_SETS if "segmented" not in f])
def test_fast_path_matches_sklearn(rows_factory, features: str, model: str) -> None:
    rows = rows_factory(per_field=4)
    docs = prepare_many([r["text"] for r in rows])
    targets = {h: np.array([r[h] for r in rows]) for h in ("field", "kind")}
    tm = TextModel(Config(features, model)).fit(docs, targets)
    queries = prepare_many(["xin cấp sổ đỏ cho đất", "đường có ổ gà", "zzz qqq"])
    x = tm.features.transform(queries)
    for i, doc in enumerate(queries):
        one = tm._transform_one(doc)
        assert np.allclose(one.toarray(), x[i].toarray(), atol=1e-6)
        fast = tm.predict_proba([doc])
        for head, clf in tm.heads.items():
            assert np.allclose(fast[head][1], clf.predict_proba(x[i]), atol=1e-6)
