"""Administration: routing rules, SLA policy versions, agency e-mails, staff accounts — each change
validated (Vietnamese messages) and written to the audit log with its before/after state."""

from __future__ import annotations

import re
from datetime import date

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from hotline.audit import AuditLog
from hotline.clock import utcnow
from hotline.directory.deadlines import local_date
from hotline.directory.models import ROLES, Agency, RoutingRule, SlaPolicy, User, Ward
from hotline.errors import ValidationError
from hotline.extensions import db
from ml.labels import FIELDS, KINDS

SCOPES = ("commune", "province")
UNITS = ("working", "calendar")
MAX_KEYWORDS = 50
MIN_PASSWORD = 8


# -- audit ---------------------------------------------------------------------------------
def audit(
    actor: User | None,
    action: str,
    entity: str,
    entity_id: object,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditLog:
    row = AuditLog(
        actor_id=actor.id if actor is not None else None,
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        before=before,
        after=after,
    )
    db.session.add(row)
    return row


def rule_snapshot(rule: RoutingRule) -> dict:
    return {
        "priority": rule.priority,
        "field": rule.field,
        "kind": rule.kind,
        "scope": rule.scope,
        "keywords": list(rule.keywords or []),
        "ward_code": rule.ward_code,
        "agency": rule.agency.code if rule.agency else None,
        "local_commune": rule.local_commune,
        "explanation": rule.explanation,
        "active": rule.active,
    }


# -- routing rules -------------------------------------------------------------------------
def parse_keywords(raw: str | list[str] | None) -> list[str]:
    """Comma- or line-separated phrases, trimmed, without repeats (case-insensitive)."""
    items = raw if isinstance(raw, list) else re.split(r"[,;\n]", raw or "")
    seen, out = set(), []
    for item in items:
        keyword = " ".join(str(item).split())
        if keyword and keyword.lower() not in seen:
            seen.add(keyword.lower())
            out.append(keyword)
    return out


def _int_or_none(value: object) -> int | None:
    if value in (None, ""):
        return None
    return int(value)  # type: ignore[arg-type]


def clean_rule(data: dict) -> dict:
    """Validate a rule form; the cleaned values, or ValidationError with one message per field."""
    errors: dict[str, str] = {}
    out: dict = {}
    try:
        out["priority"] = int(data.get("priority") or 0)
        if not 1 <= out["priority"] <= 10_000:
            raise ValueError
    except (TypeError, ValueError):
        errors["priority"] = "Thứ tự ưu tiên phải là số nguyên từ 1 đến 10000."
    out["field"] = data.get("field") or None
    if out["field"] and out["field"] not in FIELDS:
        errors["field"] = "Lĩnh vực không hợp lệ."
    out["kind"] = data.get("kind") or None
    if out["kind"] and out["kind"] not in KINDS:
        errors["kind"] = "Loại đơn không hợp lệ."
    out["scope"] = data.get("scope") or None
    if out["scope"] and out["scope"] not in SCOPES:
        errors["scope"] = "Phạm vi không hợp lệ."
    out["keywords"] = parse_keywords(data.get("keywords"))
    if len(out["keywords"]) > MAX_KEYWORDS or any(len(k) > 100 for k in out["keywords"]):
        errors["keywords"] = f"Tối đa {MAX_KEYWORDS} từ khóa, mỗi từ khóa không quá 100 ký tự."
    try:
        out["ward_code"] = _int_or_none(data.get("ward_code"))
    except (TypeError, ValueError):
        out["ward_code"] = None
        errors["ward_code"] = "Mã xã/phường phải là số."
    if out["ward_code"] is not None and db.session.get(Ward, out["ward_code"]) is None:
        errors["ward_code"] = "Xã/phường không thuộc danh mục đơn vị hành chính của tỉnh."
    if out["ward_code"] is not None and out["scope"] == "province":
        errors["scope"] = "Quy tắc theo xã/phường không thể có phạm vi cấp tỉnh."
    out["local_commune"] = bool(data.get("local_commune"))
    out["agency"] = None
    code = (data.get("agency_code") or "").strip()
    if out["local_commune"] and code:
        errors["agency_code"] = (
            "Chọn một cơ quan cố định hoặc “UBND xã nơi xảy ra”, không chọn cả hai."
        )
    elif out["local_commune"] and out["scope"] == "province":
        errors["scope"] = "Phạm vi cấp tỉnh không có xã/phường để chuyển đến UBND xã."
    elif not out["local_commune"]:
        agency = code and db.session.scalar(select(Agency).where(Agency.code == code))
        if not agency:
            errors["agency_code"] = "Cần chọn cơ quan xử lý."
        elif not agency.active:
            errors["agency_code"] = "Cơ quan này đã ngừng hoạt động."
        else:
            out["agency"] = agency
    if not (out["field"] or out["kind"] or out["keywords"] or out["ward_code"]):
        errors["field"] = (
            "Quy tắc cần ít nhất một điều kiện (lĩnh vực, loại đơn, từ khóa hoặc "
            "xã/phường), nếu không nó sẽ nhận mọi phản ánh."
        )
    out["explanation"] = " ".join((data.get("explanation") or "").split())
    if len(out["explanation"]) > 500:
        errors["explanation"] = "Giải thích không quá 500 ký tự."
    if errors:
        raise ValidationError("Quy tắc định tuyến chưa hợp lệ.", errors)
    return out


def _apply(rule: RoutingRule, values: dict) -> None:
    for key, value in values.items():
        setattr(rule, key, value)


def create_rule(data: dict, actor: User) -> RoutingRule:
    """Flushes, never commits."""
    rule = RoutingRule(active=True)
    _apply(rule, clean_rule(data))
    db.session.add(rule)
    db.session.flush()
    audit(actor, "create", "routing_rule", rule.id, None, rule_snapshot(rule))
    return rule


def update_rule(rule: RoutingRule, data: dict, actor: User) -> RoutingRule:
    """Complaints already routed keep their rule id and explanation. Flushes, never commits."""
    before = rule_snapshot(rule)
    _apply(rule, clean_rule(data))
    db.session.flush()
    audit(actor, "update", "routing_rule", rule.id, before, rule_snapshot(rule))
    return rule


def set_rule_active(rule: RoutingRule, active: bool, actor: User) -> None:
    before = rule_snapshot(rule)
    rule.active = active
    db.session.flush()
    audit(
        actor,
        "activate" if active else "deactivate",
        "routing_rule",
        rule.id,
        before,
        rule_snapshot(rule),
    )


# -- SLA policy ----------------------------------------------------------------------------
def sla_snapshot(policy: SlaPolicy) -> dict:
    return {
        "kind": policy.kind,
        "effective_from": policy.effective_from.isoformat(),
        "accept_days": policy.accept_days,
        "accept_unit": policy.accept_unit,
        "resolve_days": policy.resolve_days,
        "resolve_unit": policy.resolve_unit,
        "legal_basis": policy.legal_basis,
    }


def _days(value: object, key: str, errors: dict, *, required: bool) -> int | None:
    if value in (None, "") and not required:
        return None
    try:
        days = int(value)  # type: ignore[arg-type]
        if not 1 <= days <= 365:
            raise ValueError
    except (TypeError, ValueError):
        errors[key] = "Số ngày phải là số nguyên từ 1 đến 365."
        return None
    return days


def add_sla_policy(data: dict, actor: User, today: date | None = None) -> SlaPolicy:
    """A new version of the time limits for one kind, in force from a future date.

    Versions already in force are never edited: items are judged by the rule in force when they
    were received, so changing one would move deadlines already given. Flushes, never commits.
    """
    today = today or local_date(utcnow())
    errors: dict[str, str] = {}
    kind = data.get("kind") or ""
    if kind not in KINDS:
        errors["kind"] = "Loại đơn không hợp lệ."
    start = data.get("effective_from")
    if isinstance(start, str):
        try:
            start = date.fromisoformat(start)
        except ValueError:
            start = None
    if not isinstance(start, date):
        errors["effective_from"] = "Ngày hiệu lực không hợp lệ (định dạng năm-tháng-ngày)."
    elif start <= today:
        errors["effective_from"] = (
            "Ngày hiệu lực phải sau hôm nay: quy định đang áp dụng không "
            "được thay đổi, hãy thêm phiên bản mới có hiệu lực từ ngày mai"
            " trở đi."
        )
    elif kind in KINDS and db.session.scalar(
        select(SlaPolicy.id).where(SlaPolicy.kind == kind, SlaPolicy.effective_from == start)
    ):
        errors["effective_from"] = "Đã có phiên bản cho loại đơn này từ ngày đó."
    accept = _days(data.get("accept_days"), "accept_days", errors, required=False)
    resolve = _days(data.get("resolve_days"), "resolve_days", errors, required=True)
    units = {}
    for key in ("accept_unit", "resolve_unit"):
        units[key] = data.get(key) or "working"
        if units[key] not in UNITS:
            errors[key] = "Đơn vị phải là ngày làm việc hoặc ngày lịch."
    basis = " ".join((data.get("legal_basis") or "").split())
    if not basis:
        errors["legal_basis"] = "Cần ghi căn cứ pháp lý."
    elif len(basis) > 1000:
        errors["legal_basis"] = "Căn cứ pháp lý không quá 1000 ký tự."
    if errors:
        raise ValidationError("Phiên bản thời hạn chưa hợp lệ.", errors)
    policy = SlaPolicy(
        kind=kind,
        effective_from=start,
        accept_days=accept,
        resolve_days=resolve,
        legal_basis=basis,
        **units,
    )
    db.session.add(policy)
    db.session.flush()
    audit(actor, "create", "sla_policy", policy.id, None, sla_snapshot(policy))
    return policy


def policy_in_force(policy: SlaPolicy, today: date | None = None) -> bool:
    return policy.effective_from <= (today or local_date(utcnow()))


# -- agencies and users --------------------------------------------------------------------
def _clean_email(raw: str | None, key: str, errors: dict) -> str | None:
    value = (raw or "").strip()
    if not value:
        return None
    try:
        return validate_email(value, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        errors[key] = "Địa chỉ email không hợp lệ."
        return None


def set_agency_email(agency: Agency, raw: str | None, actor: User) -> None:
    """Where the agency's notifications go (empty: none). Flushes, never commits."""
    errors: dict[str, str] = {}
    email = _clean_email(raw, "email", errors)
    if errors:
        raise ValidationError("Email chưa hợp lệ.", errors)
    before = {"email": agency.email}
    agency.email = email
    db.session.flush()
    audit(actor, "update", "agency", agency.code, before, {"email": email})


def user_snapshot(user: User) -> dict:
    # Never the password hash or the API token hash.
    return {
        "email": user.email,
        "full_name": user.full_name,
        "role": user.role,
        "agency": user.agency.code if user.agency else None,
        "active": user.active,
    }


def create_user(data: dict, actor: User) -> User:
    """A new staff account. Flushes, never commits."""
    errors: dict[str, str] = {}
    email = _clean_email(data.get("email"), "email", errors)
    if email is None and "email" not in errors:
        errors["email"] = "Cần nhập email."
    if email and db.session.scalar(select(User.id).where(User.email == email)):
        errors["email"] = "Email này đã có tài khoản."
    full_name = " ".join((data.get("full_name") or "").split())
    if not full_name or len(full_name) > 200:
        errors["full_name"] = "Cần nhập họ tên (tối đa 200 ký tự)."
    role = data.get("role") or ""
    if role not in ROLES:
        errors["role"] = "Vai trò không hợp lệ."
    code = (data.get("agency_code") or "").strip()
    agency = code and db.session.scalar(select(Agency).where(Agency.code == code))
    if code and not agency:
        errors["agency_code"] = "Cơ quan không tồn tại."
    if role == "agency_staff" and not agency and "agency_code" not in errors:
        errors["agency_code"] = "Cán bộ cơ quan phải thuộc một cơ quan."
    password = data.get("password") or ""
    if len(password) < MIN_PASSWORD:
        errors["password"] = f"Mật khẩu cần ít nhất {MIN_PASSWORD} ký tự."
    if errors:
        raise ValidationError("Thông tin tài khoản chưa hợp lệ.", errors)
    user = User(email=email, full_name=full_name, role=role, agency=agency or None, active=True)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit(actor, "create", "user_account", user.id, None, user_snapshot(user))
    return user


def set_user_active(user: User, active: bool, actor: User) -> None:
    if user.id == actor.id and not active:
        raise ValidationError("Không thể tự khóa tài khoản của chính mình.")
    before = user_snapshot(user)
    user.active = active
    db.session.flush()
    audit(
        actor,
        "activate" if active else "deactivate",
        "user_account",
        user.id,
        before,
        user_snapshot(user),
    )
