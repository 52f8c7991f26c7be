"""Corpus hygiene: size, balance, diacritic-free share, no near-duplicates, no holdout leakage.

The count tests fail while the corpus is still being written; that is expected.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from ml import corpus_check
from ml.labels import FIELDS, KINDS

DATA = Path(corpus_check.__file__).parent / "data"


@pytest.fixture(scope="module")
def corpus() -> list[dict]:
    """Every row of ml/data/corpus/*.jsonl (schema-checked by corpus_check.load)."""
    paths = sorted((DATA / "corpus").glob("*.jsonl"))
    if not paths:
        pytest.fail("no corpus files in ml/data/corpus")
    return corpus_check.load(paths)


def test_corpus_size(corpus: list[dict]) -> None:
    assert len(corpus) >= 2600


@pytest.mark.parametrize("field", FIELDS)
def test_texts_per_field(corpus: list[dict], field: str) -> None:
    assert Counter(r["field"] for r in corpus)[field] >= 150


@pytest.mark.parametrize("kind", KINDS)
def test_texts_per_kind(corpus: list[dict], kind: str) -> None:
    assert Counter(r["kind"] for r in corpus)[kind] >= 200


def test_share_without_diacritics(corpus: list[dict]) -> None:
    plain = sum(not corpus_check.has_diacritics(r["text"]) for r in corpus)
    assert plain / len(corpus) >= 0.10


def test_no_near_duplicates(corpus: list[dict]) -> None:
    pairs = corpus_check.near_duplicates([r["text"] for r in corpus])
    shown = [f"{corpus[i]['_where']} ~ {corpus[j]['_where']} ({v:.2f})" for i, j, v in pairs[:20]]
    assert not pairs, f"{len(pairs)} near-duplicate pairs: " + "; ".join(shown)


def test_near_duplicate_check_catches_a_copy() -> None:
    texts = [
        "Đường vào ấp 3 xã Bàu Hàm có nhiều ổ gà lớn, xe máy té ngã liên tục.",
        "Đường vào ấp 3 xã Bàu Hàm có nhiều ổ gà lớn, xe máy té ngã liên tục ạ.",
        "Tôi hỏi về thủ tục cấp lại thẻ bảo hiểm y tế bị mất.",
    ]
    assert [(i, j) for i, j, _ in corpus_check.near_duplicates(texts)] == [(0, 1)]


def test_holdout_does_not_leak_into_corpus(corpus: list[dict]) -> None:
    holdout_paths = sorted((DATA / "holdout").glob("*.jsonl"))
    if not holdout_paths:
        pytest.skip("no holdout files yet")
    holdout = corpus_check.load(holdout_paths)
    seen = {r["text"].strip().lower() for r in corpus}
    leaked = [r["_where"] for r in holdout if r["text"].strip().lower() in seen]
    assert not leaked, f"holdout texts also in the corpus: {leaked[:10]}"
