"""Periodic work: ONE declared schedule, run by `flask --app wsgi periodic` (cron or a loop).

| name           | every  | what                                                            |
|----------------|--------|-----------------------------------------------------------------|
| sweep_outbox   | 1 min  | hand over owed jobs again (Redis lost/flushed, failed e-mails)    |
| mark_overdue   | 15 min | overdue items: internal event + e-mail to the agency, once        |
| remind_due_soon| 1 h    | items due within 2 working days: e-mail to the agency, once       |
| auto_close     | 1 h    | answered items without a citizen reaction for 7 days → closed     |

Every task is idempotent (DB checks and once-markers), so running it twice or late is harmless;
`--once` runs every task once (for cron), otherwise the command loops and runs each when due.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import click
from flask.cli import with_appcontext

from hotline.extensions import db

log = logging.getLogger(__name__)


def _sweep_outbox() -> int:
    from hotline.jobs import sweep_outbox

    return sweep_outbox()


def _commit_and_dispatch(ids: list[int]) -> int:
    db.session.commit()  # the e-mails these tasks owe are handed over after this commit
    return len(ids)


def _mark_overdue() -> int:
    from hotline.complaints.reminders import mark_overdue

    return _commit_and_dispatch(mark_overdue())


def _remind_due_soon() -> int:
    from hotline.complaints.reminders import remind_due_soon

    return _commit_and_dispatch(remind_due_soon())


def _auto_close() -> int:
    from hotline.complaints.feedback import auto_close

    return _commit_and_dispatch(auto_close())


@dataclass(frozen=True)
class Periodic:
    name: str
    every_seconds: int
    run: Callable[[], int]


SCHEDULE: tuple[Periodic, ...] = (
    Periodic("sweep_outbox", 60, _sweep_outbox),
    Periodic("mark_overdue", 15 * 60, _mark_overdue),
    Periodic("remind_due_soon", 60 * 60, _remind_due_soon),
    Periodic("auto_close", 60 * 60, _auto_close),
)


def run_task(task: Periodic) -> int | None:
    """Run one task; a failure is logged and rolled back, never stops the others."""
    try:
        count = task.run()
    except Exception:
        db.session.rollback()
        log.exception("periodic.failed task=%s", task.name)
        return None
    log.info("periodic.done task=%s count=%s", task.name, count)
    return count


def run_due(last_run: dict[str, float], now: float) -> list[str]:
    """Run the tasks whose interval has passed since their last run; returns their names."""
    ran = []
    for task in SCHEDULE:
        if now - last_run.get(task.name, float("-inf")) >= task.every_seconds:
            run_task(task)
            last_run[task.name] = now
            ran.append(task.name)
    return ran


@click.command("periodic")
@click.option("--once", is_flag=True, help="Run every task once and exit (for cron).")
@click.option(
    "--only",
    "only",
    multiple=True,
    type=click.Choice([t.name for t in SCHEDULE]),
    help="Run only these tasks (with --once).",
)
@with_appcontext
def periodic_command(once: bool, only: tuple[str, ...]):
    """Overdue sweep, due-soon reminders, auto-close and the outbox sweep, on their schedule."""
    if once:
        for task in SCHEDULE:
            if not only or task.name in only:
                count = run_task(task)
                click.echo(f"{task.name}: {'lỗi' if count is None else count}")
        return
    last_run: dict[str, float] = {}
    while True:
        run_due(last_run, time.monotonic())
        db.session.remove()
        time.sleep(10)
