"""Legal deadlines: SLA policy in force on the day of receipt, counted in working or calendar days."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from sqlalchemy import select

from hotline.directory.models import SlaPolicy
from hotline.extensions import db

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@lru_cache(maxsize=64)
def _vn_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("VN", years=year).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _vn_holidays(day.year)


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (the day of receipt itself is not counted)."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def add_days(start: date, days: int, unit: str) -> date:
    if unit == "calendar":
        return start + timedelta(days=days)
    return add_working_days(start, days)


def local_date(moment: datetime) -> date:
    return moment.astimezone(LOCAL_TZ).date()


def end_of_local_day(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=LOCAL_TZ)


def policy_for(kind: str, received: date) -> SlaPolicy | None:
    """The rule in force for this kind on the day the complaint was received."""
    return db.session.scalar(
        select(SlaPolicy)
        .where(SlaPolicy.kind == kind, SlaPolicy.effective_from <= received)
        .order_by(SlaPolicy.effective_from.desc())
        .limit(1)
    )


def compute_deadline(kind: str | None, received_at: datetime) -> datetime | None:
    """End of the last local day the agency has to answer, or None if no policy applies."""
    if kind is None:
        return None
    received = local_date(received_at)
    policy = policy_for(kind, received)
    if policy is None:
        return None
    day = received
    if policy.accept_days:
        day = add_days(day, policy.accept_days, policy.accept_unit)
    day = add_days(day, policy.resolve_days, policy.resolve_unit)
    return end_of_local_day(day)
