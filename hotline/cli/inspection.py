"""`flask inspection ...`: indicators, the proposed plan and the yearly evaluation, for automation."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import click
from flask.cli import AppGroup

from hotline.errors import ValidationError

inspection_cli = AppGroup("inspection", help="Chỉ số, kế hoạch kiểm tra công vụ, đánh giá năm.")

FORMATS = click.Choice(["json", "table"])


def _period(value: str):
    from hotline.inspection.indicators import parse_period

    try:
        return parse_period(value)
    except ValidationError as exc:
        # click.BadParameter exits with status 2 and prints the message on stderr.
        raise click.BadParameter(exc.detail, param_hint="--period") from exc


def _as_of(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(
            "Dùng ISO 8601, ví dụ 2026-12-31T23:59:00+07:00.", param_hint="--as-of"
        ) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _echo_json(data: dict) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _fmt(value) -> str:
    return "—" if value is None else str(value)


@inspection_cli.command("indicators")
@click.option("--period", required=True, help="YYYY-MM, YYYY-Qn hoặc YYYY.")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.option("--as-of", default=None, help="Thời điểm tính (ISO 8601); mặc định: bây giờ.")
def indicators_command(period: str, fmt: str, as_of: str | None):
    """Print the indicators per agency and per field for a period."""
    from hotline.inspection.indicators import indicators_by_agency, indicators_by_field, totals

    p, moment = _period(period), _as_of(as_of)
    agencies = indicators_by_agency(p, as_of=moment)
    fields = indicators_by_field(p, as_of=moment)
    if fmt == "json":
        _echo_json(
            {
                "period": p.code,
                "label": p.label,
                "start": p.start.isoformat(),
                "end": p.end.isoformat(),
                "as_of": (moment or datetime.now(UTC)).isoformat(),
                "total": totals(agencies).as_dict(),
                "agencies": [r.labels | r.as_dict() for r in agencies],
                "fields": [r.labels | r.as_dict() for r in fields],
            }
        )
        return
    click.echo(f"Chỉ số {p.label} ({p.code})")
    click.echo(
        f"{'Cơ quan':<12}{'Nhận':>7}{'Đúng hạn%':>11}{'Trễ':>6}{'Ngày trễ':>10}"
        f"{'Trả lại%':>10}{'Mở lại%':>9}{'Hài lòng':>9}{'Cụm':>5}{'TTHC':>6}{'TW':>4}{'Tin':>5}"
    )
    for r in agencies:
        click.echo(
            f"{r.labels['agency_code']:<12}{r.received:>7}{_fmt(r.on_time_pct):>11}"
            f"{r.overdue:>6}{_fmt(r.mean_days_late):>10}{_fmt(r.returned_pct):>10}"
            f"{_fmt(r.reopened_pct):>9}{_fmt(r.mean_rating):>9}{r.clusters:>5}"
            f"{r.admin_procedure:>6}{r.escalated:>4}{r.leads:>5}"
        )


@inspection_cli.command("plan")
@click.option("--period", required=True, help="Kỳ phân tích: YYYY-MM, YYYY-Qn hoặc YYYY.")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.option("--as-of", default=None, help="Thời điểm tính (ISO 8601); mặc định: bây giờ.")
@click.option("--save", is_flag=True, help="Lưu (hoặc làm mới) kế hoạch đề xuất vào CSDL.")
def plan_command(period: str, fmt: str, as_of: str | None, save: bool):
    """Print the proposed plan: agencies ranked by risk score, with reasons and evidence codes."""
    from hotline.extensions import db
    from hotline.inspection.risk import current_weights, propose_items

    p, moment = _period(period), _as_of(as_of)
    items = propose_items(p, as_of=moment)
    weights = current_weights()
    if save:
        from hotline.inspection.plans import propose_plan

        propose_plan(p, None, as_of=moment)
    db.session.commit()  # the default weights version, created on first use
    if fmt == "json":
        _echo_json(
            {
                "period": p.code,
                "label": p.label,
                "title": f"Kế hoạch kiểm tra công vụ, cải cách hành chính {p.next().label}",
                "weights_version": weights.version,
                "weights": weights.weights,
                "params": weights.params,
                "items": [i.as_dict() for i in items],
            }
        )
        return
    click.echo(
        f"Kế hoạch kiểm tra công vụ, cải cách hành chính {p.next().label} "
        f"(dựa trên chỉ số {p.label}; trọng số phiên bản {weights.version})"
    )
    if not items:
        click.echo("Không có cơ quan nào vượt ngưỡng đề xuất kiểm tra.")
    for i in items:
        click.echo(
            f"{i.rank}. {i.risk.agency_name} — điểm rủi ro {i.risk.score} "
            f"({i.planned_start:%d/%m/%Y}–{i.planned_end:%d/%m/%Y})"
        )
        for reason in i.risk.reasons:
            click.echo(f"   - {reason}")
        click.echo(f"   Phản ánh minh chứng: {', '.join(i.evidence_codes) or '—'}")


@inspection_cli.command("evaluate")
@click.option("--year", type=click.IntRange(2000, 2100), required=True)
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
def evaluate_command(year: int, fmt: str):
    """Compute (and store) the yearly task-completion grade of each agency."""
    from hotline.extensions import db
    from hotline.inspection.evaluation import GRADE_LABELS, evaluate_year

    rows = evaluate_year(year, None)
    db.session.commit()
    if fmt == "json":
        _echo_json(
            {
                "year": year,
                "evaluations": [
                    {
                        "agency_code": e.agency.code,
                        "agency_name": e.agency.name,
                        "grade": e.grade,
                        "grade_label": GRADE_LABELS[e.grade],
                        "rule_version": e.rule_version,
                        "evidence": e.evidence,
                    }
                    for e in rows
                ],
            }
        )
        return
    for e in rows:
        click.echo(f"{e.agency.code:<12} {GRADE_LABELS[e.grade]}")
