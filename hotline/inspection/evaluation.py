"""Yearly task-completion evaluation of each agency from the year's indicators and findings.

The rule (EvaluationRule, versioned and editable by an inspector) lists, for the three upper
grades, conditions an agency must all meet; the grade is the highest whose conditions hold,
otherwise "Không hoàn thành". A condition left empty (None) is not checked; a condition on a
figure the agency has no data for (no item due, no rating) counts as met and says so.

Conditions: min_on_time_pct, max_mean_days_late, max_returned_pct, max_reopened_pct,
min_rating, max_serious_findings (findings of severity "serious" concluded in the year),
max_unremedied_findings (findings of the year not yet confirmed remedied), max_discipline
(findings recommending discipline).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from hotline.clock import utcnow
from hotline.directory.models import Agency, User
from hotline.errors import ValidationError
from hotline.extensions import db
from hotline.inspection.indicators import indicators_by_agency, parse_period
from hotline.inspection.models import EvaluationRule, Finding, YearlyEvaluation

GRADE_LABELS = {
    "xuat_sac": "Hoàn thành xuất sắc nhiệm vụ",
    "tot": "Hoàn thành tốt nhiệm vụ",
    "hoan_thanh": "Hoàn thành nhiệm vụ",
    "khong_hoan_thanh": "Không hoàn thành nhiệm vụ",
}
RULE_GRADES = ("xuat_sac", "tot", "hoan_thanh")
CONDITIONS = {
    # name: (indicator or finding count, "min"/"max", Vietnamese label)
    "min_on_time_pct": ("on_time_pct", "min", "Tỷ lệ trả lời đúng hạn (%) tối thiểu"),
    "max_mean_days_late": ("mean_days_late", "max", "Số ngày trễ bình quân tối đa"),
    "max_returned_pct": ("returned_pct", "max", "Tỷ lệ trả lại (%) tối đa"),
    "max_reopened_pct": ("reopened_pct", "max", "Tỷ lệ bị mở lại (%) tối đa"),
    "min_rating": ("mean_rating", "min", "Mức hài lòng bình quân tối thiểu (1–5)"),
    "max_serious_findings": ("serious_findings", "max", "Số vi phạm nghiêm trọng tối đa"),
    "max_unremedied_findings": ("unremedied_findings", "max", "Số kết luận chưa khắc phục tối đa"),
    "max_discipline": ("discipline_findings", "max", "Số kết luận kiến nghị kỷ luật tối đa"),
}
DEFAULT_THRESHOLDS = {
    "xuat_sac": {
        "min_on_time_pct": 95,
        "max_mean_days_late": 2,
        "max_returned_pct": 5,
        "max_reopened_pct": 5,
        "min_rating": 4.0,
        "max_serious_findings": 0,
        "max_unremedied_findings": 0,
        "max_discipline": 0,
    },
    "tot": {
        "min_on_time_pct": 85,
        "max_mean_days_late": 5,
        "max_returned_pct": 10,
        "max_reopened_pct": 10,
        "min_rating": 3.5,
        "max_serious_findings": 0,
        "max_unremedied_findings": 1,
        "max_discipline": 0,
    },
    "hoan_thanh": {
        "min_on_time_pct": 70,
        "max_mean_days_late": None,
        "max_returned_pct": None,
        "max_reopened_pct": 20,
        "min_rating": None,
        "max_serious_findings": 1,
        "max_unremedied_findings": None,
        "max_discipline": None,
    },
}


def current_rule() -> EvaluationRule:
    row = db.session.scalar(select(EvaluationRule).order_by(EvaluationRule.version.desc()).limit(1))
    if row is None:
        row = EvaluationRule(
            version=1,
            note="Mặc định",
            thresholds={g: dict(v) for g, v in DEFAULT_THRESHOLDS.items()},
        )
        db.session.add(row)
        db.session.flush()
    return row


def save_rule(thresholds: dict, actor: User | None, note: str = "") -> EvaluationRule:
    """A new version of the rule; values are numbers or None (not checked)."""
    from hotline.inspection.plans import audit

    clean: dict = {}
    for grade in RULE_GRADES:
        clean[grade] = {}
        for name in CONDITIONS:
            value = (thresholds.get(grade) or {}).get(name)
            if value is not None and (not isinstance(value, (int, float)) or value < 0):
                raise ValidationError(
                    "Ngưỡng phải là số không âm.", {f"{grade}.{name}": "Không hợp lệ."}
                )
            clean[grade][name] = value
    old = current_rule()
    row = EvaluationRule(
        version=old.version + 1,
        thresholds=clean,
        note=note,
        created_by_id=actor.id if actor else None,
    )
    db.session.add(row)
    db.session.flush()
    audit(
        actor,
        "evaluation_rule",
        row.id,
        "create",
        {"version": old.version, "thresholds": old.thresholds},
        {"version": row.version, "thresholds": clean},
    )
    return row


def _finding_counts(findings: list[Finding]) -> dict:
    return {
        "serious_findings": sum(f.severity == "serious" for f in findings),
        "unremedied_findings": sum(not f.remedied for f in findings),
        "discipline_findings": sum("discipline" in (f.recommendations or []) for f in findings),
    }


def check_grade(figures: dict, conditions: dict) -> list[dict]:
    """Each condition of one grade with the agency's figure and whether it is met."""
    checks = []
    for name, required in conditions.items():
        if required is None or name not in CONDITIONS:
            continue
        key, direction, label = CONDITIONS[name]
        actual = figures.get(key)
        if actual is None:
            ok, note = True, "không có dữ liệu"
        else:
            ok = actual >= required if direction == "min" else actual <= required
            note = ""
        checks.append(
            {
                "condition": name,
                "label": label,
                "required": required,
                "actual": actual,
                "ok": ok,
                "note": note,
            }
        )
    return checks


