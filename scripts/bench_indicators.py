"""Benchmark: all inspection indicators for one quarter over N synthetic complaints.

Builds a fresh SQLite file and a fresh PostgreSQL database (created and dropped here), loads
N complaints over two years (bulk: executemany on SQLite, COPY on PostgreSQL) with their
received / assigned / returned / reopened events and merged duplicates, then times the
indicator queries for 2026-Q2 and prints the seconds.

    .venv/bin/python scripts/bench_indicators.py                 # 1,000,000 rows, both backends
    .venv/bin/python scripts/bench_indicators.py --rows 100000 --skip-sqlite
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FIELDS = [
    "land",
    "compensation",
    "investment",
    "construction",
    "environment",
    "traffic",
    "urban_services",
    "social",
    "health",
    "education",
    "public_order",
    "admin_procedure",
    "other",
]
KINDS = ["phan_anh", "kien_nghi", "khieu_nai", "to_cao", "hoi_dap"]
START = datetime(2025, 1, 1, tzinfo=UTC)
SPAN_DAYS = 730
NOW = datetime(2027, 1, 10, tzinfo=UTC)
COMPLAINT_COLS = [
    "id",
    "tracking_code",
    "received_at",
    "channel",
    "content",
    "kind",
    "field",
    "agency_id",
    "state",
    "deadline_at",
    "answered_at",
    "closed_at",
    "rating",
    "parent_id",
    "anonymous",
    "confidential",
    "escalated_to_central",
]
EVENT_COLS = [
    "complaint_id",
    "at",
    "actor_kind",
    "action",
    "from_state",
    "to_state",
    "public",
    "data",
]


def generate(n: int, agencies: list[tuple[int, str]], seed: int = 1022):
    """Yield (complaint_row, [event_rows]) tuples; ids are 1..n."""
    rng = random.Random(seed)
    slow = {aid: rng.random() < 0.2 for aid, _ in agencies}
    code_of = dict(agencies)
    ids = [aid for aid, _ in agencies]
    # Complaints arrive in time order, so ids (and the table's physical order) follow received_at.
    offsets = sorted(rng.randrange(SPAN_DAYS * 86400) for _ in range(n))
    for i in range(1, n + 1):
        received = START + timedelta(seconds=offsets[i - 1])
        agency = rng.choice(ids)
        field = rng.choice(FIELDS)
        kind = rng.choice(KINDS)
        deadline = received + timedelta(days=rng.choice((3, 5, 7, 10, 30)))
        late_p = 0.45 if slow[agency] else 0.12
        events = [(i, received, "citizen", "received", None, "received", True, None)]
        state, answered, closed, rating, parent = "accepted", None, None, None, None
        if i > 100 and rng.random() < 0.02:  # a merged duplicate of an earlier complaint
            state, parent, deadline = "merged", rng.randrange(1, i), None
        else:
            if rng.random() < 0.06:  # returned by another agency first
                other = rng.choice(ids)
                t = received + timedelta(hours=2)
                events.append(
                    (
                        i,
                        t,
                        "system",
                        "assigned",
                        "triaged",
                        "assigned",
                        True,
                        json.dumps({"agency": code_of[other]}),
                    )
                )
                events.append(
                    (
                        i,
                        t + timedelta(hours=20),
                        "staff",
                        "returned",
                        "assigned",
                        "returned",
                        False,
                        json.dumps({"wrong_agency": code_of[other]}),
                    )
                )
            events.append(
                (
                    i,
                    received + timedelta(hours=30),
                    "system",
                    "assigned",
                    "triaged",
                    "assigned",
                    True,
                    json.dumps({"agency": code_of[agency]}),
                )
            )
            took = (deadline - received) * (
                rng.uniform(1.05, 3) if rng.random() < late_p else rng.uniform(0.2, 0.98)
            )
            if received + took < NOW and rng.random() < 0.93:
                answered = received + took
                state = "answered"
                if rng.random() < 0.07:
                    events.append(
                        (
                            i,
                            answered + timedelta(days=2),
                            "citizen",
                            "reopened",
                            "answered",
                            "reopened",
                            True,
                            None,
                        )
                    )
                if rng.random() < 0.7:
                    state, closed = "closed", answered + timedelta(days=7)
                    rating = rng.choice((1, 2, 3, 4, 4, 5, 5)) if rng.random() < 0.6 else None
            elif rng.random() < 0.05:
                state = "paused"
        row = (
            i,
            f"B{i:011d}",
            received,
            "phone",
            "Nội dung phản ánh tổng hợp.",
            kind,
            field,
            agency,
            state,
            deadline,
            answered,
            closed,
            rating,
            parent,
            False,
            kind == "to_cao",
            rng.random() < 0.03,
        )
        yield row, events


def _sqlite_value(v):
    if isinstance(v, datetime):
        return v.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(v, bool):
        return int(v)
    return v


def load_sqlite(conn, n: int, agencies) -> None:
    cur = conn.cursor()
    cur.execute("PRAGMA synchronous=OFF")
    c_sql = f"INSERT INTO complaint ({', '.join(COMPLAINT_COLS)}) VALUES ({', '.join('?' * len(COMPLAINT_COLS))})"
    e_sql = f"INSERT INTO complaint_event ({', '.join(EVENT_COLS)}) VALUES ({', '.join('?' * len(EVENT_COLS))})"
    rows, events = [], []
    for row, evs in generate(n, agencies):
        rows.append([_sqlite_value(v) for v in row])
        events.extend([_sqlite_value(v) for v in e] for e in evs)
        if len(rows) >= 50_000:
            cur.executemany(c_sql, rows)
            cur.executemany(e_sql, events)
            rows, events = [], []
    cur.executemany(c_sql, rows)
    cur.executemany(e_sql, events)
    conn.commit()


def load_postgres(conn, n: int, agencies) -> None:
    with conn.cursor() as cur:
        # The generated rows are consistent by construction; skip the per-row FK triggers
        # (bench only: needs a superuser, as the bench database's owner is).
        cur.execute("SET session_replication_role = replica")
        with cur.copy(f"COPY complaint ({', '.join(COMPLAINT_COLS)}) FROM STDIN") as copy_c:
            pending = []
            for row, evs in generate(n, agencies):
                copy_c.write_row(row)
                pending.extend(evs)
        with cur.copy(f"COPY complaint_event ({', '.join(EVENT_COLS)}) FROM STDIN") as copy_e:
            for e in pending:
                copy_e.write_row(e)
        cur.execute("SELECT setval('complaint_id_seq', (SELECT max(id) FROM complaint))")
        cur.execute("SET session_replication_role = DEFAULT")
    conn.commit()


def run(url: str, n: int, label: str) -> dict:
    from hotline import create_app
    from hotline.config import Settings
    from hotline.extensions import db
    from hotline.fixtures.seed import seed_all

    app = create_app(Settings(database_url=url, env="bench", ratelimit_enabled=False))
    with app.app_context():
        db.drop_all()
        db.create_all()
        seed_all()
        db.session.commit()
        agencies = [
            (a.id, a.code) for a in db.session.execute(db.text("SELECT id, code FROM agency"))
        ]
        db.session.commit()  # release the read lock before the bulk load (SQLite)
        t0 = time.perf_counter()
        # Bulk-load practice: drop the secondary indexes, load, then build them once.
        indexes = [
            ix
            for name in ("complaint", "complaint_event")
            for ix in db.metadata.tables[name].indexes
        ]
        for ix in indexes:
            ix.drop(db.engine)
        raw = db.engine.raw_connection()
        try:
            (load_sqlite if url.startswith("sqlite") else load_postgres)(
                raw.driver_connection, n, agencies
            )
        finally:
            raw.close()
        for ix in indexes:
            ix.create(db.engine)
        # What autovacuum would have done on a live PostgreSQL database.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE" if url.startswith("sqlite") else "VACUUM ANALYZE")
        load_s = time.perf_counter() - t0
        counts = db.session.execute(
            db.text(
                "SELECT (SELECT count(*) FROM complaint), (SELECT count(*) FROM complaint_event)"
            )
        ).one()
        timings = time_indicators()
        db.session.remove()
        db.engine.dispose()
    result = {
        "backend": label,
        "complaints": counts[0],
        "events": counts[1],
        "load_seconds": round(load_s, 1),
        **timings,
    }
    print(json.dumps(result, ensure_ascii=False))
    return result


def time_indicators(period_code: str = "2026-Q2") -> dict:
    """Every indicator the dashboard and the plan need for one quarter (best of 3 runs)."""
    from hotline.inspection.indicators import (
        indicators_agency_field,
        indicators_by_agency,
        indicators_by_field,
        monthly_volume,
        parse_period,
    )

    period = parse_period(period_code)
    parts = {
        "by_agency": lambda: indicators_by_agency(period, as_of=NOW),
        "by_field": lambda: indicators_by_field(period, as_of=NOW),
        "agency_x_field": lambda: indicators_agency_field(period, as_of=NOW),
        "monthly_volume": lambda: monthly_volume(period),
    }
    best: dict[str, float] = {}
    totals = []
    for _ in range(3):
        start = time.perf_counter()
        for name, fn in parts.items():
            t = time.perf_counter()
            result = fn()
            best[name] = min(best.get(name, 1e9), time.perf_counter() - t)
            if name == "by_agency":
                received = sum(r.received for r in result)
        totals.append(time.perf_counter() - start)
    return {
        "period": period_code,
        "period_received": received,
        "all_indicators_seconds": round(min(totals), 3),
        "first_run_seconds": round(totals[0], 3),
        **{f"{k}_seconds": round(v, 3) for k, v in best.items()},
    }


def _pg_admin(base: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(base.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(sql)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sqlite", default="/tmp/hotline_bench_indicators.db")
    parser.add_argument(
        "--pg", default="postgresql://postgres@127.0.0.1:5432/hotline_bench_indicators"
    )
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-pg", action="store_true")
    parser.add_argument("--keep", action="store_true", help="Keep the databases afterwards.")
    args = parser.parse_args()
    import logging

    logging.basicConfig(level=logging.WARNING)
    if not args.skip_pg:
        name = args.pg.rsplit("/", 1)[1]
        _pg_admin(args.pg, f'DROP DATABASE IF EXISTS "{name}"')
        _pg_admin(args.pg, f'CREATE DATABASE "{name}"')
        try:
            run(
                args.pg.replace("postgresql://", "postgresql+psycopg://", 1),
                args.rows,
                "postgresql",
            )
        finally:
            if not args.keep:
                _pg_admin(args.pg, f'DROP DATABASE IF EXISTS "{name}"')
    if not args.skip_sqlite:
        path = Path(args.sqlite)
        for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            p.unlink(missing_ok=True)
        try:
            run(f"sqlite:///{path}", args.rows, "sqlite")
        finally:
            if not args.keep:
                path.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
