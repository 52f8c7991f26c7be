"""Routing: pick the responsible agency from the rules in the database."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from sqlalchemy import select

from hotline.extensions import db
from hotline.labels import FIELD_LABELS, SCOPE_LABELS
from hotline.models import Agency, RoutingRule


@dataclass(frozen=True)
class Route:
    agency: Agency
    rule: RoutingRule
    explanation: str


def fold(text: str) -> str:
    """Lower-case and strip diacritics so 'Mất điện' and 'mat dien' compare equal."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _rule_matches(rule: RoutingRule, field: str, kind: str | None, scope: str,
                  ward_code: int | None, folded_text: str) -> bool:
    if rule.field and rule.field != field:
        return False
    if rule.kind and rule.kind != kind:
        return False
    if rule.scope and rule.scope != scope:
        return False
    if rule.ward_code and rule.ward_code != ward_code:
        return False
    return not rule.keywords or any(fold(k) in folded_text for k in rule.keywords)


def choose_route(
    field: str, kind: str | None, ward_code: int | None, text: str = ""
) -> Route | None:
    """First active rule by priority that matches and names a usable agency; None sends to review."""
    scope = "commune" if ward_code else "province"
    folded_text = fold(text)
    rules = db.session.scalars(
        select(RoutingRule).where(RoutingRule.active.is_(True)).order_by(
            RoutingRule.priority, RoutingRule.id
        )
    ).all()
    for rule in rules:
        if not _rule_matches(rule, field, kind, scope, ward_code, folded_text):
            continue
        agency = _agency_for(rule, ward_code)
        if agency is None:
            continue
        explanation = _explain(agency, field, scope)
        if rule.explanation:
            explanation += f" ({rule.explanation})"
        return Route(agency, rule, explanation)
    return None


def _agency_for(rule: RoutingRule, ward_code: int | None) -> Agency | None:
    if rule.local_commune:
        if ward_code is None:
            return None
        return db.session.scalar(
            select(Agency).where(Agency.ward_code == ward_code, Agency.active.is_(True))
        )
    if rule.agency is not None and rule.agency.active:
        return rule.agency
    return None


def _explain(agency: Agency, field: str, scope: str) -> str:
    return f"{agency.name} — lĩnh vực {FIELD_LABELS.get(field, field).lower()}, {SCOPE_LABELS[scope]}"
