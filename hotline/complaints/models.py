"""The complaint and what hangs off it: append-only events, triage results, the job outbox, handling records, duplicate proposals."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.clock import utcnow
from hotline.directory.models import Agency, User, Ward
from hotline.extensions import db
from hotline.sqltypes import UTCDateTime
from ml.labels import FIELDS as FIELDS
from ml.labels import KINDS as KINDS

# --- Complaints, their append-only event log, triage results and the job outbox.

CHANNELS = ("phone", "web", "zalo", "email", "app", "walk_in")
STATES = (
    "received",
    "triaged",
    "needs_review",
    "assigned",
    "accepted",
    "answered",
    "closed",
    "returned",
    "extended",
    "paused",
    "reopened",
    "rejected",
    "merged",
    "split",
)
# States in which nobody has to act any more.
FINAL_STATES = frozenset({"closed", "rejected", "merged", "split"})
# States in which the clock does not run: nothing is owed (answered, final) or it is stopped.
NOT_OVERDUE_STATES = FINAL_STATES | {"answered", "paused"}


class Complaint(db.Model):
    __tablename__ = "complaint"

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_code: Mapped[str] = mapped_column(String(20), unique=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    channel: Mapped[str] = mapped_column(String(12))
    citizen_name: Mapped[str | None] = mapped_column(String(200))
    citizen_phone: Mapped[str | None] = mapped_column(String(20), index=True)
    citizen_email: Mapped[str | None] = mapped_column(String(200))
    citizen_address: Mapped[str | None] = mapped_column(String(500))
    secret_hash: Mapped[str | None] = mapped_column(String(64))
    ward_code: Mapped[int | None] = mapped_column(ForeignKey("ward.code"), index=True)
    location_text: Mapped[str | None] = mapped_column(String(500))
    location_source: Mapped[str | None] = mapped_column(String(20))
    # How sure the location resolver was (0–1) and the words it matched (directory/location.py).
    location_confidence: Mapped[float | None] = mapped_column(Float)
    location_match: Mapped[str | None] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    kind: Mapped[str | None] = mapped_column(String(16))
    field: Mapped[str | None] = mapped_column(String(32), index=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    routing_rule_id: Mapped[int | None] = mapped_column(ForeignKey("routing_rule.id"))
    routing_explanation: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default="received", index=True)
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    escalated_to_central: Mapped[bool] = mapped_column(Boolean, default=False)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    # sha256 of the request body that used the key: a different body with the same key is refused.
    idempotency_fingerprint: Mapped[str | None] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("complaint.id"), index=True)
    public_answer: Mapped[str | None] = mapped_column(Text)
    rating: Mapped[int | None] = mapped_column(Integer)
    # Handling (complaints/handling.py): clock stopped since paused_at; reminders once per deadline.
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_soon_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    overdue_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    agency: Mapped[Agency | None] = relationship()
    ward: Mapped[Ward | None] = relationship()
    # A merged duplicate points at its main complaint; a split item at the submission it came from.
    parent: Mapped[Complaint | None] = relationship(remote_side="Complaint.id")
    events: Mapped[list[ComplaintEvent]] = relationship(
        back_populates="complaint", order_by="ComplaintEvent.id"
    )
    triage_results: Mapped[list[TriageResult]] = relationship(
        back_populates="complaint", order_by="TriageResult.id"
    )

    __table_args__ = (Index("ix_complaint_agency_state", "agency_id", "state"),)

    @property
    def phone_last4(self) -> str | None:
        return self.citizen_phone[-4:] if self.citizen_phone else None

    @property
    def is_open(self) -> bool:
        return self.state not in FINAL_STATES

    @property
    def is_overdue(self) -> bool:
        """Derived: past the (possibly extended) deadline, not answered, not paused (never stored).

        complaints/queries.overdue_clause() is the same rule in SQL, for list filters.
        """
        if self.deadline_at is None or self.state in NOT_OVERDUE_STATES:
            return False
        return utcnow() > self.deadline_at

    def __repr__(self) -> str:
        return f"<Complaint {self.tracking_code} {self.state}>"


class ComplaintEvent(db.Model):
    """Append-only audit of everything that happened to a complaint."""

    __tablename__ = "complaint_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # "staff", "citizen" or "system": who acted when there is no user account behind it.
    actor_kind: Mapped[str] = mapped_column(String(12), default="system")
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    data: Mapped[dict | None] = mapped_column(JSON)

    complaint: Mapped[Complaint] = relationship(back_populates="events")

    # Inspection indicators look events up by state (returned, reopened) for many complaints.
    __table_args__ = (Index("ix_complaint_event_to_state", "to_state", "complaint_id"),)


@event.listens_for(ComplaintEvent, "before_update")
@event.listens_for(ComplaintEvent, "before_delete")
def _events_are_append_only(mapper, connection, target):
    raise RuntimeError("complaint events are append-only")


class TriageResult(db.Model):
    """Field, kind and agency decided for a complaint, by the model or by a person."""

    __tablename__ = "triage_result"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    source: Mapped[str] = mapped_column(String(8))  # "model" or "manual"
    field: Mapped[str | None] = mapped_column(String(32))
    kind: Mapped[str | None] = mapped_column(String(16))
    field_proba: Mapped[float | None] = mapped_column(Float)
    kind_proba: Mapped[float | None] = mapped_column(Float)
    probabilities: Mapped[dict | None] = mapped_column(JSON)
    model_version: Mapped[str | None] = mapped_column(String(64))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # A manual decision that changed the model's answer becomes a training example.
    corrects_model: Mapped[bool] = mapped_column(Boolean, default=False)

    complaint: Mapped[Complaint] = relationship(back_populates="triage_results")


class OutboxJob(db.Model):
    """Work owed to a complaint, written in the same transaction as the complaint.

    The queue only delivers: a row that is not done is owed, whatever Redis remembers.
    """

    __tablename__ = "outbox_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(32))
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaint.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    enqueued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    payload: Mapped[dict | None] = mapped_column(JSON)

    complaint: Mapped[Complaint | None] = relationship()

    @property
    def rq_job_id(self) -> str:
        return f"{self.job}-{self.id}"


# --- Handling records: extension requests, returns (routing corrections), attachments, grants.

EXTENSION_STATUSES = ("pending", "approved", "denied")


class ExtensionRequest(db.Model):
    """An agency asks for more time (gia hạn); a supervisor approves or denies it."""

    __tablename__ = "extension_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id"), index=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reason: Mapped[str] = mapped_column(Text)
    days: Mapped[int] = mapped_column(Integer)
    # "working" or "calendar", as the SLA policy of the item counts its resolution time.
    unit: Mapped[str] = mapped_column(String(12), default="working")
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decision_note: Mapped[str | None] = mapped_column(Text)

    complaint: Mapped[Complaint] = relationship()


class RoutingCorrection(db.Model):
    """An agency returned an item as not theirs: the wrong agency and the verdict that sent it.

    The item is re-triaged and never routed to this agency again automatically; together with
    the later (manual) triage this is a training signal for the classifier and the rules.
    """

    __tablename__ = "routing_correction"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    wrong_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    routing_rule_id: Mapped[int | None] = mapped_column(ForeignKey("routing_rule.id"))
    field: Mapped[str | None] = mapped_column(String(32))
    kind: Mapped[str | None] = mapped_column(String(16))
    model_version: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    complaint: Mapped[Complaint] = relationship()
    wrong_agency: Mapped[Agency] = relationship()


class Attachment(db.Model):
    """A file attached to a public answer, stored under a random name in settings.upload_dir."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    # Shown to readers only; never used as a path.
    display_name: Mapped[str] = mapped_column(String(200))
    extension: Mapped[str] = mapped_column(String(8))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    complaint: Mapped[Complaint] = relationship()


class IdentityGrant(db.Model):
    """An inspector lets one agency see a protected denouncer's identity (Luật Tố cáo, Art. 47)."""

    __tablename__ = "identity_grant"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    granted_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    reason: Mapped[str] = mapped_column(Text)


# --- Duplicate proposals: a new complaint that looks like an open one, for a supervisor to decide.

PROPOSAL_STATUSES = ("proposed", "accepted", "rejected")


class DuplicateProposal(db.Model):
    __tablename__ = "duplicate_proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id"), index=True)
    main_id: Mapped[int] = mapped_column(ForeignKey("complaint.id"), index=True)
    score: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(12), default="proposed", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    complaint: Mapped[Complaint] = relationship(foreign_keys=[complaint_id])
    main: Mapped[Complaint] = relationship(foreign_keys=[main_id])
    decided_by: Mapped[User | None] = relationship()

    __table_args__ = (UniqueConstraint("complaint_id", "main_id"),)
