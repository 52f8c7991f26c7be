"""Reporting periods for inspection: month (YYYY-MM), quarter (YYYY-Qn), year (YYYY), local time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from hotline.clock import utcnow
from hotline.directory.deadlines import LOCAL_TZ
from hotline.errors import ValidationError

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
_PERIOD_RE = re.compile(r"^(\d{4})(?:-(?:(0[1-9]|1[0-2])|Q([1-4])))?$")


@dataclass(frozen=True)
class Period:
    """A month (YYYY-MM), quarter (YYYY-Qn) or year (YYYY), in local (Vietnam) time."""

    code: str
    kind: str
    start_day: date  # first local day
    end_day: date  # first local day after the period

    @property
    def start(self) -> datetime:
        return datetime.combine(self.start_day, time(0), tzinfo=LOCAL_TZ).astimezone(UTC)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.end_day, time(0), tzinfo=LOCAL_TZ).astimezone(UTC)

    @property
    def year(self) -> int:
        return self.start_day.year

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"tháng {self.start_day.month:02d}/{self.year}"
        if self.kind == "quarter":
            return f"quý {ROMAN[(self.start_day.month - 1) // 3 + 1]}/{self.year}"
        return f"năm {self.year}"

    def months(self) -> list[str]:
        out, y, m = [], self.start_day.year, self.start_day.month
        while date(y, m, 1) < self.end_day:
            out.append(f"{y}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out

    def previous(self) -> Period:
        y, m = self.start_day.year, self.start_day.month
        if self.kind == "year":
            return parse_period(str(y - 1))
        if self.kind == "quarter":
            q = (m - 1) // 3 + 1
            return parse_period(f"{y - 1}-Q4" if q == 1 else f"{y}-Q{q - 1}")
        return parse_period(f"{y - 1}-12" if m == 1 else f"{y}-{m - 1:02d}")

    def next(self) -> Period:
        y, m = self.end_day.year, self.end_day.month
        if self.kind == "year":
            return parse_period(str(y))
        if self.kind == "quarter":
            return parse_period(f"{y}-Q{(m - 1) // 3 + 1}")
        return parse_period(f"{y}-{m:02d}")


def parse_period(text: str) -> Period:
    """Parse YYYY-MM, YYYY-Qn or YYYY; raises ValidationError (Vietnamese) otherwise."""
    match = _PERIOD_RE.match((text or "").strip().upper())
    if not match or not 2000 <= int(match.group(1)) <= 2100:
        raise ValidationError(
            f"Kỳ “{text}” không hợp lệ: dùng YYYY-MM (tháng), YYYY-Qn (quý) hoặc YYYY (năm).",
            {"period": "Kỳ không hợp lệ."},
        )
    year, month, quarter = int(match.group(1)), match.group(2), match.group(3)
    if month:
        m = int(month)
        end = date(year + 1, 1, 1) if m == 12 else date(year, m + 1, 1)
        return Period(f"{year}-{m:02d}", "month", date(year, m, 1), end)
    if quarter:
        q = int(quarter)
        end = date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)
        return Period(f"{year}-Q{q}", "quarter", date(year, 3 * q - 2, 1), end)
    return Period(str(year), "year", date(year, 1, 1), date(year + 1, 1, 1))


def current_quarter(now: datetime | None = None) -> Period:
    today = (now or utcnow()).astimezone(LOCAL_TZ).date()
    return parse_period(f"{today.year}-Q{(today.month - 1) // 3 + 1}")
