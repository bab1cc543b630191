"""`flask --app portal opendata dump` (daily) and `flask --app portal opendata import FILE` (a bulk import larger than
the web takes); portal/cli.py registers the group."""

from __future__ import annotations

import hashlib
from pathlib import Path
from time import monotonic

import click
from sqlalchemy import select

from portal import clock
from portal.db import commit
from portal.extensions import db
from portal.opendata.datasets import IMPORTABLE
from portal.opendata.operations import ImportRefusedError, RowResult, dumps_dir, import_file, item_url, write_dump
from portal.users.access import STAFF_ROLES
from portal.users.models import User

SHOWN_PROBLEMS = 50  # rows with problems printed at most (the count is always printed)


@click.group(help="Open data: the daily full dumps (/data/) and bulk imports.")
def opendata() -> None:
    pass


@opendata.command(
    "dump",
    help="Write today's full dump into PORTAL_INSTANCE_DIR/opendata: opendata-<date>.zip with one CSV per dataset, "
    "the data dictionary and a manifest with each file's SHA-256 and rows (/data/ lists and serves it); keeps the "
    "newest --keep dumps (run daily).",
)
@click.option("--keep", default=7, show_default=True, type=click.IntRange(1, 366), help="Dumps kept, newest first.")
def dump(keep: int) -> None:
    started = monotonic()
    licence = item_url("pages.show", {"slug": "open-data-licence"})
    written = write_dump(dumps_dir(), clock.today(), item_url, licence, keep=keep)
    commit()
    rows = sum(m["rows"] or 0 for m in written.manifest["members"])
    click.echo(
        f"Wrote {written.path} ({written.size / 1_048_576:.1f} MB, {rows} rows) in {monotonic() - started:.1f} s; "
        f"SHA-256 {written.sha256}."
    )


@opendata.command(
    "import",
    help="Import agencies or records of one kind from a CSV or XLSX file in the export's columns (any number of "
    "rows). Without --write it is a dry run: every row's outcome is checked and nothing is written. With --write the "
    "new rows are created through the same operations as typed ones (audited, in the search outbox), all or nothing.",
)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dataset", "key", required=True, type=click.Choice(sorted(IMPORTABLE)), help="What the file holds.")
@click.option("--user", "username", required=True, help="The staff member or admin the audit log names.")
@click.option("--write", is_flag=True, help="Create the new rows (otherwise: a dry run).")
def import_command(path: Path, key: str, username: str, write: bool) -> None:
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or not user.is_active or user.role not in STAFF_ROLES:
        raise click.ClickException(f"{username!r} is not an active staff member or admin")
    data = path.read_bytes()
    started = monotonic()
    try:
        report = import_file(
            IMPORTABLE[key], data, clock.today(), by=user, write=write, source=hashlib.sha256(data).hexdigest()
        )
    except ImportRefusedError as refused:
        raise click.ClickException(str(refused.message)) from refused
    for problem in report.problems:
        click.echo(f"file: {problem}", err=True)
    if report.ignored:
        click.echo(f"ignored columns: {', '.join(report.ignored)}", err=True)
    refusals = [row for row in report.rows if row.result is RowResult.REFUSED]
    for row in refusals[:SHOWN_PROBLEMS]:
        for column, message in row.problems:
            click.echo(f"row {row.line} {column}: {message}", err=True)
    if len(refusals) > SHOWN_PROBLEMS:
        click.echo(f"… and {len(refusals) - SHOWN_PROBLEMS} more row(s) with problems", err=True)
    counts = ", ".join(f"{report.count(result)} {result.value}" for result in RowResult)
    if not report.ok:
        db.session.rollback()
        raise click.ClickException(f"nothing imported: {counts}")
    if write:
        commit()
    verb = "imported" if write else "checked (dry run, nothing written)"
    click.echo(f"{verb}: {counts} in {monotonic() - started:.1f} s")
