"""Citizen pages: home with the complaint form, receipt, status lookup."""

from __future__ import annotations

import logging
from datetime import datetime

from flask import (
    Blueprint,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from hotline.complaints.intake import IdempotencyConflict, parse_intake, submit_complaint
from hotline.complaints.lookup import find_for_citizen, public_view
from hotline.errors import NotFound, ValidationError
from hotline.extensions import limiter
from hotline.web.public.forms import (
    CitizenComplaintForm,
    StatusLookupForm,
    apply_errors,
    clean_idempotency_key,
    new_idempotency_key,
    ward_choices,
)

log = logging.getLogger(__name__)

bp = Blueprint("public", __name__)

RECEIPT_KEY = "citizen_receipt"


def _intake_limit() -> str:
    return current_app.config["HOTLINE"].ratelimit_intake


def _status_limit() -> str:
    return current_app.config["HOTLINE"].ratelimit_status


def _complaint_form() -> CitizenComplaintForm:
    form = CitizenComplaintForm()
    form.ward_code.choices = ward_choices()
    if not form.idempotency_key.data:
        form.idempotency_key.data = new_idempotency_key()
    return form


@bp.get("/")
def index():
    return render_template("public/index.html", form=_complaint_form(), errors=[])


@bp.post("/gui-phan-anh")
@limiter.limit(_intake_limit)
def submit():
    form = _complaint_form()
    if not form.validate_on_submit():  # only the CSRF token can fail here
        return render_template("public/index.html", form=form, errors=[]), 400
    key = clean_idempotency_key(form.idempotency_key.data, "web")
    try:
        result = submit_complaint(parse_intake(form.to_payload()), idempotency_key=key)
    except ValidationError as exc:
        general = apply_errors(form, exc.errors)
        return render_template("public/index.html", form=form, errors=general), 422
    except IdempotencyConflict:
        # The same form was sent again with other content (e.g. after Back): new key, ask again.
        form.idempotency_key.data = new_idempotency_key()
        msg = (
            "Biểu mẫu này đã được gửi trước đó. Vui lòng kiểm tra lại nội dung và bấm Gửi lần nữa."
        )
        return render_template("public/index.html", form=form, errors=[msg]), 409
    complaint = result.complaint
    previous = session.get(RECEIPT_KEY) or {}
    if result.created or previous.get("code") != complaint.tracking_code:
        # A repeated submit (created=False) must not wipe the secret the first one stored.
        session[RECEIPT_KEY] = {
            "code": complaint.tracking_code,
            "secret": result.secret,
            "has_phone": complaint.citizen_phone is not None,
            "received_at": complaint.received_at.isoformat(),
        }
    return redirect(url_for("public.receipt"))


@bp.get("/gui-phan-anh/da-tiep-nhan")
def receipt():
    data = session.get(RECEIPT_KEY)
    if not data:
        return redirect(url_for("public.index"))
    secret = data.get("secret")
    if secret:
        # Shown once: a reload no longer carries it (only its hash is stored server-side).
        session[RECEIPT_KEY] = {**data, "secret": None, "secret_shown": True}
    response = current_app.make_response(
        render_template(
            "public/receipt.html",
            code=data["code"],
            secret=secret,
            secret_was_shown=data.get("secret_shown", False),
            has_phone=data.get("has_phone", False),
            received_at=datetime.fromisoformat(data["received_at"]),
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _lookup_submitted() -> bool:
    return "factor" in request.args or "code" in request.args


@bp.get("/tra-cuu", defaults={"code": None})
@bp.get("/tra-cuu/<code>")
@limiter.limit(_status_limit, exempt_when=lambda: not request.args.get("factor"))
def status(code: str | None):
    form = StatusLookupForm(formdata=request.args if _lookup_submitted() else None)
    if code and not form.code.data:
        form.code.data = code
    if not _lookup_submitted():
        return render_template("public/status.html", form=form, view=None, not_found=None)
    code_value = (form.code.data or "").strip()
    factor = (form.factor.data or "").strip()
    if not code_value:
        form.code.errors = ["Vui lòng nhập mã tra cứu."]
    if not factor:
        form.factor.errors = ["Vui lòng nhập 4 số cuối số điện thoại hoặc mã bí mật."]
    if not code_value or not factor:
        return render_template("public/status.html", form=form, view=None, not_found=None), 400
    try:
        # A complaint with a phone has no secret and vice versa, so one box serves both.
        complaint = find_for_citizen(code_value, phone_last4=factor, secret=factor)
    except NotFound as exc:
        return render_template(
            "public/status.html", form=form, view=None, not_found=exc.detail
        ), 404
    view = public_view(complaint)
    response = current_app.make_response(
        render_template(
            "public/status.html",
            form=form,
            view=view,
            not_found=None,
            state_label=view["status_label"],
            received_at=datetime.fromisoformat(view["received_at"]),
            deadline=datetime.fromisoformat(view["deadline"]) if view["deadline"] else None,
            timeline=[{**ev, "at": datetime.fromisoformat(ev["at"])} for ev in view["timeline"]],
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
def healthz():
    return {"status": "ok"}
