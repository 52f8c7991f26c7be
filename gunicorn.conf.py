"""gunicorn settings used by scripts/run (and suitable for production: gunicorn -c gunicorn.conf.py wsgi:app).

The app is loaded once in the master and warmed up there (classifier, ward matcher, holiday
calendars), so every web worker shares the model copy-on-write and no citizen's first submission
waits for it — this matters when jobs run in-process (no REDIS_URL).
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:5000")
workers = int(os.environ.get("WEB_WORKERS", "2"))
preload_app = True
accesslog = "-"


def when_ready(server):
    from hotline.extensions import db
    from hotline.jobs import warm_up
    from wsgi import app

    with app.app_context():
        warm_up()
        # Workers are forked next: none may inherit the master's database connections.
        db.engine.dispose()
