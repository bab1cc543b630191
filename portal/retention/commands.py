"""`flask --app portal retention run [--dry-run]` (portal/cli.py registers the group)."""

from __future__ import annotations

from datetime import date

import click
from flask import current_app

from portal import clock
from portal.db import commit
from portal.retention.operations import Due, due_items, erase_due, remove_files
from portal.retention.rules import cutoff


@click.group(help="Retention of complainants' and objectors' personal data (PORTAL_RETENTION_YEARS).")
def retention() -> None:
    pass


@retention.command(
    "run",
    help="Erase the personal data (name, contact, code, their own text and attachments) of complaints and objections "
    "closed PORTAL_RETENTION_YEARS ago or more, keeping the rows, numbers, statuses and answers; audited. Run daily: "
    "a second run changes nothing.",
)
@click.option("--dry-run", is_flag=True, help="List what would be erased (numbers and closing dates); change nothing.")
def retention_run(dry_run: bool) -> None:
    settings = current_app.config["PORTAL_SETTINGS"]
    today, years = clock.today(), settings.retention_years
    if dry_run:
        items = due_items(today, years)
        _list(items, "would erase")
        attachments = sum(item.attachments for item in items)
        click.echo(f"{_summary(items, today, years)} are due, with {attachments} attachment(s); nothing was changed.")
        return
    erasure = erase_due(today, years)
    commit()
    removed = remove_files(erasure.deleted, settings.files_dir)
    _list(erasure.items, "erased")
    click.echo(
        f"{_summary(erasure.items, today, years)} erased; {len(erasure.deleted)} stored file(s) nothing else uses "
        f"deleted ({removed} found on disk)."
    )


def _list(items: list[Due], what: str) -> None:
    for item in items:
        click.echo(
            f"{what} {item.kind} {item.number} (closed {item.closed_on.isoformat()}, {item.attachments} attachment(s))"
        )


def _summary(items: list[Due], today: date, years: int) -> str:
    return (
        f"{len(items)} item(s) closed on or before {cutoff(today, years).isoformat()} ({years} years before "
        f"{today.isoformat()})"
    )
