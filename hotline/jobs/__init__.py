"""The only package that touches RQ: queues, enqueueing, the sweeper; dispatch.py hands rows over.

The database is the source of truth: an OutboxJob row that is not done is owed, whatever Redis
remembers. ``dispatch`` hands new rows over after the commit that wrote them (hooked by create_app);
``sweep_outbox`` hands over again every owed row that RQ is not visibly
working on (lost when Redis was down or flushed, failed after its retries, or abandoned by a
killed worker). Jobs are idempotent, so a second delivery is harmless.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from importlib import import_module

from flask import current_app
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry, Worker
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import or_, select

from hotline.clock import utcnow
from hotline.complaints.models import OutboxJob
from hotline.extensions import db
from hotline.jobs.dispatch import Owed, dispatcher_for

log = logging.getLogger(__name__)

QUEUE_TRIAGE = "triage"
QUEUE_DEFAULT = "default"
QUEUES = (QUEUE_TRIAGE, QUEUE_DEFAULT)
JOB_TIMEOUT = 120
RETRY_INTERVALS = [10, 60, 300]
FAILURE_TTL = 7 * 24 * 3600

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


def enqueue(conn: Redis, item: Owed) -> Job:
    """Put one owed row on its RQ queue (job id == OutboxJob.rq_job_id)."""
    target, queue_name = JOB_TARGETS[item.job]
    return Queue(queue_name, connection=conn, default_timeout=JOB_TIMEOUT).enqueue(
        target,
        item.outbox_id,
        job_id=f"{item.job}-{item.outbox_id}",
        retry=Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS),
        failure_ttl=FAILURE_TTL,
        description=f"{item.job} outbox_id={item.outbox_id}",
        meta={"title": f"{item.job} complaint_id={item.complaint_id}"},
    )


def redispatch(rows: Iterable[OutboxJob]) -> int:
    """Hand rows committed earlier (and still owed) over again: the sweeper's path.

    The hand-over is booked and committed first, so a job never waits on this transaction.
    """
    rows = [row for row in rows if row.done_at is None]
    known = []
    for row in rows:
        if row.job in JOB_TARGETS:
            known.append(row)
        else:
            log.error("job.unknown_type outbox_id=%s job=%s", row.id, row.job)
    if not known:
        return 0
    for row in known:
        row.enqueued_at = utcnow()
        row.attempts += 1
    items = [Owed(row.id, row.job, row.complaint_id) for row in known]
    db.session.commit()
    dispatcher_for(current_app._get_current_object()).submit(items)  # type: ignore[attr-defined]
    return len(items)


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _started_job_alive(conn: Redis, job: Job, stale: timedelta) -> bool:
    """A started job is alive while its worker still exists, still runs it, and beats.

    RQ re-runs an abandoned job only after its registry entry expires and a worker's maintenance
    pass notices; a SIGKILLed worker's job otherwise stays "started" with a heartbeat that ages.
    """
    beat = _aware(getattr(job, "last_heartbeat", None) or job.started_at)
    if beat is None or utcnow() - beat >= stale:
        return False
    if not job.worker_name:
        return False
    worker = Worker.find_by_key(Worker.redis_worker_namespace_prefix + job.worker_name, conn)
    if worker is None:  # its key expired: the worker stopped beating
        return False
    return worker.get_current_job_id() in (None, job.id)


def _in_flight(conn: Redis, job: Job, stale: timedelta) -> bool:
    """True when RQ still holds a live job for this row, so re-sending it would only duplicate."""
    status = job.get_status(refresh=False)
    if status == JobStatus.QUEUED:
        # A queued job a worker popped and then died with is in no queue list any more.
        return Queue(job.origin, connection=conn).get_job_position(job.id) is not None
    if status in (JobStatus.SCHEDULED, JobStatus.DEFERRED):
        return True
    if status == JobStatus.STARTED:
        return _started_job_alive(conn, job, stale)
    return False  # failed, finished without the row being done, stopped, canceled


def _still_in_flight(conn: Redis, row: OutboxJob, stale: timedelta) -> bool:
    """True when RQ holds a live job for ``row``; a dead one is deleted so it can be re-sent."""
    try:
        job = Job.fetch(row.rq_job_id, connection=conn)
    except NoSuchJobError:
        return False
    if _in_flight(conn, job, stale):
        return True
    # Re-sending reuses the job id: drop the dead job and its registry entries first.
    job.delete(remove_from_queue=True)
    return False


def sweep_outbox(stale_seconds: int | None = None, limit: int = 500) -> int:
    """Re-send every owed row that is not done and not visibly in flight. Returns how many."""
    settings = current_app.config["HOTLINE"]
    stale = timedelta(
        seconds=settings.sweep_stale_seconds if stale_seconds is None else stale_seconds
    )
    cutoff = utcnow() - stale
    rows = db.session.scalars(
        select(OutboxJob)
        .where(OutboxJob.done_at.is_(None))
        .where(or_(OutboxJob.enqueued_at.is_(None), OutboxJob.enqueued_at <= cutoff))
        .order_by(OutboxJob.id)
        .limit(limit)
    ).all()
    conn = get_redis()
    if conn is not None and rows:
        try:
            rows = [row for row in rows if not _still_in_flight(conn, row, stale)]
        except RedisError as exc:
            db.session.rollback()
            log.warning("sweep.redis_unavailable error=%s", type(exc).__name__)
            return 0
    if rows:
        log.info("sweep.redispatch count=%s", len(rows))
    return redispatch(rows)


def warm_up() -> None:
    """Do once in the worker, before it forks a work horse per job, what every job would
    otherwise redo: configure the ORM mappers, import the job modules, load the classifier
    build the ward matcher and the holiday calendars (importing the `holidays` countries alone
    costs a horse ~0.5 s). Horses share all of it copy-on-write."""
    from sqlalchemy.orm import configure_mappers

    from hotline.complaints.triage import get_classifier
    from hotline.directory.deadlines import is_working_day
    from hotline.directory.location import get_matcher

    configure_mappers()
    today = utcnow().date()
    for year in (today.year, today.year + 1):  # deadlines may run into next year
        is_working_day(today.replace(year=year, month=1, day=1))
    for target, _ in JOB_TARGETS.values():
        try:
            import_module(target.rsplit(".", 1)[0])
        except ImportError:
            log.warning("worker.missing_job_module target=%s", target)
    get_classifier()
    get_matcher()
    db.session.remove()
