"""The durable queue against real Redis: an in-process burst worker on the shared REDIS_URL, and
a chaos run on a PRIVATE redis-server (killed, flushed, restarted) with real worker processes.

Skipped with a notice when REDIS_URL is not set; a failure in CI (tests/conftest.py).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from redis import Redis
from rq import Queue, SimpleWorker, Worker
from rq.job import Job, JobStatus
from sqlalchemy import create_engine, func, select, text

from hotline import create_app
from hotline.complaints.models import Complaint, ComplaintEvent, OutboxJob, TriageResult
from hotline.extensions import db
from hotline.jobs import (
    QUEUE_DEFAULT,
    QUEUE_TRIAGE,
    QUEUES,
    _still_in_flight,
    enqueue,
    get_redis,
    sweep_outbox,
)
from hotline.jobs.dispatch import Owed
from tests.conftest import ROOT, FakeClassifier, service_required

pytestmark = [pytest.mark.redis, pytest.mark.slow]

SHARED_TEST_DB = 15  # a Redis database number of its own on the shared server
REAL_MODEL_DIR = ROOT / "ml" / "artifacts" / "current"


@pytest.fixture(scope="module")
def shared_redis_url() -> str:
    url = os.environ.get("REDIS_URL")
    if not url:
        service_required("REDIS_URL")
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{SHARED_TEST_DB}"))


def wait_until(predicate: Callable[[], object], timeout: float, what: str, step: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


def left_received(complaint_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(ComplaintEvent)
        .where(ComplaintEvent.complaint_id == complaint_id, ComplaintEvent.from_state == "received")
    )


def submit_many(client, payload: dict, n: int) -> list[str]:
    codes = []
    for i in range(n):
        body = dict(payload, content=f"{payload['content']} (lần {i})")
        response = client.post("/api/v1/complaints", json=body)
        assert response.status_code == 201, response.get_data(as_text=True)
        codes.append(response.get_json()["tracking_code"])
    return codes


def outbox_rows(codes: list[str]) -> list[OutboxJob]:
    """The triage rows of these complaints (not the e-mails owed after triage)."""
    db.session.expire_all()
    return db.session.scalars(
        select(OutboxJob)
        .join(Complaint, OutboxJob.complaint_id == Complaint.id)
        .where(Complaint.tracking_code.in_(codes), OutboxJob.job == "triage")
        .order_by(OutboxJob.id)
    ).all()


# --- light: the shared Redis, an in-process SimpleWorker -------------------------------------


@pytest.fixture
def shared_app(app, make_settings, shared_redis_url) -> Iterator:
    other = create_app(make_settings(redis_url=shared_redis_url))
    other.extensions["hotline_classifier"] = FakeClassifier()
    with other.app_context():
        queues = [Queue(name, connection=get_redis()) for name in QUEUES]
        for queue in queues:
            queue.empty()
        yield other
        for queue in queues:
            queue.empty()
        db.session.remove()
        db.engine.dispose()


def test_burst_worker_on_the_shared_redis(shared_app, complaint_payload):
    conn = get_redis()
    queue = Queue(QUEUE_TRIAGE, connection=conn)
    # Triage, then the agency's e-mail (a notify job on the default queue; no SMTP: skipped).
    both = [queue, Queue(QUEUE_DEFAULT, connection=conn)]
    codes = submit_many(shared_app.test_client(), complaint_payload, 5)
    rows = outbox_rows(codes)
    assert all(r.enqueued_at is not None and r.done_at is None and r.attempts == 1 for r in rows)
    assert queue.count == 5
    assert sweep_outbox(stale_seconds=0) == 0  # queued jobs are in flight: nothing re-sent

    assert SimpleWorker(both, connection=conn).work(burst=True)
    for row in outbox_rows(codes):
        assert row.done_at is not None
        assert row.complaint.state == "assigned"
        assert left_received(row.complaint_id) == 1
        assert Job.fetch(row.rq_job_id, connection=conn).get_status() == JobStatus.FINISHED
    assert shared_app.extensions["hotline_classifier"].calls == 5

    # A job Redis lost, and one that failed for good, are re-sent by the sweep; others are not.
    codes = submit_many(shared_app.test_client(), complaint_payload, 2)
    lost, failed = outbox_rows(codes)
    Job.fetch(lost.rq_job_id, connection=conn).delete()
    Job.fetch(failed.rq_job_id, connection=conn).set_status(JobStatus.FAILED)
    assert sweep_outbox() == 0  # not stale yet
    assert sweep_outbox(stale_seconds=0) == 2
    assert queue.count == 2  # the failed one re-sent once, not duplicated in the queue
    SimpleWorker(both, connection=conn).work(burst=True)
    for row in outbox_rows(codes):
        assert row.done_at is not None
        assert row.attempts == 2
        assert left_received(row.complaint_id) == 1
    assert shared_app.extensions["hotline_classifier"].calls == 7
    assert sweep_outbox(stale_seconds=0) == 0


# --- chaos: a private redis-server and real worker processes ---------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    """A throw-away redis-server on its own port: no persistence, so a restart comes back empty."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.workdir = workdir
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        log = (self.workdir / "redis.log").open("ab")
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        client = Redis.from_url(self.url, socket_connect_timeout=1)

        def up() -> bool:
            try:
                return bool(client.ping())
            except Exception:
                return False

        wait_until(up, 10, "the private redis-server to answer")
        client.close()

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.proc = None


