"""Demo data: one user per role and a year of realistic complaints in every state.

The texts come from the team's own labelled corpus (ml/data), so every page shows real language.
Histories are written as the services would have written them: each state change is an event.
"""

from __future__ import annotations

import json
import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from hotline.codes import new_tracking_code
from hotline.extensions import db
from hotline.models import Agency, Complaint, ComplaintEvent, TriageResult, User, Ward
from hotline.models.types import utcnow
from hotline.services.accounts import upsert_user
from hotline.services.deadlines import compute_deadline
from hotline.services.routing import choose_route

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parents[2] / "ml" / "data"
DEMO_PASSWORD = "demo-1022"
DEMO_USERS = [
    ("operator@demo.1022.vn", "operator", None, "Trần Thị Điện Thoại Viên"),
    ("supervisor@demo.1022.vn", "supervisor", None, "Lê Văn Giám Sát"),
    ("canbo.snnmt@demo.1022.vn", "agency_staff", "SNNMT", "Phạm Thị Cán Bộ"),
    ("thanhtra@demo.1022.vn", "inspector", None, "Nguyễn Văn Thanh Tra"),
    ("admin@demo.1022.vn", "admin", None, "Quản Trị Hệ Thống"),
]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ", "Ngô"]
GIVEN = [
    "Văn An",
    "Thị Bình",
    "Minh Châu",
    "Thị Dung",
    "Văn Hải",
    "Thị Hoa",
    "Quốc Hùng",
    "Thị Lan",
    "Văn Long",
    "Thị Mai",
    "Hữu Nghĩa",
    "Thị Oanh",
    "Văn Phúc",
    "Thị Thu",
]
CHANNEL_WEIGHTS = {"phone": 55, "web": 20, "zalo": 12, "email": 6, "app": 4, "walk_in": 3}


@dataclass
class Text:
    text: str
    field: str
    kind: str


