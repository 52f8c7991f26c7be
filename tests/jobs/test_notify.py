"""Notifications through a REAL local SMTP server (aiosmtpd), the periodic schedule, retries."""

from __future__ import annotations

import dataclasses
import socket
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from hotline.clock import utcnow
from hotline.complaints import handling
from hotline.complaints.models import OutboxJob
from hotline.complaints.notifications import SKIPPED_NO_SMTP
from hotline.directory.models import Agency
from hotline.extensions import db
from tests.handling_support import make_item


class Inbox:
    """aiosmtpd handler that keeps every message it is given."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook name
        msg = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((envelope.rcpt_tos, msg))
        return "250 OK"

    def by_recipient(self, address: str):
        return [m for rcpt, m in self.messages if address in rcpt]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalSmtp:
    """A real SMTP server on a fixed local port that can be stopped and started again."""

    def __init__(self):
        self.handler = Inbox()
        self.port = _free_port()
        self.controller: Controller | None = None

    def start(self) -> None:
        # An aiosmtpd Controller cannot be restarted: a new one on the same port.
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp():
    """A real SMTP server on a free local port; .handler.messages holds what arrived."""
    server = LocalSmtp()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def settings(base_settings, smtp):
    """The app sends through the local SMTP server."""
    return dataclasses.replace(
        base_settings,
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        public_base_url="https://1022.dongnai.example",
    )


@pytest.fixture
def agency_emails(app):
    """Mailboxes for two agencies (the agency table is kept between tests: restored after)."""
    rows = db.session.scalars(select(Agency).where(Agency.code.in_(["SXD", "SYT"]))).all()
    for row in rows:
        row.email = f"{row.code.lower()}@dongnai.example"
    db.session.commit()
    yield {row.code: row.email for row in rows}
    db.session.rollback()
    for row in db.session.scalars(select(Agency).where(Agency.code.in_(["SXD", "SYT"]))):
        row.email = None
    db.session.commit()


def test_assignment_mails_the_agency(
    client, fake_classifier, smtp, agency_emails, complaint_payload
):
    response = client.post("/api/v1/complaints", json=complaint_payload)
    code = response.get_json()["tracking_code"]
    mails = smtp.handler.by_recipient(agency_emails["SXD"])
    assert len(mails) == 1
    mail = mails[0]
    assert code in mail["Subject"]
    assert "Phản ánh mới" in mail["Subject"]
    body = mail.get_content()
    assert f"https://1022.dongnai.example/co-quan/{code}" in body
    assert "ổ gà" not in body
    assert "Nguyễn Văn An" not in body
    row = db.session.scalar(select(OutboxJob).where(OutboxJob.job == "notify"))
    assert row.done_at is not None
    assert row.last_error is None


def test_answer_mails_the_citizen(app, make_user, smtp):
    complaint = make_item("accepted", citizen_email="an@example.vn")
    handling.answer(
        complaint, make_user("agency_staff", "SXD"), "Đơn vị đã sửa chữa xong mặt đường ĐT768."
    )
    db.session.commit()
    [mail] = smtp.handler.by_recipient("an@example.vn")
    assert complaint.tracking_code in mail["Subject"]
    assert "Đơn vị đã sửa chữa xong mặt đường ĐT768." in mail.get_content()


def test_no_address_means_no_mail(app, make_user, smtp):
    complaint = make_item("accepted")  # no e-mail given, and the agency has none
    handling.answer(complaint, make_user("agency_staff", "SXD"), "Đã sửa chữa xong mặt đường.")
    db.session.commit()
    assert db.session.scalar(select(OutboxJob).where(OutboxJob.job == "notify")) is None
    assert smtp.handler.messages == []


def test_smtp_down_keeps_the_change_and_retries(app, make_user, smtp):
    from hotline.jobs import sweep_outbox

    complaint = make_item("accepted", citizen_email="an@example.vn")
    smtp.stop()  # the mail server is down
    handling.answer(complaint, make_user("agency_staff", "SXD"), "Đã sửa chữa xong mặt đường.")
    db.session.commit()
    row = db.session.scalar(select(OutboxJob).where(OutboxJob.job == "notify"))
    assert complaint.state == "answered"  # never undone by a failed e-mail
    db.session.refresh(row)
    assert row.done_at is None
    assert row.last_error.startswith("smtp: ")
    assert row.attempts == 1
    smtp.start()  # back up: the sweeper sends it
    assert sweep_outbox(stale_seconds=0) == 1
    db.session.refresh(row)
    assert row.done_at is not None
    assert row.last_error is None
    assert len(smtp.handler.by_recipient("an@example.vn")) == 1
    assert sweep_outbox(stale_seconds=0) == 0  # sent once


def test_gives_up_after_max_attempts(app, held_jobs, make_user, smtp):
    from hotline.complaints.notifications import MAX_ATTEMPTS, deliver

    complaint = make_item("accepted", citizen_email="an@example.vn")
    handling.answer(complaint, make_user("agency_staff", "SXD"), "Đã sửa chữa xong mặt đường.")
    row = db.session.scalar(select(OutboxJob).where(OutboxJob.job == "notify"))
    row.attempts = MAX_ATTEMPTS
    db.session.commit()
    smtp.stop()
    assert deliver(row.id) == "failed"
    smtp.start()
    db.session.refresh(row)
    assert row.done_at is not None
    assert row.last_error.startswith("abandoned")


def test_without_smtp_host_rows_are_skipped(app, make_settings, make_user):
    from hotline import create_app

    other = create_app(make_settings(smtp_host=None))
    with other.app_context():
        complaint = make_item("accepted", citizen_email="an@example.vn")
        handling.answer(complaint, make_user("agency_staff", "SXD"), "Đã sửa xong mặt đường.")
        db.session.commit()
        row = db.session.scalar(select(OutboxJob).where(OutboxJob.job == "notify"))
        db.session.refresh(row)
        assert row.done_at is not None
        assert row.last_error == SKIPPED_NO_SMTP
        assert complaint.state == "answered"
        db.session.remove()
        db.engine.dispose()


def test_periodic_once_sends_overdue_and_due_soon_once(app, smtp, agency_emails):
    from hotline.jobs.maintenance import SCHEDULE

    late = make_item("accepted", "SXD", deadline=utcnow() - timedelta(hours=1))
    soon = make_item("accepted", "SYT", deadline=utcnow() + timedelta(hours=2))
    answered = make_item("answered", answered_at=utcnow() - timedelta(days=8))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["periodic", "--once"])
    assert result.exit_code == 0, result.output
    assert {t.name for t in SCHEDULE} <= {
        line.split(":")[0] for line in result.output.split() if ":" in line
    }
    overdue_mails = smtp.handler.by_recipient(agency_emails["SXD"])
    soon_mails = smtp.handler.by_recipient(agency_emails["SYT"])
    assert len(overdue_mails) == 1
    assert "QUÁ HẠN" in overdue_mails[0]["Subject"]
    assert len(soon_mails) == 1
    assert "Sắp đến hạn" in soon_mails[0]["Subject"]
    db.session.expire_all()
    assert answered.state == "closed"
    assert late.events[-1].action == "overdue"
    assert soon.due_soon_notified_at is not None
    runner.invoke(args=["periodic", "--once"])  # nothing new the second time
    assert len(smtp.handler.messages) == 2


def test_run_due_follows_the_schedule(app, monkeypatch):
    from hotline.jobs import maintenance

    ran = []
    fake = tuple(
        dataclasses.replace(t, run=lambda n=t.name: ran.append(n) or 0)
        for t in maintenance.SCHEDULE
    )
    monkeypatch.setattr(maintenance, "SCHEDULE", fake)
    last: dict[str, float] = {}
    assert maintenance.run_due(last, 1000.0) == [t.name for t in fake]
    assert maintenance.run_due(last, 1030.0) == []
    assert maintenance.run_due(last, 1061.0) == ["sweep_outbox"]
    assert "auto_close" in maintenance.run_due(last, 1000.0 + 3600)
