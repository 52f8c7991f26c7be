"""All models, imported so Alembic and the app see the full metadata."""

from hotline.models.agency import AGENCY_LEVELS, Agency, RoutingRule, SlaPolicy, Ward
from hotline.models.complaint import (
    CHANNELS,
    FIELDS,
    FINAL_STATES,
    KINDS,
    STATES,
    Complaint,
    ComplaintEvent,
    OutboxJob,
    TriageResult,
)
from hotline.models.user import ROLES, User

__all__ = [
    "AGENCY_LEVELS", "CHANNELS", "FIELDS", "FINAL_STATES", "KINDS", "ROLES", "STATES",
    "Agency", "Complaint", "ComplaintEvent", "OutboxJob", "RoutingRule", "SlaPolicy",
    "TriageResult", "User", "Ward",
]  # fmt: skip
