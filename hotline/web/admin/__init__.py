"""Administration pages (/quan-tri): routing rules and tester, SLA policy, agencies, users.

Admins change things; supervisors may look (and use the routing tester)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/quan-tri")

VIEW_ROLES = ("admin", "supervisor")
EDIT_ROLES = ("admin",)

from hotline.web.admin import directory, rules  # noqa: E402, F401
