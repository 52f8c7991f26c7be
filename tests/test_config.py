"""Settings come from the environment only, parsed strictly."""

from __future__ import annotations

import pytest

from hotline.config import ConfigError, Settings, _dev_secret_key


def test_production_needs_a_secret_key():
    with pytest.raises(ConfigError, match="HOTLINE_SECRET_KEY"):
        Settings.from_env({"HOTLINE_ENV": "production"})


def test_dev_key_is_shared_by_every_process(tmp_path):
    path = tmp_path / "dev-secret-key"
    first = _dev_secret_key(path)
    assert len(first) == 64
    assert _dev_secret_key(path) == first  # a second worker process reads the same key


def test_database_and_redis_urls():
    s = Settings.from_env(
        {
            "DATABASE_URL": "postgres://u@h/db",
            "REDIS_URL": "redis://h:6379/1",
            "HOTLINE_SECRET_KEY": "k",
        }
    )
    assert s.database_url == "postgresql+psycopg://u@h/db"
    assert s.redis_url == "redis://h:6379/1"
    assert Settings.from_env({"HOTLINE_SECRET_KEY": "k"}).redis_url is None


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("HOTLINE_SWEEP_STALE_SECONDS", "soon"),
        ("HOTLINE_TRIAGE_THRESHOLD", "high"),
        ("HOTLINE_RATELIMIT_ENABLED", "maybe"),
        ("HOTLINE_SMTP_PORT", "25a"),
    ],
)
def test_malformed_values_fail_fast(name, value):
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({name: value, "HOTLINE_SECRET_KEY": "k"})
