"""Agency inbox (/co-quan): lists, detail with timeline, handling actions; supervisor decisions."""

from flask import Blueprint

bp = Blueprint("agency", __name__, url_prefix="/co-quan")

from hotline.web.agency import actions, outbox, views  # noqa: E402, F401  (routes attach to bp)
