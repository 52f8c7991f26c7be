"""Staff accounts and their roles."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from hotline.extensions import db
from hotline.models.agency import Agency
from hotline.models.types import UTCDateTime, utcnow

ROLES = ("operator", "agency_staff", "supervisor", "inspector", "admin")

ROLE_LABELS = {
    "operator": "Điện thoại viên",
    "agency_staff": "Cán bộ cơ quan",
    "supervisor": "Giám sát viên",
    "inspector": "Thanh tra công vụ (Sở Nội vụ)",
    "admin": "Quản trị hệ thống",
}


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(200), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    api_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    agency: Mapped[Agency | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def new_api_token(self) -> str:
        """Issue a fresh token; only its hash is stored, so it is shown once."""
        token = secrets.token_urlsafe(32)
        self.api_token_hash = hash_token(token)
        return token

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)
