"""Staff accounts."""

from __future__ import annotations

from sqlalchemy import select

from hotline.directory.models import ROLES, Agency, User
from hotline.extensions import db


def upsert_user(
    email: str, password: str, role: str, agency_code: str | None = None, full_name: str = ""
) -> User:
    """Create or update a staff account; raises ValueError with a readable reason."""
    email = email.strip().lower()
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    if len(password) < 8:
        raise ValueError("password must have at least 8 characters")
    agency = None
    if agency_code:
        agency = db.session.scalar(select(Agency).where(Agency.code == agency_code))
        if agency is None:
            raise ValueError(f"unknown agency code {agency_code!r}")
    if role == "agency_staff" and agency is None:
        raise ValueError("agency_staff needs --agency CODE")
    user = db.session.scalar(select(User).where(User.email == email)) or User(email=email)
    user.role = role
    user.agency = agency
    user.full_name = full_name or user.full_name or email.split("@")[0]
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user
