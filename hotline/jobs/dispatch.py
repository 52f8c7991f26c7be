"""Dispatch after commit: the one mechanism that hands new outbox rows to the queue.

Domain code only adds ``OutboxJob`` rows to the session. This module, installed once by
``create_app``, books the hand-over on those rows inside the same transaction (so a submission
is one commit) and, when that transaction has committed, hands them over:

* with ``REDIS_URL``: to RQ (``RedisDispatcher``); a row Redis refused is marked owed again so
  the next sweep sends it;
* without: to the in-process runner (``InlineRunner``), which runs each job in its **own** app
  context and database session, after the request's transaction, on a worker thread (or, with
  ``HOTLINE_INLINE_JOBS=sync``, right away on the committing thread). The request's objects are
  never detached or expired by a job.

Nobody else hands rows over except the sweeper (``hotline.jobs.sweep_outbox``), which re-sends
rows that were committed earlier and are still owed. A row written in a transaction that rolls
back is never handed over; the database stays the source of truth either way.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import import_module
from typing import Protocol

from flask import Flask, current_app, has_app_context
from flask_sqlalchemy.session import Session as FlaskSession
from redis.exceptions import RedisError
from sqlalchemy import event, update
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from hotline.clock import utcnow
from hotline.complaints.models import OutboxJob
from hotline.extensions import db

log = logging.getLogger(__name__)

_OWED = "hotline_owed_outbox"
EXTENSION = "hotline_dispatcher"
# How often an idle in-process runner sweeps for owed rows (lost when the process stopped).
IDLE_SWEEP_SECONDS = 60


@dataclass(frozen=True)
class Owed:
    """One outbox row to hand over: ids and primitives only."""

    outbox_id: int
    job: str
    complaint_id: int | None


class Dispatcher(Protocol):
    def submit(self, items: list[Owed]) -> None: ...


# --- the session hooks ------------------------------------------------------------------------


def _before_flush(session: Session, _context: object, _instances: object) -> None:
    """Book the hand-over on new outbox rows in the transaction that writes them."""
    for obj in session.new:
        if isinstance(obj, OutboxJob) and obj.enqueued_at is None and obj.done_at is None:
            obj.enqueued_at = utcnow()
            obj.attempts = (obj.attempts or 0) + 1


def _after_flush(session: Session, _context: object) -> None:
    for obj in session.new:
        if isinstance(obj, OutboxJob) and obj.done_at is None:
            session.info.setdefault(_OWED, {})[obj.id] = Owed(obj.id, obj.job, obj.complaint_id)


def _after_commit(session: Session) -> None:
    owed = session.info.pop(_OWED, None)
    if not owed or not has_app_context():
        return
    dispatcher: Dispatcher | None = current_app.extensions.get(EXTENSION)
    if dispatcher is None:
        return
    try:
        dispatcher.submit(sorted(owed.values(), key=lambda o: o.outbox_id))
    except Exception:  # the commit is done and must not be reported as failed; rows stay owed
        log.exception("dispatch.failed count=%s", len(owed))


def _after_rollback(session: Session) -> None:
    session.info.pop(_OWED, None)


_hooks_lock = threading.Lock()
_hooks_installed = False


def _install_hooks() -> None:
    """Once per process: the hooks sit on Flask-SQLAlchemy's session class."""
    global _hooks_installed
    with _hooks_lock:
        if _hooks_installed:
            return
        event.listen(FlaskSession, "before_flush", _before_flush)
        event.listen(FlaskSession, "after_flush", _after_flush)
        event.listen(FlaskSession, "after_commit", _after_commit)
        event.listen(FlaskSession, "after_rollback", _after_rollback)
        _hooks_installed = True


def install(app: Flask) -> None:
    """Called by create_app: choose the dispatcher for this app and install the hooks."""
    settings = app.config["HOTLINE"]
    if settings.redis_url:
        app.extensions[EXTENSION] = RedisDispatcher(app)
    else:
        app.extensions[EXTENSION] = InlineRunner(app, threaded=settings.inline_jobs == "thread")
    _install_hooks()


def dispatcher_for(app: Flask) -> Dispatcher:
    return app.extensions[EXTENSION]


# --- running a job ----------------------------------------------------------------------------


