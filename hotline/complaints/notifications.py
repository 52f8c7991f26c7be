"""E-mail notifications: owed as outbox rows in the same transaction as the change, sent later.

A notification never blocks or undoes the change that caused it: the state is committed first,
the e-mail goes out from a job (retried by RQ and by the sweeper), and failures stay on the
outbox row (``last_error``) for the admin page.
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app, render_template
from sqlalchemy import select

from hotline.clock import utcnow
from hotline.complaints.models import Complaint, OutboxJob
from hotline.directory.models import Agency
from hotline.extensions import db

log = logging.getLogger(__name__)

# notification kind -> who receives it
AGENCY_NOTIFICATIONS = frozenset({"assigned", "due_soon", "overdue"})
CITIZEN_NOTIFICATIONS = frozenset({"answered"})
NOTIFICATIONS = AGENCY_NOTIFICATIONS | CITIZEN_NOTIFICATIONS
# After this many hand-overs a failing notification is given up (and stays listed for admins).
MAX_ATTEMPTS = 6
SMTP_TIMEOUT = 15
SKIPPED_NO_SMTP = "skipped: SMTP chưa cấu hình"
SKIPPED_NO_RECIPIENT = "skipped: không có địa chỉ nhận"


def queue_notification(complaint: Complaint, kind: str) -> OutboxJob | None:
    """Owe an e-mail about ``complaint``; None when nobody can receive it. Flushes nothing."""
    if kind not in NOTIFICATIONS:
        raise ValueError(f"unknown notification {kind!r}")
    payload: dict = {"notification": kind}
    if kind in AGENCY_NOTIFICATIONS:
        if complaint.agency is None or not complaint.agency.email:
            return None
        payload["agency_id"] = complaint.agency.id
    elif not complaint.citizen_email or complaint.anonymous:
        return None
    row = OutboxJob(job="notify", complaint=complaint, payload=payload)
    db.session.add(row)
    return row


def _recipient(row: OutboxJob, complaint: Complaint) -> str | None:
    kind = (row.payload or {}).get("notification")
    if kind in AGENCY_NOTIFICATIONS:
        agency = db.session.get(Agency, (row.payload or {}).get("agency_id") or 0)
        return agency.email if agency is not None else None
    if kind in CITIZEN_NOTIFICATIONS:
        return complaint.citizen_email
    return None


def build_message(row: OutboxJob, complaint: Complaint) -> EmailMessage | None:
    """The e-mail for an outbox row (Vietnamese text from templates/email), or None if no address.

    Agency e-mails carry no complaint text and no contact data: the link leads to the inbox,
    where permissions apply (and a denouncer's identity stays protected).
    """
    recipient = _recipient(row, complaint)
    if not recipient:
        return None
    settings = current_app.config["HOTLINE"]
    kind = row.payload["notification"]
    base = settings.public_base_url.rstrip("/")
    text = render_template(
        f"email/{kind}.txt",
        c=complaint,
        inbox_url=f"{base}/co-quan/{complaint.tracking_code}",
        status_url=f"{base}/tra-cuu/{complaint.tracking_code}",
    )
    subject, _, body = text.strip().partition("\n")
    msg = EmailMessage()
    msg["Subject"] = subject.strip()
    msg["From"] = settings.smtp_sender
    msg["To"] = recipient
    msg["Message-ID"] = make_msgid(idstring=f"notify-{row.id}", domain="tongdai1022.local")
    msg.set_content(body.strip() + "\n")
    return msg


def send_email(msg: EmailMessage) -> None:
    settings = current_app.config["HOTLINE"]
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT) as smtp:
        smtp.send_message(msg)


def deliver(outbox_id: int) -> str:
    """Send the e-mail owed by one outbox row; returns sent | skipped | failed. Commits.

    Idempotent: a done row is not sent again. On an SMTP failure the row stays owed with
    ``last_error`` (the caller may raise for RQ's retry; the sweeper sends it again later);
    after MAX_ATTEMPTS hand-overs it is given up, still listed for the admins.
    """
    row = db.session.scalar(
        select(OutboxJob)
        .where(OutboxJob.id == outbox_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if row is None or row.done_at is not None or row.job != "notify":
        db.session.rollback()
        return "skipped"
    complaint = db.session.get(Complaint, row.complaint_id or 0)
    msg = build_message(row, complaint) if complaint is not None else None
    if msg is None or not current_app.config["HOTLINE"].smtp_host:
        row.done_at = utcnow()
        row.last_error = SKIPPED_NO_RECIPIENT if msg is None else SKIPPED_NO_SMTP
        db.session.commit()
        log.info(
            "notify.skipped outbox_id=%s reason=%s",
            outbox_id,
            "no_recipient" if msg is None else "no_smtp",
        )
        return "skipped"
    try:
        send_email(msg)
    except (smtplib.SMTPException, OSError) as exc:
        # The exception text may name the recipient: keep only its type and SMTP code.
        code = getattr(exc, "smtp_code", None)
        error = f"smtp: {type(exc).__name__}" + (f" {code}" if code else "")
        if row.attempts >= MAX_ATTEMPTS:
            row.done_at = utcnow()
            error = f"abandoned after {row.attempts} attempts; {error}"
        row.last_error = error[:500]
        db.session.commit()
        log.warning(
            "notify.failed outbox_id=%s complaint_id=%s error=%s",
            outbox_id,
            row.complaint_id,
            error,
        )
        return "failed"
    row.done_at = utcnow()
    row.last_error = None
    db.session.commit()
    log.info(
        "notify.sent outbox_id=%s complaint_id=%s kind=%s",
        outbox_id,
        row.complaint_id,
        row.payload.get("notification"),
    )
    return "sent"


def retry_notification(row: OutboxJob) -> None:
    """An admin asks for another try: the row is owed again and the next sweep sends it."""
    row.done_at = None
    row.enqueued_at = None
    row.attempts = 0
    row.last_error = None


def default_agency_email(code: str) -> str:
    """The demo's mailbox pattern (real addresses are entered by administrators)."""
    return f"{code.lower()}@tongdai1022.dongnai.local"
