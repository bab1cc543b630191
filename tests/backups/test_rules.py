"""The archive's pure rules: names, the manifest, and what makes an archive's members differ from it."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone

import pytest

from portal.backups.rules import (
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

SHA_A = hashlib.sha256(b"a").hexdigest()
SHA_B = hashlib.sha256(b"b").hexdigest()
MADE = datetime(2026, 11, 20, 1, 30, tzinfo=UTC)


def manifest(kind: DatabaseKind = DatabaseKind.SQLITE) -> Manifest:
    members = (Member(kind.member, SHA_A, 1), Member(file_member(SHA_B), SHA_B, 1))
    return Manifest(MADE, "0.1.0", kind, "0013", members)


def test_archive_name_is_the_utc_instant() -> None:
    shanghai = timezone(timedelta(hours=8))
    assert archive_name(datetime(2026, 11, 20, 9, 30, 5, tzinfo=shanghai)) == "portal-backup-20261120T013005Z.tar"


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("sqlite:////srv/portal/instance/portal.db", DatabaseKind.SQLITE),
        ("postgresql+psycopg://portal@db/portal", DatabaseKind.POSTGRESQL),
        ("postgresql://portal@db/portal?sslmode=require", DatabaseKind.POSTGRESQL),
    ],
)
def test_database_kind_of_url(url: str, kind: DatabaseKind) -> None:
    assert DatabaseKind.of_url(url) is kind


def test_other_databases_are_refused() -> None:
    with pytest.raises(ValueError, match="mysql"):
        DatabaseKind.of_url("mysql://portal@db/portal")


@pytest.mark.parametrize(
    ("member", "relative"),
    [
        (file_member(SHA_A), f"{SHA_A[:2]}/{SHA_A}"),
        (f"files/00/{SHA_A}", None),  # the prefix is not the hash's
        (f"files/{SHA_A[:2]}/{SHA_A.upper()}", None),
        (f"files/{SHA_A[:2]}/../{SHA_A}", None),
        (f"/files/{SHA_A[:2]}/{SHA_A}", None),
        ("files/../../etc/passwd", None),
        ("database/portal.sqlite3", None),
    ],
)
def test_only_the_stores_own_layout_is_a_file_member(member: str, relative: str | None) -> None:
    assert stored_file_of(member) == relative


def test_manifest_round_trip() -> None:
    made = manifest(DatabaseKind.POSTGRESQL)
    assert Manifest.from_json(made.to_json()) == made
    assert made.files == (Member(file_member(SHA_B), SHA_B, 1),)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"not json", "damaged"),
        (b'{"format": "something-else"}', "not a portal backup"),
        (b'{"format": "portal-backup", "format_version": 2}', "format version 2"),
        (b'{"format": "portal-backup", "format_version": 1}', "damaged"),
    ],
)
def test_a_manifest_that_is_not_ours_is_refused(text: bytes, message: str) -> None:
    with pytest.raises(ArchiveError, match=message):
        Manifest.from_json(text)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.replace(b"database/portal.sqlite3", b"database/other"), "database member"),
        (lambda t: t.replace(f"files/{SHA_B[:2]}".encode(), b"files/../.."), "neither the database nor a stored file"),
        (lambda t: t.replace(SHA_A.encode(), b"x" * 64, 1), "no valid SHA-256"),
    ],
)
def test_a_manifest_naming_anything_else_is_refused(change, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ArchiveError, match=message):
        Manifest.from_json(change(manifest().to_json()))


def whole() -> tuple[Manifest, str, bytes, dict[str, tuple[str, int]]]:
    made = manifest()
    manifest_sha = hashlib.sha256(made.to_json()).hexdigest()
    found = {m.name: (m.sha256, m.size) for m in made.members}
    return made, manifest_sha, sums_text(manifest_sha, made.members), found


def test_a_whole_archive_has_no_problem() -> None:
    assert archive_problems(*whole()) == []


def test_sums_are_sha256sum_lines_ending_with_the_manifest() -> None:
    _made, manifest_sha, sums, _found = whole()
    assert sums.decode().splitlines() == [
        f"{SHA_A}  database/portal.sqlite3",
        f"{SHA_B}  {file_member(SHA_B)}",
        f"{manifest_sha}  manifest.json",
    ]


def test_each_difference_is_named() -> None:
    made, manifest_sha, sums, found = whole()
    database = DatabaseKind.SQLITE.member
    changed = {**found, database: (SHA_B, 1)}
    assert archive_problems(made, manifest_sha, sums, changed) == [
        f"{database} does not match its SHA-256 in the manifest (damaged)"
    ]
    shorter = {**found, database: (SHA_A, 0)}
    assert archive_problems(made, manifest_sha, sums, shorter) == [f"{database} has 0 bytes; the manifest says 1"]
    missing = {name: value for name, value in found.items() if name != database}
    assert archive_problems(made, manifest_sha, sums, missing) == [f"{database} is missing from the archive"]
    extra = {**found, "files/xx/extra": (SHA_A, 1)}
    assert archive_problems(made, manifest_sha, sums, extra) == [
        "files/xx/extra is in the archive but not in the manifest"
    ]
    assert archive_problems(made, manifest_sha, None, found) == ["SHA256SUMS is missing (the archive is truncated)"]
    assert archive_problems(made, SHA_A, sums, found) == [
        "SHA256SUMS does not match manifest.json: one of them is damaged"
    ]
