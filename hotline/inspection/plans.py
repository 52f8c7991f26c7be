"""Inspection plans: propose, edit, approve, run, conclude with findings, follow up; leads.

Every change writes an AuditLog row (who, when, entity, before/after). Functions flush, never
commit: the caller (view or CLI) commits.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import date, datetime

from sqlalchemy import select

from hotline.audit import AuditLog
from hotline.clock import utcnow
from hotline.complaints.models import Complaint
from hotline.directory.models import Agency, User
from hotline.errors import InvalidTransition, NotFound, ValidationError
from hotline.extensions import db
from hotline.inspection.indicators import Period
from hotline.inspection.models import (
    RECOMMENDATIONS,
    SEVERITIES,
    Finding,
    FindingComplaint,
    FindingDocument,
    InspectionLead,
    InspectionPlan,
    PlanItem,
)
from hotline.inspection.risk import current_weights, propose_items

log = logging.getLogger(__name__)

ITEM_TRANSITIONS: dict[str, frozenset[str]] = {
    "proposed": frozenset({"approved", "dropped"}),
    "approved": frozenset({"in_progress", "proposed", "dropped"}),
    "in_progress": frozenset({"concluded"}),
    "concluded": frozenset({"follow_up_done", "in_progress"}),
    "follow_up_done": frozenset(),
    "dropped": frozenset({"proposed"}),
}
ITEM_STATE_LABELS = {
    "proposed": "Đề xuất",
    "approved": "Đã phê duyệt",
    "in_progress": "Đang kiểm tra",
    "concluded": "Đã có kết luận",
    "follow_up_done": "Đã hoàn thành theo dõi, đôn đốc",
    "dropped": "Không đưa vào kế hoạch",
}
RECOMMENDATION_LABELS = {
    "reminder": "Nhắc nhở, chấn chỉnh",
    "discipline": "Xem xét xử lý kỷ luật",
    "process_fix": "Sửa đổi quy trình, thủ tục",
    "training": "Bồi dưỡng, tập huấn",
    "recover_damage": "Khắc phục hậu quả",
    "other": "Kiến nghị khác",
}
SEVERITY_LABELS = {"minor": "Thiếu sót", "serious": "Vi phạm nghiêm trọng"}
DOC_TYPES = {
    "ket_luan": "Kết luận kiểm tra",
    "bien_ban": "Biên bản làm việc",
    "bao_cao": "Báo cáo khắc phục",
    "khac": "Tài liệu khác",
}
EDITABLE_STATES = frozenset({"proposed", "approved"})
_AUDITED_ITEM_FIELDS = (
    "state",
    "planned_start",
    "planned_end",
    "focus_fields",
    "note",
    "follow_up_note",
    "rank",
)


def _jsonable(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return list(value)
    return value


def snapshot(obj, fields: tuple[str, ...]) -> dict:
    return {name: _jsonable(getattr(obj, name)) for name in fields}


def audit(
    actor: User | None,
    entity: str,
    entity_id: int | None,
    action: str,
    before: dict | None,
    after: dict | None,
) -> AuditLog:
    # AuditLog.entity_id is a string (shared with the admin pages, whose keys are not all ints).
    row = AuditLog(
        actor_id=actor.id if actor is not None else None,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        action=action,
        before=before,
        after=after,
    )
    db.session.add(row)
    log.info("audit entity=%s id=%s action=%s", entity, entity_id, action)
    return row


# -- plans ---------------------------------------------------------------------------------
def plan_for(period: Period) -> InspectionPlan | None:
    return db.session.scalar(select(InspectionPlan).where(InspectionPlan.period == period.code))


def propose_plan(
    period: Period, actor: User | None, *, as_of: datetime | None = None
) -> InspectionPlan:
    """Create the period's plan from the risk ranking, or refresh it: items still only
    proposed are replaced; items inspectors already acted on are kept as they are."""
    plan = plan_for(period)
    weights = current_weights()
    if plan is None:
        plan = InspectionPlan(
            period=period.code,
            title=f"Kế hoạch kiểm tra công vụ, cải cách hành chính {period.next().label}",
            created_by_id=actor.id if actor else None,
        )
        db.session.add(plan)
        db.session.flush()
        audit(
            actor,
            "inspection_plan",
            plan.id,
            "create",
            None,
            {"period": plan.period, "title": plan.title},
        )
    plan.weights_version = weights.version
    kept = {}
    for item in list(plan.items):
        if item.state == "proposed" and not item.manual:
            audit(actor, "plan_item", item.id, "delete", snapshot(item, _AUDITED_ITEM_FIELDS), None)
            plan.items.remove(item)
        else:
            kept[item.agency_id] = item
    db.session.flush()
    rank = max((i.rank for i in kept.values()), default=0)
    for proposal in propose_items(period, as_of=as_of):
        if proposal.risk.agency_id in kept:
            continue
        rank += 1
        item = PlanItem(
            plan=plan,
            agency_id=proposal.risk.agency_id,
            rank=rank,
            score=proposal.risk.score,
            breakdown={
                "items": proposal.risk.breakdown,
                "weights_version": weights.version,
                "indicators": proposal.risk.row.as_dict(),
            },
            focus_fields=proposal.risk.focus_fields,
            reasons=proposal.risk.reasons,
            evidence_codes=proposal.evidence_codes,
            planned_start=proposal.planned_start,
            planned_end=proposal.planned_end,
        )
        db.session.add(item)
        db.session.flush()
        audit(actor, "plan_item", item.id, "create", None, snapshot(item, _AUDITED_ITEM_FIELDS))
    return plan


def update_plan_header(plan: InspectionPlan, actor: User | None, **changes) -> None:
    fields = ("title", "number", "issued_on", "signer_name", "signer_title")
    before = snapshot(plan, fields)
    for name in fields:
        if name in changes and changes[name] is not None:
            setattr(plan, name, changes[name])
    if not (plan.title or "").strip():
        raise ValidationError("Tên kế hoạch không được để trống.", {"title": "Bắt buộc."})
    audit(actor, "inspection_plan", plan.id, "update", before, snapshot(plan, fields))


def add_item(plan: InspectionPlan, agency: Agency, actor: User | None, note: str = "") -> PlanItem:
    """An inspector adds an agency by hand (no score-based reason)."""
    if any(i.agency_id == agency.id for i in plan.items):
        raise ValidationError("Cơ quan này đã có trong kế hoạch.", {"agency": "Đã có."})
    item = PlanItem(
        plan=plan,
        agency=agency,
        manual=True,
        note=note,
        rank=max((i.rank for i in plan.items), default=0) + 1,
        reasons=["Bổ sung theo đề nghị của thanh tra viên."],
    )
    db.session.add(item)
    db.session.flush()
    audit(actor, "plan_item", item.id, "create", None, snapshot(item, _AUDITED_ITEM_FIELDS))
    return item


def update_item(
    item: PlanItem,
    actor: User | None,
    *,
    planned_start: date | None = None,
    planned_end: date | None = None,
    focus_fields: list[str] | None = None,
    note: str | None = None,
) -> None:
    """Edit timing, focus and note; only before the inspection starts."""
    if item.state not in EDITABLE_STATES:
        raise InvalidTransition(
            "Chỉ sửa được nội dung khi mục còn ở trạng thái đề xuất hoặc đã duyệt."
        )
    start = planned_start or item.planned_start
    end = planned_end or item.planned_end
    if start and end and end < start:
        raise ValidationError(
            "Ngày kết thúc phải sau ngày bắt đầu.", {"planned_end": "Trước ngày bắt đầu."}
        )
    before = snapshot(item, _AUDITED_ITEM_FIELDS)
    item.planned_start, item.planned_end = start, end
    if focus_fields is not None:
        item.focus_fields = focus_fields
    if note is not None:
        item.note = note
    item.updated_at = utcnow()
    audit(actor, "plan_item", item.id, "update", before, snapshot(item, _AUDITED_ITEM_FIELDS))


def transition_item(item: PlanItem, to: str, actor: User | None, note: str | None = None) -> None:
    """Move an item along proposed → approved → in_progress → concluded → follow_up_done."""
    if to not in ITEM_TRANSITIONS.get(item.state, frozenset()):
        raise InvalidTransition(
            f"Không thể chuyển từ “{ITEM_STATE_LABELS.get(item.state, item.state)}” "
            f"sang “{ITEM_STATE_LABELS.get(to, to)}”."
        )
    if to == "concluded" and not item.findings:
        raise InvalidTransition("Cần ghi nhận ít nhất một kết quả kiểm tra trước khi kết luận.")
    if to == "follow_up_done" and not (note or item.follow_up_note or "").strip():
        raise ValidationError(
            "Cần ghi kết quả theo dõi, đôn đốc khắc phục.", {"follow_up_note": "Bắt buộc."}
        )
    before = snapshot(item, _AUDITED_ITEM_FIELDS)
    if to == "follow_up_done" and note:
        item.follow_up_note = note.strip()
    item.state = to
    item.updated_at = utcnow()
    after = snapshot(item, _AUDITED_ITEM_FIELDS)
    if note and to != "follow_up_done":
        after["transition_note"] = note
    audit(actor, "plan_item", item.id, "transition", before, after)


# -- findings ------------------------------------------------------------------------------
_FINDING_FIELDS = (
    "violations",
    "responsible_unit",
    "severity",
    "recommendations",
    "recommendation_note",
    "remedied",
    "concluded_on",
)


def add_finding(
    item: PlanItem,
    actor: User | None,
    *,
    violations: str,
    responsible_unit: str = "",
    severity: str = "minor",
    recommendations: list[str] | None = None,
    recommendation_note: str = "",
    concluded_on: date | None = None,
    complaint_codes: list[str] | None = None,
) -> Finding:
    """Record what was found; the finding is linked to the item's evidence complaints (and any
    extra tracking codes given), so it shows on each complaint's staff view."""
    if item.state not in ("in_progress", "concluded"):
        raise InvalidTransition("Chỉ ghi kết quả khi mục đang kiểm tra hoặc đã có kết luận.")
    errors = {}
    if not (violations or "").strip():
        errors["violations"] = (
            "Cần mô tả nội dung vi phạm, thiếu sót (hoặc ghi “Không phát hiện vi phạm”)."
        )
    if severity not in SEVERITIES:
        errors["severity"] = "Mức độ không hợp lệ."
    bad = [r for r in recommendations or [] if r not in RECOMMENDATIONS]
    if bad:
        errors["recommendations"] = "Kiến nghị không hợp lệ."
    codes = [c.strip().upper() for c in (complaint_codes or []) if c.strip()]
    complaints = list(
        db.session.scalars(
            select(Complaint).where(
                Complaint.tracking_code.in_(set(codes) | set(item.evidence_codes))
            )
        )
    )
    unknown = set(codes) - {c.tracking_code for c in complaints}
    if unknown:
        errors["complaint_codes"] = "Không tìm thấy mã: " + ", ".join(sorted(unknown))
    if errors:
        raise ValidationError("Kết quả kiểm tra chưa hợp lệ.", errors)
    finding = Finding(
        plan_item=item,
        agency_id=item.agency_id,
        violations=violations.strip(),
        responsible_unit=responsible_unit.strip(),
        severity=severity,
        recommendations=list(dict.fromkeys(recommendations or [])),
        recommendation_note=recommendation_note.strip(),
        concluded_on=concluded_on or utcnow().date(),
        created_by_id=actor.id if actor else None,
    )
    db.session.add(finding)
    db.session.flush()
    for complaint in complaints:
        db.session.add(FindingComplaint(finding_id=finding.id, complaint_id=complaint.id))
    after = snapshot(finding, _FINDING_FIELDS) | {
        "complaints": sorted(c.tracking_code for c in complaints)
    }
    audit(actor, "finding", finding.id, "create", None, after)
    return finding


