"""`flask --app portal ...` commands (Flask-Migrate adds `db upgrade` and friends)."""

from __future__ import annotations

import time
from datetime import date, datetime
from time import monotonic

import click
from flask import Flask, current_app
from sqlalchemy import select

from portal import clock
from portal.agencies.models import Agency
from portal.alerts.commands import alerts
from portal.backups.commands import backup
from portal.core.months import Month
from portal.db import commit
from portal.demo.bulletin_showcase import publish_past_bulletins
from portal.demo.evaluation_showcase import score_past_months
from portal.demo.operations import DEMO_PASSWORD, DemoRefusedError, demo_accounts, load_demo
from portal.demo.search_showcase import add_demo_terms
from portal.demo.showcase import show_the_real_flow
from portal.demo.supervision_showcase import supervise
from portal.errors import RefusedError
from portal.evaluation.operations import score_month
from portal.evaluation.rules import last_finished_month
from portal.extensions import db
from portal.files.operations import sweep_orphan_files
from portal.mail.commands import mail
from portal.opendata.commands import opendata
from portal.records.operations import expire_due_records
from portal.rectifications.operations import note_newly_overdue
from portal.retention.commands import retention
from portal.search.engine import SearchUnavailableError
from portal.search.operations import search_index
from portal.supervision.operations.ledger import refresh_ledger
from portal.users.models import User
from portal.users.operations import create_user, find_user, reset_totp, set_active, set_role
from portal.users.rules import InvalidUserError, Role


def register_cli(app: Flask) -> None:
    app.cli.add_command(alerts)
    app.cli.add_command(backup)
    app.cli.add_command(demo)
    app.cli.add_command(evaluation)
    app.cli.add_command(files)
    app.cli.add_command(mail)
    app.cli.add_command(opendata)
    app.cli.add_command(records)
    app.cli.add_command(retention)
    app.cli.add_command(search)
    app.cli.add_command(supervision)
    app.cli.add_command(users)


@click.group(help="The full-text search index (PORTAL_SEARCH_ENGINE, PORTAL_SEARCH_INDEX_DIR).")
def search() -> None:
    pass


@search.command("rebuild", help="Build a fresh index from the database beside the live one and swap it in.")
def search_rebuild() -> None:
    index = search_index()
    started = monotonic()
    count = index.rebuild(db.session, clock.today())
    click.echo(f"Indexed {count} documents with {index.engine_name} in {monotonic() - started:.1f} s.")


@search.command("sync", help="Apply the search outbox: every committed change the index has not seen yet.")
def search_sync() -> None:
    try:
        applied = search_index().sync(db.session, clock.today(), wait=60)
    except SearchUnavailableError as exc:
        raise click.ClickException(f"{exc}") from exc
    if applied is None:
        raise click.ClickException("another process held the index lock for a minute; try again")
    click.echo(f"Applied {applied} outbox entr{'y' if applied == 1 else 'ies'}.")


@click.group(help="Disclosed records.")
def records() -> None:
    pass


@records.command(
    "expire",
    help="Mark records whose maximum disclosure period has passed as 公示期满, and tell search about cases that "
    "became 逾期未整改 (run daily).",
)
def records_expire() -> None:
    today = clock.today()
    count = expire_due_records(today)
    overdue = note_newly_overdue(today)
    commit()
    click.echo(f"{count} record(s) reached the end of their disclosure period; {overdue} case(s) became overdue.")


@click.group(help="Stored files (PORTAL_FILES_DIR).")
def files() -> None:
    pass


@files.command(
    "sweep",
    help="Remove stored files no row names and half-written temporaries, older than an hour (a killed worker leaves "
    "them; run daily).",
)
@click.option("--dry-run", is_flag=True, help="List what would be removed; remove nothing.")
def files_sweep(dry_run: bool) -> None:
    files_dir = current_app.config["PORTAL_SETTINGS"].files_dir
    found = sweep_orphan_files(files_dir, time.time(), dry_run=dry_run)
    for path in found:
        click.echo(f"{'would remove' if dry_run else 'removed'} {path.relative_to(files_dir)}")
    click.echo(f"{len(found)} orphan file(s) {'found' if dry_run else 'removed'}.")


@click.group(help="Supervision: the 工作台账 (ledger) of working-day deadlines.")
def supervision() -> None:
    pass


@supervision.command(
    "run", help="Derive the ledger's items from the cases for today (run daily; a second run changes nothing)."
)
@click.option(
    "--today", "on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="Run as of this day (YYYY-MM-DD)."
)
def supervision_run(on: datetime | None) -> None:
    today = on.date() if on is not None else clock.today()
    started = monotonic()
    changes = refresh_ledger(today)
    commit()
    click.echo(
        f"Ledger for {today.isoformat()}: {changes.opened} opened, {changes.changed} changed, {changes.closed} closed "
        f"in {monotonic() - started:.1f} s."
    )


@click.group(help="政务诚信评价: each agency's monthly score and grade (portal/evaluation/methods.toml).")
def evaluation() -> None:
    pass


@evaluation.command(
    "run", help="Score a finished month (default: the last one); a month already scored keeps its scores."
)
@click.option("--month", "month_text", default=None, metavar="YYYY-MM", help="The month to score.")
def evaluation_run(month_text: str | None) -> None:
    today = clock.today()
    try:
        month = Month.parse(month_text) if month_text is not None else last_finished_month(today)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--month") from exc
    started = monotonic()
    try:
        done = score_month(month, today)
    except RefusedError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc.message)) from exc
    commit()
    click.echo(
        f"{month} (method {done.version}): {done.scored} agencies scored, {done.kept} already scored and kept, "
        f"in {monotonic() - started:.1f} s."
    )


