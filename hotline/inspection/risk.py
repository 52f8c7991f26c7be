"""Risk score per agency (a transparent weighted formula) and the proposed inspection plan.

score = 100 × Σ wᵢ·sᵢ / Σ wᵢ, where each signal sᵢ is an indicator scaled to 0..1:
late = 1 − on-time rate; days_late = mean days late / cap; returned, reopened = their rates;
dissatisfaction = (5 − mean rating) / 4; repeated, admin_procedure, escalated, leads = count / cap
(capped at 1). Missing data (no item due, no rating) gives 0: no evidence, no risk. An indicator
past its trigger threshold becomes a reason, written in Vietnamese, in the plan item.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from hotline.clock import utcnow
from hotline.complaints.models import Complaint
from hotline.directory.models import User
from hotline.errors import ValidationError
from hotline.extensions import db
from hotline.inspection.indicators import (
    IndicatorRow,
    Period,
    evidence_codes,
    indicators_agency_field,
    indicators_by_agency,
)
from hotline.inspection.models import InspectionLead, RiskWeights
from hotline.labels import FIELD_LABELS

INDICATOR_LABELS = {
    "late": "Trễ hạn (1 − tỷ lệ đúng hạn)",
    "days_late": "Số ngày trễ bình quân",
    "returned": "Tỷ lệ trả lại (chuyển sai/không nhận)",
    "reopened": "Tỷ lệ bị mở lại",
    "dissatisfaction": "Mức không hài lòng",
    "repeated": "Phản ánh lặp lại (cụm trùng)",
    "admin_procedure": "Phản ánh về TTHC, công vụ",
    "escalated": "Vượt cấp lên trung ương",
    "leads": "Tố cáo nặc danh có chứng cứ",
}
DEFAULT_WEIGHTS = {
    "late": 30,
    "days_late": 15,
    "returned": 10,
    "reopened": 10,
    "dissatisfaction": 10,
    "repeated": 5,
    "admin_procedure": 10,
    "escalated": 5,
    "leads": 5,
}
DEFAULT_PARAMS = {
    "min_received": 5,  # fewer items than this: rates are noise, the agency is not proposed
    "plan_threshold": 25.0,  # a score at least this high proposes an inspection
    "max_items": 10,
    "caps": {"days_late": 30, "repeated": 3, "admin_procedure": 5, "escalated": 3, "leads": 2},
    # A reason is written when: on-time % below, days/rates above, rating below, counts at least.
    "triggers": {
        "on_time_pct": 80.0,
        "days_late": 5.0,
        "returned_pct": 10.0,
        "reopened_pct": 10.0,
        "mean_rating": 3.0,
        "clusters": 1,
        "admin_procedure": 1,
        "escalated": 1,
        "leads": 1,
    },
}


def current_weights() -> RiskWeights:
    """The version in force (the newest); version 1 with the defaults is created on first use."""
    row = db.session.scalar(select(RiskWeights).order_by(RiskWeights.version.desc()).limit(1))
    if row is None:
        row = RiskWeights(
            version=1, weights=dict(DEFAULT_WEIGHTS), params=_copy(DEFAULT_PARAMS), note="Mặc định"
        )
        db.session.add(row)
        db.session.flush()
    return row


def _copy(params: dict) -> dict:
    return {**params, "caps": dict(params["caps"]), "triggers": dict(params["triggers"])}


def save_weights(weights: dict, params: dict, actor: User | None, note: str = "") -> RiskWeights:
    """Store a new version (the old ones stay, plans record the version they used)."""
    from hotline.inspection.plans import audit

    clean_w = {}
    for key in DEFAULT_WEIGHTS:
        value = float(weights.get(key, 0) or 0)
        if not 0 <= value <= 1000:
            raise ValidationError("Trọng số phải từ 0 đến 1000.", {key: "Ngoài khoảng cho phép."})
        clean_w[key] = value
    if sum(clean_w.values()) <= 0:
        raise ValidationError("Cần ít nhất một trọng số dương.", {"weights": "Tổng bằng 0."})
    merged = _copy(DEFAULT_PARAMS)
    for key in ("min_received", "plan_threshold", "max_items"):
        if key in params:
            merged[key] = params[key]
    merged["caps"].update({k: v for k, v in (params.get("caps") or {}).items() if v and v > 0})
    merged["triggers"].update(params.get("triggers") or {})
    old = current_weights()
    row = RiskWeights(
        version=old.version + 1,
        weights=clean_w,
        params=merged,
        note=note,
        created_by_id=actor.id if actor else None,
    )
    db.session.add(row)
    db.session.flush()
    audit(
        actor,
        "risk_weights",
        row.id,
        "create",
        {"version": old.version, "weights": old.weights, "params": old.params},
        {"version": row.version, "weights": clean_w, "params": merged},
    )
    return row


# -- scoring -------------------------------------------------------------------------------
@dataclass
class RiskScore:
    agency_id: int
    agency_code: str
    agency_name: str
    score: float
    breakdown: list[dict]  # one entry per indicator: value, signal, weight, points
    reasons: list[str]
    row: IndicatorRow
    focus_fields: list[str] = field(default_factory=list)
    eligible: bool = True

    def as_dict(self) -> dict:
        return {
            "agency_code": self.agency_code,
            "agency_name": self.agency_name,
            "score": self.score,
            "breakdown": self.breakdown,
            "reasons": self.reasons,
            "focus_fields": self.focus_fields,
            "eligible": self.eligible,
        }


def _signals(row: IndicatorRow, caps: dict) -> dict[str, tuple[float | None, float]]:
    def capped(value, cap):
        return min(value / cap, 1.0) if cap else 0.0

    on_time = row.on_time_pct
    return {
        "late": (on_time, 1 - on_time / 100 if on_time is not None else 0.0),
        "days_late": (row.mean_days_late, capped(row.mean_days_late or 0, caps["days_late"])),
        "returned": (row.returned_pct, (row.returned_pct or 0) / 100),
        "reopened": (row.reopened_pct, (row.reopened_pct or 0) / 100),
        "dissatisfaction": (
            row.mean_rating,
            (5 - row.mean_rating) / 4 if row.mean_rating is not None else 0.0,
        ),
        "repeated": (row.clusters, capped(row.clusters, caps["repeated"])),
        "admin_procedure": (
            row.admin_procedure,
            capped(row.admin_procedure, caps["admin_procedure"]),
        ),
        "escalated": (row.escalated, capped(row.escalated, caps["escalated"])),
        "leads": (row.leads, capped(row.leads, caps["leads"])),
    }


def _num(value: float, digits: int = 1) -> str:
    """Vietnamese number format: decimal comma."""
    return f"{value:.{digits}f}".replace(".", ",")


def reasons_for(row: IndicatorRow, triggers: dict) -> list[str]:
    """The indicators past their thresholds, as sentences for the plan."""
    out = []
    if row.on_time_pct is not None and row.on_time_pct < triggers["on_time_pct"]:
        out.append(
            f"Tỷ lệ trả lời đúng hạn chỉ đạt {_num(row.on_time_pct)}% "
            f"({row.on_time}/{row.due} phản ánh đến hạn; ngưỡng {_num(triggers['on_time_pct'], 0)}%)."
        )
    if row.overdue and (row.mean_days_late or 0) > triggers["days_late"]:
        out.append(
            f"{row.overdue} phản ánh trễ hạn, bình quân trễ {_num(row.mean_days_late)} ngày "
            f"(ngưỡng {_num(triggers['days_late'], 0)} ngày)."
        )
    if row.returned_pct is not None and row.returned_pct > triggers["returned_pct"]:
        out.append(
            f"Trả lại {_num(row.returned_pct)}% phản ánh được chuyển đến "
            f"({row.returned}/{row.routed}; ngưỡng {_num(triggers['returned_pct'], 0)}%)."
        )
    if row.reopened_pct is not None and row.reopened_pct > triggers["reopened_pct"]:
        out.append(
            f"{_num(row.reopened_pct)}% phản ánh đã trả lời bị người dân mở lại "
            f"({row.reopened}/{row.answered}; ngưỡng {_num(triggers['reopened_pct'], 0)}%)."
        )
    if row.mean_rating is not None and row.mean_rating < triggers["mean_rating"]:
        out.append(
            f"Mức hài lòng bình quân {_num(row.mean_rating, 2)}/5 qua {row.rating_count} "
            f"đánh giá (ngưỡng {_num(triggers['mean_rating'])})."
        )
    if row.clusters >= triggers["clusters"] > 0:
        out.append(
            f"{row.clusters} vụ việc bị phản ánh lặp lại "
            f"({row.cluster_items} phản ánh trùng đã gộp)."
        )
    if row.admin_procedure >= triggers["admin_procedure"] > 0:
        out.append(
            f"{row.admin_procedure} phản ánh về thủ tục hành chính, công vụ đối với cơ quan."
        )
    if row.escalated >= triggers["escalated"] > 0:
        out.append(f"{row.escalated} phản ánh vượt cấp lên cơ quan trung ương.")
    if row.leads >= triggers["leads"] > 0:
        out.append(
            f"{row.leads} tố cáo nặc danh có nội dung cụ thể, chứng cứ (nguồn thông tin "
            "thanh tra theo Điều 25 Luật Tố cáo)."
        )
    return out


def score_row(row: IndicatorRow, weights: RiskWeights) -> RiskScore:
    params = weights.params
    total_w = sum(weights.weights.values()) or 1.0
    breakdown, score = [], 0.0
    for key, (value, signal) in _signals(row, params["caps"]).items():
        w = float(weights.weights.get(key, 0))
        points = 100.0 * w * signal / total_w
        score += points
        breakdown.append(
            {
                "indicator": key,
                "label": INDICATOR_LABELS[key],
                "value": value,
                "signal": round(signal, 4),
                "weight": w,
                "points": round(points, 2),
            }
        )
    labels = row.labels
    return RiskScore(
        agency_id=labels["agency_id"],
        agency_code=labels["agency_code"],
        agency_name=labels["agency_name"],
        score=round(score, 2),
        breakdown=breakdown,
        reasons=reasons_for(row, params["triggers"]),
        row=row,
        eligible=row.received >= params["min_received"] or row.leads > 0,
    )


def rank_agencies(period: Period, *, as_of: datetime | None = None) -> list[RiskScore]:
    """Every agency with activity, highest score first (ties: more overdue, then name)."""
    weights = current_weights()
    as_of = as_of or utcnow()
    scores = [score_row(r, weights) for r in indicators_by_agency(period, as_of=as_of)]
    matrix = indicators_agency_field(period, as_of=as_of)
    for s in scores:
        cells = [(f, r) for (a, f), r in matrix.items() if a == s.agency_id]
        cells.sort(key=lambda fr: (-fr[1].overdue, -fr[1].received, fr[0]))
        s.focus_fields = [f for f, r in cells if r.overdue][:3] or [f for f, _ in cells[:1]]
    scores.sort(key=lambda s: (-s.score, -s.row.overdue, s.agency_name))
    return scores


# -- the proposal --------------------------------------------------------------------------
@dataclass
class ProposedItem:
    rank: int
    risk: RiskScore
    evidence_codes: list[str]
    planned_start: date
    planned_end: date

    def as_dict(self) -> dict:
        return {
            "rank": self.rank,
            **self.risk.as_dict(),
            "focus_fields_labels": [FIELD_LABELS.get(f, f) for f in self.risk.focus_fields],
            "evidence_codes": self.evidence_codes,
            "planned_start": self.planned_start.isoformat(),
            "planned_end": self.planned_end.isoformat(),
            "indicators": self.risk.row.as_dict(),
        }


def _lead_codes(agency_id: int, period: Period) -> list[str]:
    stmt = (
        select(Complaint.tracking_code)
        .join(InspectionLead, InspectionLead.complaint_id == Complaint.id)
        .where(
            InspectionLead.target_agency_id == agency_id,
            Complaint.received_at >= period.start,
            Complaint.received_at < period.end,
        )
        .order_by(func.lower(Complaint.tracking_code))
    )
    return list(db.session.scalars(stmt))


def propose_items(period: Period, *, as_of: datetime | None = None) -> list[ProposedItem]:
    """Agencies to inspect in the period after ``period``, ranked by risk, with reasons and
    evidence; computes only (nothing is written)."""
    weights = current_weights()
    params = weights.params
    chosen = [
        s
        for s in rank_agencies(period, as_of=as_of)
        if s.eligible and s.reasons and s.score >= params["plan_threshold"]
    ]
    chosen = chosen[: int(params["max_items"])]
    months = period.next().months()
    items = []
    for i, risk in enumerate(chosen):
        month = months[min(i // 2, len(months) - 1)]
        start = date(int(month[:4]), int(month[5:]), 1) + timedelta(days=14 * (i % 2))
        codes = evidence_codes(risk.agency_id, period, as_of=as_of)
        codes += [c for c in _lead_codes(risk.agency_id, period) if c not in codes]
        items.append(ProposedItem(i + 1, risk, codes, start, start + timedelta(days=10)))
    return items
