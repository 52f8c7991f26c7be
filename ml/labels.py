"""The label set: the 13 field codes and 5 kind codes of DOMAIN.md, and the kind SLA groups."""

from __future__ import annotations

FIELDS: tuple[str, ...] = (
    "land",
    "compensation",
    "investment",
    "construction",
    "environment",
    "traffic",
    "urban_services",
    "social",
    "health",
    "education",
    "public_order",
    "admin_procedure",
    "other",
)

KINDS: tuple[str, ...] = ("phan_anh", "kien_nghi", "khieu_nai", "to_cao", "hoi_dap")

HEADS: tuple[str, ...] = ("field", "kind")

LABELS: dict[str, tuple[str, ...]] = {"field": FIELDS, "kind": KINDS}

# Kinds that share one default SLA clock (DOMAIN.md "Time limits"): confusing phan_anh with
# kien_nghi does not change any deadline, confusing either with khieu_nai or to_cao does.
KIND_SLA_GROUP: dict[str, str] = {
    "phan_anh": "report",
    "kien_nghi": "report",
    "khieu_nai": "complaint",
    "to_cao": "denunciation",
    "hoi_dap": "question",
}


def check_label(head: str, value: str) -> str:
    """Return ``value`` if it is a known code of ``head``, else raise ``ValueError``."""
    if value not in LABELS[head]:
        expected = ", ".join(LABELS[head])
        raise ValueError(f"unknown {head} code {value!r} (expected one of {expected})")
    return value
