"""Staff login (sessions for pages, Bearer tokens for the API) and role checks."""

from __future__ import annotations

import functools

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Email, Length

from hotline.directory.models import User, hash_token
from hotline.errors import Forbidden, Unauthorized
from hotline.extensions import db, limiter, login

bp = Blueprint("auth", __name__)


@login.user_loader
def load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None


@login.request_loader
def load_user_from_token(req) -> User | None:
    header = req.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    token = header.removeprefix("Bearer ").strip()
    if not token:
        return None
    user = db.session.scalar(select(User).where(User.api_token_hash == hash_token(token)))
    return user if user is not None and user.active else None


class LoginForm(FlaskForm):
    email = EmailField(
        "Email", validators=[DataRequired("Vui lòng nhập email."), Email("Email không hợp lệ.")]
    )
    password = PasswordField(
        "Mật khẩu", validators=[DataRequired("Vui lòng nhập mật khẩu."), Length(max=200)]
    )


HOME_BY_ROLE = {
    "operator": "operator.console",
    "supervisor": "operator.triage_list",
    "agency_staff": "agency.inbox",
    "inspector": "inspection.dashboard",
    "admin": "operator.complaint_list",
}


def home_for(user: User) -> str:
    return url_for(HOME_BY_ROLE.get(user.role, "public.index"))


@bp.route("/dang-nhap", methods=["GET", "POST"], endpoint="login")
@limiter.limit("10 per minute", methods=["POST"])
def login_page():
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.email == form.email.data.strip().lower()))
        if user is None or not user.active or not user.check_password(form.password.data):
            flash("Email hoặc mật khẩu không đúng.", "error")
            return render_template("auth/login.html", form=form), 401
        login_user(user)
        target = request.args.get("next", "")
        if not target.startswith("/") or target.startswith("//"):
            target = home_for(user)
        return redirect(target)
    return render_template("auth/login.html", form=form)


@bp.route("/dang-xuat", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash("Đã đăng xuất.", "info")
    return redirect(url_for("public.index"))


def roles_required(*roles: str):
    """Pages: log in first; API: a Bearer token. Wrong role is 403 either way."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                if request.path.startswith("/api/"):
                    raise Unauthorized("Cần mã truy cập (Authorization: Bearer ...).")
                return login.unauthorized()
            if roles and current_user.role not in roles:
                raise Forbidden("Tài khoản của bạn không có quyền thực hiện thao tác này.")
            return view(*args, **kwargs)

        return wrapper

    return decorator
