"""What a backup archive holds and how it is checked. Pure: names, the manifest and the comparison of an archive's
members with it.

An archive is one uncompressed tar file, `portal-backup-<UTC time>.tar` (the database dump is SQLite's own file or
pg_dump's compressed custom format, the stored files are PDFs and photos: compressing again gains little):

    database/portal.sqlite3 or database/portal.pgdump   the database, consistent at one instant
    files/<2 hex>/<sha256>                             every stored file, in PORTAL_FILES_DIR's own layout
    manifest.json                                      kind, alembic revision, time, version; each member's SHA-256
    SHA256SUMS                                         `sha256sum -c` lines of every member above, manifest too

Restoring reads the whole archive first and refuses it unless the members are exactly the manifest's, each with
its SHA-256 and size, and SHA256SUMS is exactly the one the manifest makes: a flipped byte in any member, in the
manifest or in SHA256SUMS, a missing member (a truncated file) or an extra one is refused before anything is
written. (A tar header's own checksum stops the reading at a damaged header, which then leaves members missing.)"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

FORMAT = "portal-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
ARCHIVE_PATTERN = "portal-backup-*.tar"
_FILE_MEMBER = re.compile(r"files/([0-9a-f]{2})/(\1[0-9a-f]{62})")
_SHA256 = re.compile(r"[0-9a-f]{64}")
MOST_MANIFEST_BYTES = 256 * 1024 * 1024  # a manifest or SHA256SUMS bigger than this is not ours


class DatabaseKind(StrEnum):
    SQLITE = "sqlite"
    POSTGRESQL = "postgresql"

    @property
    def member(self) -> str:
        """The archive member that holds the database."""
        return "database/portal.sqlite3" if self is DatabaseKind.SQLITE else "database/portal.pgdump"

    @classmethod
    def of_url(cls, url: str) -> DatabaseKind:
        """The kind of a SQLAlchemy URL (sqlite:///…, postgresql+psycopg://…)."""
        scheme = url.split(":", 1)[0].split("+", 1)[0]
        if scheme == "sqlite":
            return cls.SQLITE
        if scheme in {"postgresql", "postgres"}:
            return cls.POSTGRESQL
        raise ValueError(f"backups support SQLite and PostgreSQL databases, not {scheme!r}")


class ArchiveError(Exception):
    """The archive is not a portal backup, or is damaged: the message says what was found."""


def archive_name(at: datetime) -> str:
    """portal-backup-20261120T013000Z.tar: named by the instant (UTC), so names sort by time."""
    return f"portal-backup-{at.astimezone(UTC):%Y%m%dT%H%M%SZ}.tar"


def file_member(sha256: str) -> str:
    """The member of a stored file, in the files directory's own layout (<first 2 hex>/<sha256>)."""
    return f"files/{sha256[:2]}/{sha256}"


def stored_file_of(member: str) -> str | None:
    """The relative path under PORTAL_FILES_DIR of a `files/…` member, or None when the name is not one."""
    found = _FILE_MEMBER.fullmatch(member)
    return f"{found.group(1)}/{found.group(2)}" if found else None


@dataclass(frozen=True)
class Member:
    name: str
    sha256: str
    size: int


@dataclass(frozen=True)
class Manifest:
    created_at: datetime  # UTC
    portal_version: str
    database_kind: DatabaseKind
    alembic_revision: str
    members: tuple[Member, ...]  # the database first, then the files

    @property
    def files(self) -> tuple[Member, ...]:
        return tuple(m for m in self.members if m.name != self.database_kind.member)

    def to_json(self) -> bytes:
        document = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": self.created_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "portal_version": self.portal_version,
            "database": {
                "kind": self.database_kind.value,
                "alembic_revision": self.alembic_revision,
                "member": self.database_kind.member,
            },
            "members": [{"name": m.name, "sha256": m.sha256, "size": m.size} for m in self.members],
        }
        return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode()

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        try:
            document = json.loads(data.decode())
            if document.get("format") != FORMAT:
                raise ArchiveError("this is not a portal backup (its manifest.json names no portal-backup format)")
            if document.get("format_version") != FORMAT_VERSION:
                raise ArchiveError(
                    f"this backup has format version {document.get('format_version')!r}; "
                    f"this portal reads version {FORMAT_VERSION}"
                )
            database = document["database"]
            kind = DatabaseKind(database["kind"])
            if database["member"] != kind.member:
                raise ArchiveError(f"the manifest names the database member {database['member']!r}")
            members = tuple(Member(str(m["name"]), str(m["sha256"]), int(m["size"])) for m in document["members"])
            created = datetime.fromisoformat(str(document["created_at"]).replace("Z", "+00:00"))
            manifest = cls(created, str(document["portal_version"]), kind, str(database["alembic_revision"]), members)
        except ArchiveError:
            raise
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ArchiveError(
                f"manifest.json is damaged or not a portal backup's ({type(exc).__name__}: {exc})"
            ) from exc
        problems = _malformed(manifest)
        if problems:
            raise ArchiveError(f"manifest.json is not valid: {problems[0]}")
        return manifest


def _malformed(manifest: Manifest) -> list[str]:
    problems = []
    names = [m.name for m in manifest.members]
    if len(set(names)) != len(names):
        problems.append("a member is listed twice")
    if manifest.database_kind.member not in names:
        problems.append(f"the database member {manifest.database_kind.member} is not listed")
    for member in manifest.members:
        if member.name != manifest.database_kind.member and stored_file_of(member.name) is None:
            problems.append(f"{member.name!r} is neither the database nor a stored file")
        if not _SHA256.fullmatch(member.sha256) or member.size < 0:
            problems.append(f"{member.name!r} has no valid SHA-256 and size")
    return problems


def sums_text(manifest_sha256: str, members: Iterable[Member]) -> bytes:
    """SHA256SUMS: one `sha256sum` line per member and one for manifest.json (check by hand with `sha256sum -c`)."""
    lines = [f"{m.sha256}  {m.name}\n" for m in members]
    lines.append(f"{manifest_sha256}  {MANIFEST}\n")
    return "".join(lines).encode()


def archive_problems(
    manifest: Manifest, manifest_sha256: str, sums: bytes | None, found: Mapping[str, tuple[str, int]]
) -> list[str]:
    """What is wrong with an archive whose data members (name -> (sha256, size), as read) are `found`, against its
    manifest and its SHA256SUMS. Empty: the archive is whole."""
    problems = []
    if sums is None:
        problems.append(f"{SUMS} is missing (the archive is truncated)")
    elif sums != sums_text(manifest_sha256, manifest.members):
        problems.append(f"{SUMS} does not match manifest.json: one of them is damaged")
    listed = {m.name: m for m in manifest.members}
    for name, member in listed.items():
        if name not in found:
            problems.append(f"{name} is missing from the archive")
            continue
        sha256, size = found[name]
        if size != member.size:
            problems.append(f"{name} has {size} bytes; the manifest says {member.size}")
        elif sha256 != member.sha256:
            problems.append(f"{name} does not match its SHA-256 in the manifest (damaged)")
    problems.extend(f"{name} is in the archive but not in the manifest" for name in sorted(set(found) - set(listed)))
    return problems