@click.group(help="Fictional demo data (演示县).")
def demo() -> None:
    pass


@demo.command("load", help="Load the demo county: 39 agencies, 100 commitments and SIZE records.")
@click.option(
    "--size",
    default=300,
    show_default=True,
    type=click.IntRange(108, 1_000_000),
    help="Number of records (at least 108, so that every kind, tier and status appears).",
)
@click.option("--seed", default=2026, show_default=True, type=int)
@click.option(
    "--anchor",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="The date the data is placed around (default: today).",
)
def demo_load(size: int, seed: int, anchor: object) -> None:
    settings = current_app.config["PORTAL_SETTINGS"]
    anchor_date = anchor.date() if anchor is not None else clock.today()  # type: ignore[attr-defined]
    assert isinstance(anchor_date, date)
    try:
        summary = load_demo(size, seed, anchor_date, settings.files_dir, dict(settings.disclosure_periods))
    except DemoRefusedError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    if summary.already_loaded:
        click.echo("Demo data is already loaded; nothing changed.")
        return
    show_the_real_flow(anchor_date, settings.files_dir)  # the showcase cases, through the workspace's operations
    supervise(anchor_date, settings.files_dir)  # the 工作台账 derived, and some of its items worked
    score_past_months(anchor_date)  # 政务诚信评价: each past month scored by the method of its time
    publish_past_bulletins(anchor_date, settings.files_dir)  # 月度通报: the past months drafted and published
    add_demo_terms(anchor_date)  # 搜索词表: the staff's aliases and synonyms (issue 16)
    commit()
    click.echo(
        f"Loaded demo data: {summary.agencies} agencies, {summary.commitments} commitments, {summary.records} records."
    )


@demo.command("accounts", help="Print the demo accounts' logins (demo only; production refuses them).")
def demo_accounts_command() -> None:
    accounts = demo_accounts()
    if not accounts:
        click.echo("No demo accounts.")
        return
    click.echo(f"Demo accounts (DEMO ONLY), password for each: {DEMO_PASSWORD}")
    for user in accounts:
        where = f" — {user.agency.name}" if user.agency else ""
        state = "" if user.active else " (disabled)"
        click.echo(f"  {user.username:<32} {user.role}{where}{state}")


@click.group(help="Accounts: agency officers, credit-office staff and admins.")
def users() -> None:
    pass


def _agency_by_uscc(uscc: str | None) -> Agency | None:
    if not uscc:
        return None
    agency = db.session.scalar(select(Agency).where(Agency.uscc == uscc.strip().upper()))
    if agency is None:
        raise click.ClickException(f"no agency has the 统一社会信用代码 {uscc!r}")
    return agency


def _user(username: str) -> User:
    user = find_user(username)
    if user is None:
        raise click.ClickException(f"no user is called {username!r}")
    return user


def _done(message: str) -> None:
    commit()
    click.echo(message)


ROLE_OPTION = click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
AGENCY_OPTION = click.option("--agency", "uscc", help="The officer's agency, by its 统一社会信用代码.")


@users.command("create", help="Create an account; the password is asked for (or read from PORTAL_NEW_PASSWORD).")
@click.argument("username")
@ROLE_OPTION
@AGENCY_OPTION
@click.option("--name", "display_name", default="", help="The person's name, shown in the audit log.")
@click.password_option(envvar="PORTAL_NEW_PASSWORD", help="At least 12 characters.")
def users_create(username: str, role: str, uscc: str | None, display_name: str, password: str) -> None:
    try:
        user = create_user(username, password, Role(role), display_name=display_name, agency=_agency_by_uscc(uscc))
    except InvalidUserError as exc:
        raise click.ClickException(str(exc)) from exc
    _done(f"Created {user.username} ({user.role}).")


@users.command("set-role", help="Change an account's role (officers need --agency).")
@click.argument("username")
@ROLE_OPTION
@AGENCY_OPTION
def users_set_role(username: str, role: str, uscc: str | None) -> None:
    user = _user(username)
    try:
        set_role(user, Role(role), _agency_by_uscc(uscc))
    except InvalidUserError as exc:
        raise click.ClickException(str(exc)) from exc
    _done(f"{user.username} is now {user.role}.")


@users.command("disable", help="Disable an account: its sessions stop working at their next request.")
@click.argument("username")
@click.option("--reason", default="", help="Why, for the audit log.")
def users_disable(username: str, reason: str) -> None:
    user = _user(username)
    set_active(user, False, reason=reason)
    _done(f"Disabled {user.username}.")


@users.command("enable", help="Enable a disabled account again.")
@click.argument("username")
def users_enable(username: str) -> None:
    user = _user(username)
    set_active(user, True)
    _done(f"Enabled {user.username}.")


@users.command(
    "reset-totp",
    help="Remove an account's second factor (a lost phone, or one unreadable since "
    "PORTAL_SECRET_KEY changed): it is set up again at the next login.",
)
@click.argument("username")
@click.option("--reason", required=True, help="Why, for the audit log.")
def users_reset_totp(username: str, reason: str) -> None:
    user = _user(username)
    try:
        reset_totp(user, actor=None, reason=reason)
    except InvalidUserError as refused:
        raise click.ClickException(str(refused)) from refused
    _done(f"Removed the second factor of {user.username}: it is set up again at the next login.")


@users.command("list", help="List the accounts.")
def users_list() -> None:
    for user in db.session.scalars(select(User).order_by(User.role, User.username)):
        where = f" — {user.agency.name}" if user.agency else ""
        flags = (
            ("" if user.active else " disabled")
            + (" demo" if user.is_demo else "")
            + (" 2fa" if user.totp_secret else "")
        )
        click.echo(f"{user.username:<32} {user.role:<8}{where}{flags}")
