"""Risk score, proposed plan, item state machine, findings, leads, yearly evaluation, CLI."""

from __future__ import annotations

import json
from datetime import date

import pytest
from tests.inspection.scenario import AS_OF, PERIOD, build_scenario

from hotline.audit import AuditLog
from hotline.complaints.models import Complaint
from hotline.directory.models import Agency
from hotline.errors import InvalidTransition, ValidationError
from hotline.extensions import db
from hotline.inspection.evaluation import current_rule, evaluate_year, save_rule
from hotline.inspection.indicators import parse_period
from hotline.inspection.models import YearlyEvaluation
from hotline.inspection.plans import (
    ITEM_TRANSITIONS,
    add_finding,
    attach_document,
    findings_for_complaint,
    mark_lead,
    propose_plan,
    transition_item,
    update_item,
)
from hotline.inspection.risk import (
    current_weights,
    propose_items,
    rank_agencies,
    save_weights,
)


@pytest.fixture
def scenario(app):
    """The scenario complaints, by name."""
    return build_scenario()


@pytest.fixture
def inspector(make_user):
    """An inspector account."""
    return make_user("inspector")


def test_ranking_puts_the_worst_agency_first_with_breakdown(scenario):
    ranked = rank_agencies(parse_period(PERIOD), as_of=AS_OF)
    assert [s.agency_code for s in ranked] == ["SNNMT", "SYT", "SXD"]
    top = ranked[0]
    points = {b["indicator"]: b["points"] for b in top.breakdown}
    assert points["late"] == 18.0  # weight 30 × (1 − 0.40)
    assert points["reopened"] == 2.5  # 10 × 0.25
    assert points["returned"] == 1.25  # 10 × 0.125
    assert points["leads"] == 2.5  # 5 × 1/2
    assert top.score == pytest.approx(sum(points.values()), abs=0.02)
    assert top.focus_fields == ["land", "environment"]


def test_plan_proposes_worst_agency_with_the_right_reasons(scenario):
    items = propose_items(parse_period(PERIOD), as_of=AS_OF)
    assert [i.risk.agency_code for i in items] == ["SNNMT"]
    reasons = " ".join(items[0].risk.reasons)
    assert "đúng hạn chỉ đạt 40,0% (2/5" in reasons
    assert "3 phản ánh trễ hạn, bình quân trễ 18,8 ngày" in reasons
    assert "25,0% phản ánh đã trả lời bị người dân mở lại (1/4" in reasons
    assert "Trả lại 12,5%" in reasons
    assert "Mức hài lòng bình quân 2,33/5" in reasons
    assert "1 vụ việc bị phản ánh lặp lại (2 phản ánh trùng" in reasons
    assert "tố cáo nặc danh" in reasons
    codes = items[0].evidence_codes
    s = scenario
    # most overdue first (A3 49.5 days, A2 5, A4 2), then reopened (A4 already in), then the lead
    assert codes == [
        s["A3"].tracking_code,
        s["A2"].tracking_code,
        s["A4"].tracking_code,
        s["L1"].tracking_code,
    ]
    assert items[0].planned_start == date(2027, 1, 1)


def test_new_weights_version_changes_the_plan(scenario, inspector):
    old = current_weights()
    save_weights(old.weights, {"plan_threshold": 10}, inspector, note="thử")
    db.session.commit()
    assert current_weights().version == old.version + 1
    items = propose_items(parse_period(PERIOD), as_of=AS_OF)
    assert [i.risk.agency_code for i in items] == ["SNNMT", "SYT"]
    assert AuditLog.query.filter_by(entity="risk_weights").count() == 1
    with pytest.raises(ValidationError):
        save_weights({k: 0 for k in old.weights}, {}, inspector)


def _plan_item(inspector):
    plan = propose_plan(parse_period(PERIOD), inspector, as_of=AS_OF)
    db.session.commit()
    return plan, plan.items[0]


