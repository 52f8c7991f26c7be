"""Automatic and manual triage with a stand-in model (the real one is tested in tests/ml)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hotline.complaints.intake import parse_intake, submit_complaint
from hotline.complaints.models import Complaint, OutboxJob, TriageResult
from hotline.complaints.triage import manual_triage, run_triage_job
from hotline.directory.models import Agency
from hotline.extensions import db

pytestmark = pytest.mark.usefixtures("held_jobs")  # these tests run the jobs themselves


def submit(payload) -> tuple[Complaint, OutboxJob]:
    result = submit_complaint(parse_intake(payload))
    job = db.session.scalar(select(OutboxJob).where(OutboxJob.complaint_id == result.complaint.id))
    return result.complaint, job


def test_confident_prediction_is_routed_with_deadline(app, fake_classifier, complaint_payload):
    complaint, job = submit(complaint_payload)
    assert run_triage_job(job.id) == "assigned"
    assert complaint.state == "assigned"
    assert complaint.agency.code == "SXD"  # traffic → Sở Xây dựng by default
    assert complaint.deadline_at is not None
    assert "Sở Xây dựng" in complaint.routing_explanation
    result = db.session.scalar(select(TriageResult))
    assert (result.source, result.field, result.model_version) == ("model", "traffic", "fake-1")
    assert [e.to_state for e in complaint.events] == ["received", "triaged", "assigned"]


def test_unsure_prediction_waits_for_a_person(app, fake_classifier, complaint_payload):
    from tests.conftest import FakeClassifier

    app.extensions["hotline_classifier"] = FakeClassifier("land", "khieu_nai", proba=0.3)
    complaint, job = submit(complaint_payload)
    assert run_triage_job(job.id) == "needs_review"
    assert complaint.state == "needs_review"
    assert complaint.agency is None


def test_field_without_rule_goes_to_review(app, complaint_payload):
    from tests.conftest import FakeClassifier

    app.extensions["hotline_classifier"] = FakeClassifier("other", "phan_anh", proba=0.95)
    complaint, job = submit(complaint_payload)
    assert run_triage_job(job.id) == "needs_review"


def test_job_runs_once_even_if_delivered_twice(app, fake_classifier, complaint_payload):
    complaint, job = submit(complaint_payload)
    assert run_triage_job(job.id) == "assigned"
    assert run_triage_job(job.id) == "skipped"
    assert fake_classifier.calls == 1
    assert len(db.session.scalars(select(TriageResult)).all()) == 1


def test_manual_triage_records_correction(app, make_user, complaint_payload):
    from tests.conftest import FakeClassifier

    app.extensions["hotline_classifier"] = FakeClassifier("land", "phan_anh", proba=0.2)
    complaint, job = submit(complaint_payload)
    run_triage_job(job.id)
    supervisor = make_user("supervisor")
    agency = db.session.scalar(select(Agency).where(Agency.code == "SXD"))
    manual_triage(complaint, field="traffic", kind="phan_anh", agency=agency, actor=supervisor)
    db.session.commit()
    assert complaint.state == "assigned" and complaint.agency is agency
    manual = db.session.scalar(select(TriageResult).where(TriageResult.source == "manual"))
    assert manual.corrects_model is True

    from hotline.complaints.corrections import correction_rows

    rows = correction_rows()
    assert rows == [
        {
            "id": f"correction-{manual.id}",
            "text": complaint.content,
            "field": "traffic",
            "kind": "phan_anh",
        }
    ]
    assert "0912" not in str(rows)


def test_manual_triage_rejects_bad_codes(app, make_user, complaint_payload):
    from hotline.errors import ValidationError

    complaint, job = submit(complaint_payload)
    run_triage_job(job.id)
    with pytest.raises(ValidationError) as info:
        manual_triage(
            complaint, field="weather", kind="x", agency=None, actor=make_user("supervisor")
        )
    assert set(info.value.errors) == {"field", "kind", "agency"}
    assert complaint.state == "needs_review"


def test_denunciations_never_become_training_data(app, make_user, complaint_payload):
    from hotline.complaints.corrections import correction_rows
    from tests.conftest import FakeClassifier

    app.extensions["hotline_classifier"] = FakeClassifier("land", "phan_anh", proba=0.2)
    complaint, job = submit(complaint_payload)
    run_triage_job(job.id)
    agency = db.session.scalar(select(Agency).where(Agency.code == "CAT"))
    manual_triage(
        complaint, field="public_order", kind="to_cao", agency=agency, actor=make_user("supervisor")
    )
    db.session.commit()
    assert correction_rows() == []


def test_configured_threshold_overrides_the_models_gate(app, complaint_payload):
    import dataclasses

    from tests.conftest import FakeClassifier

    app.extensions["hotline_classifier"] = FakeClassifier("traffic", "phan_anh", proba=0.55)
    app.config["HOTLINE"] = dataclasses.replace(app.config["HOTLINE"], triage_threshold=0.5)
    complaint, job = submit(complaint_payload)
    assert run_triage_job(job.id) == "assigned"
    app.config["HOTLINE"] = dataclasses.replace(app.config["HOTLINE"], triage_threshold=0.9)
    complaint, job = submit({**complaint_payload, "content": "Một đoạn đường khác bị sụt lún."})
    assert run_triage_job(job.id) == "needs_review"
