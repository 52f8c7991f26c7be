"""Inspection indicators per agency and per field for a period, aggregated in the database.

Definitions (the cohort is the complaints *received* in the period, merged duplicates and split
containers excluded; ``as_of`` is the moment the figures are taken, now by default):

- received: items of the cohort routed to the agency (its current ``agency_id``).
- due: items with a deadline that were answered, or are unanswered and past the deadline.
- on time %: answered no later than ``deadline_at`` / due.
- overdue: answered after ``deadline_at``, or unanswered with ``as_of > deadline_at`` (paused,
  rejected and closed-without-answer items excluded); days late = (answered_at or as_of) −
  deadline_at in days, averaged over the overdue items.
- returned %: items the agency bounced (a ``returned`` event charged to the agency named in the
  event's data, else in the preceding ``assigned`` event) / items ever routed to the agency
  (received + bounced away).
- reopened %: items with a ``reopened`` event / answered items.
- repeated: main complaints with merged duplicates (clusters), and the duplicates merged in.
- admin_procedure: items of field ``admin_procedure`` against the agency; escalated: items sent
  to central level; leads: InspectionLead rows naming the agency.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime

from sqlalchemy import Float, Integer, and_, case, func, literal, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from hotline.clock import utcnow
from hotline.complaints.models import Complaint, ComplaintEvent
from hotline.directory.models import Agency
from hotline.extensions import db
from hotline.inspection.models import InspectionLead
from hotline.inspection.periods import Period, current_quarter, parse_period
from hotline.sqltypes import UTCDateTime

__all__ = ["Period", "current_quarter", "parse_period"]  # re-exported: callers use one module

EXCLUDED_STATES = ("merged", "split")
# Unanswered items in these states are not counted overdue (clock stopped or nothing owed).
NOT_OVERDUE_STATES = ("paused", "rejected", "merged", "split", "closed")


# -- dialect-neutral SQL helpers -----------------------------------------------------------
class days_between(FunctionElement):
    """(a − b) in fractional days, on SQLite and PostgreSQL."""

    type = Float()
    inherit_cache = True


@compiles(days_between, "sqlite")
def _days_sqlite(element, compiler, **kw):
    a, b = list(element.clauses)
    return f"(julianday({compiler.process(a, **kw)}) - julianday({compiler.process(b, **kw)}))"


@compiles(days_between)
def _days_default(element, compiler, **kw):
    a, b = list(element.clauses)
    return (
        f"(EXTRACT(EPOCH FROM ({compiler.process(a, **kw)} - {compiler.process(b, **kw)}))"
        " / 86400.0)"
    )


class local_month(FunctionElement):
    """'YYYY-MM' of a UTC timestamp in Vietnam time (UTC+7, no daylight saving)."""

    inherit_cache = True


@compiles(local_month, "sqlite")
def _month_sqlite(element, compiler, **kw):
    return f"strftime('%Y-%m', {compiler.process(list(element.clauses)[0], **kw)}, '+7 hours')"


@compiles(local_month)
def _month_default(element, compiler, **kw):
    col = compiler.process(list(element.clauses)[0], **kw)
    return f"to_char({col} AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM')"


# -- results -------------------------------------------------------------------------------
@dataclass
class IndicatorRow:
    """Raw counts for one group (agency, field or agency × field) plus derived rates."""

    key: tuple
    received: int = 0
    answered: int = 0
    due: int = 0
    on_time: int = 0
    overdue: int = 0
    days_late_sum: float = 0.0
    reopened: int = 0
    rating_sum: int = 0
    rating_count: int = 0
    clusters: int = 0
    cluster_items: int = 0
    admin_procedure: int = 0
    escalated: int = 0
    returned: int = 0
    bounced_away: int = 0
    leads: int = 0
    labels: dict = field(default_factory=dict)

    @property
    def routed(self) -> int:
        return self.received + self.bounced_away

    @property
    def on_time_pct(self) -> float | None:
        return _pct(self.on_time, self.due)

    @property
    def mean_days_late(self) -> float | None:
        return round(self.days_late_sum / self.overdue, 2) if self.overdue else None

    @property
    def returned_pct(self) -> float | None:
        return _pct(self.returned, self.routed)

    @property
    def reopened_pct(self) -> float | None:
        return _pct(self.reopened, self.answered)

    @property
    def mean_rating(self) -> float | None:
        return round(self.rating_sum / self.rating_count, 2) if self.rating_count else None

    def as_dict(self) -> dict:
        data = asdict(self)
        data.pop("key")
        data["days_late_sum"] = round(self.days_late_sum, 4)
        for name in (
            "on_time_pct",
            "mean_days_late",
            "returned_pct",
            "reopened_pct",
            "mean_rating",
        ):
            data[name] = getattr(self, name)
        return data


def _pct(num: int, den: int) -> float | None:
    return round(100.0 * num / den, 2) if den else None


@dataclass
class Filters:
    field: str | None = None
    agency_id: int | None = None


# -- the queries ---------------------------------------------------------------------------
def _cohort(period: Period, filters: Filters) -> list[ColumnElement]:
    conds = [
        Complaint.received_at >= period.start,
        Complaint.received_at < period.end,
        Complaint.state.not_in(EXCLUDED_STATES),
    ]
    if filters.field:
        conds.append(Complaint.field == filters.field)
    if filters.agency_id:
        conds.append(Complaint.agency_id == filters.agency_id)
    return conds


def _main_aggregate(group_cols: list, period: Period, as_of: datetime, filters: Filters) -> dict:
    """One pass over the cohort: every per-complaint count, grouped by ``group_cols``."""
    # Grouping by a bare indexed column lets SQLite walk that whole index (to skip a sort)
    # instead of the received_at range; an expression of it keeps the range scan.
    grouped = [_unindexed(col) for col in group_cols]
    c = Complaint
    now = literal(as_of, UTCDateTime)
    late_answer = and_(c.answered_at.is_not(None), c.answered_at > c.deadline_at)
    late_open = and_(
        c.answered_at.is_(None), c.deadline_at < now, c.state.not_in(NOT_OVERDUE_STATES)
    )
    overdue = and_(c.deadline_at.is_not(None), or_(late_answer, late_open))
    due = and_(c.deadline_at.is_not(None), or_(c.answered_at.is_not(None), late_open))
    reopened = (
        select(ComplaintEvent.complaint_id)
        .where(ComplaintEvent.to_state == "reopened")
        .group_by(ComplaintEvent.complaint_id)
        .subquery("reopened")
    )
    dup = db.aliased(Complaint)
    children = (
        select(dup.parent_id.label("parent_id"), func.count().label("n"))
        .where(dup.state == "merged", dup.parent_id.is_not(None))
        .group_by(dup.parent_id)
        .subquery("children")
    )

    def count_if(cond):
        return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)

    stmt = (
        select(
            *grouped,
            func.count().label("received"),
            count_if(c.answered_at.is_not(None)).label("answered"),
            count_if(due).label("due"),
            count_if(and_(c.deadline_at.is_not(None), c.answered_at <= c.deadline_at)).label(
                "on_time"
            ),
            count_if(overdue).label("overdue"),
            func.coalesce(
                func.sum(
                    case(
                        (overdue, days_between(func.coalesce(c.answered_at, now), c.deadline_at)),
                        else_=0.0,
                    )
                ),
                0.0,
            ).label("days_late_sum"),
            count_if(reopened.c.complaint_id.is_not(None)).label("reopened"),
            func.coalesce(func.sum(c.rating), 0).label("rating_sum"),
            func.count(c.rating).label("rating_count"),
            count_if(children.c.n.is_not(None)).label("clusters"),
            func.coalesce(func.sum(children.c.n), 0).label("cluster_items"),
            count_if(c.field == "admin_procedure").label("admin_procedure"),
            count_if(c.escalated_to_central.is_(True)).label("escalated"),
        )
        .select_from(c)
        .outerjoin(reopened, reopened.c.complaint_id == c.id)
        .outerjoin(children, children.c.parent_id == c.id)
        # No "group column IS NOT NULL" here: it tempts the planner into the agency index
        # instead of the received_at range; the NULL group is dropped below instead.
        .where(*_cohort(period, filters))
        .group_by(*grouped)
    )
    out = {}
    for row in db.session.execute(stmt).mappings():
        key = tuple(row[col.key] for col in group_cols)
        if None in key:
            continue
        values = {k: v for k, v in row.items() if k not in {col.key for col in group_cols}}
        values["days_late_sum"] = float(values["days_late_sum"] or 0)
        values = {k: (int(v) if k != "days_late_sum" else v) for k, v in values.items()}
        out[key] = IndicatorRow(key=key, **values)
    return out


def _unindexed(col):
    expr = col + 0 if isinstance(col.type, Integer) else col.concat("")
    return expr.label(col.key)


def _returned_agency_code():
    """The agency charged with a return: named in the event's data ("agency", or "wrong_agency"
    as complaints/handling.return_item writes it), else the latest assignment before it."""
    prior = db.aliased(ComplaintEvent)
    preceding = (
        select(prior.data["agency"].as_string())
        .where(
            prior.complaint_id == ComplaintEvent.complaint_id,
            prior.to_state.in_(("assigned", "accepted")),
            prior.id < ComplaintEvent.id,
        )
        .order_by(prior.id.desc())
        .limit(1)
        .correlate(ComplaintEvent)
        .scalar_subquery()
    )
    return func.coalesce(
        ComplaintEvent.data["agency"].as_string(),
        ComplaintEvent.data["wrong_agency"].as_string(),
        preceding,
    )


def _returned_by_agency(period: Period, filters: Filters) -> dict[int, tuple[int, int]]:
    """agency_id -> (items it returned, of which now routed elsewhere)."""
    returns = (
        select(
            ComplaintEvent.complaint_id.label("complaint_id"),
            _returned_agency_code().label("agency_code"),
        )
        .where(ComplaintEvent.to_state == "returned")
        .subquery("returns")
    )
    stmt = (
        select(
            Agency.id,
            func.count(func.distinct(Complaint.id)),
            func.count(
                func.distinct(
                    case(
                        (
                            or_(Complaint.agency_id.is_(None), Complaint.agency_id != Agency.id),
                            Complaint.id,
                        )
                    )
                )
            ),
        )
        .select_from(returns)
        .join(Complaint, Complaint.id == returns.c.complaint_id)
        .join(Agency, Agency.code == returns.c.agency_code)
        .where(*_cohort(period, Filters(field=filters.field)))
        .group_by(Agency.id)
    )
    if filters.agency_id:
        stmt = stmt.where(Agency.id == filters.agency_id)
    return {row[0]: (int(row[1]), int(row[2])) for row in db.session.execute(stmt)}


def _returned_by_field(period: Period, filters: Filters) -> dict[str, int]:
    stmt = (
        select(Complaint.field, func.count(func.distinct(Complaint.id)))
        .join(ComplaintEvent, ComplaintEvent.complaint_id == Complaint.id)
        .where(
            ComplaintEvent.to_state == "returned",
            Complaint.field.is_not(None),
            *_cohort(period, filters),
        )
        .group_by(Complaint.field)
    )
    return {row[0]: int(row[1]) for row in db.session.execute(stmt)}


def _leads(group_col, period: Period, filters: Filters) -> dict:
    stmt = (
        select(group_col, func.count(InspectionLead.id))
        .join(Complaint, Complaint.id == InspectionLead.complaint_id)
        .where(Complaint.received_at >= period.start, Complaint.received_at < period.end)
        .group_by(group_col)
    )
    if filters.field:
        stmt = stmt.where(Complaint.field == filters.field)
    if filters.agency_id:
        stmt = stmt.where(InspectionLead.target_agency_id == filters.agency_id)
    return {row[0]: int(row[1]) for row in db.session.execute(stmt) if row[0] is not None}


def indicators_by_agency(
    period: Period, *, as_of: datetime | None = None, filters: Filters | None = None
) -> list[IndicatorRow]:
    """Every agency with any activity in the period, sorted by name."""
    filters = filters or Filters()
    as_of = as_of or utcnow()
    rows = {
        k[0]: v for k, v in _main_aggregate([Complaint.agency_id], period, as_of, filters).items()
    }
    for agency_id, (returned, away) in _returned_by_agency(period, filters).items():
        row = rows.setdefault(agency_id, IndicatorRow(key=(agency_id,)))
        row.returned, row.bounced_away = returned, away
    for agency_id, n in _leads(InspectionLead.target_agency_id, period, filters).items():
        rows.setdefault(agency_id, IndicatorRow(key=(agency_id,))).leads = n
    agencies = {a.id: a for a in db.session.scalars(select(Agency).where(Agency.id.in_(rows)))}
    for agency_id, row in rows.items():
        a = agencies[agency_id]
        row.labels = {
            "agency_id": a.id,
            "agency_code": a.code,
            "agency_name": a.name,
            "agency_short": a.short_name or a.name,
        }
    return sorted(rows.values(), key=lambda r: r.labels["agency_name"])


def indicators_by_field(
    period: Period, *, as_of: datetime | None = None, filters: Filters | None = None
) -> list[IndicatorRow]:
    """Every field with complaints in the period (returned % over the field's items)."""
    from hotline.labels import FIELD_LABELS

    filters = filters or Filters()
    as_of = as_of or utcnow()
    rows = {k[0]: v for k, v in _main_aggregate([Complaint.field], period, as_of, filters).items()}
    for code, n in _returned_by_field(period, filters).items():
        rows.setdefault(code, IndicatorRow(key=(code,))).returned = n
    for code, n in _leads(Complaint.field, period, filters).items():
        rows.setdefault(code, IndicatorRow(key=(code,))).leads = n
    for code, row in rows.items():
        row.labels = {"field": code, "field_label": FIELD_LABELS.get(code, code)}
    order = list(FIELD_LABELS)
    return sorted(rows.values(), key=lambda r: order.index(r.key[0]) if r.key[0] in order else 99)


def indicators_agency_field(
    period: Period, *, as_of: datetime | None = None, filters: Filters | None = None
) -> dict[tuple[int, str], IndicatorRow]:
    """The agency × field matrix (the overdue table); returns and leads are not split here."""
    return _main_aggregate(
        [Complaint.agency_id, Complaint.field], period, as_of or utcnow(), filters or Filters()
    )


def totals(rows: list[IndicatorRow]) -> IndicatorRow:
    """Sum of group rows (counts add up; rates are recomputed from the sums)."""
    total = IndicatorRow(key=("total",))
    for row in rows:
        for name in (
            "received",
            "answered",
            "due",
            "on_time",
            "overdue",
            "days_late_sum",
            "reopened",
            "rating_sum",
            "rating_count",
            "clusters",
            "cluster_items",
            "admin_procedure",
            "escalated",
            "returned",
            "bounced_away",
            "leads",
        ):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    return total


def monthly_volume(period: Period, filters: Filters | None = None) -> dict[str, dict[str, int]]:
    """{month: {field: received}} for the months of the period (local time)."""
    filters = filters or Filters()
    month = local_month(Complaint.received_at).label("month")
    stmt = (
        select(month, Complaint.field, func.count())
        .where(*_cohort(period, filters), Complaint.field.is_not(None))
        .group_by(month, Complaint.field)
    )
    out: dict[str, dict[str, int]] = {m: {} for m in period.months()}
    for m, code, n in db.session.execute(stmt):
        out.setdefault(m, {})[code] = int(n)
    return out


def evidence_codes(
    agency_id: int, period: Period, *, as_of: datetime | None = None, limit: int = 10
) -> list[str]:
    """Tracking codes behind an agency's figures: the most overdue first, then reopened items."""
    c = Complaint
    now = literal(as_of or utcnow(), UTCDateTime)
    late = days_between(func.coalesce(c.answered_at, now), c.deadline_at)
    stmt = (
        select(c.tracking_code)
        .where(
            *_cohort(period, Filters(agency_id=agency_id)),
            c.deadline_at.is_not(None),
            or_(
                c.answered_at > c.deadline_at,
                and_(
                    c.answered_at.is_(None), c.deadline_at < now, c.state.not_in(NOT_OVERDUE_STATES)
                ),
            ),
        )
        .order_by(late.desc(), c.id)
        .limit(limit)
    )
    codes = list(db.session.scalars(stmt))
    if len(codes) < limit:
        extra = (
            select(c.tracking_code)
            .join(ComplaintEvent, ComplaintEvent.complaint_id == c.id)
            .where(
                *_cohort(period, Filters(agency_id=agency_id)),
                ComplaintEvent.to_state == "reopened",
                c.tracking_code.not_in(codes or [""]),
            )
            .group_by(c.tracking_code)
            .order_by(c.tracking_code)
            .limit(limit - len(codes))
        )
        codes += list(db.session.scalars(extra))
    return codes