def run_job(item: Owed) -> None:
    """Run one outbox row's job function (it opens its own app context and session)."""
    from hotline.jobs import JOB_TARGETS

    target = JOB_TARGETS.get(item.job)
    if target is None:
        log.error("job.unknown_type outbox_id=%s job=%s", item.outbox_id, item.job)
        return
    module, func = target[0].rsplit(".", 1)
    getattr(import_module(module), func)(item.outbox_id)


def _from_database(exc: BaseException | None) -> bool:
    """A database error (or one caused by it): its message carries statement parameters (PII)."""
    while exc is not None:
        if isinstance(exc, StatementError):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _mark_owed(app: Flask, ids: Iterable[int], error: str) -> None:
    """Bookkeeping in a session of its own: the row is owed now; the next sweep sends it."""
    ids = list(ids)
    if not ids:
        return
    with app.app_context():
        try:
            db.session.execute(
                update(OutboxJob)
                .where(OutboxJob.id.in_(ids), OutboxJob.done_at.is_(None))
                .values(enqueued_at=None, last_error=error[:500])
            )
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.warning("dispatch.bookkeeping_failed count=%s", len(ids))
        finally:
            db.session.remove()


class InlineRunner:
    """Runs jobs in this process, after the transaction that owed them, each in its own session.

    Threaded (the default, what ``scripts/run`` serves): a daemon thread per process takes owed
    rows from a local queue, so the response never waits for the classifier or SMTP; when idle
    it sweeps for rows owed from before (a restart), every IDLE_SWEEP_SECONDS. Synchronous
    (``HOTLINE_INLINE_JOBS=sync``): the job runs on the committing thread, in a fresh app
    context, before the caller continues — deterministic, for tests and one-off commands.
    """

    def __init__(self, app: Flask, *, threaded: bool) -> None:
        self.app = app
        self.threaded = threaded
        self._queue: queue.Queue[Owed] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        self._lock = threading.Lock()

    def submit(self, items: list[Owed]) -> None:
        if not self.threaded:
            for item in items:
                self._run(item)
            return
        self._ensure_thread()
        for item in items:
            self._queue.put(item)

    def join(self) -> None:
        """Wait until every job handed to the thread has run (tests, graceful stop)."""
        if self.threaded and self._thread is not None and self._pid == os.getpid():
            self._queue.join()

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._pid != os.getpid():  # after a fork (gunicorn): the parent's thread is gone
                self._queue = queue.Queue()
                self._thread = None
                self._pid = os.getpid()
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._loop, name="hotline-inline-jobs", daemon=True
                )
                self._thread.start()

    def _loop(self) -> None:
        while True:
            try:
                item = self._queue.get(timeout=IDLE_SWEEP_SECONDS)
            except queue.Empty:
                self._sweep()
                continue
            try:
                self._run(item)
            finally:
                self._queue.task_done()

    def _sweep(self) -> None:
        from hotline.jobs import sweep_outbox

        with self.app.app_context():
            try:
                sweep_outbox()
            except Exception:
                db.session.rollback()
                log.exception("inline.sweep_failed")
            finally:
                db.session.remove()

    def _run(self, item: Owed) -> None:
        try:
            run_job(item)
        except Exception as exc:
            # The row stays owed; the next sweep runs it again.
            log.error(
                "job.inline_failed outbox_id=%s job=%s error=%s",
                item.outbox_id,
                item.job,
                type(exc).__name__,
                exc_info=not _from_database(exc),
            )
            _mark_owed(self.app, [item.outbox_id], f"inline: {type(exc).__name__}")


class RedisDispatcher:
    """Hands owed rows to RQ; never raises for Redis trouble (the row stays owed)."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def submit(self, items: list[Owed]) -> None:
        from hotline.jobs import enqueue, get_redis

        conn = get_redis()
        failed: list[int] = []
        error: str | None = None
        for item in items:
            if error is not None or conn is None:
                failed.append(item.outbox_id)  # Redis is down: don't wait for it once per row
                continue
            try:
                enqueue(conn, item)
            except RedisError as exc:
                error = type(exc).__name__
                log.warning("job.enqueue_failed outbox_id=%s error=%s", item.outbox_id, error)
                failed.append(item.outbox_id)
                continue
            log.info(
                "job.enqueued job_id=%s-%s complaint_id=%s",
                item.job,
                item.outbox_id,
                item.complaint_id,
            )
        _mark_owed(self.app, failed, f"enqueue: {error or 'no redis'}")
