"""`backup create` on instance A (the demo, loaded with `flask demo load`), `backup restore` into an empty instance
B: the public pages and every stored file are the same; on SQLite and, when PORTAL_TEST_DATABASE_URL is set, on
PostgreSQL. A restore refuses a target that is not empty and an archive with one flipped byte, writing nothing.

Both instances are apps in this process (create_app with their own settings), driven through the real commands
(`app.test_cli_runner()`); the page cache is off so that each page is rendered from its own database."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import subprocess
import tarfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import Result
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select

from portal import create_app
from portal.agencies.models import Agency
from portal.backups import operations
from portal.backups.operations import BackupError
from portal.backups.rules import MANIFEST, SUMS, DatabaseKind, Manifest
from portal.commitments.models import Commitment
from portal.extensions import db, limiter
from portal.records.models import Record
from tests.conftest import BACKENDS, TODAY, fresh_postgres_database

TODAY_DATE = date.fromisoformat(TODAY)


@dataclass
class Instance:
    app: Flask
    url: str  # as given (postgresql://… or sqlite:///…)
    files_dir: Path

    def cli(self, *args: str) -> Result:
        """`flask --app portal ARGS` on this instance (the `flask` command pushes the app context; so does this)."""
        with self.app.app_context():
            return self.app.test_cli_runner().invoke(args=list(args))

    def tables(self) -> dict[str, int]:
        """Each table and its number of rows."""
        engine = sa.create_engine(self.app.config["SQLALCHEMY_DATABASE_URI"], poolclass=sa.NullPool)
        try:
            with engine.connect() as conn:
                names = sa.inspect(conn).get_table_names()
                return {name: conn.scalar(sa.text(f'SELECT count(*) FROM "{name}"')) or 0 for name in names}
        finally:
            engine.dispose()

    def files(self) -> dict[str, bytes]:
        """Every file under the files directory, by its path there."""
        if not self.files_dir.exists():
            return {}
        return {
            str(path.relative_to(self.files_dir)): path.read_bytes()
            for path in sorted(self.files_dir.rglob("*"))
            if path.is_file()
        }

    def dispose(self) -> None:
        with self.app.app_context():
            db.engine.dispose()


def new_instance(root: Path, url: str) -> Instance:
    app = create_app(
        {
            "PORTAL_DATABASE_URL": url,
            "PORTAL_INSTANCE_DIR": str(root),
            "PORTAL_SEARCH_INDEX_DIR": str(root / "search_index"),
            "PORTAL_SECRET_KEY": "backup-test-secret-key-" + "x" * 32,  # the same on both, as a restored site has
            "PORTAL_TODAY": TODAY,
            "PORTAL_PAGE_CACHE": "off",
            "PORTAL_FEED_FRESHNESS_SECONDS": "0",
        }
    )
    app.config["TESTING"] = True
    return Instance(app, url, root / "files")


def empty_database(backend: str, root: Path, name: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{root / name}.db"
    return fresh_postgres_database(f"portal_backup_{name}")


@dataclass
class RoundTrip:
    backend: str
    a: Instance
    b: Instance
    archive: Path
    root: Path

    def empty_target(self, name: str) -> Instance:
        root = self.root / name
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir()
        return new_instance(root, empty_database(self.backend, root, name))


@pytest.fixture(scope="module", params=BACKENDS)
def round_trip(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RoundTrip]:
    saved_limiter = limiter._storage, limiter._limiter  # create_app points the one limiter at its own storage
    root = tmp_path_factory.mktemp(f"backups-{request.param}")
    (root / "a").mkdir()
    (root / "b").mkdir()
    a = new_instance(root / "a", empty_database(request.param, root / "a", "a"))
    with a.app.app_context():
        upgrade()
    loaded = a.cli("demo", "load")
    assert loaded.exit_code == 0, loaded.output
    created = a.cli("backup", "create", "--to", str(root / "archives"))
    assert created.exit_code == 0, created.output
    (archive,) = (root / "archives").glob("portal-backup-*.tar")
    b = new_instance(root / "b", empty_database(request.param, root / "b", "b"))
    restored = b.cli("backup", "restore", str(archive))
    assert restored.exit_code == 0, restored.output
    assert "Rebuilt this machine's search index" in restored.output
    try:
        yield RoundTrip(request.param, a, b, archive, root)
    finally:
        a.dispose()
        b.dispose()
        limiter._storage, limiter._limiter = saved_limiter


def public_paths(app: Flask) -> list[str]:
    """Home, the lists, a record, the busiest agency's page, commitments and a commitment's letter, and more."""
    with app.app_context():
        shown = Record.public_clause(TODAY_DATE)
        record_id = db.session.scalar(select(Record.id).where(shown).order_by(Record.id))
        busiest = db.session.scalar(
            select(Agency.uscc)
            .join(Record, Record.agency_id == Agency.id)
            .where(shown)
            .group_by(Agency.uscc)
            .order_by(func.count().desc(), Agency.uscc)
        )
        code = db.session.scalar(
            select(Commitment.code)
            .where(Commitment.code.is_not(None), Commitment.letter_sha256.is_not(None))
            .order_by(Commitment.code)
        )
        db.session.remove()
    assert record_id is not None
    assert busiest is not None
    assert code is not None
    return [
        "/",
        "/?lang=en",
        "/records/",
        "/records/?page=2",
        f"/records/{record_id}",
        "/agencies/",
        f"/agencies/{busiest}",
        "/commitments/",
        f"/commitments/{code}",
        "/outcomes/",
        "/complaints/",
        "/statistics/",
        "/reports/",
        f"/commitments/{code}/letter.pdf",
    ]


def get(app: Flask, path: str) -> tuple[int, bytes]:
    response = app.test_client().get(path)
    try:
        return response.status_code, response.get_data()
    finally:
        response.close()  # a download's file


def test_the_restored_instance_serves_the_same_pages(round_trip: RoundTrip) -> None:
    paths = public_paths(round_trip.a.app)
    for path in paths:
        status_a, body_a = get(round_trip.a.app, path)
        status_b, body_b = get(round_trip.b.app, path)
        assert status_a == 200, path
        assert (status_b, body_b) == (status_a, body_a), f"{path} differs after the restore"
    assert get(round_trip.b.app, paths[-1])[1].startswith(b"%PDF-")  # the letter, as stored


def test_every_stored_file_and_row_is_restored(round_trip: RoundTrip) -> None:
    files = round_trip.a.files()
    assert len(files) > 50  # letters, bulletins, evidence of the demo
    assert round_trip.b.files() == files
    tables = round_trip.a.tables()
    assert tables["records"] > 100
    assert tables["stored_files"] > 50
    assert round_trip.b.tables() == tables


def test_the_manifest_lists_every_member_with_its_sha256(round_trip: RoundTrip) -> None:
    with tarfile.open(round_trip.archive) as tar:
        names = tar.getnames()
        manifest = Manifest.from_json(tar.extractfile(MANIFEST).read())  # type: ignore[union-attr]
    kind = DatabaseKind.SQLITE if round_trip.backend == "sqlite" else DatabaseKind.POSTGRESQL
    assert manifest.database_kind is kind
    with round_trip.a.app.app_context():
        revision = db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))
        db.session.remove()
    assert manifest.alembic_revision == revision
    assert manifest.portal_version == "0.1.0"
    assert names == [m.name for m in manifest.members] + [MANIFEST, SUMS]
    assert {m.name.removeprefix("files/") for m in manifest.files} == set(round_trip.a.files())


def test_a_missing_or_damaged_stored_file_is_reported(round_trip: RoundTrip) -> None:
    """The backup keeps what there is and says what is wrong: a row whose file is gone, a file whose bytes no longer
    match its name."""
    first, second = sorted(p for p in round_trip.a.files_dir.glob("??/*"))[:2]
    kept, original = round_trip.root / "kept-aside", second.read_bytes()
    first.rename(kept)
    second.write_bytes(original + b"!")
    try:
        result = round_trip.a.cli("backup", "create", "--to", str(round_trip.root / "with-warnings"))
    finally:
        kept.rename(first)
        second.write_bytes(original)
    assert result.exit_code == 0, result.output
    assert f"stored file {second.parent.name}/{second.name} does not match its SHA-256 name" in result.output
    assert f"1 stored file(s) named by the database are missing from {round_trip.a.files_dir}: {first.name}" in (
        result.output
    )


# --- what a restore refuses ------------------------------------------------------------------------------------------


def assert_untouched(target: Instance, files: dict[str, bytes] | None = None) -> None:
    """The target's database has no table, its files directory holds what it held, and no temporary is left."""
    assert target.tables() == {}
    assert target.files() == (files or {})
    leftovers = [p.name for p in target.files_dir.parent.iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_a_target_with_tables_is_refused(round_trip: RoundTrip) -> None:
    tables, files = round_trip.b.tables(), round_trip.b.files()
    refused = round_trip.b.cli("backup", "restore", str(round_trip.archive))
    assert refused.exit_code != 0
    assert "only into an empty instance" in refused.output
    assert f"the database has {len(tables)} table(s)" in refused.output
    assert f"the files directory {round_trip.b.files_dir} has {len(files)} file(s)" in refused.output
    assert round_trip.b.tables() == tables
    assert round_trip.b.files() == files


def test_a_target_with_files_is_refused(round_trip: RoundTrip) -> None:
    target = round_trip.empty_target("files_only")
    (target.files_dir / "ab").mkdir(parents=True)
    (target.files_dir / "ab" / "something").write_bytes(b"left from before")
    refused = target.cli("backup", "restore", str(round_trip.archive))
    assert refused.exit_code != 0
    assert f"the files directory {target.files_dir} has 1 file(s)" in refused.output
    assert_untouched(target, {"ab/something": b"left from before"})
    target.dispose()


def member_offset(archive: Path, name: Callable[[str], bool], *, header: bool = False) -> int:
    """Where the first member whose name passes `name` starts: its data (middle byte), or its header."""
    with tarfile.open(archive) as tar:
        member = next(m for m in tar.getmembers() if name(m.name))
    return member.offset + 10 if header else member.offset_data + member.size // 2


def manifest_hash_offset(archive: Path) -> int:
    """A decimal digit inside the manifest's first SHA-256 (one bit flipped turns it into another digit: the JSON
    and the hex stay valid, the value changes; a letter could turn into no hex digit at all)."""
    with tarfile.open(archive) as tar:
        member = tar.getmember(MANIFEST)
        data = tar.extractfile(member).read()  # type: ignore[union-attr]
    start = data.index(b'"sha256": "') + len(b'"sha256": "')
    digit = next(i for i in range(start, start + 64) if data[i : i + 1].isdigit())
    return member.offset_data + digit


# where one bit is flipped -> (its offset in the archive, what the refusal says)
DAMAGE: dict[str, tuple[Callable[[Path], int], str]] = {
    "database": (lambda a: member_offset(a, lambda n: n.startswith("database/")), "does not match its SHA-256"),
    "a stored file": (lambda a: member_offset(a, lambda n: n.startswith("files/")), "does not match its SHA-256"),
    "the manifest": (manifest_hash_offset, "SHA256SUMS does not match manifest.json"),
    "SHA256SUMS": (lambda a: member_offset(a, lambda n: n == SUMS), "SHA256SUMS does not match manifest.json"),
    "a member's header": (
        lambda a: member_offset(a, lambda n: n.startswith("files/"), header=True),
        "has no manifest.json",  # tar stops reading at a header whose checksum fails
    ),
}


@pytest.mark.parametrize("where", [*DAMAGE, "truncated"])
def test_a_damaged_archive_is_refused_and_nothing_is_written(round_trip: RoundTrip, where: str) -> None:
    damaged = round_trip.root / "damaged.tar"
    data = bytearray(round_trip.archive.read_bytes())
    if where == "truncated":
        del data[len(data) // 2 :]
        expected = "damaged or truncated"
    else:
        offset, expected = DAMAGE[where][0](round_trip.archive), DAMAGE[where][1]
        data[offset] ^= 0x01  # one bit of one byte
    damaged.write_bytes(bytes(data))
    target = round_trip.empty_target("damaged_" + "".join(c for c in where.lower() if c.isalnum()))
    refused = target.cli("backup", "restore", str(damaged))
    assert refused.exit_code != 0
    assert "nothing was restored" in refused.output
    assert expected in refused.output
    assert_untouched(target)
    target.dispose()


def test_a_restore_that_fails_while_writing_leaves_the_target_empty(
    round_trip: RoundTrip, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The files are unpacked first; the database then fails to go in (a full disk, pg_restore refusing): the
    unpacked files and the temporary database are removed, and the target can be restored into again."""

    def fails(*_args: object) -> None:
        raise BackupError("simulated failure while the database went in")

    monkeypatch.setattr(operations, "_put_sqlite" if round_trip.backend == "sqlite" else "_run", fails)
    target = round_trip.empty_target("fails_midway")
    refused = target.cli("backup", "restore", str(round_trip.archive))
    assert refused.exit_code != 0
    assert "simulated failure" in refused.output
    assert_untouched(target)
    monkeypatch.undo()
    again = target.cli("backup", "restore", str(round_trip.archive))
    assert again.exit_code == 0, again.output
    assert target.files() == round_trip.a.files()
    target.dispose()


# --- while the site writes -------------------------------------------------------------------------------------------


@contextlib.contextmanager
def open_write(instance: Instance) -> Iterator[None]:
    """A write transaction on the instance's database, left open (uncommitted) until the block ends."""
    engine = sa.create_engine(instance.app.config["SQLALCHEMY_DATABASE_URI"], poolclass=sa.NullPool)
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.connection.driver_connection.isolation_level = None  # type: ignore[union-attr]
            conn.exec_driver_sql("BEGIN IMMEDIATE")  # SQLite's write lock, as a post holds it
        else:
            conn.begin()
        conn.execute(
            sa.text(
                "INSERT INTO audit_entries (at, actor, action, entity_type, entity_id, changes) "
                "VALUES (CURRENT_TIMESTAMP, 'test', 'backup.uncommitted', 'test', '1', '{}')"
            )
        )
        try:
            yield
        finally:
            conn.exec_driver_sql("ROLLBACK")
    engine.dispose()


def test_a_backup_does_not_wait_for_writers_and_holds_what_was_committed(round_trip: RoundTrip) -> None:
    into = round_trip.root / "online"
    results: list[Result] = []
    with open_write(round_trip.a):
        worker = threading.Thread(
            target=lambda: results.append(round_trip.a.cli("backup", "create", "--to", str(into)))
        )
        worker.start()
        worker.join(timeout=120)
        assert not worker.is_alive(), "the backup waited for the open write transaction"
    assert results[0].exit_code == 0, results[0].output
    (archive,) = into.glob("portal-backup-*.tar")
    with tarfile.open(archive) as tar:
        database = tar.extractfile(next(m for m in tar.getmembers() if m.name.startswith("database/"))).read()  # type: ignore[union-attr]
    dump = round_trip.root / "online.database"
    dump.write_bytes(database)
    if round_trip.backend == "sqlite":
        with contextlib.closing(sqlite3.connect(dump)) as conn:
            actions = [str(row[0]) for row in conn.execute("SELECT action FROM audit_entries")]
    else:  # the table's COPY block, one line per row
        copied = subprocess.run(
            ["pg_restore", "--data-only", "--table=audit_entries", "--file=-", str(dump)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
        start = next(i for i, line in enumerate(copied) if line.startswith("COPY public.audit_entries"))
        actions = copied[start + 1 : copied.index("\\.", start)]
    assert len(actions) == round_trip.a.tables()["audit_entries"]  # every committed row, and not the open one
    assert not [a for a in actions if "backup.uncommitted" in a]