def test_item_state_machine_and_audit(scenario, inspector):
    plan, item = _plan_item(inspector)
    assert item.state == "proposed" and item.agency.code == "SNNMT"
    update_item(
        item,
        inspector,
        planned_start=date(2027, 2, 1),
        planned_end=date(2027, 2, 5),
        note="Phối hợp Thanh tra tỉnh",
    )
    transition_item(item, "approved", inspector)
    transition_item(item, "in_progress", inspector)
    with pytest.raises(InvalidTransition):
        update_item(item, inspector, note="quá muộn")
    with pytest.raises(InvalidTransition):  # no finding yet
        transition_item(item, "concluded", inspector)
    add_finding(
        item,
        inspector,
        violations="Chậm trả lời 3 phản ánh.",
        responsible_unit="Phòng Đất đai",
        severity="serious",
        recommendations=["discipline", "process_fix"],
    )
    transition_item(item, "concluded", inspector)
    with pytest.raises(ValidationError):
        transition_item(item, "follow_up_done", inspector)
    transition_item(item, "follow_up_done", inspector, note="Đã ban hành quy trình mới.")
    db.session.commit()
    assert item.state == "follow_up_done"
    with pytest.raises(InvalidTransition):
        transition_item(item, "proposed", inspector)
    actions = [
        a.action
        for a in AuditLog.query.filter_by(entity="plan_item", entity_id=str(item.id)).order_by(
            AuditLog.id
        )
    ]
    assert actions == ["create", "update"] + ["transition"] * 4
    last = AuditLog.query.filter_by(entity="plan_item").order_by(AuditLog.id.desc()).first()
    assert last.before["state"] == "concluded" and last.after["state"] == "follow_up_done"
    assert last.actor_id == inspector.id


@pytest.mark.parametrize(
    ("start", "to"),
    [(s, t) for s in ITEM_TRANSITIONS for t in ITEM_TRANSITIONS if t not in ITEM_TRANSITIONS[s]],
)
def test_forbidden_item_transitions(scenario, inspector, start, to):
    _, item = _plan_item(inspector)
    item.state = start
    with pytest.raises(InvalidTransition):
        transition_item(item, to, inspector)


def test_refresh_keeps_items_inspectors_acted_on(scenario, inspector):
    plan, item = _plan_item(inspector)
    transition_item(item, "approved", inspector)
    save_weights(current_weights().weights, {"plan_threshold": 10}, inspector)
    propose_plan(parse_period(PERIOD), inspector, as_of=AS_OF)
    db.session.commit()
    assert [(i.agency.code, i.state) for i in plan.items] == [
        ("SNNMT", "approved"),
        ("SYT", "proposed"),
    ]


def test_findings_close_the_loop_to_complaints(scenario, inspector):
    _, item = _plan_item(inspector)
    transition_item(item, "approved", inspector)
    transition_item(item, "in_progress", inspector)
    extra = scenario["A1"].tracking_code
    finding = add_finding(item, inspector, violations="Trễ hạn.", complaint_codes=[extra.lower()])
    db.session.commit()
    assert [f.id for f in findings_for_complaint(scenario["A3"].id)] == [finding.id]
    assert [f.id for f in findings_for_complaint(scenario["A1"].id)] == [finding.id]
    assert findings_for_complaint(scenario["B1"].id) == []
    with pytest.raises(ValidationError):
        add_finding(item, inspector, violations="x", complaint_codes=["KHONG-CO-MA"])
    with pytest.raises(ValidationError):
        add_finding(item, inspector, violations=" ", recommendations=["bogus"])


def test_document_upload_is_checked(scenario, inspector, app):
    _, item = _plan_item(inspector)
    transition_item(item, "approved", inspector)
    transition_item(item, "in_progress", inspector)
    finding = add_finding(item, inspector, violations="Trễ hạn.")
    doc = attach_document(finding, "ket-luan.pdf", b"%PDF-1.4 test", "ket_luan", inspector)
    assert doc.size == 13 and doc.content_type == "application/pdf"
    with pytest.raises(ValidationError):
        attach_document(finding, "virus.exe", b"MZ....", "ket_luan", inspector)
    with pytest.raises(ValidationError):
        attach_document(finding, "gia.pdf", b"not a pdf", "ket_luan", inspector)
    with pytest.raises(ValidationError):
        attach_document(finding, "a.pdf", b"%PDF-1.4", "bogus", inspector)