def grade_for(figures: dict, rule: EvaluationRule) -> tuple[str, dict]:
    all_checks = {g: check_grade(figures, rule.thresholds.get(g, {})) for g in RULE_GRADES}
    for grade in RULE_GRADES:
        if all(c["ok"] for c in all_checks[grade]):
            return grade, all_checks
    return "khong_hoan_thanh", all_checks


def evaluate_year(
    year: int, actor: User | None, *, as_of: datetime | None = None
) -> list[YearlyEvaluation]:
    """(Re)compute the grade of every agency with complaints or findings in the year."""
    from hotline.inspection.plans import audit

    rule = current_rule()
    period = parse_period(str(year))
    rows = {r.key[0]: r for r in indicators_by_agency(period, as_of=as_of)}
    findings: dict[int, list[Finding]] = {}
    for f in db.session.scalars(
        select(Finding).where(
            Finding.concluded_on >= period.start_day, Finding.concluded_on < period.end_day
        )
    ):
        findings.setdefault(f.agency_id, []).append(f)
    existing = {
        e.agency_id: e
        for e in db.session.scalars(select(YearlyEvaluation).where(YearlyEvaluation.year == year))
    }
    agencies = {
        a.id: a
        for a in db.session.scalars(select(Agency).where(Agency.id.in_(set(rows) | set(findings))))
    }
    out = []
    for agency_id in sorted(agencies, key=lambda i: agencies[i].name):
        row = rows.get(agency_id)
        indicators = row.as_dict() if row else {}
        agency_findings = findings.get(agency_id, [])
        figures = {**indicators, **_finding_counts(agency_findings)}
        grade, checks = grade_for(figures, rule)
        evidence = {
            "indicators": indicators,
            "finding_counts": _finding_counts(agency_findings),
            "findings": [
                {
                    "id": f.id,
                    "concluded_on": f.concluded_on.isoformat(),
                    "severity": f.severity,
                    "recommendations": f.recommendations,
                    "remedied": f.remedied,
                    "violations": f.violations[:300],
                    "complaints": [c.tracking_code for c in f.complaints],
                }
                for f in agency_findings
            ],
            "checks": checks,
            "failed": _failed_above(grade, checks),
        }
        ev = existing.get(agency_id)
        before = {"grade": ev.grade, "rule_version": ev.rule_version} if ev else None
        if ev is None:
            ev = YearlyEvaluation(agency_id=agency_id, year=year)
            db.session.add(ev)
        ev.grade, ev.rule_version, ev.evidence = grade, rule.version, evidence
        ev.computed_by_id = actor.id if actor else None
        ev.computed_at = utcnow()
        db.session.flush()
        audit(
            actor,
            "yearly_evaluation",
            ev.id,
            "update" if before else "create",
            before,
            {"agency_id": agency_id, "year": year, "grade": grade, "rule_version": rule.version},
        )
        out.append(ev)
    return out


def _failed_above(grade: str, checks: dict) -> list[str]:
    """Why the agency did not get the next grade up (the unmet conditions)."""
    if grade == "xuat_sac":
        return []
    order = list(RULE_GRADES)
    above = order[order.index(grade) - 1] if grade in order else order[-1]
    return [
        f"{c['label']}: yêu cầu {c['required']}, đạt {c['actual']}"
        for c in checks[above]
        if not c["ok"]
    ]
