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
from hotline.models.handling import (  # after User: its foreign keys name user_account
    Attachment,
    ExtensionRequest,
    IdentityGrant,
    RoutingCorrection,
)
from hotline.models.audit import AuditLog  # noqa: E402
from hotline.models.duplicates import PROPOSAL_STATUSES, DuplicateProposal  # noqa: E402
from hotline.models.inspection import (  # noqa: E402
    EvaluationRule,
    Finding,
    FindingComplaint,
    FindingDocument,
    InspectionLead,
    InspectionPlan,
    PlanItem,
    RiskWeights,
    YearlyEvaluation,
)

__all__ = [
    "AGENCY_LEVELS", "CHANNELS", "FIELDS", "FINAL_STATES", "KINDS", "ROLES", "STATES",
    "Agency", "Complaint", "ComplaintEvent", "OutboxJob", "RoutingRule", "SlaPolicy",
    "TriageResult", "User", "Ward",
    "Attachment", "ExtensionRequest", "IdentityGrant", "RoutingCorrection",
    "AuditLog", "DuplicateProposal", "PROPOSAL_STATUSES", "EvaluationRule", "Finding", "FindingComplaint", "FindingDocument",
    "InspectionLead", "InspectionPlan", "PlanItem", "RiskWeights", "YearlyEvaluation",
]  # fmt: skip
