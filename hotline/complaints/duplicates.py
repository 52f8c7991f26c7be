"""Duplicates: propose near-identical open complaints, merge or reject them, count clusters.

A merged item keeps its own row (state ``merged``, ``parent_id`` = the main complaint) and
follows the main one: the citizen's status page shows the main's answer (complaints/lookup.py).
Inspection counts repeated complaints with ``cluster_sizes``: main + its merged items.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from hotline.clock import utcnow
from hotline.complaints.models import FINAL_STATES, Complaint, DuplicateProposal
from hotline.complaints.workflow import ALLOWED_TRANSITIONS, record_event, transition
from hotline.directory.location import fold
from hotline.directory.models import User
from hotline.errors import InvalidTransition
from hotline.extensions import db

log = logging.getLogger(__name__)

WINDOW_DAYS = 30
MAX_CANDIDATES = 200  # the most recent open items of the same ward and field
THRESHOLD = 0.8  # cosine of character trigram counts; near-identical texts score above 0.9


def _grams(text: str) -> Counter[str]:
    words = re.findall(r"[0-9a-z]+", fold(text))
    grams: Counter[str] = Counter()
    for word in words:
        padded = f" {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


def similarity(a: str, b: str) -> float:
    """Cosine similarity of character trigram counts (diacritics and case ignored), 0–1."""
    ga, gb = _grams(a), _grams(b)
    if not ga or not gb:
        return 0.0
    dot = sum(count * gb[g] for g, count in ga.items() if g in gb)
    norm = math.sqrt(sum(c * c for c in ga.values())) * math.sqrt(sum(c * c for c in gb.values()))
    return dot / norm


def _candidates(complaint: Complaint) -> list[tuple[int, str]]:
    """Open complaints of the same ward and field from the 30 days before it (SQL does the
    filtering; at most MAX_CANDIDATES rows come back)."""
    declined = select(DuplicateProposal.main_id).where(
        DuplicateProposal.complaint_id == complaint.id
    )
    stmt = (
        select(Complaint.id, Complaint.content)
        .where(
            Complaint.ward_code == complaint.ward_code,
            Complaint.field == complaint.field,
            Complaint.id != complaint.id,
            Complaint.state.not_in(sorted(FINAL_STATES)),
            Complaint.received_at >= complaint.received_at - timedelta(days=WINDOW_DAYS),
            Complaint.received_at <= complaint.received_at,
            Complaint.id.not_in(declined),
        )
        .order_by(Complaint.received_at.desc(), Complaint.id.desc())
        .limit(MAX_CANDIDATES)
    )
    return [(row.id, row.content) for row in db.session.execute(stmt)]


def propose_duplicate(complaint: Complaint) -> DuplicateProposal | None:
    """Record the most similar open complaint as a proposal for the supervisor, if any scores
    above THRESHOLD. Called at triage, once field and place are known. Flushes."""
    if complaint.ward_code is None or complaint.field is None or complaint.id is None:
        return None
    pending = db.session.scalar(
        select(DuplicateProposal.id).where(
            DuplicateProposal.complaint_id == complaint.id, DuplicateProposal.status == "proposed"
        )
    )
    if pending is not None:
        return None
    best_id, best_score = None, 0.0
    for candidate_id, content in _candidates(complaint):
        score = similarity(complaint.content, content)
        if score > best_score:
            best_id, best_score = candidate_id, score
    if best_id is None or best_score < THRESHOLD:
        return None
    proposal = DuplicateProposal(
        complaint_id=complaint.id, main_id=best_id, score=round(best_score, 4)
    )
    db.session.add(proposal)
    main_code = db.session.scalar(select(Complaint.tracking_code).where(Complaint.id == best_id))
    record_event(
        complaint,
        "duplicate_proposed",
        note=f"Có thể trùng với phản ánh {main_code} (độ tương đồng {best_score:.0%}).",
        data={"main": main_code, "score": round(best_score, 4)},
    )
    db.session.flush()
    log.info(
        "duplicates.proposed complaint_id=%s main_id=%s score=%.2f",
        complaint.id,
        best_id,
        best_score,
    )
    return proposal


def root_of(complaint: Complaint) -> Complaint:
    """The main complaint a merged one follows (merges can chain; never loops)."""
    seen = {complaint.id}
    while complaint.state == "merged" and complaint.parent is not None:
        complaint = complaint.parent
        if complaint.id in seen:
            break
        seen.add(complaint.id)
    return complaint


def _decide(proposal: DuplicateProposal, status: str, actor: User) -> None:
    if proposal.status != "proposed":
        raise InvalidTransition("Đề xuất này đã được xử lý.")
    proposal.status, proposal.decided_by, proposal.decided_at = status, actor, utcnow()


def accept_duplicate(proposal: DuplicateProposal, actor: User) -> Complaint:
    """Merge the item into the main complaint; returns the main one. Flushes, never commits."""
    item, main = proposal.complaint, root_of(proposal.main)
    if main.id == item.id or main.state in {"rejected", "split"}:
        raise InvalidTransition("Phản ánh chính không còn nhận gộp; hãy từ chối đề xuất này.")
    if "merged" not in ALLOWED_TRANSITIONS.get(item.state, frozenset()):
        raise InvalidTransition("Phản ánh ở trạng thái hiện tại không gộp được.")
    _decide(proposal, "accepted", actor)
    item.parent = main
    transition(
        item,
        "merged",
        actor=actor,
        note="Đã gộp vào một phản ánh cùng nội dung; kết quả trả lời sẽ hiển thị tại đây.",
        data={"main": main.tracking_code, "score": proposal.score},
    )
    record_event(
        main,
        "duplicate_merged",
        actor=actor,
        note=f"Phản ánh {item.tracking_code} được gộp vào đây.",
        data={"merged": item.tracking_code},
    )
    # Keep clusters flat: whatever followed the item now follows the main one.
    for child in db.session.scalars(
        select(Complaint).where(Complaint.parent_id == item.id, Complaint.state == "merged")
    ):
        child.parent = main
    for other in db.session.scalars(
        select(DuplicateProposal).where(
            DuplicateProposal.complaint_id == item.id, DuplicateProposal.status == "proposed"
        )
    ):
        if other is not proposal:
            other.status, other.decided_by, other.decided_at = "rejected", actor, utcnow()
    db.session.flush()
    log.info("duplicates.merged complaint_id=%s main_id=%s", item.id, main.id)
    return main


def reject_duplicate(proposal: DuplicateProposal, actor: User) -> None:
    """Not a duplicate: the pair is never proposed again. Flushes, never commits."""
    _decide(proposal, "rejected", actor)
    record_event(
        proposal.complaint,
        "duplicate_rejected",
        actor=actor,
        note=f"Không trùng với phản ánh {proposal.main.tracking_code}.",
        data={"main": proposal.main.tracking_code},
    )
    db.session.flush()


def cluster_sizes(start: datetime, end: datetime) -> dict[int, int]:
    """{main complaint id: main + merged items} for main complaints received in [start, end)
    that have at least one merged item. The query, for reuse in SQL reports::

        SELECT parent_id, 1 + COUNT(*) FROM complaint
        WHERE state = 'merged' AND parent_id IS NOT NULL GROUP BY parent_id
        -- joined to the parent row to filter on its received_at (and agency_id)
    """
    main = aliased(Complaint)
    stmt = (
        select(Complaint.parent_id, func.count(Complaint.id))
        .join(main, main.id == Complaint.parent_id)
        .where(Complaint.state == "merged", main.received_at >= start, main.received_at < end)
        .group_by(Complaint.parent_id)
    )
    return {parent_id: 1 + count for parent_id, count in db.session.execute(stmt)}
