"""Directory data: agencies, the province's communes and wards, routing rules, SLA policies, staff accounts."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from hotline.clock import utcnow
from hotline.extensions import db
from hotline.sqltypes import UTCDateTime

# --- Agencies, the official administrative units, routing rules and SLA policy.

AGENCY_LEVELS = ("province", "commune", "utility")


class Ward(db.Model):
    """A commune or ward of the province, loaded from the vietnam-provinces package."""

    __tablename__ = "ward"

    code: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(120))
    division_type: Mapped[str] = mapped_column(String(20))
    codename: Mapped[str] = mapped_column(String(120), index=True)
    province_code: Mapped[int] = mapped_column(Integer)

    def __repr__(self) -> str:
        return f"<Ward {self.code} {self.name}>"


class Agency(db.Model):
    """A body complaints can be routed to: a provincial department, a commune, a utility."""

    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str | None] = mapped_column(String(80))
    level: Mapped[str] = mapped_column(String(16))
    ward_code: Mapped[int | None] = mapped_column(ForeignKey("ward.code"), index=True)
    email: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    ward: Mapped[Ward | None] = relationship()

    def as_public_dict(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "level": self.level,
            "ward_code": self.ward_code,
        }

    def __repr__(self) -> str:
        return f"<Agency {self.code}>"


class RoutingRule(db.Model):
    """One line of the routing table: first matching rule by priority wins."""

    __tablename__ = "routing_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    priority: Mapped[int] = mapped_column(Integer, default=100)
    field: Mapped[str | None] = mapped_column(String(32))
    kind: Mapped[str | None] = mapped_column(String(16))
    # "commune" (a ward was resolved), "province" (none was), or None for both.
    scope: Mapped[str | None] = mapped_column(String(16))
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    ward_code: Mapped[int | None] = mapped_column(ForeignKey("ward.code"))
    # Either a fixed agency, or "the commune where it happened" when local_commune is set.
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    local_commune: Mapped[bool] = mapped_column(Boolean, default=False)
    explanation: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    agency: Mapped[Agency | None] = relationship()


class SlaPolicy(db.Model):
    """Legal time limits for one kind, in force from a date (the law changes)."""

    __tablename__ = "sla_policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    effective_from: Mapped[date] = mapped_column(Date)
    accept_days: Mapped[int | None] = mapped_column(Integer)
    accept_unit: Mapped[str] = mapped_column(String(12), default="working")
    resolve_days: Mapped[int] = mapped_column(Integer)
    resolve_unit: Mapped[str] = mapped_column(String(12), default="working")
    legal_basis: Mapped[str] = mapped_column(Text, default="")


# --- Staff accounts and their roles.

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
