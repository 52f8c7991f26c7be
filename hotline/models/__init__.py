"""All models, imported so Alembic and the app see the full metadata."""

from hotline.models.agency import AGENCY_LEVELS, Agency, RoutingRule, SlaPolicy, Ward
from hotline.models.audit import AuditLog
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
from hotline.models.duplicates import PROPOSAL_STATUSES, DuplicateProposal
from hotline.models.handling import (  # after User: its foreign keys name user_account
    Attachment,
    ExtensionRequest,
    IdentityGrant,
    RoutingCorrection,
)
from hotline.models.inspection import (
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
from hotline.models.user import ROLES, User

__all__ = [
    "AGENCY_LEVELS",
    "CHANNELS",
    "FIELDS",
    "FINAL_STATES",
    "KINDS",
    "PROPOSAL_STATUSES",
    "ROLES",
    "STATES",
    "Agency",
    "Attachment",
    "AuditLog",
    "Complaint",
    "ComplaintEvent",
    "DuplicateProposal",
    "EvaluationRule",
    "ExtensionRequest",
    "Finding",
    "FindingComplaint",
    "FindingDocument",
    "IdentityGrant",
    "InspectionLead",
    "InspectionPlan",
    "OutboxJob",
    "PlanItem",
    "RiskWeights",
    "RoutingCorrection",
    "RoutingRule",
    "SlaPolicy",
    "TriageResult",
    "User",
    "Ward",
    "YearlyEvaluation",
]
