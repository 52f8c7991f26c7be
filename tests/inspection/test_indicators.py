"""Indicators against the hand-computed scenario in tests/inspection/scenario.py."""

from __future__ import annotations

import pytest
from tests.inspection.scenario import AS_OF, EXPECTED, PERIOD, build_scenario

from hotline.directory.models import Agency
from hotline.errors import ValidationError
from hotline.inspection.indicators import (
    Filters,
    indicators_agency_field,
    indicators_by_agency,
    indicators_by_field,
    monthly_volume,
    parse_period,
    totals,
)


@pytest.fixture
def scenario(app):
    """The scenario complaints, by name."""
    return build_scenario()


def _by_code(rows):
    return {r.labels["agency_code"]: r for r in rows}


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_agency_indicators_match_hand_computed_figures(scenario, code):
    row = _by_code(indicators_by_agency(parse_period(PERIOD), as_of=AS_OF))[code]
    got = row.as_dict()
    for name, value in EXPECTED[code].items():
        assert got[name] == value, name


def test_only_agencies_with_activity_are_listed(scenario):
    rows = indicators_by_agency(parse_period(PERIOD), as_of=AS_OF)
    assert set(_by_code(rows)) == {"SNNMT", "SXD", "SYT"}


def test_days_late_sum_is_exact(scenario):
    row = _by_code(indicators_by_agency(parse_period(PERIOD), as_of=AS_OF))["SNNMT"]
    assert row.days_late_sum == pytest.approx(5.0 + 49.5 + 2.0, abs=1e-3)


def test_field_indicators(scenario):
    rows = {r.key[0]: r for r in indicators_by_field(parse_period(PERIOD), as_of=AS_OF)}
    land = rows["land"]
    assert (land.received, land.answered, land.due, land.on_time, land.overdue) == (6, 5, 5, 3, 2)
    assert land.mean_days_late == 3.5
    assert land.returned == 1
    assert rows["health"].returned == 2  # C4 and C6
    assert rows["health"].received == 6  # C6 has lost its agency but not its field
    # The lead's complaint has no agency but does have a field.
    assert rows["admin_procedure"].received == 2
    assert rows["admin_procedure"].leads == 1


def test_local_time_period_boundary(scenario):
    rows = {r.key[0]: r for r in indicators_by_field(parse_period(PERIOD), as_of=AS_OF)}
    assert rows["traffic"].received == 3  # B1, B2 and B4 (2026-09-30 18:00 UTC = 1 Oct local)
    q3 = {r.key[0]: r for r in indicators_by_field(parse_period("2026-Q3"), as_of=AS_OF)}
    assert "traffic" not in q3
    assert q3["land"].received == 1  # A0


def test_agency_field_matrix(scenario):
    matrix = indicators_agency_field(parse_period(PERIOD), as_of=AS_OF)
    ids = {a.code: a.id for a in Agency.query.filter(Agency.code.in_(["SNNMT", "SYT"]))}
    assert matrix[(ids["SNNMT"], "land")].overdue == 2
    assert matrix[(ids["SNNMT"], "environment")].overdue == 1
    assert matrix[(ids["SYT"], "health")].overdue == 1
    assert sum(r.overdue for r in matrix.values()) == 4


def test_filters_and_totals(scenario):
    period = parse_period(PERIOD)
    rows = indicators_by_agency(period, as_of=AS_OF, filters=Filters(field="land"))
    by = _by_code(rows)
    assert by["SNNMT"].received == 5
    assert by["SXD"].received == 1  # R1
    total = totals(indicators_by_agency(period, as_of=AS_OF))
    assert total.received == 17
    assert total.overdue == 4
    snnmt = Agency.query.filter_by(code="SNNMT").one()
    only = indicators_by_agency(period, as_of=AS_OF, filters=Filters(agency_id=snnmt.id))
    assert [r.labels["agency_code"] for r in only] == ["SNNMT"]


def test_monthly_volume(scenario):
    volume = monthly_volume(parse_period(PERIOD))
    assert list(volume) == ["2026-10", "2026-11", "2026-12"]
    assert volume["2026-10"]["traffic"] == 2  # B1 and B4
    assert volume["2026-12"]["health"] == 2  # C3, C4
    assert volume["2026-11"]["land"] == 1  # A4


def test_empty_period_gives_no_rows(scenario):
    assert indicators_by_agency(parse_period("2025-03"), as_of=AS_OF) == []


@pytest.mark.parametrize(
    ("text", "code", "start", "prev"),
    [
        ("2026-Q4", "2026-Q4", "2026-10-01", "2026-Q3"),
        ("2026-q1", "2026-Q1", "2026-01-01", "2025-Q4"),
        ("2026-01", "2026-01", "2026-01-01", "2025-12"),
        ("2026", "2026", "2026-01-01", "2025"),
    ],
)
def test_parse_period(text, code, start, prev):
    period = parse_period(text)
    assert period.code == code
    assert period.start_day.isoformat() == start
    assert period.previous().code == prev
    assert period.start.utcoffset().total_seconds() == 0
    assert period.start.hour == 17  # local midnight is 17:00 UTC the day before


@pytest.mark.parametrize("bad", ["", "2026-13", "2026-Q5", "26-Q1", "2026-Q", "abc", "1999"])
def test_bad_period_is_rejected(bad):
    with pytest.raises(ValidationError):
        parse_period(bad)
