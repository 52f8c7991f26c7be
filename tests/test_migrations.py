"""Migrations: one head, upgrade gives exactly the models' schema, and down/up round-trips."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from hotline import create_app
from hotline.extensions import db

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def test_single_head():
    script = ScriptDirectory.from_config(_config())
    assert len(script.get_heads()) == 1


def _config() -> Config:
    cfg = Config(str(MIGRATIONS / "alembic.ini"))
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


@pytest.fixture
def empty_db_app(make_settings, tmp_path):
    """An app on an empty database of its own (a fresh SQLite file, or a PostgreSQL schema)."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        from hotline.config import _normalise_db_url

        url = _normalise_db_url(url)
        settings = make_settings(database_url=url)
        app = create_app(settings)
        schema = "migration_check"
        with app.app_context():
            db.session.execute(db.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            db.session.execute(db.text(f"CREATE SCHEMA {schema}"))
            db.session.commit()
            db.engine.dispose()
        settings = make_settings(database_url=url + f"?options=-csearch_path%3D{schema}")
    else:
        settings = make_settings(database_url=f"sqlite:///{tmp_path / 'migrations.db'}")
    app = create_app(settings)
    with app.app_context():
        yield app
        db.session.remove()
        if url:
            db.session.execute(db.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            db.session.commit()
        db.engine.dispose()


def test_upgrade_matches_models_and_round_trips(empty_db_app):
    upgrade(directory=str(MIGRATIONS))
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, db.metadata)
    assert diff == [], diff
    downgrade(directory=str(MIGRATIONS), revision="base")
    upgrade(directory=str(MIGRATIONS))
