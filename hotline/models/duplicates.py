"""Duplicate proposals: a new complaint that looks like an open one, for a supervisor to decide."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.extensions import db
from hotline.models.complaint import Complaint
from hotline.models.types import UTCDateTime, utcnow
from hotline.models.user import User

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
