"""Handling records: extension requests, returns (routing corrections), attachments, grants."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.extensions import db
from hotline.models.agency import Agency
from hotline.models.complaint import Complaint
from hotline.models.types import UTCDateTime, utcnow

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
