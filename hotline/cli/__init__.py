"""Flask commands: seed, users, worker, sweep, export-corrections."""

from __future__ import annotations

import logging

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from hotline.directory.models import ROLES, User
from hotline.extensions import db

log = logging.getLogger(__name__)

users_cli = AppGroup("users", help="Quản lý tài khoản cán bộ.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option(
    "--agency", "agency_code", default=None, help="Mã cơ quan (bắt buộc với agency_staff)."
)
@click.option("--name", "full_name", default="")
def create_user(email: str, password: str, role: str, agency_code: str | None, full_name: str):
    """Create a staff account (or update its password and role)."""
    from hotline.directory.accounts import upsert_user

    try:
        user = upsert_user(email, password, role, agency_code, full_name)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"user {user.email} role={user.role}")


@users_cli.command("token")
@click.option("--email", required=True)
def user_token(email: str):
    """Issue a new API token for a user and print it (the old one stops working)."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"no user with e-mail {email}")
    token = user.new_api_token()
    db.session.commit()
    click.echo(token)


@click.command("seed")
@click.option("--demo", is_flag=True, help="Also load demo users and a year of complaints.")
@click.option("--demo-size", default=3000, show_default=True)
def seed_command(demo: bool, demo_size: int):
    """Load agencies, wards, routing rules and SLA policy (and demo data)."""
    from hotline.fixtures.seed import seed_all

    counts = seed_all()
    click.echo("seed: " + ", ".join(f"{k}={v}" for k, v in counts.items()))
    if demo:
        from hotline.fixtures.demo import load_demo

        logins = load_demo(size=demo_size)
        if logins:
            click.echo("Tài khoản demo (email / mật khẩu / vai trò):")
            for email, password, role in logins:
                click.echo(f"  {email:32} {password:16} {role}")


@click.command("worker")
@click.argument("queues", required=False, default="triage,default")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
def worker_command(queues: str, burst: bool):
    """Run an RQ worker (with scheduler for retries) in this app's context."""
    from rq import Worker

    from hotline.jobs import get_redis, warm_up

    conn = get_redis()
    if conn is None:
        raise click.ClickException("REDIS_URL is not set: jobs run in-process, no worker needed.")
    # Load the model (and what else every job needs) before forking so every work horse
    # shares it copy-on-write, and drop the pool so no horse inherits a parent's connection.
    warm_up()
    db.engine.dispose()
    worker = Worker(queues.split(","), connection=conn)
    worker.work(with_scheduler=True, burst=burst)


@click.command("sweep")
@click.option("--stale-seconds", type=int, default=None)
def sweep_command(stale_seconds: int | None):
    """Re-send owed jobs that never ran or were lost (Redis down, flushed, worker killed)."""
    from hotline.jobs import sweep_outbox

    count = sweep_outbox(stale_seconds)
    click.echo(f"re-dispatched {count}")


@click.command("export-corrections")
@click.option("--out", default="ml/data/corrections.jsonl", show_default=True)
def export_corrections_command(out: str):
    """Write manual triage corrections as labelled examples for `python -m ml.train --include-corrections`."""
    from hotline.complaints.corrections import export_corrections

    count = export_corrections(out)
    click.echo(f"wrote {count} examples to {out}")


def register_cli(app: Flask) -> None:
    app.cli.add_command(users_cli)
    for command in (seed_command, worker_command, sweep_command, export_corrections_command):
        app.cli.add_command(command)
    from hotline.jobs.maintenance import periodic_command

    app.cli.add_command(periodic_command)
    from hotline.cli.inspection import inspection_cli

    app.cli.add_command(inspection_cli)
