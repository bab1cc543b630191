"""The retention job: erase complainants' and objectors' personal data once it has been kept PORTAL_RETENTION_YEARS
after closing (rules.py says what, why and when). `flask --app portal retention run [--dry-run]`, daily.

A complaint counts as closed on `closed_on` (已办结 or 不予受理), an objection on `decided_on` (更正, 撤销 or 维持).
Still-open cases are never due. An erased item keeps its row, number, status, dates, answer and steps (and its
`updated_at`: nothing public changed, so no feed shows it as updated); its name becomes rules.ERASED, which is also
how a second run knows it is done (nothing is erased or audited twice). Each erased item gets one audit entry
naming the fields erased, never their values. Its attachments are deleted when nothing else names them: no other
row's JSON (another filing, evidence, a review payload) and no foreign key to stored_files. Their stored_files rows
go in the job's transaction; the files on disk are removed after the commit (`remove_files`), and a process killed
in between leaves orphans that `files sweep` removes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from itertools import islice
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import select, update

from portal.audit.operations import write_audit
from portal.complaints.models import Complaint
from portal.complaints.rules import FINISHED
from portal.extensions import db
from portal.files.models import StoredFile
from portal.objections.models import Objection
from portal.objections.rules import DECIDED
from portal.retention.rules import COMPLAINT_ERASED, ERASED, OBJECTION_ERASED, cutoff

NOT_A_REFERENCE = frozenset({"audit_entries"})  # the log records what happened to a file; it serves none
_BATCH = 100


@dataclass(frozen=True)
class Due:
    kind: str  # "complaint" or "objection"
    number: str
    closed_on: date
    attachments: int


@dataclass(frozen=True)
class Erasure:
    items: list[Due]
    deleted: list[str]  # SHA-256 of the stored files no longer named by anything; remove_files after the commit


def due_items(today: date, years: int) -> list[Due]:
    """What a run on `today` erases, oldest first: closed cases past the period whose data is still there."""
    return [_due(kind, item) for kind, item in _due_rows(today, years)]


def _due_rows(today: date, years: int) -> Iterator[tuple[str, Complaint | Objection]]:
    last = cutoff(today, years)
    complaints = select(Complaint).where(
        Complaint.status.in_([s.value for s in FINISHED]),
        Complaint.closed_on.is_not(None),
        Complaint.closed_on <= last,
        Complaint.name != ERASED,
    )
    for complaint in db.session.scalars(complaints.order_by(Complaint.closed_on, Complaint.id)):
        yield "complaint", complaint
    objections = select(Objection).where(
        Objection.status.in_([s.value for s in DECIDED]),
        Objection.decided_on.is_not(None),
        Objection.decided_on <= last,
        Objection.name != ERASED,
    )
    for objection in db.session.scalars(objections.order_by(Objection.decided_on, Objection.id)):
        yield "objection", objection


def _due(kind: str, item: Complaint | Objection) -> Due:
    closed_on = item.closed_on if isinstance(item, Complaint) else item.decided_on
    assert closed_on is not None  # the query asks for it
    return Due(kind, item.number, closed_on, len(item.attachments or []))


def erase_due(today: date, years: int) -> Erasure:
    """Erase the personal data of every item due on `today`, with one audit entry each, and drop the stored_files
    rows of their attachments that nothing else names (in the caller's transaction; flushed)."""
    items: list[Due] = []
    attached: set[str] = set()
    for kind, item in list(_due_rows(today, years)):
        due = _due(kind, item)
        attached.update(str(f["sha256"]) for f in item.attachments or [] if isinstance(f, dict) and "sha256" in f)
        erased = COMPLAINT_ERASED if kind == "complaint" else OBJECTION_ERASED
        model = type(item)
        values: dict[str, Any] = dict(erased)
        if "updated_at" in model.__table__.c:  # nothing public changed: the "updated" time feeds show stays
            values["updated_at"] = model.__table__.c.updated_at
        db.session.execute(
            update(model).where(model.id == item.id).values(**values).execution_options(synchronize_session=False)
        )
        db.session.expire(item)
        write_audit(
            f"{kind}.erase_personal_data",
            kind,
            due.number,
            {"erased": [None, ", ".join(erased)], "attachments": [due.attachments, 0]},
            actor="retention run",
            reason=f"个人信息保存期限届满：办结于 {due.closed_on.isoformat()}，保存 {years} 年",
        )
        items.append(due)
    unused = sorted(attached - referenced(attached))
    for sha256 in unused:
        stored = db.session.get(StoredFile, sha256)
        if stored is not None:
            db.session.delete(stored)
    db.session.flush()
    return Erasure(items, unused)


def referenced(hashes: set[str]) -> set[str]:
    """Which of `hashes` a row still names: through a foreign key to stored_files, or anywhere in a JSON column (the
    {sha256, name, type} references of filings, evidence and review payloads), the audit log aside."""
    found: set[str] = set()
    if not hashes:
        return found
    for table in db.metadata.sorted_tables:
        if table.name in NOT_A_REFERENCE:
            continue
        for column in table.columns:
            if any(fk.column.table.name == StoredFile.__tablename__ for fk in column.foreign_keys):
                for chunk in _chunks(hashes):
                    found.update(db.session.scalars(select(column).where(column.in_(chunk))))
            elif isinstance(column.type, sa.JSON):
                for chunk in _chunks(hashes):
                    mentions = sa.or_(*(sa.cast(column, sa.Text).contains(sha256) for sha256 in chunk))
                    for value in db.session.scalars(select(column).where(mentions)):
                        found.update(_strings(value) & set(chunk))
    return found


def _chunks(values: Iterable[str]) -> Iterator[list[str]]:
    iterator = iter(sorted(values))
    while chunk := list(islice(iterator, _BATCH)):
        yield chunk


def _strings(value: Any) -> set[str]:
    """Every string inside a JSON value (the database's LIKE found the hash somewhere in its text; this checks it
    is a whole value, not part of a longer one)."""
    if isinstance(value, dict):
        return {s for v in value.values() for s in _strings(v)}
    if isinstance(value, list):
        return {s for v in value for s in _strings(v)}
    return {value} if isinstance(value, str) else set()


def remove_files(hashes: Iterable[str], files_dir: Path) -> int:
    """After the commit: remove the stored files whose rows erase_due dropped. Returns how many were on disk."""
    removed = 0
    for sha256 in hashes:
        path = StoredFile(sha256=sha256).path_in(files_dir)
        if path.is_file():
            path.unlink()
            removed += 1
    return removed
