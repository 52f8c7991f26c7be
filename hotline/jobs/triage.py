"""RQ entry point for triage."""

from __future__ import annotations

import logging

from hotline.errors import TransientError
from hotline.extensions import db
from hotline.jobs.context import in_app_context

log = logging.getLogger(__name__)


@in_app_context
def triage_outbox_job(outbox_id: int) -> str:
    """Classify and route the complaint owed by outbox row ``outbox_id``.

    Idempotent: the row and the complaint are locked and checked, so a second delivery is a no-op.
    Timeout: the queue default (120 s). A database blip raises TransientError and RQ retries with
    backoff (10 s, 60 s, 300 s); after that the row stays owed and the sweeper sends it again.
    Any other problem is permanent: the complaint goes to needs_review (with an event), no crash.
    """
    from hotline.complaints.triage import TRANSIENT_DB_ERRORS, run_triage_job

    try:
        return run_triage_job(outbox_id)
    except TRANSIENT_DB_ERRORS as exc:
        db.session.rollback()
        log.warning("triage.transient outbox_id=%s error=%s", outbox_id, type(exc).__name__)
        raise TransientError("database unavailable") from exc
