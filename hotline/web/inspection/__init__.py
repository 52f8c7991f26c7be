"""Inspection pages for Sở Nội vụ (/thanh-tra): dashboard, plans, findings, weights, evaluation."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("inspection", __name__, url_prefix="/thanh-tra")

# Supervisors see the figures and plans; only inspectors (and admins) change anything.
VIEW_ROLES = ("inspector", "admin", "supervisor")
EDIT_ROLES = ("inspector", "admin")
# Marking an anonymous denunciation as an inspection lead happens during triage too.
LEAD_ROLES = ("inspector", "admin", "supervisor")

from hotline.web.inspection import dashboard, plans, rules  # noqa: E402, F401  (registers routes)
