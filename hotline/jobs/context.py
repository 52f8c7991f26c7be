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
    """A job runs in an app context and a database session of its own, whoever calls it.

    Inside an app (a worker built by the Flask CLI, the in-process runner, a test) it pushes a
    fresh context of that app, so the caller's session, objects and transaction are never
    touched; a bare RQ worker gets an app built once from the environment. The job's session is
    removed afterwards, so no transaction or stale identity map reaches the next job.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from hotline.extensions import db

        app = current_app._get_current_object() if has_app_context() else _process_app()
        with app.app_context():
            try:
                return func(*args, **kwargs)
            finally:
                db.session.remove()

    return wrapper  # type: ignore[return-value]
