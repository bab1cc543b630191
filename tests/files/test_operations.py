"""Stored files: kept once under their SHA-256; a file written by a transaction that rolls back is removed from disk,
one that is committed stays. (The harness wraps each test in an outer transaction; the session's own commit and
rollback still fire the session events that keep or remove the files.)"""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from portal.core.uploads import CheckedFile, FileKind
from portal.demo.pdf import one_page_pdf
from portal.extensions import db
from portal.files.models import StoredFile
from portal.files.operations import SWEEP_AFTER, keep_upload, store_bytes, sweep_orphan_files


class RolledBackInTestError(Exception):
    """Raised inside a savepoint to make it roll back."""


def unique_pdf() -> bytes:
    """Content no other test has stored (a file already on disk is not written again)."""
    return one_page_pdf(["Stored file test", uuid.uuid4().hex])


def files_on_disk(files_dir: Path) -> list[Path]:
    return sorted(p for p in files_dir.rglob("*") if p.is_file())


def rows(sha256: str) -> int:
    return db.session.scalar(select(func.count()).select_from(StoredFile).where(StoredFile.sha256 == sha256)) or 0


def test_a_file_is_stored_under_its_sha256_outside_static(app: Flask, tmp_path: Path) -> None:
    data = unique_pdf()
    stored = store_bytes(data, FileKind.PDF.value, tmp_path)
    sha256 = hashlib.sha256(data).hexdigest()
    assert stored.sha256 == sha256
    assert stored.size == len(data)
    assert stored.content_type == "application/pdf"
    path = tmp_path / sha256[:2] / sha256
    assert stored.path_in(tmp_path) == path
    assert path.read_bytes() == data
    assert files_on_disk(tmp_path) == [path]  # no temporary file left beside it
    settings = app.config["PORTAL_SETTINGS"]
    assert "static" not in settings.files_dir.parts


def test_two_identical_uploads_keep_one_file(app: Flask, tmp_path: Path) -> None:
    data = unique_pdf()
    first = store_bytes(data, "application/pdf", tmp_path)
    second = store_bytes(data, "application/pdf", tmp_path)
    db.session.flush()
    assert first is second
    assert rows(first.sha256) == 1
    assert len(files_on_disk(tmp_path)) == 1

    db.session.commit()
    third = keep_upload(CheckedFile("再传一次.pdf", FileKind.PDF, data), tmp_path)  # in a later transaction
    assert third == {"sha256": first.sha256, "name": "再传一次.pdf", "type": "application/pdf"}
    db.session.flush()
    assert rows(first.sha256) == 1
    assert len(files_on_disk(tmp_path)) == 1


def test_a_file_written_in_a_transaction_that_rolls_back_is_removed(app: Flask, tmp_path: Path) -> None:
    data = unique_pdf()
    stored = store_bytes(data, "application/pdf", tmp_path)
    path = stored.path_in(tmp_path)
    db.session.flush()
    assert path.exists()

    db.session.rollback()
    assert not path.exists()
    assert rows(hashlib.sha256(data).hexdigest()) == 0
    assert files_on_disk(tmp_path) == []


def test_a_committed_file_stays(app: Flask, tmp_path: Path) -> None:
    data = unique_pdf()
    path = store_bytes(data, "application/pdf", tmp_path).path_in(tmp_path)
    db.session.commit()
    assert path.exists()

    db.session.rollback()  # a later transaction's rollback does not touch it
    assert path.exists()
    assert path.read_bytes() == data


def test_a_rolled_back_duplicate_does_not_remove_the_committed_file(app: Flask, tmp_path: Path) -> None:
    data = unique_pdf()
    path = store_bytes(data, "application/pdf", tmp_path).path_in(tmp_path)
    db.session.commit()

    store_bytes(data, "application/pdf", tmp_path)  # the same letter uploaded again, then that request fails
    db.session.rollback()
    assert path.exists()
    assert rows(hashlib.sha256(data).hexdigest()) == 1


def test_a_file_whose_row_is_kept_but_whose_file_is_gone_is_written_again(app: Flask, tmp_path: Path) -> None:
    data = unique_pdf()
    path = store_bytes(data, "application/pdf", tmp_path).path_in(tmp_path)
    db.session.commit()
    path.unlink()

    store_bytes(data, "application/pdf", tmp_path)
    assert path.read_bytes() == data


def test_a_file_written_in_a_savepoint_that_rolls_back_is_removed(app: Flask, tmp_path: Path) -> None:
    """A refused step undone in a savepoint (as the review does) must not leave its file behind when the outer
    transaction commits: no row would name it."""
    kept, dropped = unique_pdf(), unique_pdf()
    kept_path = store_bytes(kept, "application/pdf", tmp_path).path_in(tmp_path)

    def refused_in_a_savepoint() -> Path:
        with db.session.begin_nested():
            path = store_bytes(dropped, "application/pdf", tmp_path).path_in(tmp_path)
            db.session.flush()
            raise RolledBackInTestError(path)

    with pytest.raises(RolledBackInTestError) as refused:
        refused_in_a_savepoint()
    dropped_path = refused.value.args[0]
    db.session.commit()

    assert kept_path.exists()
    assert rows(hashlib.sha256(dropped).hexdigest()) == 0
    assert not dropped_path.exists(), "a file whose row was rolled back with its savepoint is left on disk"


# --- the sweeper (issue 19) ------------------------------------------------------------------------------------------


def test_the_sweeper_removes_old_files_no_row_names_and_keeps_the_rest(app: Flask, tmp_path: Path) -> None:
    """A worker killed between writing a file and committing its row leaves the file; the daily sweep removes it
    once it is an hour old, and touches nothing a row names, nothing younger and nothing outside the store's layout."""
    files_dir = tmp_path / "files"
    kept = store_bytes(unique_pdf(), "application/pdf", files_dir).path_in(files_dir)  # a row names it
    db.session.flush()
    orphan_data = unique_pdf()
    orphan_hash = hashlib.sha256(orphan_data).hexdigest()
    orphan = files_dir / orphan_hash[:2] / orphan_hash
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(orphan_data)  # what the killed worker left: the file, no row
    half = orphan.parent / ".upload-abc123"
    half.write_bytes(b"%PDF-half")
    young_hash = hashlib.sha256(b"young").hexdigest()
    young = files_dir / young_hash[:2] / young_hash
    young.parent.mkdir(parents=True, exist_ok=True)
    young.write_bytes(b"young")
    other = files_dir / "notes" / "readme.txt"  # not the store's layout
    other.parent.mkdir(parents=True, exist_ok=True)
    other.write_text("kept")
    hour_later = time.time() + SWEEP_AFTER.total_seconds() + 60
    os.utime(young, (hour_later - 60, hour_later - 60))  # written a minute before the sweep

    assert sweep_orphan_files(files_dir, hour_later, dry_run=True) == sorted([orphan, half])
    assert all(p.exists() for p in (orphan, half))  # a dry run removes nothing
    assert sweep_orphan_files(files_dir, hour_later) == sorted([orphan, half])
    assert not any(p.exists() for p in (orphan, half))
    assert all(p.exists() for p in (kept, young, other))
    assert sweep_orphan_files(files_dir, hour_later) == []
