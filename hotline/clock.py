"""The one clock: every timestamp the app writes comes from utcnow().

Replaying history (the demo generator) sets the clock with ``frozen_at``; nothing else does.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

_now: ContextVar[datetime | None] = ContextVar("hotline_clock", default=None)


def utcnow() -> datetime:
    """Now, in UTC (or the replayed moment inside ``frozen_at``)."""
    fixed = _now.get()
    return fixed if fixed is not None else datetime.now(UTC)


@contextmanager
def frozen_at(moment: datetime) -> Iterator[None]:
    """Run a block as if it were ``moment`` (timezone-aware)."""
    if moment.tzinfo is None:
        raise ValueError("frozen_at needs a timezone-aware datetime")
    token = _now.set(moment)
    try:
        yield
    finally:
        _now.reset(token)
