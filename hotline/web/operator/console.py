"""Call console: one screen to log a phone call in one step, with the caller's history beside it."""

from __future__ import annotations

from flask import jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import func, select

from hotline.complaints.intake import (
    IdempotencyConflict,
    normalise_phone,
    parse_intake,
    submit_complaint,
)
from hotline.complaints.models import Complaint
from hotline.complaints.workflow import STATE_LABELS
from hotline.errors import ValidationError
from hotline.extensions import db
from hotline.web.auth import roles_required
from hotline.web.operator import bp
from hotline.web.operator.forms import CallForm
from hotline.web.public.forms import (
    apply_errors,
    clean_idempotency_key,
    new_idempotency_key,
    ward_choices,
)
from hotline.web.templating import local_time

CONSOLE_ROLES = ("operator", "supervisor", "admin")
SAVED_KEY = "console_saved"
HISTORY_LIMIT = 10


def _call_form(**kwargs) -> CallForm:
    form = CallForm(**kwargs)
    form.ward_code.choices = ward_choices()
    if not form.idempotency_key.data:
        form.idempotency_key.data = new_idempotency_key()
    return form


def _render(form: CallForm, errors: list[str], saved: dict | None = None, status: int = 200):
    return render_template("operator/console.html", form=form, errors=errors, saved=saved), status


@bp.get("/tong-dai")
@roles_required(*CONSOLE_ROLES)
def console():
    # Shown once: the code (and secret) of the call just saved, above a fresh empty form.
    saved = session.pop(SAVED_KEY, None)
    return _render(_call_form(formdata=None), [], saved)


@bp.post("/tong-dai")
@roles_required(*CONSOLE_ROLES)
def console_save():
    form = _call_form()
    if not form.validate_on_submit():  # only the CSRF token can fail here
        return _render(form, [], status=400)
    key = clean_idempotency_key(form.idempotency_key.data, "console")
    try:
        result = submit_complaint(
            parse_intake(form.to_payload()), actor=current_user, idempotency_key=key
        )
    except ValidationError as exc:
        return _render(form, apply_errors(form, exc.errors), status=422)
    except IdempotencyConflict:
        form.idempotency_key.data = new_idempotency_key()
        msg = "Phiếu này đã được lưu trước đó với nội dung khác. Kiểm tra lại rồi bấm Lưu lần nữa."
        return _render(form, [msg], status=409)
    session[SAVED_KEY] = {
        "code": result.complaint.tracking_code,
        "secret": result.secret,
        "repeat": not result.created,
    }
    return redirect(url_for("operator.console"))


@bp.get("/tong-dai/lich-su")
@roles_required(*CONSOLE_ROLES)
def caller_history():
    """JSON for the console: the caller's earlier complaints, newest first (staff only)."""
    phone = normalise_phone(request.args.get("phone", "").strip()[:30])
    if phone is None:
        return jsonify({"phone_valid": False, "total": 0, "complaints": []})
    where = Complaint.citizen_phone == phone
    total = db.session.scalar(select(func.count(Complaint.id)).where(where)) or 0
    rows = db.session.scalars(
        select(Complaint).where(where).order_by(Complaint.received_at.desc()).limit(HISTORY_LIMIT)
    )
    return jsonify(
        {
            "phone_valid": True,
            "total": total,
            "complaints": [
                {
                    "tracking_code": c.tracking_code,
                    "received_at": local_time(c.received_at),
                    "state": c.state,
                    "state_label": STATE_LABELS.get(c.state, c.state),
                    "overdue": c.is_overdue,
                    "excerpt": _excerpt(c.content),
                    "url": url_for("operator.complaint_detail", code=c.tracking_code),
                }
                for c in rows
            ],
        }
    )


def _excerpt(text: str, limit: int = 140) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
