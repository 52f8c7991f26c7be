"""Helpers for the handling tests (issue 4): items in a given state, CSRF tokens, sample files."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime, timedelta

from sqlalchemy import select

from hotline.clock import utcnow
from hotline.codes import new_tracking_code
from hotline.complaints.models import Complaint
from hotline.directory.models import Agency
from hotline.extensions import db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def office_file(kind: str) -> bytes:
    """A minimal docx ("word") or xlsx ("xl") zip with the parts the type check looks for."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr(f"{kind}/document.xml", "<x/>")
    return buf.getvalue()


def agency(code: str) -> Agency:
    return db.session.scalar(select(Agency).where(Agency.code == code))


def make_item(
    state: str = "assigned",
    agency_code: str | None = "SXD",
    *,
    kind: str = "phan_anh",
    field: str = "traffic",
    deadline: datetime | None = None,
    received_at: datetime | None = None,
    **extra,
) -> Complaint:
    """A complaint already in ``state`` (history is not replayed), committed."""
    now = utcnow()
    c = Complaint(
        tracking_code=new_tracking_code(),
        channel="web",
        state=state,
        kind=kind,
        field=field,
        content=extra.pop("content", "Đường ĐT768 qua ấp 3 có nhiều ổ gà lớn, rất nguy hiểm."),
        received_at=received_at or now - timedelta(days=1),
        agency=agency(agency_code) if agency_code else None,
        deadline_at=deadline if deadline is not None else now + timedelta(days=10),
        citizen_name="Nguyễn Văn An",
        citizen_phone="+84912345678",
        **extra,
    )
    if state == "paused":
        c.paused_at = now - timedelta(days=1)
    if state in ("answered", "closed"):
        c.public_answer = c.public_answer or "Đơn vị đã kiểm tra và xử lý theo quy định."
        c.answered_at = c.answered_at or now - timedelta(days=1)
    db.session.add(c)
    db.session.commit()
    return c


def isolate_requests(app) -> None:
    """Start every request without the previous one's `g` state, as in production.

    The app fixture keeps one app context for the whole test, so `g` outlives requests:
    Flask-Login would keep the last user (g._login_user) and Flask-WTF the last CSRF token
    across different test clients.
    """
    from flask import g

    @app.before_request
    def _fresh_g():
        g.pop("_login_user", None)
        g.pop("csrf_token", None)


CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"')


def csrf_token(client, url: str = "/") -> str:
    """The session's CSRF token, read from a page's <meta name="csrf-token">.

    The app fixture keeps one app context for the whole test, so `g` outlives requests and
    Flask-WTF would hand one client's cached token to another: drop it first.
    """
    from flask import g

    g.pop("csrf_token", None)
    html = client.get(url).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, "no csrf-token meta on " + url
    return match.group(1)
