"""Run job functions inside an application context, whoever calls them."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, has_app_context

F = TypeVar("F", bound=Callable[..., Any])

# A bare `rq worker` (no Flask CLI) builds the app once per process, not once per job.
_app: Flask | None = None


def _process_app() -> Flask:
    global _app
    if _app is None:
        from hotline import create_app

        _app = create_app()
    return _app


def in_app_context(func: F) -> F:
    """Jobs run in the worker's app context; a bare RQ worker gets one built from the environment.

    The session is removed after the job (outside tests), so a work horse or a long-lived
    SimpleWorker never carries a transaction or a stale identity map into the next job.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from hotline.extensions import db

        if has_app_context():
            try:
                return func(*args, **kwargs)
            finally:
                if not current_app.testing:
                    db.session.remove()
        with _process_app().app_context():
            try:
                return func(*args, **kwargs)
            finally:
                db.session.remove()

    return wrapper  # type: ignore[return-value]
