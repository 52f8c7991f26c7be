"""Jinja filters and globals shared by every page."""

from __future__ import annotations

from datetime import datetime

from flask import Flask

from hotline.complaints.workflow import STATE_LABELS
from hotline.directory.deadlines import LOCAL_TZ
from hotline.labels import CHANNEL_LABELS, EVENT_LABELS, FIELD_LABELS, KIND_LABELS, LEVEL_LABELS


def local_time(value: datetime | None, fmt: str = "%d/%m/%Y %H:%M") -> str:
    if value is None:
        return "—"
    return value.astimezone(LOCAL_TZ).strftime(fmt)


def event_label(event) -> str:
    """How a timeline entry reads to staff: its action's label, else the state it reached."""
    if event.action in EVENT_LABELS:
        return EVENT_LABELS[event.action]
    return STATE_LABELS.get(event.to_state or "", event.action)


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["local_date"] = lambda v: local_time(v, "%d/%m/%Y")
    app.jinja_env.globals.update(
        FIELD_LABELS=FIELD_LABELS,
        KIND_LABELS=KIND_LABELS,
        CHANNEL_LABELS=CHANNEL_LABELS,
        STATE_LABELS=STATE_LABELS,
        LEVEL_LABELS=LEVEL_LABELS,
        event_label=event_label,
    )
