"""Audit trail of administrative changes (rules, SLA policy, agencies, users...)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.clock import utcnow
from hotline.directory.models import User
from hotline.extensions import db
from hotline.sqltypes import UTCDateTime


class AuditLog(db.Model):
    """Who changed which entity when, with its state before and after (append-only)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(String(32))  # create | update | deactivate | ...
    entity: Mapped[str] = mapped_column(String(40))  # table name, e.g. "routing_rule"
    entity_id: Mapped[str | None] = mapped_column(String(64))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)

    actor: Mapped[User | None] = relationship()

    __table_args__ = (Index("ix_audit_log_entity", "entity", "entity_id"),)
