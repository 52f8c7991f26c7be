"""RQ entry point for e-mail notifications."""

from __future__ import annotations

import logging

from hotline.errors import TransientError
from hotline.jobs.context import in_app_context

log = logging.getLogger(__name__)


class NotificationFailed(TransientError):
    """SMTP refused or was unreachable; RQ retries with backoff."""


@in_app_context
def send_outbox_notification(outbox_id: int) -> str:
    """Send the e-mail owed by outbox row ``outbox_id``; returns sent | skipped | failed.

    Idempotent: a row already done is not sent again (at-least-once: a crash between the SMTP
    hand-over and the commit may send one duplicate). Timeout: the queue default (120 s; SMTP
    itself times out after 15 s). No SMTP host or no address: the row is marked done with a
    "skipped" note. An SMTP failure is kept on the row (``last_error``, admin page); under RQ it
    raises so RQ retries (10 s, 60 s, 300 s), then the sweeper hands it over again, up to
    notifications.MAX_ATTEMPTS hand-overs; in-process (no Redis) it returns and the sweeper retries.
    The complaint's state change was committed before and is never undone.
    """
    from hotline.complaints.notifications import deliver
    from hotline.jobs import get_redis

    outcome = deliver(outbox_id)
    if outcome == "failed" and get_redis() is not None:
        raise NotificationFailed("smtp delivery failed")
    return outcome