@pytest.fixture
def private_redis(shared_redis_url, tmp_path) -> Iterator[PrivateRedis]:
    if shutil.which("redis-server") is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server must be on PATH in CI")
        pytest.skip("redis-server is not on PATH")
    server = PrivateRedis(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.kill()


def descendants(root: int) -> set[int]:
    """Every process below ``root`` (Linux /proc)."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [root]
    while todo:
        for child in parents.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


class Workers:
    """`flask --app wsgi worker triage` subprocesses, each in its own process group."""

    def __init__(self, env: dict[str, str], logdir: Path):
        self.env = env
        self.logdir = logdir
        self.procs: list[subprocess.Popen] = []

    def start(self) -> subprocess.Popen:
        flask = Path(sys.executable).parent / "flask"
        log = (self.logdir / f"worker{len(self.procs)}.log").open("ab")
        proc = subprocess.Popen(
            [str(flask), "--app", "wsgi", "worker", ",".join(QUEUES)],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.procs.append(proc)
        return proc

    def alive(self) -> list[subprocess.Popen]:
        return [p for p in self.procs if p.poll() is None]

    @staticmethod
    def kill(proc: subprocess.Popen) -> None:
        """SIGKILL the worker's group (worker, scheduler) and every descendant's group: the work
        horse calls setpgrp(), so killing the worker's group alone would leave it running."""
        groups = {proc.pid}
        for pid in descendants(proc.pid):
            with contextlib.suppress(ProcessLookupError):
                groups.add(os.getpgid(pid))
        for group in groups:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)
        proc.wait(10)

    def kill_all(self) -> None:
        for proc in self.procs:
            self.kill(proc)

    def logs(self) -> str:
        logs = sorted(self.logdir.glob("worker*.log"))
        return "\n".join(p.read_text(errors="replace")[-3000:] for p in logs)


@pytest.fixture
def workers(app, database_url, private_redis, tmp_path) -> Iterator[Workers]:
    model_dir = REAL_MODEL_DIR if REAL_MODEL_DIR.exists() else tmp_path / "no-model"
    model_dir.mkdir(exist_ok=True)
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        REDIS_URL=private_redis.url,
        HOTLINE_MODEL_DIR=str(model_dir),
        HOTLINE_ENV="test",
    )
    group = Workers(env, tmp_path)
    try:
        yield group
    finally:
        group.kill_all()


class RowLock:
    """Hold a write lock on one complaint from another connection (another "process")."""

    def __init__(self, database_url: str, complaint_id: int):
        self.engine = create_engine(database_url)
        self.conn = self.engine.connect()
        if self.engine.dialect.name == "sqlite":
            self.conn.exec_driver_sql("BEGIN IMMEDIATE")  # SQLite locks the whole file
        else:
            self.conn.execute(
                text("SELECT id FROM complaint WHERE id = :id FOR UPDATE"), {"id": complaint_id}
            )

    def release(self) -> None:
        if self.conn is not None:
            self.conn.rollback()
            self.conn.close()
            self.engine.dispose()
            self.conn = None


def model_loads(model_dir: Path) -> bool:
    if not model_dir.exists():
        return False
    from hotline.complaints.triage import load_classifier

    return load_classifier(model_dir) is not None


def test_chaos_every_complaint_is_triaged_exactly_once(
    app, make_settings, database_url, private_redis, workers, complaint_payload
):
    chaos_app = create_app(make_settings(redis_url=private_redis.url))
    with chaos_app.app_context():
        try:
            _chaos(chaos_app, database_url, private_redis, workers, complaint_payload)
        except BaseException:
            print(workers.logs())  # shown by pytest on failure
            raise
        finally:
            workers.kill_all()
            db.session.remove()
            db.engine.dispose()