def set_remedied(finding: Finding, remedied: bool, actor: User | None) -> None:
    before = snapshot(finding, _FINDING_FIELDS)
    finding.remedied = remedied
    audit(actor, "finding", finding.id, "update", before, snapshot(finding, _FINDING_FIELDS))


def attach_document(
    finding: Finding, filename: str, data: bytes, doc_type: str, actor: User | None
) -> FindingDocument:
    """Type (extension and content) and size checked by the answer-attachment rules."""
    from hotline.complaints.attachments import (
        ALLOWED_TYPES,
        Upload,
        display_name,
        upload_dir,
        validate_upload,
    )

    if doc_type not in DOC_TYPES:
        raise ValidationError("Loại tài liệu không hợp lệ.", {"doc_type": "Chọn loại tài liệu."})
    ext = validate_upload(Upload(filename, data))
    stored = f"insp-{secrets.token_hex(16)}.{ext}"
    directory = upload_dir()
    directory.mkdir(parents=True, exist_ok=True)
    (directory / stored).write_bytes(data)
    doc = FindingDocument(
        finding=finding,
        doc_type=doc_type,
        display_name=display_name(filename, ext),
        stored_name=stored,
        extension=ext,
        content_type=ALLOWED_TYPES[ext],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by_id=actor.id if actor else None,
    )
    db.session.add(doc)
    db.session.flush()
    audit(
        actor,
        "finding_document",
        doc.id,
        "create",
        None,
        {
            "finding_id": finding.id,
            "doc_type": doc_type,
            "name": doc.display_name,
            "size": doc.size,
            "sha256": doc.sha256,
        },
    )
    return doc


