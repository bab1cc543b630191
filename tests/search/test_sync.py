"""The outbox and the index on disk: catch-up after a crash, repeats without duplicates, rebuild and swap,
a missing or broken index, and several processes publishing at once."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from portal.extensions import db
from portal.outbox import OutboxEntry, changed
from portal.search.engine import SearchUnavailableError
from portal.search.index import SearchIndex
from tests.conftest import POSTGRES_URL, ROOT, TODAY, fresh_postgres_database
from tests.factories import make_record
from tests.search.conftest import ENGINES, TODAY_DATE, keys, publish, search


def test_a_change_committed_before_a_crash_is_indexed_by_the_next_sync(writable_index: SearchIndex) -> None:
    record = make_record(title="提交后进程中断的记录甲")
    changed(f"record:{record.id}")
    db.session.commit()  # committed, then the process "dies" before it touches the index
    assert search(writable_index, "进程中断").total == 0
    assert writable_index.pending(db.session)
    assert writable_index.sync(db.session, TODAY_DATE) == 1
    assert keys(search(writable_index, "进程中断")) == [f"record:{record.id}"]
    assert not writable_index.pending(db.session)


def test_the_search_page_catches_up_with_the_outbox(writable_index: SearchIndex, client: object) -> None:
    record = make_record(title="由搜索补上索引的记录乙")
    changed(f"record:{record.id}")
    db.session.commit()
    body = client.get("/search?q=补上索引").get_data(as_text=True)  # type: ignore[attr-defined]
    assert f'href="/records/{record.id}"' in body


def test_applying_an_entry_again_leaves_one_document(writable_index: SearchIndex) -> None:
    """A crash between the index commit and the mark makes the next sync repeat entries: harmless."""
    record = make_record(title="重复应用的记录丙")
    publish(f"record:{record.id}")
    mark_file = writable_index.link.resolve() / "outbox_mark"
    mark_file.write_text("0")
    assert writable_index.sync(db.session, TODAY_DATE)
    assert keys(search(writable_index, "重复应用")) == [f"record:{record.id}"]
    assert search(writable_index, "重复应用").total == 1


def test_rebuild_swaps_in_a_fresh_index_and_removes_the_old_one(writable_index: SearchIndex) -> None:
    before = writable_index.link.resolve()
    assert search(writable_index, "财政局").total > 0  # opened
    record = make_record(title="重建前已提交的记录丁")
    changed(f"record:{record.id}")
    db.session.commit()
    count = writable_index.rebuild(db.session, TODAY_DATE)
    after = writable_index.link.resolve()
    assert after != before
    assert not before.exists()
    assert writable_index.link.is_symlink()
    assert count > 300
    assert keys(search(writable_index, "重建前已提交")) == [f"record:{record.id}"]
    assert not writable_index.pending(db.session)


def test_a_missing_index_is_reported_and_rebuild_recovers(writable_index: SearchIndex) -> None:
    shutil.rmtree(writable_index.link.resolve())
    with pytest.raises(SearchUnavailableError):
        search(writable_index, "财政局")
    writable_index.link.unlink()
    with pytest.raises(SearchUnavailableError):
        search(writable_index, "财政局")
    writable_index.rebuild(db.session, TODAY_DATE)
    assert search(writable_index, "财政局").total > 0


def test_a_broken_index_is_reported(writable_index: SearchIndex) -> None:
    data = writable_index.link.resolve() / "data"
    for path in data.iterdir():
        if path.is_file():
            path.write_bytes(b"\x00garbage")
    fresh = SearchIndex(writable_index.root, writable_index.engine_name, writable_index.content_dir)
    with pytest.raises(SearchUnavailableError):
        search(fresh, "财政局")


def test_a_publishing_request_never_waits_for_the_index_lock(writable_index: SearchIndex, client: object) -> None:
    record = make_record(title="泊舟县锁测试记录")
    with writable_index.writer_lock(wait=0) as locked:  # another process is writing the index
        assert locked
        started = time.monotonic()
        publish(f"record:{record.id}")
        assert time.monotonic() - started < 2  # it used to wait up to 10 s for the lock
        assert writable_index.pending(db.session)  # left for the next sync
    assert keys(search(writable_index, "泊舟县锁测试记录")) == []
    page = client.get("/search?q=泊舟县锁测试记录").get_data(as_text=True)  # type: ignore[attr-defined]
    assert "泊舟县锁测试记录" in page  # the next search caught up
    assert not writable_index.pending(db.session)


def test_sync_gives_up_while_another_process_holds_the_lock(writable_index: SearchIndex) -> None:
    with writable_index.writer_lock(wait=0) as locked:
        assert locked
        assert writable_index.sync(db.session, TODAY_DATE, wait=0.05) is None


# -- several processes publishing at once -------------------------------------------------------------------------

WORKER = textwrap.dedent(
    """
    import sys
    from datetime import date
    from portal import create_app
    from portal.extensions import db
    from portal.records.models import Record
    from portal.records.operations import change_status
    from portal.records.rules import RecordStatus
    from portal.db import commit

    app = create_app()
    with app.app_context():
        for record_id in map(int, sys.argv[1:]):
            record = db.session.get(Record, record_id)
            change_status(record, RecordStatus.REVOKED, date(2026, 11, 20), reason="并发测试", actor="worker")
            commit()
    """
)


@pytest.fixture(params=["sqlite", *(["postgresql"] if POSTGRES_URL else [])])
def separate_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of its own (other processes must see committed data, which the shared test database
    rolls back)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'concurrent.db'}"
        return
    yield fresh_postgres_database("portal_search_concurrency")  # one per xdist worker


@pytest.mark.parametrize("engine", ENGINES)
def test_concurrent_publishing_from_several_processes(separate_database: str, tmp_path: Path, engine: str) -> None:
    from datetime import date

    from flask_migrate import upgrade

    from portal import create_app
    from portal.demo.operations import load_demo
    from portal.records.models import Record
    from portal.records.queries import public_records

    env = {
        **os.environ,
        "PORTAL_DATABASE_URL": separate_database,
        "PORTAL_INSTANCE_DIR": str(tmp_path / "instance"),
        "PORTAL_SEARCH_INDEX_DIR": str(tmp_path / "search_index"),
        "PORTAL_SEARCH_ENGINE": engine,
        "PORTAL_TODAY": TODAY,
        "PORTAL_SECRET_KEY": "concurrency-test-" + "x" * 32,
    }
    app: Flask = create_app({k: v for k, v in env.items() if k.startswith("PORTAL_")})
    with app.app_context():
        upgrade()
        settings = app.config["PORTAL_SETTINGS"]
        load_demo(150, 7, date.fromisoformat(TODAY), settings.files_dir, dict(settings.disclosure_periods))
        db.session.commit()
        index: SearchIndex = app.extensions["search_index"]
        index.rebuild(db.session, TODAY_DATE)
        chosen = [r.id for r in db.session.scalars(public_records(TODAY_DATE).limit(40))]
        db.session.remove()

    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, *map(str, chosen[i::4])], cwd=ROOT, env=env, stderr=subprocess.PIPE
        )
        for i in range(4)
    ]
    for worker in workers:
        _, errors = worker.communicate(timeout=120)
        assert worker.returncode == 0, errors.decode()

    with app.app_context():
        index = SearchIndex(index.root, engine, index.content_dir)  # a fresh reader, as another worker would be
        # a publisher never waits for the lock: what another one held it for is applied by the next request's sync
        assert index.sync(db.session, TODAY_DATE, wait=0) is not None
        assert not index.pending(db.session)
        assert index.mark() == db.session.scalar(select(func.max(OutboxEntry.id)))
        result = search(index, filters={"type": "record"}, limit=1000, facets=False)
        expected = {f"record:{r.id}" for r in db.session.scalars(public_records(TODAY_DATE))}
        assert sorted(keys(result)) == sorted(expected)  # the revoked ones are gone, no duplicates
        assert not expected & {f"record:{i}" for i in chosen}
        assert all(db.session.get(Record, i).status == "revoked" for i in chosen)  # type: ignore[union-attr]
        db.session.remove()
        db.engine.dispose()
