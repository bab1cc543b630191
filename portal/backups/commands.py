"""`flask --app portal backup create [--to DIR]` and `flask --app portal backup restore ARCHIVE` (portal/cli.py
registers the group)."""

from __future__ import annotations

import importlib.metadata
from datetime import UTC, datetime
from pathlib import Path
from time import monotonic

import click
from alembic.script import ScriptDirectory
from flask import current_app

from portal import clock
from portal.backups.operations import BackupError, create_backup, restore_backup
from portal.backups.rules import ArchiveError
from portal.extensions import db
from portal.search.engine import SearchUnavailableError
from portal.search.operations import search_index


@click.group(help="Backups: the database and every stored file in one archive with a SHA-256 manifest.")
def backup() -> None:
    pass


@backup.command(
    "create",
    help="Write portal-backup-<UTC time>.tar: the database (SQLite's online backup or pg_dump, consistent while the "
    "site runs), every stored file and a manifest with each one's SHA-256 (run daily; copy it off the machine).",
)
@click.option(
    "--to",
    "to_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The directory to write into (default: PORTAL_INSTANCE_DIR/backups).",
)
def backup_create(to_dir: Path | None) -> None:
    settings = current_app.config["PORTAL_SETTINGS"]
    started = monotonic()
    try:
        created = create_backup(
            settings.database_url,
            settings.files_dir,
            to_dir if to_dir is not None else settings.instance_dir / "backups",
            datetime.now(UTC),
            _portal_version(),
        )
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    for warning in created.warnings:
        click.echo(f"warning: {warning}", err=True)
    manifest = created.manifest
    click.echo(
        f"Wrote {created.path}: the {manifest.database_kind.value} database (schema {manifest.alembic_revision}) "
        f"and {len(manifest.files)} stored file(s), {created.size / 1_048_576:.1f} MB, "
        f"in {monotonic() - started:.1f} s."
    )


@backup.command(
    "restore",
    help="Restore an archive into an EMPTY instance (PORTAL_DATABASE_URL without tables, PORTAL_FILES_DIR without "
    "files), after checking every member's SHA-256; then rebuild this machine's search index.",
)
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def backup_restore(archive: Path) -> None:
    settings = current_app.config["PORTAL_SETTINGS"]
    directory = ScriptDirectory(current_app.extensions["migrate"].directory)
    known = {revision.revision for revision in directory.walk_revisions()}
    started = monotonic()
    try:
        manifest = restore_backup(archive, settings.database_url, settings.files_dir, known)
    except ArchiveError as exc:
        raise click.ClickException(f"nothing was restored: {exc}") from exc
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    db.engine.dispose()  # a connection opened before the restore would still see the empty database
    click.echo(
        f"Restored {archive.name} (made {manifest.created_at:%Y-%m-%d %H:%M:%S} UTC by portal "
        f"{manifest.portal_version}): the {manifest.database_kind.value} database (schema {manifest.alembic_revision}) "
        f"and {len(manifest.files)} stored file(s), in {monotonic() - started:.1f} s."
    )
    if manifest.alembic_revision not in directory.get_heads():
        click.echo(
            "The archive's schema is older than this code's: run `flask --app portal db upgrade`, then "
            "`flask --app portal search rebuild`."
        )
        return
    # The search index is not in the archive: it is built from the database. It is rebuilt here rather than left to
    # the operator because an index already in PORTAL_SEARCH_INDEX_DIR remembers the outbox position of another
    # database: `search sync` would skip rows, and searches would show items the restored data does not have.
    try:
        count = search_index().rebuild(db.session, clock.today())
    except (SearchUnavailableError, OSError) as exc:
        raise click.ClickException(
            f"the data is restored, but the search index could not be rebuilt ({exc}): run "
            "`flask --app portal search rebuild`"
        ) from exc
    click.echo(
        f"Rebuilt this machine's search index ({count} documents). Other machines sharing this database: run "
        "`flask --app portal search rebuild` on each."
    )


def _portal_version() -> str:
    try:
        return importlib.metadata.version("portal")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"
