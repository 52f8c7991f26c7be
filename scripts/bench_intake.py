#!/usr/bin/env python
"""Intake benchmark: gunicorn on loopback, concurrent clients, three endpoints compared.

    .venv/bin/python scripts/bench_intake.py [--seconds N] [--concurrency C] [--workers W]

Builds a throw-away SQLite database (or uses DATABASE_URL / REDIS_URL when they are set),
migrates and seeds it, starts ``gunicorn -w W wsgi:app`` on a free 127.0.0.1 port with rate
limits off, then drives, for N seconds each with C client threads:

- baseline: GET /healthz (the cost of the stack itself),
- intake:   POST /api/v1/complaints,
- status:   GET /api/v1/complaints/<code>?phone_last4=... over the codes intake returned.

It prints requests/s and p50/p95/p99 latency for each, and intake/baseline, status/baseline.
Without REDIS_URL, intake runs the triage job in the request (in-process mode), so the intake
figure includes triage; with REDIS_URL it only enqueues. Do not point REDIS_URL at a Redis
whose workers serve another database: they would run these jobs against the wrong rows.
"""

# ruff: noqa: S603, S607  (a benchmark driver: it starts our own gunicorn and redis-server)
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"  # loopback only
PHONE, PHONE_LAST4 = "0912 345 678", "5678"
TEXTS = [
    "Đoạn đường ĐT768 qua ấp 3 có nhiều ổ gà lớn, xe máy đi qua rất nguy hiểm.",
    "Khu dân cư bị ngập sâu mỗi khi mưa lớn, cống thoát nước bị tắc nhiều tháng nay.",
    "Bãi rác tự phát ven kênh bốc mùi hôi thối, ảnh hưởng sức khỏe người dân xung quanh.",
    "Đèn đường trên tuyến đường chính bị hỏng cả tháng nay, ban đêm rất tối và mất an toàn.",
    "Cơ sở sản xuất gây tiếng ồn lớn vào ban đêm, người dân không thể nghỉ ngơi.",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


# Prints "ok", "reset" (rebuilt with create_all) or "missing <table.column>...".
SCHEMA_CHECK = """
import sys
from sqlalchemy import inspect
from hotline import create_app
from hotline.extensions import db
app = create_app()
with app.app_context():
    insp = inspect(db.engine)
    tables = set(insp.get_table_names())
    missing = [f"{t.name}.{c.name}" for t in db.metadata.sorted_tables for c in t.columns
               if t.name not in tables
               or c.name not in {x["name"] for x in insp.get_columns(t.name)}]
    if missing and sys.argv[1] == "reset":
        db.drop_all()
        db.session.execute(db.text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        db.create_all()
        print("reset")
    elif missing:
        print("missing " + " ".join(missing[:5]))
    else:
        print("ok")
"""


def prepare_database(env: dict[str, str], throwaway: bool) -> str:
    """`flask db upgrade` + `flask seed`. When the migrations are behind the models (they are
    regenerated now and then), a throw-away database is rebuilt with create_all instead."""
    flask = [str(BIN / "flask"), "--app", "wsgi"]
    upgrade = subprocess.run(
        [*flask, "db", "upgrade"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    if upgrade.returncode != 0:
        tail = (upgrade.stderr or upgrade.stdout).strip().splitlines()[-1:]
        print(f"  flask db upgrade failed: {' '.join(tail)}", flush=True)
    check = subprocess.run(
        [sys.executable, "-c", SCHEMA_CHECK, "reset" if throwaway else "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    verdict = check.stdout.strip().splitlines()[-1] if check.stdout.strip() else ""
    if check.returncode != 0 or verdict.startswith("missing") or not verdict:
        raise SystemExit(f"database not usable ({verdict or check.stderr[-1500:]}): migrate it")
    subprocess.run(
        [*flask, "seed"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    if verdict == "reset":
        return "create_all (the migrations are behind the models)"
    return "flask db upgrade"


def start_private_redis(tmp: Path) -> tuple[subprocess.Popen, str]:
    """A redis-server nobody else uses (no persistence): jobs pile up there, no worker runs."""
    if shutil.which("redis-server") is None:
        raise SystemExit("--private-redis needs redis-server on PATH")
    port = free_port()
    proc = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            HOST,
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
            "--dir",
            str(tmp),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            return proc, f"redis://{HOST}:{port}/0"
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the private redis-server did not start")


class Server:
    """gunicorn in its own process group; always stopped by stop()."""

    def __init__(self, env: dict[str, str], workers: int, logfile: Path):
        self.port = free_port()
        self.logfile = logfile
        with logfile.open("wb") as log:
            self.proc = subprocess.Popen(
                [
                    str(BIN / "gunicorn"),
                    "-w",
                    str(workers),
                    "-b",
                    f"{HOST}:{self.port}",
                    "--log-level",
                    "warning",
                    "wsgi:app",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited:\n{self.logfile.read_text()[-2000:]}")
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise SystemExit("gunicorn did not answer /healthz in time")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)


@dataclass
class Result:
    name: str
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        if len(self.latencies) < 2:
            return self.latencies[0] * 1000
        cuts = statistics.quantiles(self.latencies, n=100, method="inclusive")
        return cuts[int(q) - 1] * 1000


# A request maker gets the connection and returns (status, parsed body or None).
Request = Callable[[http.client.HTTPConnection], tuple[int, bytes]]


def run_phase(name: str, port: int, make: Request, seconds: float, concurrency: int) -> Result:
    result = Result(name)
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client() -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        local, errors, statuses = [], 0, {}
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                status, _ = make(conn)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=30)
                errors += 1
                continue
            elapsed = time.perf_counter() - started
            statuses[status] = statuses.get(status, 0) + 1
            if status >= 400:
                errors += 1
            else:
                local.append(elapsed)
        conn.close()
        with lock:
            result.latencies.extend(local)
            result.errors += errors
            for status, n in statuses.items():
                result.statuses[status] = result.statuses.get(status, 0) + n

    threads = [threading.Thread(target=client, daemon=True) for _ in range(concurrency)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 60)
    result.seconds = time.monotonic() - began
    return result


def _send(conn, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
    headers = {"Content-Type": "application/json"} if body is not None else {}
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def healthz(conn) -> tuple[int, bytes]:
    return _send(conn, "GET", "/healthz")


def make_intake(codes: list[str], lock: threading.Lock) -> Request:
    def intake(conn) -> tuple[int, bytes]:
        payload = {
            "content": f"{random.choice(TEXTS)} Mã tham chiếu {secrets.token_hex(4)}.",  # noqa: S311
            "channel": "web",
            "citizen": {"name": "Nguyễn Văn An", "phone": PHONE},
        }
        status, body = _send(
            conn, "POST", "/api/v1/complaints", json.dumps(payload, ensure_ascii=False).encode()
        )
        if status == 201:
            with lock:
                codes.append(json.loads(body)["tracking_code"])
        return status, body

    return intake


def make_status(codes: list[str]) -> Request:
    def status(conn) -> tuple[int, bytes]:
        code = random.choice(codes)  # noqa: S311
        return _send(conn, "GET", f"/api/v1/complaints/{code}?phone_last4={PHONE_LAST4}")

    return status


def report(results: list[Result], baseline: Result) -> None:
    print(
        f"\n{'endpoint':10} {'requests':>9} {'errors':>7} {'req/s':>9} "
        f"{'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
    )
    for r in results:
        print(
            f"{r.name:10} {len(r.latencies):9d} {r.errors:7d} {r.rps:9.1f} "
            f"{r.pct(50):8.1f} {r.pct(95):8.1f} {r.pct(99):8.1f}"
        )
        bad = {s: n for s, n in r.statuses.items() if s >= 400}
        if bad:
            print(f"{'':10} error statuses: {bad}")
    for r in results:
        if r is baseline or not baseline.rps:
            continue
        print(
            f"{r.name}/baseline: throughput {r.rps / baseline.rps:.2f}x, "
            f"p50 latency {r.pct(50) / baseline.pct(50):.1f}x"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each phase")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument(
        "--reset-schema",
        action="store_true",
        help="DATABASE_URL is a scratch database: rebuild it when migrations lag",
    )
    parser.add_argument(
        "--private-redis",
        action="store_true",
        help="start a throw-away redis-server and measure the enqueue path",
    )
    args = parser.parse_args()
    if not 1 <= args.concurrency <= 256 or not 0 < args.seconds <= 600:
        parser.error("--concurrency must be 1..256 and --seconds 0..600")

    tmp = Path(tempfile.mkdtemp(prefix="hotline-bench-"))
    env = dict(os.environ)
    throwaway = not env.get("DATABASE_URL") or args.reset_schema
    redis_proc = None
    if args.private_redis:
        redis_proc, env["REDIS_URL"] = start_private_redis(tmp)
    env.setdefault("DATABASE_URL", f"sqlite:///{tmp / 'bench.db'}")
    env.update(
        HOTLINE_RATELIMIT_ENABLED="0",
        HOTLINE_SECRET_KEY=secrets.token_hex(32),
        HOTLINE_UPLOAD_DIR=str(tmp / "uploads"),
        HOTLINE_ENV="development",
    )
    db_kind = env["DATABASE_URL"].split(":", 1)[0]
    mode = "enqueue to Redis" if env.get("REDIS_URL") else "triage in-process (no REDIS_URL)"
    if args.private_redis:
        mode += " (private redis-server, no worker)"
    print(
        f"database: {db_kind} | jobs: {mode} | gunicorn workers: {args.workers} | "
        f"clients: {args.concurrency} | {args.seconds:g} s per phase | cpus: {os.cpu_count()}"
    )
    server = None
    try:
        print(f"  schema: {prepare_database(env, throwaway)}", flush=True)
        server = Server(env, args.workers, tmp / "gunicorn.log")
        server.wait_ready()
        codes: list[str] = []
        intake_request = make_intake(codes, threading.Lock())
        # Warm every gunicorn worker up: in-process mode loads the model on first triage.
        run_phase("warmup", server.port, healthz, 1.0, args.concurrency)
        warm = max(args.concurrency, 2 * args.workers)
        run_phase("warmup", server.port, intake_request, 1.0, warm)

        baseline = run_phase("baseline", server.port, healthz, args.seconds, args.concurrency)
        intake = run_phase("intake", server.port, intake_request, args.seconds, args.concurrency)
        if not codes:
            print(f"no complaint was accepted; server log:\n{server.logfile.read_text()[-2000:]}")
            return 1
        status = run_phase(
            "status", server.port, make_status(codes), args.seconds, args.concurrency
        )
        report([baseline, intake, status], baseline)
        return 0 if not (baseline.errors or intake.errors or status.errors) else 1
    finally:
        if server is not None:
            server.stop()
        if redis_proc is not None:
            redis_proc.kill()
            redis_proc.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
