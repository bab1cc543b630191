"""Nothing lost under load: 200 complaints posted from 20 threads against a real gunicorn (2 workers), on the SQLite
default and, when PORTAL_TEST_DATABASE_URL is set (CI), on PostgreSQL. Every one gets a distinct number and is in
the database whole: its row, its first step, its attachment on disk and its audit entry."""

from __future__ import annotations

import hashlib
import http.cookiejar
import json
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal.demo.pdf import one_page_pdf
from tests.conftest import BACKENDS, fresh_postgres_database, serve
from tests.forms import hidden_fields, multipart

THREADS = 20
PER_THREAD = 10
SETTINGS = {"PORTAL_PUBLIC_FORM_LIMIT": "1000 per hour", "PORTAL_MIN_FILL_SECONDS": "0"}


@pytest.fixture(params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    url = (
        f"sqlite:///{tmp_path / 'load.db'}"
        if request.param == "sqlite"
        else fresh_postgres_database("portal_complaints_load")
    )
    with serve(tmp_path, url, **SETTINGS) as base:
        yield base, url, tmp_path / "files"


def file_complaints(base: str, thread: int, results: list[tuple[int, str, str]]) -> None:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    for n in range(PER_THREAD):
        page = opener.open(f"{base}/complaints/new", timeout=60).read().decode()
        marker = f"load-{thread}-{n}"
        fields = {
            **hidden_fields(page),
            "filer_type": "individual",
            "name": "压测投诉人",
            "phone": "13900000000",
            "agency_typed": "演示县压测单位",
            "category": "arrears",
            "description": f"并发投诉 {marker}",
            "consent": "y",
        }
        body, content_type = multipart(fields, {"attachments": [(one_page_pdf([marker]), f"{marker}.pdf")]})
        request = urllib.request.Request(f"{base}/complaints/new", data=body, headers={"Content-Type": content_type})
        try:
            with opener.open(request, timeout=60) as response:
                text = response.read().decode()
                number = re.search(r"TS-\d{4}-\d{6}", text)
                results.append((response.status, number.group(0) if number else "", marker))
        except urllib.error.HTTPError as error:
            error.close()
            results.append((error.code, "", marker))


def test_200_complaints_from_20_threads_each_land_whole(server: tuple[str, str, Path]) -> None:
    base, database_url, files_dir = server
    engine = sa.create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:  # the demo's own complaints (its showcase files one) are not this test's
        before = conn.execute(sa.text("SELECT coalesce(max(id), 0) FROM complaints")).scalar_one()
        numbers_before = set(
            conn.execute(sa.text("SELECT entity_id FROM audit_entries WHERE action = 'complaint.file'")).scalars()
        )
    results: list[tuple[int, str, str]] = []
    threads = [threading.Thread(target=file_complaints, args=(base, t, results)) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(results) == THREADS * PER_THREAD
    assert [status for status, _, _ in results] == [201] * len(results)
    numbers = [number for _, number, _ in results]
    assert len(set(numbers)) == len(numbers)

    with engine.connect() as conn:
        since = {"before": before}
        rows = conn.execute(
            sa.text("SELECT id, number, description, attachments FROM complaints WHERE id > :before"), since
        ).all()
        steps = (
            conn.execute(sa.text("SELECT complaint_id FROM complaint_steps WHERE complaint_id > :before"), since)
            .scalars()
            .all()
        )
        audited = (
            set(conn.execute(sa.text("SELECT entity_id FROM audit_entries WHERE action = 'complaint.file'")).scalars())
            - numbers_before
        )
    engine.dispose()
    assert sorted(row.number for row in rows) == sorted(numbers)
    assert sorted(steps) == sorted(row.id for row in rows)
    assert audited == set(numbers)
    by_marker = {row.description.split()[-1]: row for row in rows}
    for _, number, marker in results:
        row = by_marker[marker]
        assert row.number == number
        [attachment] = row.attachments if isinstance(row.attachments, list) else json.loads(row.attachments)
        stored = files_dir / attachment["sha256"][:2] / attachment["sha256"]
        assert hashlib.sha256(stored.read_bytes()).hexdigest() == attachment["sha256"]
