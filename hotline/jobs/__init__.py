"""The only module that touches RQ: queue names, enqueueing, and dispatch of outbox rows."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from flask import current_app
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import or_, select

from hotline.extensions import db
from hotline.models import OutboxJob
from hotline.models.types import utcnow

log = logging.getLogger(__name__)

QUEUE_TRIAGE = "triage"
QUEUE_DEFAULT = "default"
QUEUES = (QUEUE_TRIAGE, QUEUE_DEFAULT)
JOB_TIMEOUT = 120
RETRY_INTERVALS = [10, 60, 300]

# Which function runs an outbox row of each job type, and on which queue.
JOB_TARGETS = {
    "triage": ("hotline.jobs.triage.triage_outbox_job", QUEUE_TRIAGE),
    "notify": ("hotline.jobs.notify.send_outbox_notification", QUEUE_DEFAULT),
}


def get_redis() -> Redis | None:
    url = current_app.config["HOTLINE"].redis_url
    if not url:
        return None
    conn = current_app.extensions.get("hotline_redis")
    if conn is None:
        conn = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
        current_app.extensions["hotline_redis"] = conn
    return conn


def get_queue(name: str = QUEUE_DEFAULT) -> Queue:
    conn = get_redis()
    if conn is None:
        raise RuntimeError("REDIS_URL is not configured")
    return Queue(name, connection=conn, default_timeout=JOB_TIMEOUT)


def _run_inline(row: OutboxJob) -> None:
    from importlib import import_module

    target, _ = JOB_TARGETS[row.job]
    module, func = target.rsplit(".", 1)
    try:
        getattr(import_module(module), func)(row.id)
    except Exception:
        # The row stays owed; the next dispatch or sweep runs it again.
        db.session.rollback()
        log.exception("job.inline_failed outbox_id=%s job=%s", row.id, row.job)


def dispatch(rows: Iterable[OutboxJob]) -> int:
    """Hand owed rows to RQ (or run them here when there is no Redis). Returns how many went."""
    rows = list(rows)
    if not rows:
        return 0
    conn = get_redis()
    if conn is None:
        ids = [row.id for row in rows]
        for outbox_id in ids:
            row = db.session.get(OutboxJob, outbox_id)
            if row is not None and row.done_at is None:
                row.attempts += 1
                row.enqueued_at = utcnow()
                db.session.commit()
                _run_inline(row)
        return len(ids)
    sent = 0
    for row in rows:
        target, queue_name = JOB_TARGETS[row.job]
        try:
            Queue(queue_name, connection=conn, default_timeout=JOB_TIMEOUT).enqueue(
                target,
                row.id,
                job_id=row.rq_job_id,
                retry=Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS),
                failure_ttl=7 * 24 * 3600,
                description=f"{row.job} outbox_id={row.id}",
                meta={"title": f"{row.job} complaint_id={row.complaint_id}"},
            )
        except RedisError as exc:
            log.warning("job.enqueue_failed outbox_id=%s error=%s", row.id, type(exc).__name__)
            row.last_error = f"enqueue: {type(exc).__name__}"
            continue
        row.enqueued_at = utcnow()
        row.attempts += 1
        sent += 1
        log.info("job.enqueued job_id=%s complaint_id=%s", row.rq_job_id, row.complaint_id)
    db.session.commit()
    return sent


def _still_in_flight(conn: Redis, row: OutboxJob, stale: timedelta) -> bool:
    """True when RQ still holds a live job for this row, so re-sending it would only duplicate."""
    try:
        job = Job.fetch(row.rq_job_id, connection=conn)
    except NoSuchJobError:
        return False
    status = job.get_status(refresh=False)
    if status in (JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED):
        return True
    if status == JobStatus.STARTED:
        beat = job.last_heartbeat
        # A killed worker stops beating; RQ never re-runs its job, so we do.
        return beat is not None and utcnow() - beat.replace(tzinfo=utcnow().tzinfo) < stale
    return False


def sweep_outbox(stale_seconds: int | None = None, limit: int = 500) -> int:
    """Re-send every owed row that is not done and not visibly in flight. Returns how many."""
    settings = current_app.config["HOTLINE"]
    stale = timedelta(seconds=settings.sweep_stale_seconds if stale_seconds is None else stale_seconds)
    cutoff = utcnow() - stale
    rows = db.session.scalars(
        select(OutboxJob)
        .where(OutboxJob.done_at.is_(None))
        .where(or_(OutboxJob.enqueued_at.is_(None), OutboxJob.enqueued_at <= cutoff))
        .order_by(OutboxJob.id)
        .limit(limit)
    ).all()
    conn = get_redis()
    if conn is not None:
        try:
            rows = [row for row in rows if not _still_in_flight(conn, row, stale)]
        except RedisError as exc:
            log.warning("sweep.redis_unavailable error=%s", type(exc).__name__)
            return 0
    if rows:
        log.info("sweep.redispatch count=%s", len(rows))
    return dispatch(rows)
