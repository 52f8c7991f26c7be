"""Public-service inspection (Sở Nội vụ): leads, risk weights, plans, findings, yearly evaluations."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.clock import utcnow
from hotline.complaints.models import Complaint
from hotline.directory.models import Agency
from hotline.extensions import db
from hotline.sqltypes import UTCDateTime

PLAN_ITEM_STATES = ("proposed", "approved", "in_progress", "concluded", "follow_up_done", "dropped")
RECOMMENDATIONS = ("reminder", "discipline", "process_fix", "training", "recover_damage", "other")
SEVERITIES = ("minor", "serious")
GRADES = ("xuat_sac", "tot", "hoan_thanh", "khong_hoan_thanh")


class InspectionLead(db.Model):
    """An anonymous but specific denunciation with evidence, kept as input for inspection
    (Luật Tố cáo 2018 Art. 25) against the agency it names instead of being handled as to_cao."""

    __tablename__ = "inspection_lead"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id"), index=True)
    target_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    complaint: Mapped[Complaint] = relationship()
    target_agency: Mapped[Agency] = relationship()

    __table_args__ = (UniqueConstraint("complaint_id", "target_agency_id"),)


class RiskWeights(db.Model):
    """One version of the risk formula: weights per indicator and the thresholds that trigger
    a reason. Never edited in place: saving creates the next version (the newest is in force)."""

    __tablename__ = "risk_weights"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    weights: Mapped[dict] = mapped_column(JSON)
    # {"min_received": 5, "plan_threshold": 30, "max_items": 10, "triggers": {indicator: value}}
    params: Mapped[dict] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class EvaluationRule(db.Model):
    """One version of the grading rule: for each grade the conditions an agency must meet."""

    __tablename__ = "evaluation_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    # {"xuat_sac": {"min_on_time_pct": 95, ...}, "tot": {...}, "hoan_thanh": {...}}
    thresholds: Mapped[dict] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class InspectionPlan(db.Model):
    """Kế hoạch kiểm tra công vụ, cải cách hành chính for one period."""

    __tablename__ = "inspection_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(10), unique=True)  # 2026-Q4, 2026-11, 2026
    title: Mapped[str] = mapped_column(String(300))
    number: Mapped[str] = mapped_column(String(40), default="")  # số/ký hiệu, e.g. 12/KH-SNV
    issued_on: Mapped[date | None] = mapped_column(Date)
    signer_name: Mapped[str] = mapped_column(String(200), default="")
    signer_title: Mapped[str] = mapped_column(String(200), default="GIÁM ĐỐC")
    weights_version: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    items: Mapped[list[PlanItem]] = relationship(
        back_populates="plan", order_by="PlanItem.rank", cascade="all, delete-orphan"
    )


class PlanItem(db.Model):
    """One agency to inspect, why, on what evidence, and what came of it."""

    __tablename__ = "plan_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("inspection_plan.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    rank: Mapped[int] = mapped_column(Integer, default=0)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    breakdown: Mapped[dict] = mapped_column(JSON, default=dict)
    focus_fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    evidence_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    planned_start: Mapped[date | None] = mapped_column(Date)
    planned_end: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(16), default="proposed", index=True)
    follow_up_note: Mapped[str] = mapped_column(Text, default="")
    manual: Mapped[bool] = mapped_column(Boolean, default=False)  # added by hand, not proposed
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    plan: Mapped[InspectionPlan] = relationship(back_populates="items")
    agency: Mapped[Agency] = relationship()
    findings: Mapped[list[Finding]] = relationship(
        back_populates="plan_item", order_by="Finding.id"
    )

    __table_args__ = (UniqueConstraint("plan_id", "agency_id"),)


class Finding(db.Model):
    """What the inspectors found at an agency: violations, who is responsible, what to do."""

    __tablename__ = "finding"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_item_id: Mapped[int] = mapped_column(ForeignKey("plan_item.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    concluded_on: Mapped[date] = mapped_column(Date, index=True)
    violations: Mapped[str] = mapped_column(Text)
    responsible_unit: Mapped[str] = mapped_column(String(300), default="")
    severity: Mapped[str] = mapped_column(String(12), default="minor")
    recommendations: Mapped[list[str]] = mapped_column(JSON, default=list)
    recommendation_note: Mapped[str] = mapped_column(Text, default="")
    remedied: Mapped[bool] = mapped_column(Boolean, default=False)  # follow-up confirmed
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    plan_item: Mapped[PlanItem] = relationship(back_populates="findings")
    agency: Mapped[Agency] = relationship()
    complaints: Mapped[list[Complaint]] = relationship(secondary="finding_complaint")
    documents: Mapped[list[FindingDocument]] = relationship(
        back_populates="finding", order_by="FindingDocument.id"
    )


class FindingComplaint(db.Model):
    """A complaint that is evidence for a finding (closes the loop back to the complaint)."""

    __tablename__ = "finding_complaint"

    finding_id: Mapped[int] = mapped_column(ForeignKey("finding.id"), primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaint.id"), primary_key=True, index=True
    )


class FindingDocument(db.Model):
    """A document attached to a finding (kết luận, biên bản...), stored under a random name."""

    __tablename__ = "finding_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("finding.id"), index=True)
    doc_type: Mapped[str] = mapped_column(String(20))  # ket_luan, bien_ban, bao_cao, khac
    display_name: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    extension: Mapped[str] = mapped_column(String(8))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    finding: Mapped[Finding] = relationship(back_populates="documents")


class YearlyEvaluation(db.Model):
    """An agency's task-completion grade for a year, with the evidence and the rule used."""

    __tablename__ = "yearly_evaluation"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    grade: Mapped[str] = mapped_column(String(20))
    rule_version: Mapped[int] = mapped_column(Integer)
    evidence: Mapped[dict] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    computed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    agency: Mapped[Agency] = relationship()

    __table_args__ = (UniqueConstraint("agency_id", "year"),)
