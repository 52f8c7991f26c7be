"""Typed settings; the only module that reads os.environ."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


ENVIRONMENTS = ("development", "test", "production")
INLINE_MODES = ("thread", "sync")


class ConfigError(RuntimeError):
    """A required setting is missing or malformed."""


def _bool(value: str, name: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ConfigError(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def _int(value: str, name: str) -> int:
    try:
        return int(value)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {value!r}") from exc


def _float(value: str, name: str) -> float:
    try:
        return float(value)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number, got {value!r}") from exc


@dataclass(frozen=True)
class Settings:
    """Everything the app needs to start; build it directly in tests."""

    database_url: str = f"sqlite:///{ROOT / 'var' / 'hotline.db'}"
    redis_url: str | None = None
    secret_key: str = field(default_factory=lambda: secrets.token_hex(32))
    env: str = "development"
    model_dir: Path = ROOT / "ml" / "artifacts" / "current"
    # Below this model confidence an item goes to a supervisor; None = use the model's own threshold.
    triage_threshold: float | None = None
    # An outbox job not finished this long after it was handed to the queue is handed over again.
    sweep_stale_seconds: int = 300
    # Whole-request cap; room for one 10 MB attachment. JSON API bodies have their own, smaller cap.
    max_content_length: int = 12 * 1024 * 1024
    upload_dir: Path = ROOT / "var" / "uploads"
    ratelimit_status: str = "30 per minute"
    ratelimit_intake: str = "20 per minute"
    ratelimit_enabled: bool = True
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_sender: str = "tongdai1022@dongnai.gov.vn"
    public_base_url: str = "http://127.0.0.1:5000"
    # Without Redis, jobs run in this process: "thread" (after the response, on a worker thread)
    # or "sync" (on the committing thread, before it goes on: deterministic, for tests and CLIs).
    inline_jobs: str = "thread"
    testing: bool = False

    def __post_init__(self) -> None:
        if self.env not in ENVIRONMENTS:
            raise ConfigError(
                f"HOTLINE_ENV must be one of {', '.join(ENVIRONMENTS)}, got {self.env!r}"
            )
        if self.inline_jobs not in INLINE_MODES:
            raise ConfigError(
                f"HOTLINE_INLINE_JOBS must be one of {', '.join(INLINE_MODES)}, "
                f"got {self.inline_jobs!r}"
            )

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        kwargs: dict = {}
        # Checked in __post_init__: "prod" must not quietly run with the development key.
        mode = env.get("HOTLINE_ENV", "development").strip()
        kwargs["env"] = mode
        if env.get("DATABASE_URL"):
            kwargs["database_url"] = _normalise_db_url(env["DATABASE_URL"])
        if env.get("REDIS_URL"):
            kwargs["redis_url"] = env["REDIS_URL"]
        if env.get("HOTLINE_SECRET_KEY"):
            kwargs["secret_key"] = env["HOTLINE_SECRET_KEY"]
        elif mode == "production":
            raise ConfigError("HOTLINE_SECRET_KEY is required when HOTLINE_ENV=production")
        else:
            # Every web worker process must sign sessions with the same key.
            kwargs["secret_key"] = _dev_secret_key(ROOT / "var" / "dev-secret-key")
        if env.get("HOTLINE_MODEL_DIR"):
            kwargs["model_dir"] = Path(env["HOTLINE_MODEL_DIR"])
        if env.get("HOTLINE_TRIAGE_THRESHOLD"):
            kwargs["triage_threshold"] = _float(
                env["HOTLINE_TRIAGE_THRESHOLD"], "HOTLINE_TRIAGE_THRESHOLD"
            )
        if env.get("HOTLINE_SWEEP_STALE_SECONDS"):
            kwargs["sweep_stale_seconds"] = _int(
                env["HOTLINE_SWEEP_STALE_SECONDS"], "HOTLINE_SWEEP_STALE_SECONDS"
            )
        if env.get("HOTLINE_UPLOAD_DIR"):
            kwargs["upload_dir"] = Path(env["HOTLINE_UPLOAD_DIR"])
        if env.get("HOTLINE_RATELIMIT_ENABLED"):
            kwargs["ratelimit_enabled"] = _bool(
                env["HOTLINE_RATELIMIT_ENABLED"], "HOTLINE_RATELIMIT_ENABLED"
            )
        if env.get("HOTLINE_SMTP_HOST"):
            kwargs["smtp_host"] = env["HOTLINE_SMTP_HOST"]
        if env.get("HOTLINE_SMTP_PORT"):
            kwargs["smtp_port"] = _int(env["HOTLINE_SMTP_PORT"], "HOTLINE_SMTP_PORT")
        if env.get("HOTLINE_SMTP_SENDER"):
            kwargs["smtp_sender"] = env["HOTLINE_SMTP_SENDER"]
        if env.get("HOTLINE_INLINE_JOBS"):
            kwargs["inline_jobs"] = env["HOTLINE_INLINE_JOBS"].strip()
        if env.get("HOTLINE_PUBLIC_BASE_URL"):
            kwargs["public_base_url"] = env["HOTLINE_PUBLIC_BASE_URL"].rstrip("/")
        return cls(**kwargs)


def _dev_secret_key(path: Path) -> str:
    """A development key kept on disk, made once (never used when HOTLINE_ENV=production)."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32)
        try:
            with path.open("x") as fh:  # another worker may win the race: then read theirs
                fh.write(key)
        except FileExistsError:
            return path.read_text().strip()
        path.chmod(0o600)
        return key


def _normalise_db_url(url: str) -> str:
    """Accept postgres:// and postgresql:// and use the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url
