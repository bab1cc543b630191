"""`flask --app portal ...` commands (Flask-Migrate adds `db upgrade` and friends)."""

from __future__ import annotations

from datetime import date
from time import monotonic

import click
from flask import Flask, current_app

from portal import clock
from portal.demo.operations import DemoRefused, load_demo
from portal.extensions import db
from portal.records.operations import expire_due_records
from portal.search.engine import SearchUnavailable
from portal.search.operations import commit, search_index


def register_cli(app: Flask) -> None:
    app.cli.add_command(demo)
    app.cli.add_command(records)
    app.cli.add_command(search)


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
    except SearchUnavailable as exc:
        raise click.ClickException(f"{exc}") from exc
    if applied is None:
        raise click.ClickException("another process held the index lock for a minute; try again")
    click.echo(f"Applied {applied} outbox entr{'y' if applied == 1 else 'ies'}.")


@click.group(help="Disclosed records.")
def records() -> None:
    pass


@records.command("expire", help="Mark records whose maximum disclosure period has passed as 公示期满 (run daily).")
def records_expire() -> None:
    count = expire_due_records(clock.today())
    commit()
    click.echo(f"{count} record(s) reached the end of their disclosure period.")


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
    except DemoRefused as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    if summary.already_loaded:
        click.echo("Demo data is already loaded; nothing changed.")
        return
    db.session.commit()
    click.echo(
        f"Loaded demo data: {summary.agencies} agencies, {summary.commitments} commitments, {summary.records} records."
    )
