"""Tổng đài 1022: intake, triage, handling and inspection feedback for citizen complaints."""

from __future__ import annotations

import logging

from flask import Flask

from hotline.config import Settings


def create_app(settings: Settings | None = None) -> Flask:
    """Build the app; nothing is connected or read from the environment before this is called."""
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config.update(
        HOTLINE=settings,
        SECRET_KEY=settings.secret_key,
        SQLALCHEMY_DATABASE_URI=settings.database_url,
        SQLALCHEMY_ENGINE_OPTIONS=_engine_options(settings.database_url),
        MAX_CONTENT_LENGTH=settings.max_content_length,
        TESTING=settings.testing,
        WTF_CSRF_TIME_LIMIT=8 * 3600,
        RATELIMIT_ENABLED=settings.ratelimit_enabled,
        RATELIMIT_STORAGE_URI=settings.redis_url or "memory://",
        RATELIMIT_HEADERS_ENABLED=True,
        # Rate-limit counters live in Redis; if Redis is down, a complaint must still be taken:
        # count in memory instead of failing the request.
        RATELIMIT_SWALLOW_ERRORS=True,
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,
        JSON_SORT_KEYS=False,
    )
    app.json.ensure_ascii = False
    if settings.database_url.startswith("sqlite:///"):
        from pathlib import Path

        Path(settings.database_url.removeprefix("sqlite:///")).parent.mkdir(
            parents=True, exist_ok=True
        )

    from hotline import audit  # noqa: F401  (each import registers its tables on the metadata)
    from hotline.complaints import models as _complaint_models  # noqa: F401
    from hotline.directory import models as _directory_models  # noqa: F401
    from hotline.extensions import csrf, db, limiter, login, migrate
    from hotline.inspection import models as _inspection_models  # noqa: F401

    db.init_app(app)
    migrate.init_app(app, db, directory=str(_migrations_dir()))
    csrf.init_app(app)
    limiter.init_app(app)
    login.init_app(app)
    login.login_view = "auth.login"
    login.login_message = "Vui lòng đăng nhập để tiếp tục."
    login.login_message_category = "warning"

    if settings.database_url.startswith("sqlite"):
        _sqlite_pragmas(app)

    from hotline.errors import register_error_handlers
    from hotline.web import register_blueprints

    register_error_handlers(app)
    register_blueprints(app)

    from hotline.cli import register_cli
    from hotline.jobs import dispatch

    register_cli(app)
    dispatch.install(app)  # outbox rows are handed to the queue after their commit, nowhere else
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s"
        )
    return app


def _migrations_dir():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent / "migrations"


def _engine_options(url: str) -> dict:
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30}}
    return {"pool_pre_ping": True}


def _sqlite_pragmas(app: Flask) -> None:
    from sqlalchemy import event

    from hotline.extensions import db

    with app.app_context():

        @event.listens_for(db.engine, "connect")
        def _on_connect(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()
