"""Citizen pages: home, complaint form, status lookup."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("public", __name__)


@bp.get("/")
def index():
    return render_template("public/index.html")


@bp.get("/tra-cuu/<code>")
def status(code: str):
    return render_template("public/status_lookup.html", code=code)


@bp.get("/healthz")
def healthz():
    return {"status": "ok"}
