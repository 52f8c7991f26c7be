"""Routing: pick the responsible agency from the rules in the database (first match by priority)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hotline.directory.location import fold
from hotline.directory.models import Agency, RoutingRule
from hotline.extensions import db
from hotline.labels import FIELD_LABELS, KIND_LABELS, SCOPE_LABELS

__all__ = ["Route", "choose_route", "explain", "fold", "keyword_in", "rule_matches", "scope_for"]


@dataclass(frozen=True)
class Route:
    agency: Agency
    rule: RoutingRule | None  # None when a person chose the agency by hand
    explanation: str
    keyword: str | None = None  # the keyword that made the rule match, if it had any


def scope_for(ward_code: int | None) -> str:
    """ "commune" when the place is known, else "province"."""
    return "commune" if ward_code else "province"


@lru_cache(maxsize=1024)
def _keyword_pattern(keyword: str) -> re.Pattern[str] | None:
    words = fold(keyword).split()
    if not words:
        return None
    # Whole words only ("kcn" never inside another word); spacing between words is free.
    return re.compile(r"(?<![0-9a-z])" + r"\s+".join(map(re.escape, words)) + r"(?![0-9a-z])")


def keyword_in(keywords: list[str] | None, folded_text: str) -> str | None:
    """The first keyword found in the (folded) text, diacritics and case ignored."""
    for keyword in keywords or ():
        pattern = _keyword_pattern(keyword)
        if pattern is not None and pattern.search(folded_text):
            return keyword
    return None


def rule_matches(
    rule: RoutingRule, field: str | None, kind: str | None, ward_code: int | None, folded_text: str
) -> tuple[bool, str | None]:
    """(matches?, keyword that matched). Empty criteria match anything."""
    if rule.field and rule.field != field:
        return False, None
    if rule.kind and rule.kind != kind:
        return False, None
    if rule.scope and rule.scope != scope_for(ward_code):
        return False, None
    if rule.ward_code and rule.ward_code != ward_code:
        return False, None
    if not rule.keywords:
        return True, None
    keyword = keyword_in(rule.keywords, folded_text)
    return keyword is not None, keyword


def active_rules() -> list[RoutingRule]:
    return list(
        db.session.scalars(
            select(RoutingRule)
            .where(RoutingRule.active.is_(True))
            .options(selectinload(RoutingRule.agency))
            .order_by(RoutingRule.priority, RoutingRule.id)
        )
    )


def choose_route(
    field: str | None, kind: str | None, ward_code: int | None, text: str = ""
) -> Route | None:
    """First active rule by priority that matches and names a usable agency; None sends the item
    to a supervisor (needs_review), it is never dropped."""
    folded_text = fold(text or "")
    for rule in active_rules():
        matched, keyword = rule_matches(rule, field, kind, ward_code, folded_text)
        if not matched:
            continue
        agency = agency_for(rule, ward_code)
        if agency is None:
            continue
        return Route(agency, rule, explain(agency, field, kind, ward_code, rule, keyword), keyword)
    return None


def agency_for(rule: RoutingRule, ward_code: int | None) -> Agency | None:
    if rule.local_commune:
        if ward_code is None:
            return None
        return db.session.scalar(
            select(Agency).where(Agency.ward_code == ward_code, Agency.active.is_(True))
        )
    if rule.agency is not None and rule.agency.active:
        return rule.agency
    return None


def explain(
    agency: Agency,
    field: str | None,
    kind: str | None,
    ward_code: int | None,
    rule: RoutingRule | None = None,
    keyword: str | None = None,
) -> str:
    """What staff read, e.g. "Sở Nông nghiệp và Môi trường — lĩnh vực đất đai, phạm vi cấp tỉnh"."""
    parts = []
    if field:
        parts.append(f"lĩnh vực {FIELD_LABELS.get(field, field).lower()}")
    if rule is not None and rule.kind and kind:
        parts.append(f"loại {KIND_LABELS.get(kind, kind).lower()}")
    parts.append(SCOPE_LABELS[scope_for(ward_code)])
    text = f"{agency.name} — {', '.join(parts)}"
    details = []
    if rule is not None and rule.explanation:
        details.append(rule.explanation)
    if keyword:
        details.append(f"từ khóa “{keyword}”")
    if details:
        text += f" ({'; '.join(details)})"
    return text