def findings_for_complaint(complaint_id: int) -> list[Finding]:
    """Findings that cite this complaint as evidence (for the complaint's staff view)."""
    stmt = (
        select(Finding)
        .join(FindingComplaint, FindingComplaint.finding_id == Finding.id)
        .where(FindingComplaint.complaint_id == complaint_id)
        .order_by(Finding.concluded_on.desc(), Finding.id.desc())
    )
    return list(db.session.scalars(stmt))


def findings_for_agency(agency_id: int, year: int | None = None) -> list[Finding]:
    stmt = select(Finding).where(Finding.agency_id == agency_id)
    if year is not None:
        stmt = stmt.where(
            Finding.concluded_on >= date(year, 1, 1), Finding.concluded_on < date(year + 1, 1, 1)
        )
    return list(db.session.scalars(stmt.order_by(Finding.concluded_on.desc(), Finding.id.desc())))


# -- leads ---------------------------------------------------------------------------------
def mark_lead(
    complaint: Complaint, target: Agency, note: str, actor: User | None
) -> InspectionLead:
    """Keep an anonymous, specific denunciation with evidence as an inspection lead."""
    existing = db.session.scalar(
        select(InspectionLead).where(
            InspectionLead.complaint_id == complaint.id,
            InspectionLead.target_agency_id == target.id,
        )
    )
    if existing is not None:
        raise ValidationError(
            "Phản ánh này đã được ghi nhận là nguồn tin đối với cơ quan này.", {"agency": "Đã có."}
        )
    lead = InspectionLead(
        complaint=complaint,
        target_agency=target,
        note=note.strip(),
        created_by_id=actor.id if actor else None,
    )
    db.session.add(lead)
    db.session.flush()
    audit(
        actor,
        "inspection_lead",
        lead.id,
        "create",
        None,
        {"complaint_id": complaint.id, "target_agency": target.code, "note": lead.note},
    )
    return lead


def remove_lead(lead: InspectionLead, actor: User | None) -> None:
    audit(
        actor,
        "inspection_lead",
        lead.id,
        "delete",
        {
            "complaint_id": lead.complaint_id,
            "target_agency_id": lead.target_agency_id,
            "note": lead.note,
        },
        None,
    )
    db.session.delete(lead)


def get_item(item_id: int) -> PlanItem:
    item = db.session.get(PlanItem, item_id)
    if item is None:
        raise NotFound("Không tìm thấy mục kế hoạch.")
    return item
