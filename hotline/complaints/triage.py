"""Triage: the model's verdict or a supervisor's, then routing and the legal deadline."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import (
    DisconnectionError,
    InterfaceError,
    OperationalError,
    StatementError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from hotline.clock import utcnow
from hotline.complaints.duplicates import propose_duplicate
from hotline.complaints.models import Complaint, OutboxJob, TriageResult
from hotline.complaints.routing import Route, choose_route, explain
from hotline.complaints.workflow import transition
from hotline.directory.deadlines import compute_deadline
from hotline.directory.location import locate_complaint
from hotline.directory.models import Agency, User
from hotline.errors import ValidationError
from hotline.extensions import db
from ml.labels import FIELDS, KINDS

log = logging.getLogger(__name__)

# States from which a complaint still waits for (re-)triage.
TRIAGE_PENDING = frozenset({"received", "returned"})
MANUAL_TRIAGE_FROM = frozenset({"received", "needs_review", "returned"})


def load_classifier(model_dir: Path):
    """Load the model once per process; None (with a warning) when there is none yet."""
    from ml.artifacts import ArtifactError
    from ml.predict import Classifier

    try:
        return Classifier.load(model_dir)
    except ArtifactError as exc:
        log.warning("classifier.unavailable reason=%s", exc)
        return None


def get_classifier():
    ext = current_app.extensions
    if "hotline_classifier" not in ext:
        ext["hotline_classifier"] = load_classifier(current_app.config["HOTLINE"].model_dir)
    return ext["hotline_classifier"]


def is_confident(prediction, classifier) -> bool:
    """May this prediction be routed without a person? The model's own gates (chosen from
    cross-validation so that auto-routed items are at least 95% right) unless an operator of the
    system set HOTLINE_TRIAGE_THRESHOLD for the field gate."""
    configured = current_app.config["HOTLINE"].triage_threshold
    if configured is None:
        return bool(prediction.confident)
    kind_proba = getattr(prediction, "kind_sla_proba", prediction.kind_proba)
    return prediction.field_proba >= configured and kind_proba >= getattr(
        classifier, "kind_threshold", 0.0
    )


# Database trouble worth retrying later; anything else in a triage job is a permanent problem.
TRANSIENT_DB_ERRORS = (OperationalError, InterfaceError, DisconnectionError, PoolTimeoutError)


def _begin_write() -> None:
    """SQLite has no FOR UPDATE: take its write lock before reading, so that two deliveries of
    one job cannot both see the complaint still pending (PostgreSQL uses row locks instead)."""
    conn = db.session.connection()
    if conn.dialect.name != "sqlite":
        return
    if not conn.connection.dbapi_connection.in_transaction:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _claim(outbox_id: int) -> tuple[OutboxJob, Complaint] | None:
    """Lock the outbox row and its complaint; None (after marking the row done if it was owed)
    when there is nothing to do. FOR UPDATE serialises two deliveries on PostgreSQL."""
    _begin_write()
    row = db.session.scalar(
        select(OutboxJob)
        .where(OutboxJob.id == outbox_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if row is None or row.done_at is not None:
        db.session.rollback()
        return None
    complaint = row.complaint_id and db.session.scalar(
        select(Complaint)
        .where(Complaint.id == row.complaint_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if not complaint or complaint.state not in TRIAGE_PENDING:
        row.done_at = utcnow()
        db.session.commit()
        return None
    return row, complaint


def run_triage_job(outbox_id: int) -> str:
    """Body of the triage job; idempotent: an outbox row is worked at most once. Commits.

    Database blips propagate (the caller retries). Any other failure is permanent: the complaint
    goes to a supervisor (needs_review, with an event) and the row is done, so it never loops.
    """
    claimed = _claim(outbox_id)
    if claimed is None:
        return "skipped"
    row, complaint = claimed
    try:
        outcome = auto_triage(complaint)
    except TRANSIENT_DB_ERRORS:
        raise
    except Exception as exc:
        db.session.rollback()
        # A database error's message carries the statement's parameters (PII): type only.
        log.error(
            "triage.failed outbox_id=%s error=%s",
            outbox_id,
            type(exc).__name__,
            exc_info=not isinstance(exc, StatementError),
        )
        claimed = _claim(outbox_id)
        if claimed is None:
            return "skipped"
        row, complaint = claimed
        transition(
            complaint,
            "needs_review",
            note="Không phân loại tự động được; cần phân loại thủ công.",
            data={"error": type(exc).__name__},
        )
        row.last_error = f"triage: {type(exc).__name__}"
        outcome = "needs_review"
    else:
        row.last_error = None
    row.done_at = utcnow()
    db.session.commit()
    log.info("triage.done complaint_id=%s outcome=%s", complaint.id, outcome)
    return outcome


def auto_triage(complaint: Complaint) -> str:
    """Classify and route when sure; otherwise leave it to a supervisor. Flushes, never commits."""
    locate_complaint(complaint)  # the ward decides the scope of routing (and the triage queue)
    classifier = get_classifier()
    if classifier is None:
        transition(
            complaint, "needs_review", note="Chưa có mô hình phân loại; cần phân loại thủ công."
        )
        return "needs_review"
    prediction = classifier.predict(complaint.content)
    db.session.add(
        TriageResult(
            complaint=complaint,
            source="model",
            field=prediction.field,
            kind=prediction.kind,
            field_proba=prediction.field_proba,
            kind_proba=prediction.kind_proba,
            probabilities=prediction.as_dict(),
            model_version=prediction.model_version,
        )
    )
    if not is_confident(prediction, classifier):
        transition(
            complaint,
            "needs_review",
            note=f"Mô hình chưa chắc chắn (độ tin cậy {prediction.field_proba:.0%}).",
            data={"field": prediction.field, "kind": prediction.kind},
        )
        return "needs_review"
    complaint.field, complaint.kind = prediction.field, prediction.kind
    propose_duplicate(complaint)
    route = choose_route(prediction.field, prediction.kind, complaint.ward_code, complaint.content)
    transition(
        complaint,
        "triaged",
        note="Phân loại tự động.",
        data={
            "field": prediction.field,
            "kind": prediction.kind,
            "model_version": prediction.model_version,
        },
    )
    if route is None:
        transition(complaint, "needs_review", note="Không có quy tắc định tuyến phù hợp.")
        return "needs_review"
    from hotline.complaints.handling import excluded_agency_ids

    if route.agency.id in excluded_agency_ids(complaint):
        # The agency already returned this item: never route it back there automatically.
        transition(
            complaint,
            "needs_review",
            note=f"{route.agency.name} đã trả lại phản ánh này; cần phân loại thủ công.",
            data={"excluded_agency": route.agency.code},
        )
        return "needs_review"
    assign(complaint, route)
    return "assigned"


def assign(complaint: Complaint, route: Route, actor: User | None = None) -> None:
    complaint.agency = route.agency
    complaint.routing_rule_id = route.rule.id if route.rule is not None else None
    complaint.routing_explanation = route.explanation
    complaint.deadline_at = compute_deadline(complaint.kind, complaint.received_at)
    transition(
        complaint,
        "assigned",
        actor=actor,
        note=f"Chuyển đến {route.agency.name}.",
        data={"agency": route.agency.code, "explanation": route.explanation},
    )
    from hotline.complaints.notifications import queue_notification

    queue_notification(complaint, "assigned")  # e-mail to the agency, sent by a notify job


def manual_triage(
    complaint: Complaint,
    *,
    field: str,
    kind: str,
    agency: Agency | None,
    actor: User,
    note: str | None = None,
) -> None:
    """A supervisor sets field, kind and agency; the item is assigned. Flushes, never commits."""
    errors = {}
    if field not in FIELDS:
        errors["field"] = "Lĩnh vực không hợp lệ."
    if kind not in KINDS:
        errors["kind"] = "Loại đơn không hợp lệ."
    if agency is None:
        errors["agency"] = "Cần chọn cơ quan xử lý."
    if errors:
        raise ValidationError("Thông tin phân loại chưa hợp lệ.", errors)
    if complaint.state not in MANUAL_TRIAGE_FROM:
        from hotline.errors import InvalidTransition

        raise InvalidTransition("Phản ánh này không còn chờ phân loại.")
    model = next((r for r in reversed(complaint.triage_results) if r.source == "model"), None)
    corrects = model is not None and (model.field != field or model.kind != kind)
    db.session.add(
        TriageResult(
            complaint=complaint,
            source="manual",
            field=field,
            kind=kind,
            agency_id=agency.id,
            actor_id=actor.id,
            corrects_model=corrects,
            model_version=model.model_version if model else None,
        )
    )
    complaint.field, complaint.kind = field, kind
    locate_complaint(complaint)
    transition(
        complaint,
        "triaged",
        actor=actor,
        note=note or "Phân loại thủ công.",
        data={"field": field, "kind": kind},
    )
    propose_duplicate(complaint)
    route = choose_route(field, kind, complaint.ward_code, complaint.content)
    if route is None or route.agency.id != agency.id:  # the supervisor overrode the rules
        why = explain(agency, field, kind, complaint.ward_code)  # type: ignore[arg-type]
        route = Route(agency, None, f"{why} (do giám sát viên chọn)")  # type: ignore[arg-type]
    assign(complaint, route, actor=actor)
