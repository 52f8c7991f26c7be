"""Shared fixtures: settings, app, database (emptied after each test), clients, fake classifier."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete

from hotline import create_app
from hotline.config import Settings
from hotline.extensions import db

ROOT = Path(__file__).resolve().parent.parent
# Reference data loaded once per session and kept between tests.
KEPT_TABLES = {"ward", "agency", "alembic_version"}


def service_required(name: str) -> None:
    """Skip with a notice when a service is not configured; in CI a missing service is a failure."""
    message = f"{name} is not set: skipping tests that need it"
    if os.environ.get("CI"):
        pytest.fail(f"{name} must be set in CI")
    pytest.skip(message)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """TEST_DATABASE_URL (PostgreSQL in CI) or a fresh SQLite file."""
    from hotline.config import _normalise_db_url

    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return _normalise_db_url(url)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def base_settings(database_url, tmp_path_factory) -> Settings:
    """Settings for tests: no Redis, no model (unless a test asks), no rate limits."""
    return Settings(
        database_url=database_url,
        redis_url=None,
        secret_key="test-secret",
        env="test",
        model_dir=tmp_path_factory.mktemp("no-model"),
        testing=True,
        inline_jobs="sync",
        ratelimit_enabled=False,
        upload_dir=tmp_path_factory.mktemp("uploads"),
    )


@pytest.fixture(scope="session")
def _schema(base_settings) -> Iterator[None]:
    """Build the schema once (tests/test_migrations.py checks the migrations give the same
    schema) and load the seed data."""
    from hotline.fixtures.seed import seed_all

    app = create_app(base_settings)
    with app.app_context():
        db.drop_all()
        db.session.execute(db.text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        db.create_all()
        seed_all()
        db.session.remove()
        db.engine.dispose()
    yield
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def settings(base_settings) -> Settings:
    return base_settings


@pytest.fixture
def app(settings, _schema):
    """An app bound to the test database; every table but the reference data is emptied after."""
    app = create_app(settings)
    _fresh_g_per_request(app)
    with app.app_context():
        yield app
        db.session.rollback()
        db.session.remove()
        for table in reversed(db.metadata.sorted_tables):
            if table.name not in KEPT_TABLES:
                db.session.execute(delete(table))
        db.session.commit()
        from hotline.fixtures.seed import seed_routing_rules, seed_sla_policies

        seed_routing_rules()
        seed_sla_policies()
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
        app.extensions.pop("hotline_classifier", None)


def _fresh_g_per_request(app) -> None:
    """The test keeps one app context open, so `g` would outlive each request: Flask-Login would
    keep the last user and Flask-WTF the last CSRF token across clients. Production starts every
    request with a fresh `g`; so do the tests."""
    from flask import g

    @app.before_request
    def _reset_request_globals():
        g.pop("_login_user", None)
        g.pop("csrf_token", None)


class HeldJobs:
    """Records what the after-commit hook hands over instead of running it; release() puts the
    app's own dispatcher back (the held rows stay owed, as after a crash: the sweeper's case)."""

    def __init__(self, app) -> None:
        from hotline.jobs.dispatch import EXTENSION

        self.app = app
        self.items: list = []
        self._own = app.extensions[EXTENSION]
        app.extensions[EXTENSION] = self

    def submit(self, items: list) -> None:
        self.items.extend(items)

    def release(self) -> None:
        from hotline.jobs.dispatch import EXTENSION

        self.app.extensions[EXTENSION] = self._own


@pytest.fixture
def held_jobs(app) -> HeldJobs:
    """Owed jobs stay owed: for tests that run a job themselves (the app runs them otherwise)."""
    return HeldJobs(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_settings(base_settings):
    """Settings with some fields changed: make_settings(redis_url=...)."""
    return lambda **changes: dataclasses.replace(base_settings, **changes)


@pytest.fixture
def make_user(app):
    """Create a staff user: make_user("supervisor") -> User (password 'matkhau-123')."""
    from hotline.directory.accounts import upsert_user

    counter = iter(range(1, 10_000))

    def _make(role: str, agency_code: str | None = None, email: str | None = None):
        user = upsert_user(
            email or f"{role}{next(counter)}@test.vn", "matkhau-123", role, agency_code
        )
        db.session.commit()
        return user

    return _make


@pytest.fixture
def token_for(app):
    """Bearer header for a user: token_for(user) -> {"Authorization": "Bearer ..."}."""

    def _token(user):
        token = user.new_api_token()
        db.session.commit()
        return {"Authorization": f"Bearer {token}"}

    return _token


@pytest.fixture
def login_as(client):
    """Log a user in through the real login form (CSRF disabled only for this helper's post)."""

    def _login(user, password: str = "matkhau-123"):
        app = client.application
        app.config["WTF_CSRF_ENABLED"] = False
        try:
            response = client.post("/dang-nhap", data={"email": user.email, "password": password})
        finally:
            app.config["WTF_CSRF_ENABLED"] = True
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return _login


@dataclasses.dataclass(frozen=True)
class FakePrediction:
    field: str
    kind: str
    field_proba: float
    kind_proba: float
    model_version: str = "fake-1"
    confident: bool = True

    @property
    def field_top(self):
        return [(self.field, self.field_proba)]

    @property
    def kind_top(self):
        return [(self.kind, self.kind_proba)]

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


class FakeClassifier:
    """Stands in for the model in unit tests of the app (never in end-to-end tests)."""

    version = "fake-1"
    threshold = 0.6

    def __init__(self, field="traffic", kind="phan_anh", proba=0.9):
        self.next = FakePrediction(field, kind, proba, proba, confident=proba >= self.threshold)
        self.calls = 0

    def predict(self, text: str) -> FakePrediction:
        self.calls += 1
        return self.next


@pytest.fixture
def fake_classifier(app) -> FakeClassifier:
    """Install a fake classifier in the app; set .next to change its answer."""
    fake = FakeClassifier()
    app.extensions["hotline_classifier"] = fake
    return fake


VALID_COMPLAINT = {
    "content": "Đoạn đường ĐT768 qua ấp 3 có nhiều ổ gà lớn, xe máy đi qua rất nguy hiểm.",
    "channel": "web",
    "citizen": {"name": "Nguyễn Văn An", "phone": "0912 345 678"},
}


@pytest.fixture
def complaint_payload() -> dict:
    """A valid intake payload (a fresh copy each time)."""
    import copy

    return copy.deepcopy(VALID_COMPLAINT)