def test_mark_lead_counts_once(scenario, inspector):
    sxd = Agency.query.filter_by(code="SXD").one()
    mark_lead(scenario["L1"], sxd, "Nêu rõ tên cán bộ, có ảnh chụp.", inspector)
    with pytest.raises(ValidationError):
        mark_lead(scenario["L1"], sxd, "lần 2", inspector)


def test_yearly_evaluation_combines_indicators_and_findings(scenario, inspector):
    _, item = _plan_item(inspector)
    transition_item(item, "approved", inspector)
    transition_item(item, "in_progress", inspector)
    add_finding(
        item,
        inspector,
        violations="Vi phạm quy trình.",
        severity="serious",
        recommendations=["discipline"],
        concluded_on=date(2026, 12, 15),
    )
    evaluations = {e.agency.code: e for e in evaluate_year(2026, inspector, as_of=AS_OF)}
    db.session.commit()
    assert evaluations["SXD"].grade == "xuat_sac"  # 100% on time, 4.5/5, no findings
    assert evaluations["SYT"].grade == "khong_hoan_thanh"  # 66.67% on time < 70
    assert evaluations["SNNMT"].grade == "khong_hoan_thanh"
    evidence = evaluations["SNNMT"].evidence
    assert evidence["finding_counts"] == {
        "serious_findings": 1,
        "unremedied_findings": 1,
        "discipline_findings": 1,
    }
    assert any("đúng hạn" in f for f in evidence["failed"])
    # An editable rule: lower the bar, re-evaluate, the grade follows and the version is recorded.
    thresholds = current_rule().thresholds
    thresholds["hoan_thanh"] = {**thresholds["hoan_thanh"], "min_on_time_pct": 60}
    save_rule(thresholds, inspector, note="Nới ngưỡng")
    evaluate_year(2026, inspector, as_of=AS_OF)
    db.session.commit()
    syt = YearlyEvaluation.query.join(Agency).filter(Agency.code == "SYT").one()
    assert (syt.grade, syt.rule_version) == ("hoan_thanh", 2)
    with pytest.raises(ValidationError):
        save_rule({"tot": {"min_on_time_pct": -1}}, inspector)


# -- CLI ------------------------------------------------------------------------------------
def test_cli_indicators_json(scenario, app):
    result = app.test_cli_runner().invoke(
        args=[
            "inspection",
            "indicators",
            "--period",
            PERIOD,
            "--format",
            "json",
            "--as-of",
            AS_OF.isoformat(),
        ]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    by = {a["agency_code"]: a for a in data["agencies"]}
    assert by["SNNMT"]["on_time_pct"] == 40.0 and by["SNNMT"]["overdue"] == 3
    assert data["total"]["received"] == 17
    assert {f["field"] for f in data["fields"]} >= {"land", "health", "traffic"}


def test_cli_plan_json(scenario, app):
    result = app.test_cli_runner().invoke(
        args=[
            "inspection",
            "plan",
            "--period",
            PERIOD,
            "--format",
            "json",
            "--as-of",
            AS_OF.isoformat(),
        ]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["items"][0]["agency_code"] == "SNNMT"
    assert data["items"][0]["rank"] == 1
    assert scenario["A3"].tracking_code in data["items"][0]["evidence_codes"]
    assert data["items"][0]["reasons"]
    table = app.test_cli_runner().invoke(
        args=["inspection", "plan", "--period", PERIOD, "--as-of", AS_OF.isoformat()]
    )
    assert "1. Sở Nông nghiệp và Môi trường" in table.output


@pytest.mark.parametrize("bad", ["2026-Q5", "Q4-2026", "2026-13"])
def test_cli_bad_period_exits_2(app, bad):
    for command in ("indicators", "plan"):
        result = app.test_cli_runner().invoke(args=["inspection", command, "--period", bad])
        assert result.exit_code == 2
        assert "không hợp lệ" in result.output


def test_cli_evaluate(scenario, app):
    result = app.test_cli_runner().invoke(
        args=["inspection", "evaluate", "--year", "2026", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    grades = {e["agency_code"]: e["grade"] for e in json.loads(result.output)["evaluations"]}
    assert set(grades) >= {"SNNMT", "SXD", "SYT"}
    assert Complaint.query.count() > 0
