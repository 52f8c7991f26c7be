"""The durable queue without Redis: dispatch after commit, idempotent jobs, owed rows, sweeps."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import OperationalError

from hotline import create_app
from hotline.complaints.intake import parse_intake, submit_complaint
from hotline.complaints.models import Complaint, ComplaintEvent, OutboxJob, TriageResult
from hotline.errors import TransientError
from hotline.extensions import db
from hotline.jobs import redispatch, sweep_outbox
from hotline.jobs.triage import triage_outbox_job
from tests.conftest import FakeClassifier

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


def submit(payload: dict) -> tuple[Complaint, OutboxJob]:
    """Store a complaint the way intake does, without dispatching its job."""
    complaint = submit_complaint(parse_intake(payload)).complaint
    row = db.session.scalar(select(OutboxJob).where(OutboxJob.complaint_id == complaint.id))
    return complaint, row


def left_received(complaint_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(ComplaintEvent)
        .where(ComplaintEvent.complaint_id == complaint_id, ComplaintEvent.from_state == "received")
    )


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def redis_down_app(app, make_settings):
    """A second app on the same database whose REDIS_URL points at a closed port."""
    other = create_app(make_settings(redis_url=UNREACHABLE_REDIS))
    other.extensions["hotline_classifier"] = FakeClassifier()
    with other.app_context():
        yield other
        db.session.remove()
        db.engine.dispose()


# --- dispatch after commit -------------------------------------------------------------------


def test_intake_runs_the_job_in_process_after_the_commit(
    app, client, database_url, complaint_payload
):
    """Without Redis the job runs in the request, but only once the complaint is committed."""
    seen = {}
    engine = create_engine(database_url)

    class Spy(FakeClassifier):
        def predict(self, text_: str):
            # A separate connection sees the complaint and its owed row: they were committed.
            with engine.connect() as conn:
                seen["complaints"] = conn.execute(text("SELECT count(*) FROM complaint")).scalar()
                seen["owed"] = conn.execute(
                    text("SELECT count(*) FROM outbox_job WHERE done_at IS NULL")
                ).scalar()
            return super().predict(text_)

    app.extensions["hotline_classifier"] = Spy()
    try:
        response = client.post("/api/v1/complaints", json=complaint_payload)
    finally:
        engine.dispose()
    assert response.status_code == 201
    assert seen == {"complaints": 1, "owed": 1}
    complaint = db.session.scalar(select(Complaint))
    row = db.session.scalar(select(OutboxJob))
    assert complaint.state == "assigned"
    assert row.done_at is not None
    assert row.attempts == 1
    assert row.enqueued_at is not None
    assert row.rq_job_id == f"triage-{row.id}"
    assert left_received(complaint.id) == 1


def test_redispatch_skips_done_rows_and_unknown_job_types(
    app, held_jobs, fake_classifier, complaint_payload
):
    complaint, row = submit(complaint_payload)
    stray = OutboxJob(job="no-such-job", complaint=complaint)
    db.session.add(stray)
    db.session.commit()
    held_jobs.release()
    assert redispatch([row, stray]) == 1
    db.session.refresh(row)
    assert redispatch([row]) == 0  # done now
    assert fake_classifier.calls == 1
    assert stray.done_at is None  # left owed and logged, never a crash


# --- idempotency -----------------------------------------------------------------------------


def test_running_the_job_twice_triages_once(app, held_jobs, fake_classifier, complaint_payload):
    complaint, row = submit(complaint_payload)
    assert triage_outbox_job(row.id) == "assigned"
    assert triage_outbox_job(row.id) == "skipped"
    assert fake_classifier.calls == 1
    assert count(TriageResult) == 1
    assert left_received(complaint.id) == 1


def test_a_row_for_a_complaint_no_longer_pending_is_closed_without_work(
    app, held_jobs, fake_classifier, complaint_payload
):
    complaint, row = submit(complaint_payload)
    complaint.state = "needs_review"  # a supervisor got there first
    db.session.commit()
    assert triage_outbox_job(row.id) == "skipped"
    assert fake_classifier.calls == 0
    db.session.refresh(row)
    assert row.done_at is not None
    assert triage_outbox_job(999_999) == "skipped"  # a row that does not exist


def test_two_concurrent_deliveries_triage_once(app, held_jobs, complaint_payload):
    """Two workers get the same job at once: the row lock (PostgreSQL FOR UPDATE, SQLite
    BEGIN IMMEDIATE) lets one do the work and the other find the row done."""

    class Slow(FakeClassifier):
        def predict(self, text_: str):
            time.sleep(0.3)
            return super().predict(text_)

    slow = Slow()
    app.extensions["hotline_classifier"] = slow
    _, row = submit(complaint_payload)
    outcomes, errors = [], []

    def deliver():
        with app.app_context():
            try:
                outcomes.append(triage_outbox_job(row.id))
            except Exception as exc:  # collected and asserted below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    assert sorted(outcomes) == ["assigned", "skipped"]
    assert slow.calls == 1
    db.session.expire_all()
    assert count(TriageResult) == 1
    assert left_received(row.complaint_id) == 1


# --- Redis configured but unreachable --------------------------------------------------------


def test_intake_succeeds_while_redis_is_down_and_the_sweep_finishes_later(
    app, redis_down_app, complaint_payload
):
    client = redis_down_app.test_client()
    codes = []
    for _ in range(3):
        response = client.post("/api/v1/complaints", json=complaint_payload)
        assert response.status_code == 201, response.get_data(as_text=True)
        codes.append(response.get_json()["tracking_code"])
    rows = db.session.scalars(select(OutboxJob).order_by(OutboxJob.id)).all()
    assert len(rows) == 3
    for row in rows:
        # Stored and owed; enqueued_at cleared so the next sweep takes it at once.
        assert row.done_at is None
        assert row.enqueued_at is None
        assert row.last_error == "enqueue: ConnectionError"
        assert row.complaint.state == "received"
    assert {c.tracking_code for c in db.session.scalars(select(Complaint))} == set(codes)

    # A sweep while Redis is still down sends nothing and changes nothing.
    assert sweep_outbox(stale_seconds=0) == 0
    assert count(ComplaintEvent) == 3

    # Redis "comes back" (here: the app runs jobs in-process): the sweep finishes every row.
    with app.app_context():
        app.extensions["hotline_classifier"] = FakeClassifier()
        assert sweep_outbox() == 3
        assert sweep_outbox() == 0
        db.session.remove()
    db.session.expire_all()
    for row in db.session.scalars(select(OutboxJob)):
        assert row.done_at is not None
        assert row.complaint.state == "assigned"
        assert left_received(row.complaint_id) == 1


def test_sweep_leaves_recent_and_done_rows_alone(
    app, held_jobs, fake_classifier, complaint_payload
):
    _, done = submit(complaint_payload)
    triage_outbox_job(done.id)
    _, recent = submit(complaint_payload)
    db.session.refresh(done)
    recent.enqueued_at = done.done_at  # handed over just now
    db.session.commit()
    held_jobs.release()
    assert sweep_outbox() == 0  # default stale time (300 s) not reached
    assert sweep_outbox(stale_seconds=0) == 1
    db.session.refresh(recent)
    assert recent.done_at is not None
    assert fake_classifier.calls == 2


# --- failures --------------------------------------------------------------------------------


def _db_blip(*_args, **_kwargs):
    raise OperationalError(
        "UPDATE complaint SET citizen_phone=%(p)s",
        {"p": "+84912345678"},
        Exception("server closed the connection unexpectedly"),
    )


def test_a_database_blip_raises_transient_error_for_rq_to_retry(
    app, held_jobs, fake_classifier, complaint_payload, monkeypatch
):
    complaint, row = submit(complaint_payload)
    monkeypatch.setattr("hotline.complaints.triage.auto_triage", _db_blip)
    with pytest.raises(TransientError):
        triage_outbox_job(row.id)
    db.session.expire_all()
    assert row.done_at is None  # still owed
    assert complaint.state == "received"
    assert count(ComplaintEvent) == 1

    monkeypatch.undo()
    app.extensions["hotline_classifier"] = fake_classifier
    assert triage_outbox_job(row.id) == "assigned"  # the retry works


def test_a_database_blip_during_in_process_intake_still_answers_201(
    client, fake_classifier, complaint_payload, monkeypatch, caplog
):
    monkeypatch.setattr("hotline.complaints.triage.auto_triage", _db_blip)
    assert client.post("/api/v1/complaints", json=complaint_payload).status_code == 201
    assert "job.inline_failed" in caplog.text
    assert "912345678" not in caplog.text  # the statement's parameters stay out of the log
    row = db.session.scalar(select(OutboxJob))
    assert row.done_at is None
    assert row.last_error == "inline: TransientError"
    assert row.complaint.state == "received"


@pytest.mark.parametrize("broken", ["classifier", "routing"])
def test_a_permanent_problem_ends_in_needs_review_with_an_event(
    app, client, fake_classifier, complaint_payload, monkeypatch, broken
):
    def boom(*_args, **_kwargs):
        raise RuntimeError("model file is corrupt")

    if broken == "classifier":
        monkeypatch.setattr(fake_classifier, "predict", boom)
    else:  # fails after the model's verdict and the "triaged" step were written
        monkeypatch.setattr("hotline.complaints.triage.choose_route", boom)
    response = client.post("/api/v1/complaints", json=complaint_payload)
    assert response.status_code == 201
    complaint = db.session.scalar(select(Complaint))
    row = db.session.scalar(select(OutboxJob))
    assert complaint.state == "needs_review"
    assert row.done_at is not None
    assert row.last_error == "triage: RuntimeError"
    events = db.session.scalars(select(ComplaintEvent).order_by(ComplaintEvent.id)).all()
    assert [(e.from_state, e.to_state) for e in events] == [
        (None, "received"),
        ("received", "needs_review"),
    ]
    assert events[-1].data == {"error": "RuntimeError"}
    assert "thủ công" in events[-1].note
    assert count(TriageResult) == 0  # the half-done attempt was rolled back
    assert sweep_outbox(stale_seconds=0) == 0  # nothing loops


# --- commands --------------------------------------------------------------------------------


def test_worker_command_refuses_without_redis(app):
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code != 0
    assert "REDIS_URL is not set" in result.output


def test_sweep_command_reports_how_many(app, held_jobs, fake_classifier, complaint_payload):
    submit(complaint_payload)
    held_jobs.release()
    result = app.test_cli_runner().invoke(args=["sweep", "--stale-seconds", "0"])
    assert result.exit_code == 0, result.output
    assert "re-dispatched 1" in result.output


def test_intake_with_rate_limits_on_survives_redis_down(make_settings, _schema):
    """Production settings: limiter counters in Redis. Redis down must not refuse a complaint."""
    from hotline import create_app
    from hotline.complaints.models import Complaint
    from hotline.extensions import db as _db

    app = create_app(make_settings(redis_url="redis://127.0.0.1:1/0", ratelimit_enabled=True))
    try:
        with app.app_context():
            response = app.test_client().post(
                "/api/v1/complaints",
                json={
                    "content": "Cống thoát nước trước nhà bị nghẹt, mưa là ngập.",
                    "citizen": {"name": "Lê Thị Hoa", "phone": "0987654321"},
                },
            )
            assert response.status_code == 201, response.get_data(as_text=True)
            code = response.get_json()["tracking_code"]
            assert (
                _db.session.scalar(_db.select(Complaint).where(Complaint.tracking_code == code))
                is not None
            )
    finally:
        with app.app_context():
            from sqlalchemy import delete

            for table in reversed(_db.metadata.sorted_tables):
                if table.name not in {
                    "ward",
                    "agency",
                    "alembic_version",
                    "routing_rule",
                    "sla_policy",
                }:
                    _db.session.execute(delete(table))
            _db.session.commit()
            _db.session.remove()
            _db.engine.dispose()
