"""Model artifacts on disk: where they live, how they are written, loaded and version-checked.

An artifact is a directory holding ``model.joblib`` (the fitted :class:`ml.pipeline.TextModel`)
and ``metadata.json``. joblib files are pickles and execute code when loaded: load them only
from our own artifact directories, never from user uploads.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import shutil
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import joblib

log = logging.getLogger(__name__)

MODEL_FILE = "model.joblib"
METADATA_FILE = "metadata.json"
ML_DIR = Path(__file__).resolve().parent


class ArtifactError(RuntimeError):
    """The artifact directory is missing, incomplete or built with incompatible versions."""


def default_model_dir() -> Path:
    """``ml/artifacts/current``: where ``python -m ml.train`` writes by default."""
    return ML_DIR / "artifacts" / "current"


def _package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "missing"


def installed_versions() -> dict[str, str]:
    """Versions that decide whether a pickled model and its text path still match."""
    return {
        "python": platform.python_version(),
        "scikit-learn": _package_version("scikit-learn"),
        "underthesea": _package_version("underthesea"),
        "numpy": _package_version("numpy"),
        "scipy": _package_version("scipy"),
        "joblib": _package_version("joblib"),
    }


def _minor(v: str) -> str:
    return ".".join(v.split(".")[:2])


def check_versions(built_with: dict[str, str]) -> None:
    """Raise :class:`ArtifactError` unless the installed versions can run the artifact.

    scikit-learn must match exactly (pickles are not portable across releases); underthesea,
    python and numpy must match on major.minor (the text path and the pickle format).
    """
    now = installed_versions()
    problems = []
    if built_with.get("scikit-learn") != now["scikit-learn"]:
        problems.append(f"scikit-learn {built_with.get('scikit-learn')} != {now['scikit-learn']}")
    for name in ("underthesea", "python", "numpy"):
        if _minor(str(built_with.get(name))) != _minor(now[name]):
            problems.append(f"{name} {built_with.get(name)} != {now[name]}")
    if problems:
        raise ArtifactError(
            "model artifact was built with other versions ("
            + "; ".join(problems)
            + "): retrain with `python -m ml.train`"
        )


def read_metadata(model_dir: str | Path) -> dict[str, Any]:
    """Read ``metadata.json`` of an artifact, raising :class:`ArtifactError` if absent."""
    path = Path(model_dir) / METADATA_FILE
    if not path.is_file():
        raise ArtifactError(
            f"no model artifact at {Path(model_dir)} (missing {METADATA_FILE}): "
            "train one with `python -m ml.train`"
        )
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ArtifactError(f"{path} is not valid JSON: {exc}") from exc


def load_artifact(model_dir: str | Path) -> tuple[Any, dict[str, Any]]:
    """Load (model, metadata) after checking metadata against the installed versions."""
    model_dir = Path(model_dir)
    metadata = read_metadata(model_dir)
    check_versions(metadata.get("versions", {}))
    model_path = model_dir / MODEL_FILE
    if not model_path.is_file():
        raise ArtifactError(f"no {MODEL_FILE} in {model_dir}: retrain with `python -m ml.train`")
    try:
        model = joblib.load(model_path)
    except Exception as exc:  # a corrupt pickle can raise nearly anything
        raise ArtifactError(f"cannot load {model_path}: {exc}") from exc
    return model, metadata


def save_artifact(model_dir: str | Path, model: Any, metadata: dict[str, Any]) -> Path:
    """Write model + metadata to a fresh sibling directory, then swap it into place.

    A reader never sees a model from one training run next to metadata from another.
    """
    model_dir = Path(model_dir)
    model_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{model_dir.name}-", dir=model_dir.parent))
    joblib.dump(model, tmp / MODEL_FILE, compress=3)
    (tmp / METADATA_FILE).write_text(
        json.dumps(metadata, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    os.chmod(tmp, 0o755)
    old = None
    if model_dir.exists():
        old = model_dir.with_name(f".{model_dir.name}-old-{os.getpid()}")
        model_dir.rename(old)
    tmp.rename(model_dir)
    if old is not None:
        shutil.rmtree(old)
    log.info("artifact written dir=%s version=%s", model_dir, metadata.get("version"))
    return model_dir


def artifact_size(model_dir: str | Path) -> int:
    """Total bytes of the files in an artifact directory."""
    return sum(p.stat().st_size for p in Path(model_dir).iterdir() if p.is_file())
