"""Corpus hygiene checks: schema, label codes, diacritic-free share and near-duplicates."""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from pathlib import Path

from ml.labels import FIELDS, KINDS

NEAR_DUPLICATE = 0.85


def load(paths: list[Path]) -> list[dict]:
    rows = []
    for path in paths:
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise SystemExit(f"{path}:{lineno}: invalid JSON: {exc}") from exc
            if row.get("field") not in FIELDS or row.get("kind") not in KINDS:
                raise SystemExit(
                    f"{path}:{lineno}: unknown field/kind {row.get('field')}/{row.get('kind')}"
                )
            if not isinstance(row.get("text"), str) or len(row["text"]) < 10:
                raise SystemExit(f"{path}:{lineno}: text missing or shorter than 10 characters")
            row["_where"] = f"{path.name}:{lineno}"
            rows.append(row)
    return rows


def has_diacritics(text: str) -> bool:
    decomposed = unicodedata.normalize("NFD", text)
    return any(unicodedata.combining(ch) for ch in decomposed) or "đ" in text.lower()


def near_duplicates(
    texts: list[str], threshold: float = NEAR_DUPLICATE
) -> list[tuple[int, int, float]]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    if len(texts) < 2:
        return []

    matrix = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit_transform(
        [t.lower() for t in texts]
    )
    sims = (matrix @ matrix.T).tocoo()
    return [
        (int(i), int(j), float(v))
        for i, j, v in zip(sims.row, sims.col, sims.data, strict=True)
        if i < j and v > threshold
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("paths", nargs="*", type=Path)
    args = parser.parse_args(argv)
    paths = args.paths or sorted(Path(__file__).parent.joinpath("data", "corpus").glob("*.jsonl"))
    rows = load(paths)
    from collections import Counter

    print(f"{len(rows)} texts")
    print("field:", dict(Counter(r["field"] for r in rows)))
    print("kind: ", dict(Counter(r["kind"] for r in rows)))
    plain = sum(not has_diacritics(r["text"]) for r in rows)
    print(f"without diacritics: {plain} ({plain / max(len(rows), 1):.1%})")
    dups = near_duplicates([r["text"] for r in rows])
    for i, j, v in dups:
        print(f"near-duplicate {v:.2f}: {rows[i]['_where']} ~ {rows[j]['_where']}")
    return 1 if dups else 0


if __name__ == "__main__":
    sys.exit(main())
