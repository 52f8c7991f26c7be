"""Legal deadlines: working days around weekends and Tết 2027, policy versions, day units."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import holidays
import pytest

from hotline.directory.admin import add_sla_policy
from hotline.directory.deadlines import (
    LOCAL_TZ,
    add_days,
    add_working_days,
    compute_deadline,
    is_working_day,
    local_date,
    policy_for,
)
from hotline.extensions import db

TET_2027 = [date(2027, 2, 4) + timedelta(days=i) for i in range(7)]  # 29 Tết … mùng 5


def local(y, m, d, hh=9, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=LOCAL_TZ)


def deadline_day(kind: str, received: datetime) -> date:
    return local_date(compute_deadline(kind, received))


def test_holidays_package_gives_tet_2027_as_assumed():
    """The reasoning below rests on these dates; if the package changes them, this fails first."""
    vn = holidays.country_holidays("VN", years=2027)
    assert all(day in vn for day in TET_2027)  # Thu 4 Feb … Wed 10 Feb 2027
    assert date(2027, 2, 3) not in vn and date(2027, 2, 11) not in vn
    assert [d.weekday() for d in (TET_2027[0], TET_2027[-1])] == [3, 2]


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2026, 3, 6), 1, date(2026, 3, 9)),  # Friday + 1 → Monday
        (date(2026, 3, 7), 1, date(2026, 3, 9)),  # Saturday + 1 → Monday
        (date(2026, 3, 6), 5, date(2026, 3, 13)),
        (date(2027, 2, 3), 1, date(2027, 2, 11)),  # the day before Tết + 1 → after Tết
        (date(2027, 1, 29), 6, date(2027, 2, 15)),  # Friday before Tết: 3 days, Tết, 3 days
        (date(2026, 4, 29), 1, date(2026, 5, 4)),  # 30/4 and 1/5 then a weekend
        (date(2026, 12, 31), 1, date(2027, 1, 4)),  # New Year's Day Friday, then a weekend
    ],
)
def test_add_working_days(app, start, days, expected):
    assert add_working_days(start, days) == expected
    assert is_working_day(expected)


def test_calendar_days_ignore_weekends_and_tet(app):
    assert add_days(date(2027, 1, 29), 10, "calendar") == date(2027, 2, 8)
    # 1–3 Feb, then 11, 12, 15–19 Feb: the tenth working day is Fri 19 Feb.
    assert add_days(date(2027, 1, 29), 10, "working") == date(2027, 2, 19)


def test_phan_anh_received_friday_before_tet(app):
    # Forward 1 working day + answer 5 working days = 6 working days after Fri 29 Jan 2027:
    # Mon 1, Tue 2, Wed 3 Feb; Tết 4–10 Feb (plus the weekend); Thu 11, Fri 12, Mon 15 Feb.
    deadline = compute_deadline("phan_anh", local(2027, 1, 29, 16, 45))
    assert deadline == datetime(2027, 2, 15, 23, 59, 59, tzinfo=LOCAL_TZ)


def test_hoi_dap_received_on_the_eve_of_tet(app):
    # 3 working days after Wed 3 Feb 2027: Thu 11, Fri 12, Mon 15 Feb.
    assert deadline_day("hoi_dap", local(2027, 2, 3)) == date(2027, 2, 15)


def test_phan_anh_received_on_a_weekend(app):
    # Saturday 7 March 2026: Mon 9 … Fri 13 is five, Mon 16 the sixth working day.
    assert deadline_day("phan_anh", local(2026, 3, 7)) == date(2026, 3, 16)


def test_to_cao_mixes_working_and_calendar_days_across_tet(app):
    # Acceptance: 7 working days after Fri 29 Jan 2027 → 1, 2, 3, 11, 12, 15, 16 Feb.
    # Resolution: 30 calendar days after 16 Feb → 18 March 2027 (Tết no longer matters).
    assert deadline_day("to_cao", local(2027, 1, 29)) == date(2027, 3, 18)


@pytest.mark.parametrize(
    ("received", "expected", "accept_days"),
    [
        # Old rule (Art. 27: 10 working days) on 30 June: 1–3, 6–10, 13–14 July → 14 July;
        # then 30 calendar days → 13 August 2026.
        (local(2026, 6, 30, 23, 30), date(2026, 8, 13), 10),
        # Nghị định 155/2026 from 1 July: 7 working days → 10 July; + 30 → 9 August 2026.
        (local(2026, 7, 1, 0, 30), date(2026, 8, 9), 7),
    ],
)
def test_khieu_nai_policy_by_date_of_receipt(app, received, expected, accept_days):
    # 00:30 local on 1 July is still 30 June in UTC: the local date decides.
    assert policy_for("khieu_nai", local_date(received)).accept_days == accept_days
    assert deadline_day("khieu_nai", received) == expected


def test_new_policy_version_applies_only_to_items_received_from_its_date(app, make_user):
    admin = make_user("admin")
    add_sla_policy(
        {
            "kind": "hoi_dap",
            "effective_from": "2027-03-01",
            "accept_days": "",
            "accept_unit": "working",
            "resolve_days": "5",
            "resolve_unit": "calendar",
            "legal_basis": "Thử nghiệm",
        },
        admin,
        today=date(2027, 2, 1),
    )
    db.session.commit()
    # Fri 26 Feb 2027 under the old rule: 3 working days → Wed 3 March.
    assert deadline_day("hoi_dap", local(2027, 2, 26)) == date(2027, 3, 3)
    # Mon 1 March 2027 under the new one: 5 calendar days → Sat 6 March.
    assert deadline_day("hoi_dap", local(2027, 3, 1)) == date(2027, 3, 6)


def test_no_kind_or_no_policy_means_no_deadline(app):
    assert compute_deadline(None, local(2027, 1, 29)) is None
    assert compute_deadline("khieu_nai", local(2000, 1, 3)) is None  # before any version