def _chaos(chaos_app, database_url, redis_server: PrivateRedis, workers: Workers, payload):
    client = chaos_app.test_client()
    conn = get_redis()
    queue = Queue(QUEUE_TRIAGE, connection=conn)

    # 1. Jobs queued with no worker running, then Redis is flushed: the jobs are gone.
    codes = submit_many(client, payload, 10)
    assert queue.count == 10
    conn.flushall()

    # 2. A worker comes up and takes a batch.
    first = workers.start()
    batch = submit_many(client, payload, 30)
    codes += batch
    wait_until(
        lambda: sum(r.done_at is not None for r in outbox_rows(batch)) >= 5,
        90,
        "the worker to finish some jobs",
    )

    # 3. Redis dies (maybe mid-job): intake still answers 201 and stores everything.
    redis_server.kill()
    during = submit_many(client, payload, 10)
    codes += during
    for row in outbox_rows(during):
        assert row.done_at is None
        assert row.enqueued_at is None
        assert row.last_error == "enqueue: ConnectionError"

    # 4. Redis comes back empty (no persistence).
    redis_server.start()
    assert queue.count == 0
    # A worker whose Redis vanished under a running job quits (supervise workers in production:
    # systemd Restart=always); an idle one reconnects. Either way one must be running now.
    with contextlib.suppress(subprocess.TimeoutExpired):
        first.wait(10)
    if first.poll() is not None:
        workers.start()

    # 5. One job gets stuck mid-job on a database lock; then its worker is SIGKILLed.
    stuck = outbox_rows([during[0]])[0]
    lock = RowLock(database_url, stuck.complaint_id)
    try:
        enqueue(conn, Owed(stuck.id, stuck.job, stuck.complaint_id))  # no database write needed
        wait_until(
            lambda: Job.fetch(stuck.rq_job_id, connection=conn).get_status() == JobStatus.STARTED,
            60,
            "the stuck job to be started",
        )
        job = Job.fetch(stuck.rq_job_id, connection=conn)
        # Alive and beating: a sweep with the normal stale time leaves it alone.
        assert _still_in_flight(conn, stuck, timedelta(seconds=300))
        for proc in workers.alive():
            workers.kill(proc)
    finally:
        lock.release()
    time.sleep(2)  # a surviving work horse would finish the job now that the lock is gone
    assert outbox_rows([during[0]])[0].done_at is None, "the job was not killed mid-job"
    assert Job.fetch(stuck.rq_job_id, connection=conn).get_status() == JobStatus.STARTED
    # Once the dead worker's key expires (it beats no more), the job is seen as abandoned.
    conn.delete(Worker.redis_worker_namespace_prefix + job.worker_name)
    assert not _still_in_flight(conn, stuck, timedelta(seconds=300))

    # 6. Fresh workers and one sweep finish everything still owed. Two workers, and a second
    #    sweep that treats running jobs as dead, deliver some jobs twice: they must not count.
    workers.start()
    workers.start()
    owed = db.session.scalar(
        select(func.count()).select_from(OutboxJob).where(OutboxJob.done_at.is_(None))
    )
    assert owed >= 20  # the 10 flushed, the 10 taken while Redis was down
    assert sweep_outbox(stale_seconds=0) == owed
    wait_until(lambda: Worker.count(connection=conn) >= 2, 60, "two fresh workers")
    time.sleep(1)
    sweep_outbox(stale_seconds=0)

    def all_done() -> bool:
        db.session.expire_all()
        return not db.session.scalar(
            select(func.count()).select_from(OutboxJob).where(OutboxJob.done_at.is_(None))
        )

    wait_until(all_done, 90, "every outbox row to be done", step=0.5)

    # 7. None lost, none duplicated: every complaint left "received" exactly once.
    complaints = db.session.scalars(select(Complaint).order_by(Complaint.id)).all()
    assert sorted(c.tracking_code for c in complaints) == sorted(codes)
    assert len(complaints) == 50
    model = model_loads(REAL_MODEL_DIR)  # what the workers were given, when it exists
    for complaint in complaints:
        assert complaint.state != "received"
        assert left_received(complaint.id) == 1, complaint.tracking_code
        verdicts = db.session.scalar(
            select(func.count())
            .select_from(TriageResult)
            .where(TriageResult.complaint_id == complaint.id, TriageResult.source == "model")
        )
        assert verdicts == (1 if model else 0), complaint.tracking_code
    rows = db.session.scalars(select(OutboxJob)).all()  # triage rows, and e-mails owed after it
    assert sum(r.job == "triage" for r in rows) == 50
    assert all(r.done_at is not None for r in rows)
