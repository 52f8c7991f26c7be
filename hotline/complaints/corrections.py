"""Manual triage that overrode the model, exported as training examples (never contact data)."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from hotline.complaints.models import Complaint, TriageResult
from hotline.extensions import db


def correction_rows() -> list[dict]:
    rows = db.session.execute(
        select(TriageResult.id, TriageResult.field, TriageResult.kind, Complaint.content)
        .join(Complaint, Complaint.id == TriageResult.complaint_id)
        .where(TriageResult.corrects_model.is_(True))
        # Denunciations keep the denouncer safe: their text never leaves the system.
        .where(TriageResult.kind != "to_cao", Complaint.kind != "to_cao")
        .order_by(TriageResult.id)
    ).all()
    return [
        {"id": f"correction-{r.id}", "text": r.content, "field": r.field, "kind": r.kind}
        for r in rows
    ]


def export_corrections(path: str | Path) -> int:
    rows = correction_rows()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return len(rows)
