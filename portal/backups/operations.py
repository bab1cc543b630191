"""Backups (issue 20): `backup create` writes the database, every stored file and a SHA-256 manifest into one tar
archive; `backup restore` puts such an archive into an empty instance. The archive's layout and checks are in
rules.py.

- **The database at one instant, while the site runs.** SQLite: the online backup API
  (`sqlite3.Connection.backup`, in one step: a read transaction, so with WAL the site's writers go on and the copy
  is what was committed when it began). PostgreSQL: `pg_dump --format=custom` (one snapshot) with the URL's host,
  port, user, database and parameters; the password goes through PGPASSWORD, never the command line.
- **Then the files**, so that every file a row of the dump names is on disk already (files are written before
  their rows commit, and only `files sweep` and `retention run` remove any). A file whose bytes no longer match its
  name, or a row whose file is missing, is reported as a warning: the backup keeps what there is.
- **Atomically**: written under a temporary name in the target directory, flushed to disk, then renamed; a failed
  or interrupted backup leaves no archive (mode 0600: it holds personal data).
- **Restore refuses** an archive that does not verify (every member against its SHA-256 in the manifest, before
  anything is written), a target database that has any table, a files directory that has any file, and an archive
  made by a schema this code does not know. Then: the files are unpacked into a hidden directory inside the files
  directory (its own disk), the database goes in (SQLite: the file renamed into place; PostgreSQL:
  `pg_restore --single-transaction`, all or nothing), and only then are the files renamed into their places. A
  failure before that point leaves the target as empty as it was."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO

import sqlalchemy as sa
from sqlalchemy import select

from portal.backups.rules import (
    MANIFEST,
    MOST_MANIFEST_BYTES,
    SUMS,
    ArchiveError,
    DatabaseKind,
    Manifest,
    Member,
    archive_name,
    archive_problems,
    file_member,
    stored_file_of,
    sums_text,
)
from portal.extensions import db
from portal.files.models import StoredFile

CHUNK = 1024 * 1024
# all or nothing (one transaction, stop at the first error); the target's own user owns what it creates
PG_RESTORE = ["pg_restore", "--no-password", "--no-owner", "--no-acl", "--single-transaction", "--exit-on-error"]


class BackupError(Exception):
    """A backup could not be made or a restore was refused; the message says why and what to do."""


@dataclass(frozen=True)
class Created:
    path: Path
    manifest: Manifest
    size: int  # bytes of the archive
    warnings: list[str] = field(default_factory=list)


# --- create ----------------------------------------------------------------------------------------------------------


def create_backup(database_url: str, files_dir: Path, to_dir: Path, now: datetime, portal_version: str) -> Created:
    """Write `portal-backup-<now>.tar` into `to_dir` (created if missing) and return what it holds."""
    kind = DatabaseKind.of_url(database_url)
    to_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    final = to_dir / archive_name(now)
    if final.exists():
        raise BackupError(f"{final} exists already; wait a second and run the backup again")
    known = _stored_rows()  # before the dump: each of these files was on disk before its row committed
    fd, temporary = tempfile.mkstemp(dir=to_dir, prefix=f".{final.name}.", suffix=".partial")
    try:
        with os.fdopen(fd, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
                with tempfile.TemporaryDirectory(dir=to_dir, prefix=".portal-backup-database-") as work:
                    dump = Path(work) / "database"
                    revision = _dump_database(kind, database_url, dump)
                    members = [_add_file(tar, kind.member, dump)]
                warnings = []
                for relative, path in stored_files_on_disk(files_dir):
                    member = _add_file(tar, f"files/{relative}", path)
                    if member.sha256 != path.name:
                        warnings.append(f"stored file {relative} does not match its SHA-256 name (damaged on disk)")
                    members.append(member)
                warnings.extend(_missing_files(files_dir, known, {m.name for m in members}))
                manifest = Manifest(now, portal_version, kind, revision, tuple(members))
                manifest_bytes = manifest.to_json()
                _add_bytes(tar, MANIFEST, manifest_bytes, now)
                _add_bytes(tar, SUMS, sums_text(hashlib.sha256(manifest_bytes).hexdigest(), members), now)
            raw.flush()
            os.fsync(raw.fileno())
        if final.exists():
            raise BackupError(f"{final} appeared while the backup was written; run the backup again")
        os.replace(temporary, final)
        _fsync_directory(to_dir)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return Created(final, manifest, final.stat().st_size, warnings)


def stored_files_on_disk(files_dir: Path) -> Iterator[tuple[str, Path]]:
    """(ab/<sha256>, path) of every file in the store's own layout, in name order; temporaries and anything else
    under the directory (a health probe's file) are not stored files."""
    if not files_dir.is_dir():
        return
    for path in sorted(files_dir.glob("??/*")):
        relative = f"{path.parent.name}/{path.name}"
        if path.is_file() and not path.is_symlink() and stored_file_of(f"files/{relative}") is not None:
            yield relative, path


def _stored_rows() -> list[str]:
    known = list(db.session.scalars(select(StoredFile.sha256)))
    db.session.rollback()  # the read's transaction ends here: a long backup holds nothing open
    return known


def _missing_files(files_dir: Path, known: list[str], members: set[str]) -> list[str]:
    """Rows of stored_files (committed before the dump began) whose file is not in the archive."""
    missing = [sha for sha in known if file_member(sha) not in members]
    if not missing:
        return []
    shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
    return [f"{len(missing)} stored file(s) named by the database are missing from {files_dir}: {shown}"]


def _dump_database(kind: DatabaseKind, url: str, into: Path) -> str:
    """The database into the file `into`; returns its alembic revision."""
    if kind is DatabaseKind.SQLITE:
        return _sqlite_copy(_sqlite_path(url), into)
    before = _revision(url)
    _run(["pg_dump", "--format=custom", "--no-password", f"--file={into}"], url)
    after = _revision(url)
    if before != after:
        raise BackupError(f"the schema changed during the backup ({before} -> {after}); run the backup again")
    return before


def _sqlite_copy(path: Path, into: Path) -> str:
    if not path.is_file():
        raise BackupError(f"there is no SQLite database at {path}")
    source = sqlite3.connect(path, timeout=30)
    target = sqlite3.connect(into)
    try:
        source.backup(target)  # all pages in one step: one read transaction, one consistent instant
        target.execute("PRAGMA journal_mode=DELETE").fetchall()  # a file of its own, without a -wal beside it
        row = target.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite could not copy {path}: {exc}") from exc
    finally:
        target.close()
        source.close()
    if row is None:
        raise BackupError(f"{path} has no schema version: run `flask --app portal db upgrade` first")
    return str(row[0])


def _revision(url: str) -> str:
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    try:
        with engine.connect() as conn:
            revision = conn.scalar(sa.text("SELECT version_num FROM alembic_version"))
    except sa.exc.SQLAlchemyError as exc:
        raise BackupError(f"the database's schema version cannot be read: {exc}") from exc
    finally:
        engine.dispose()
    if revision is None:
        raise BackupError("the database has no schema version: run `flask --app portal db upgrade` first")
    return str(revision)


class _Hashing:
    """A file object that hashes and counts what is read through it."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.digest.update(data)
        self.size += len(data)
        return data


def _add_file(tar: tarfile.TarFile, name: str, path: Path) -> Member:
    stat = path.stat()
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = stat.st_size, int(stat.st_mtime), 0o600
    with path.open("rb") as raw:
        reader = _Hashing(raw)
        tar.addfile(info, reader)  # tarfile reads it with read(n)
    return Member(name, reader.digest.hexdigest(), reader.size)


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes, now: datetime) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(now.timestamp()), 0o600
    tar.addfile(info, io.BytesIO(data))


def _fsync_directory(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- verify ----------------------------------------------------------------------------------------------------------


def verify_archive(archive: Path) -> Manifest:
    """Read the whole archive and return its manifest, or raise ArchiveError naming what is wrong: not a tar file,
    truncated, a member missing, added or changed (rules.archive_problems)."""
    found: dict[str, tuple[str, int]] = {}
    special: dict[str, bytes] = {}
    try:
        with tarfile.open(archive, mode="r:") as tar:
            for info in tar:
                if info.name in found or info.name in special:
                    raise ArchiveError(f"{info.name} is in the archive twice")
                if not info.isreg():
                    raise ArchiveError(f"{info.name!r} is not a regular file: this is not a portal backup")
                handle = tar.extractfile(info)
                assert handle is not None  # a regular file always has one
                if info.name in (MANIFEST, SUMS):
                    if info.size > MOST_MANIFEST_BYTES:
                        raise ArchiveError(f"{info.name} is too large to be a portal backup's")
                    special[info.name] = handle.read()
                else:
                    digest, size = _hash_stream(handle)
                    found[info.name] = (digest, size)
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise ArchiveError(f"{archive} cannot be read as a tar archive (damaged or truncated): {exc}") from exc
    if MANIFEST not in special:
        raise ArchiveError(f"{archive} has no {MANIFEST}: it is damaged or truncated, or not a portal backup")
    manifest = Manifest.from_json(special[MANIFEST])
    problems = archive_problems(manifest, hashlib.sha256(special[MANIFEST]).hexdigest(), special.get(SUMS), found)
    if problems:
        more = f" (and {len(problems) - 3} more problems)" if len(problems) > 3 else ""
        raise ArchiveError(f"{archive} is damaged: " + "; ".join(problems[:3]) + more)
    return manifest


def _hash_stream(handle: IO[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


# --- restore ---------------------------------------------------------------------------------------------------------


def target_problems(database_url: str, files_dir: Path) -> list[str]:
    """Why the target instance is not empty: the tables its database has, the files its files directory has."""
    problems = []
    tables = _tables(database_url)
    if tables:
        shown = ", ".join(tables[:5]) + (f" and {len(tables) - 5} more" if len(tables) > 5 else "")
        problems.append(f"the database has {len(tables)} table(s) ({shown})")
    if files_dir.exists():
        count = sum(1 for path in files_dir.rglob("*") if not path.is_dir())
        if count:
            problems.append(f"the files directory {files_dir} has {count} file(s)")
    return problems


def _tables(url: str) -> list[str]:
    if DatabaseKind.of_url(url) is DatabaseKind.SQLITE and not _sqlite_path(url).exists():
        return []  # asking would create the file
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                query = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            else:
                query = (
                    "SELECT table_schema || '.' || table_name FROM information_schema.tables "
                    "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1"
                )
            return [str(name) for name in conn.scalars(sa.text(query))]
    except sa.exc.SQLAlchemyError as exc:
        raise BackupError(f"the target database cannot be read: {exc}") from exc
    finally:
        engine.dispose()


def restore_backup(archive: Path, database_url: str, files_dir: Path, known_revisions: Collection[str]) -> Manifest:
    """Put the archive into the empty instance given by `database_url` and `files_dir`; returns its manifest.
    `known_revisions` are the schema revisions of this code's migrations."""
    problems = target_problems(database_url, files_dir)
    if problems:
        raise BackupError(
            "a backup is restored only into an empty instance, and this one is not: "
            + "; ".join(problems)
            + ". Point PORTAL_DATABASE_URL at a new empty database and PORTAL_FILES_DIR at an empty directory."
        )
    manifest = verify_archive(archive)  # every byte checked before anything is written
    kind = DatabaseKind.of_url(database_url)
    if manifest.database_kind is not kind:
        raise BackupError(
            f"the archive holds a {manifest.database_kind.value} database and the target is {kind.value}; "
            "restore it into the same kind of database"
        )
    if manifest.alembic_revision not in known_revisions:
        raise BackupError(
            f"the archive's schema revision {manifest.alembic_revision!r} is unknown to this code "
            "(made by a newer release?): restore it with the release that made it"
        )
    files_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=files_dir, prefix=".restore-"))  # on the files' own disk (a mount, maybe)
    try:
        if kind is DatabaseKind.SQLITE:
            _sqlite_path(database_url).parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(dir=_sqlite_path(database_url).parent, prefix=".portal-restore-")
            os.close(fd)
            dump = Path(name)  # beside the database file, so that it is renamed into place
        else:
            dump = staging / "database.pgdump"
        try:
            _unpack(archive, manifest, dump, staging)
            if kind is DatabaseKind.SQLITE:
                _put_sqlite(dump, _sqlite_path(database_url))
            else:
                _run(PG_RESTORE, database_url, str(dump))
        finally:
            dump.unlink(missing_ok=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    try:
        _put_files(staging, files_dir)
    except OSError as exc:
        raise BackupError(
            f"the database is restored, but the files could not be moved into {files_dir} ({exc}): they are in "
            f"{staging}; move its subdirectories up into {files_dir} by hand"
        ) from exc
    return manifest


def _unpack(archive: Path, manifest: Manifest, dump: Path, staging: Path) -> None:
    """The database member into `dump` and the files into `staging`, each checked against the manifest again as it
    is written (the archive may have changed since it was verified)."""
    expected = {m.name: m for m in manifest.members}
    try:
        with tarfile.open(archive, mode="r:") as tar:
            for info in tar:
                member = expected.pop(info.name, None)
                if member is None:
                    continue  # manifest.json and SHA256SUMS
                relative = stored_file_of(member.name)
                target = dump if relative is None else staging / relative
                target.parent.mkdir(mode=0o700, exist_ok=True)
                handle = tar.extractfile(info)
                assert handle is not None
                with target.open("wb") as out:
                    digest = hashlib.sha256()
                    while chunk := handle.read(CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                    out.flush()
                    os.fsync(out.fileno())
                if digest.hexdigest() != member.sha256:
                    raise ArchiveError(f"{member.name} changed since the archive was verified")
    except (tarfile.TarError, EOFError) as exc:
        raise ArchiveError(f"{archive} changed since it was verified: {exc}") from exc
    if expected:
        raise ArchiveError(f"{archive} changed since it was verified: {', '.join(sorted(expected))} missing")


def _put_sqlite(dump: Path, path: Path) -> None:
    """The verified database file takes the (empty) target's place. A -wal or -shm left by the empty file must not
    meet the new one: SQLite would apply that log to it."""
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    os.replace(dump, path)
    _fsync_directory(path.parent)


def _put_files(staging: Path, files_dir: Path) -> None:
    """The unpacked files take their places in the files directory, one <2 hex> subdirectory at a time (a rename
    onto an empty directory left there replaces it; one with a file that appeared meanwhile stops it)."""
    for directory in sorted(staging.iterdir()):
        os.replace(directory, files_dir / directory.name)
    staging.rmdir()
    _fsync_directory(files_dir)


# --- the database tools --------------------------------------------------------------------------------------------


def _sqlite_path(url: str) -> Path:
    database = sa.make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(database)


def _run(command: list[str], url: str, *arguments: str) -> None:
    """pg_dump or pg_restore against the database of `url` (its host, port, user, name and parameters); the
    password, if any, in PGPASSWORD."""
    program = shutil.which(command[0])
    if program is None:
        raise BackupError(f"{command[0]} is not installed (Debian: apt install postgresql-client)")
    parsed = sa.make_url(url)
    conninfo = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    environment = {**os.environ, **({"PGPASSWORD": str(parsed.password)} if parsed.password else {})}
    done = subprocess.run(
        [program, *command[1:], f"--dbname={conninfo}", *arguments],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed (exit {done.returncode}): {done.stderr.strip()[-2000:]}")
