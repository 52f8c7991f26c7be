"""Staff pages: call console, complaint list and detail, manual triage."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("operator", __name__, url_prefix="/can-bo")

# The view modules register their routes on bp (endpoints keep the names auth and base.html use).
from hotline.web.operator import complaints, console, triage  # noqa: E402, F401
