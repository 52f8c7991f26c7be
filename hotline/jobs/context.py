"""Run job functions inside an application context, whoever calls them."""

from __future__ import annotations

import functools

from flask import current_app, has_app_context


def in_app_context(func):
    """Jobs run in the worker's app context; a bare RQ worker gets one built from the environment."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if has_app_context():
            try:
                return func(*args, **kwargs)
            finally:
                from hotline.extensions import db

                if not current_app.testing:
                    db.session.remove()
        from hotline import create_app

        with create_app().app_context():
            return func(*args, **kwargs)

    return wrapper
