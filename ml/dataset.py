"""Labelled JSONL data: loading with line-precise errors, hashing, the fixed validation split."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from ml.labels import LABELS

# Corrections are judged on the texts whose hash falls in this share (see ml/README.md).
VALIDATION_BUCKETS = 5  # 1 bucket of 5 = 20 %


class DataError(ValueError):
    """A JSONL line is malformed or carries an unknown label; the message names the line."""


def load_jsonl(path: str | Path, *, require_labels: bool = True) -> list[dict]:
    """Read JSON lines ``{"text", "field"?, "kind"?, ...}`` and validate them.

    With ``require_labels`` both labels must be present (training data); otherwise a label may
    be absent, but a present one must still be a known code.
    """
    path = Path(path)
    rows = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            where = f"{path}:{lineno}"
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataError(f"{where}: invalid JSON: {exc.msg}") from exc
            if not isinstance(row, dict) or not isinstance(row.get("text"), str):
                raise DataError(f"{where}: expected an object with a string 'text'")
            for head, codes in LABELS.items():
                value = row.get(head)
                if value is None and not require_labels:
                    continue
                if value not in codes:
                    raise DataError(f"{where}: unknown {head} label {value!r}")
            row["_where"] = where
            rows.append(row)
    return rows


def load_dir(directory: str | Path) -> list[dict]:
    """All ``*.jsonl`` files of a directory, in file-name order."""
    directory = Path(directory)
    paths = sorted(directory.glob("*.jsonl"))
    if not paths:
        raise DataError(f"no *.jsonl files in {directory}")
    return [row for path in paths for row in load_jsonl(path)]


def rows_sha256(rows: Iterable[dict]) -> str:
    """sha256 of the (text, field, kind) content in order: independent of file names and ids."""
    digest = hashlib.sha256()
    for row in rows:
        item = [row["text"], row.get("field"), row.get("kind")]
        digest.update(json.dumps(item, ensure_ascii=False).encode("utf-8") + b"\n")
    return digest.hexdigest()


def in_validation(text: str) -> bool:
    """Fixed, order-independent validation membership: a hash of the NFC, lower-cased text."""
    key = unicodedata.normalize("NFC", text).strip().lower().encode("utf-8")
    return int(hashlib.sha256(key).hexdigest(), 16) % VALIDATION_BUCKETS == 0