def load_texts() -> list[Text]:
    texts = []
    for path in sorted(DATA_DIR.glob("corpus/*.jsonl")) + sorted(DATA_DIR.glob("holdout/*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                texts.append(Text(row["text"], row["field"], row["kind"]))
    return texts


def load_demo(size: int = 3000, seed: int = 1022) -> list[tuple[str, str, str]]:
    """Create demo users and (once) ``size`` complaints; returns the logins to print."""
    logins = []
    for email, role, agency, name in DEMO_USERS:
        upsert_user(email, DEMO_PASSWORD, role, agency, name)
        logins.append((email, DEMO_PASSWORD, role))
    from hotline.services.notifications import default_agency_email

    for unit in db.session.scalars(select(Agency).where(Agency.email.is_(None))):
        unit.email = default_agency_email(unit.code)  # demo mailboxes for the notifications
    db.session.commit()
    if db.session.scalar(select(func.count(Complaint.id))):
        log.info("demo.skip complaints already present")
        return logins
    texts = load_texts()
    if not texts:
        log.warning("demo.no_texts corpus missing; no demo complaints created")
        return logins
    History(random.Random(seed), texts).build(size)
    db.session.commit()
    return logins


class History:
    """Builds complaints with plausible life stories over the last year."""

    def __init__(self, rng: random.Random, texts: list[Text]):
        self.rng = rng
        self.texts = texts
        self.wards = list(db.session.scalars(select(Ward.code)))
        self.agencies = {a.code: a for a in db.session.scalars(select(Agency))}
        self.staff = {u.role: u for u in db.session.scalars(select(User))}
        # A few agencies are slow on purpose, so indicators and plans have something to find.
        self.slow = {"SNNMT": 0.45, "STC": 0.35}
        for code in self.rng.sample([c for c in self.agencies if c.startswith("UBND-")], 6):
            self.slow[code] = 0.5
        self.now = utcnow()
        self.created: list[Complaint] = []
        self.text_of: dict[Complaint, Text] = {}

    def build(self, size: int) -> None:
        # Queries in the loop would otherwise flush the whole growing batch each time.
        with db.session.no_autoflush:
            for i in range(size):
                if self.rng.random() < 0.3:
                    age_days = self.rng.uniform(0, 30)
                else:
                    age_days = self.rng.triangular(0, 365, 60)
                received = self.now - timedelta(days=age_days, minutes=self.rng.randint(0, 600))
                self._complaint(received, i)
                if i % 500 == 499:
                    db.session.flush()
            self._duplicates_and_splits()
            db.session.flush()

    def _duplicates_and_splits(self) -> None:
        """Merge some repeated reports into a main item, and split a few mixed submissions."""
        pending = self.created
        open_items = [c for c in pending if c.state in ("assigned", "accepted") and c.ward_code]
        for main in self.rng.sample(open_items, min(25, len(open_items))):
            for _ in range(self.rng.randint(1, 4)):
                dup = Complaint(
                    tracking_code=new_tracking_code(),
                    channel="phone",
                    content=main.content,
                    received_at=main.received_at + timedelta(hours=self.rng.uniform(2, 200)),
                    ward_code=main.ward_code,
                    field=main.field,
                    kind=main.kind,
                    agency=main.agency,
                    state="received",
                    parent=main,
                    citizen_name=f"{self.rng.choice(SURNAMES)} {self.rng.choice(GIVEN)}",
                    citizen_phone=f"+849{self.rng.randint(10_000_000, 99_999_999)}",
                )
                db.session.add(dup)
                self.t = dup.received_at
                self._event(dup, "received", None, "received", public=True, actor_kind="citizen")
                self._step(dup, "merged", hours=(1, 12), note=f"Gộp vào {main.tracking_code}.")
        # A mixed submission (two matters in one call) is split by the supervisor through the
        # same service the pages use, so each part gets its own kind, agency and clock.
        from hotline.services.supervision import SplitPart, split

        mixed = [c for c in pending if c.state == "needs_review" and c in self.text_of]
        for parent in self.rng.sample(mixed, min(8, len(mixed))):
            first = self.text_of[parent]
            second = self.rng.choice([t for t in self.texts if t.field != first.field])
            parent.content = f"{first.text}\n\nNgoài ra: {second.text}"
            split(
                parent,
                self.staff["supervisor"],
                [
                    SplitPart(first.text, first.field, first.kind),
                    SplitPart(second.text, second.field, second.kind),
                ],
            )

    # -- one complaint -------------------------------------------------------------------
    def _complaint(self, received: datetime, i: int) -> None:
        rng = self.rng
        text = rng.choice(self.texts)
        channel = rng.choices(list(CHANNEL_WEIGHTS), weights=list(CHANNEL_WEIGHTS.values()))[0]
        anonymous = rng.random() < 0.06
        ward = rng.choice(self.wards) if rng.random() < 0.65 else None
        c = Complaint(
            tracking_code=new_tracking_code(),
            received_at=received,
            channel=channel,
            content=text.text,
            ward_code=ward,
            location_source="given" if ward else None,
            anonymous=anonymous,
            confidential=text.kind == "to_cao",
            escalated_to_central=rng.random() < 0.03,
            state="received",
            created_by_id=self.staff["operator"].id if channel == "phone" else None,
        )
        if not anonymous:
            c.citizen_name = f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}"
            c.citizen_phone = f"+849{rng.randint(10_000_000, 99_999_999)}"
        db.session.add(c)
        self.created.append(c)
        self.text_of[c] = text
        self.t = received
        self._event(c, "received", None, "received", public=True, actor_kind="citizen")
        age = (self.now - received).days
        if age < 1 and rng.random() < 0.5:
            return  # still waiting for triage
        by_model = rng.random() < 0.7
        if not by_model:
            self._step(c, "needs_review", hours=(0.01, 0.05))
            if age < 3 and rng.random() < 0.5:
                return
        c.field, c.kind = text.field, text.kind
        db.session.add(
            TriageResult(
                complaint=c,
                source="model" if by_model else "manual",
                field=c.field,
                kind=c.kind,
                field_proba=round(
                    rng.uniform(0.75, 0.99) if by_model else rng.uniform(0.3, 0.7), 3
                ),
                kind_proba=round(rng.uniform(0.6, 0.95), 3),
                model_version="demo",
                actor_id=None if by_model else self.staff["supervisor"].id,
                created_at=self.t,
            )
        )
        route = choose_route(c.field, c.kind, ward, c.content)
        if route is None:
            if by_model:
                self._step(c, "needs_review", hours=(0.01, 0.05))
            if age > 5 and rng.random() < 0.4:
                self._step(
                    c, "rejected", hours=(2, 30), note="Nội dung không thuộc phạm vi tiếp nhận."
                )
            return
        self._step(c, "triaged", hours=(0.01, 0.2) if by_model else (1, 20))
        self._assign(c, route.agency, route.explanation)
        self._handle(c, age)

    def _assign(self, c: Complaint, agency: Agency, explanation: str) -> None:
        c.agency = agency
        c.routing_explanation = explanation
        c.deadline_at = compute_deadline(c.kind, c.received_at)
        self._step(
            c,
            "assigned",
            hours=(0.05, 3),
            note=f"Chuyển đến {agency.name}.",
            data={"agency": agency.code, "explanation": explanation},
        )

    def _handle(self, c: Complaint, age: int) -> None:
        rng = self.rng
        slowness = self.slow.get(c.agency.code, 0.15)
        if rng.random() < 0.06:  # misrouted, sent back and routed again
            self._step(
                c,
                "returned",
                hours=(4, 60),
                note="Không thuộc thẩm quyền của đơn vị.",
                actor_kind="staff",
                data={"wrong_agency": c.agency.code},
            )
            self._step(c, "triaged", hours=(1, 24))
            other = rng.choice([a for a in self.agencies.values() if a.level == "province"])
            self._assign(c, other, f"{other.name} — giám sát viên chọn lại sau khi bị trả lại")
            slowness = self.slow.get(c.agency.code, 0.15)
        if age < 2 and rng.random() < 0.6:
            return
        self._step(c, "accepted", hours=(2, 48 * (1 + 4 * slowness)), actor_kind="staff")
        if rng.random() < 0.05:
            self._step(
                c,
                "paused",
                hours=(24, 96),
                actor_kind="staff",
                note="Tạm đình chỉ chờ kết quả giám định.",
            )
            if age < 20 and rng.random() < 0.5:
                return
            self._step(c, "accepted", hours=(48, 240), actor_kind="staff", action="resumed")
        elif rng.random() < 0.08:
            self._step(
                c,
                "extended",
                hours=(24, 120),
                actor_kind="staff",
                note="Gia hạn do vụ việc phức tạp, cần xác minh thực địa.",
            )
            c.deadline_at = c.deadline_at + timedelta(days=10) if c.deadline_at else None
        # How long the answer takes: slow agencies often blow the deadline.
        budget = (c.deadline_at - self.t).total_seconds() / 3600 if c.deadline_at else 120
        late = rng.random() < slowness
        hours = budget * rng.uniform(1.1, 3.5) if late else budget * rng.uniform(0.2, 0.95)
        if self.t + timedelta(hours=hours) > self.now:
            return  # still being handled (and maybe overdue already)
        answer = "Đơn vị đã kiểm tra thực tế, xử lý theo quy định và trả lời công dân."
        self._step(c, "answered", hours=(hours, hours), actor_kind="staff", note=answer)
        c.public_answer = answer
        c.answered_at = self.t
        if rng.random() < 0.08 and self.t + timedelta(days=3) < self.now:
            c.rating = rng.choice([1, 2])
            self._step(
                c,
                "reopened",
                hours=(12, 120),
                actor_kind="citizen",
                note="Công dân chưa đồng ý với nội dung trả lời.",
            )
            if self.t + timedelta(days=6) > self.now:
                return
            self._step(c, "accepted", hours=(4, 48), actor_kind="staff")
            self._step(c, "answered", hours=(24, 200), actor_kind="staff", note=answer)
            c.answered_at = self.t
        if self.t + timedelta(days=7) < self.now or rng.random() < 0.4:
            c.rating = (
                rng.choices([1, 2, 3, 4, 5], weights=[1, 1, 2, 4, 4])[0]
                if rng.random() < 0.6
                else c.rating
            )
            self._step(c, "closed", hours=(24, 168), actor_kind="citizen" if c.rating else "system")
            c.closed_at = self.t

    # -- helpers -------------------------------------------------------------------------
    def _step(self, c, to, *, hours, note=None, actor_kind="system", action=None, data=None):
        self.t = min(self.t + timedelta(hours=self.rng.uniform(*hours)), self.now)
        public = to in {
            "assigned",
            "accepted",
            "extended",
            "paused",
            "answered",
            "closed",
            "reopened",
            "rejected",
        }
        self._event(
            c, action or to, c.state, to, public=public, note=note, actor_kind=actor_kind, data=data
        )
        c.state = to

    def _event(
        self, c, action, from_state, to_state, *, public, note=None, actor_kind="system", data=None
    ):
        actor = None
        if actor_kind == "staff":
            actor = (
                self.staff.get("agency_staff") if c.agency and c.agency.code == "SNNMT" else None
            )
            actor = actor or self.staff.get("supervisor")
        db.session.add(
            ComplaintEvent(
                complaint=c,
                at=self.t,
                action=action,
                from_state=from_state,
                to_state=to_state,
                public=public,
                note=note,
                actor_id=actor.id if actor else None,
                actor_kind=actor_kind,
                data=data,
            )
        )
