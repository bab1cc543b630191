"""Two staff decide one item at the same moment, for real: gunicorn (2 workers) on SQLite and, in CI, PostgreSQL.
One decision wins; the other is refused with 409 and says the item was decided meanwhile; the item has exactly one
decision (issue 19: on SQLite an objection got two decisions).

To make "the same moment" certain rather than likely, the test holds the database's write lock (SQLite) or the
objection's row (PostgreSQL) while both posts arrive, then lets go."""

from __future__ import annotations

import contextlib
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal.demo.operations import DEMO_PASSWORD
from tests.conftest import BACKENDS, fresh_postgres_database, serve
from tests.forms import hidden_fields, multipart
from tests.html import find, form_fields, visible_text
from tests.workspace.test_double_post import browser, post


@pytest.fixture(params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    url = f"sqlite:///{tmp_path / 'race.db'}" if request.param == "sqlite" else fresh_postgres_database("portal_race")
    with serve(tmp_path, url, PORTAL_MIN_FILL_SECONDS="0") as base:
        yield base, url.replace("postgresql://", "postgresql+psycopg://", 1)


def signed_in(base: str, username: str):  # type: ignore[no-untyped-def]
    opener = browser()
    page = opener.open(f"{base}/login", timeout=30).read().decode()
    fields = {**hidden_fields(page), "username": username, "password": DEMO_PASSWORD}
    assert post(opener, f"{base}/login", urllib.parse.urlencode(fields).encode())[0] == 303
    return opener


@contextlib.contextmanager
def held(engine: sa.Engine, table: str, row_id: int) -> Iterator[None]:
    """The write lock (SQLite) or the row's lock (PostgreSQL), held until the block ends."""
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.connection.driver_connection.isolation_level = None  # type: ignore[union-attr]
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.begin()
            conn.execute(sa.text(f"SELECT id FROM {table} WHERE id = :id FOR UPDATE"), {"id": row_id})
        try:
            yield
        finally:
            conn.exec_driver_sql("ROLLBACK")


def file_objection(base: str, record_id: int) -> None:
    """An objection filed on a public record through the public form, as a citizen does."""
    opener = browser()
    url = f"{base}/records/{record_id}/objection"
    fields = {
        **hidden_fields(opener.open(url, timeout=30).read().decode()),
        "ground": "wrong",
        "explanation": "决定日期有误（并发测试）。",
        "name": "并发测试异议人",
        "phone": "13900000000",
        "consent": "y",
    }
    body, content_type = multipart(fields, {})
    assert post(opener, url, body, content_type)[0] == 201


def form_of(opener: urllib.request.OpenerDirector, page: str, action: str, **fields: str) -> bytes:
    """The hidden fields of the form posting to `action` on the page, with `fields`, as a browser would post it."""
    shown = find(opener.open(page, timeout=30).read().decode(), "form", action=urllib.parse.urlsplit(action).path)
    assert shown is not None, f"no form posting to {action} on {page}"
    return urllib.parse.urlencode({**form_fields(shown, hidden_only=True), **fields}).encode()


def test_two_staff_deciding_one_objection_at_once_one_wins_the_other_gets_409(server: tuple[str, str]) -> None:
    base, database_url = server
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        record_id = conn.execute(
            sa.text("SELECT min(id) FROM records WHERE status = 'public' AND NOT objection_open")
        ).scalar_one()
    file_objection(base, record_id)
    with engine.connect() as conn:
        objection_id, number = conn.execute(
            sa.text("SELECT id, number FROM objections WHERE id = (SELECT max(id) FROM objections)")
        ).one()
    page = f"{base}/workspace/objections/{objection_id}"
    staff = signed_in(base, "demo-staff")
    assert post(staff, f"{page}/accept", form_of(staff, page, f"{page}/accept"))[0] == 303
    admin = signed_in(base, "demo-admin")
    deciders = {
        outcome: (
            opener,
            form_of(opener, page, f"{page}/decide", outcome=outcome, reason=f"核查结论（并发测试）{outcome}"),
        )
        for outcome, opener in (("upheld", staff), ("revoked", admin))
    }
    answers: dict[str, int] = {}

    def decide(outcome: str) -> None:
        opener, body = deciders[outcome]
        answers[outcome] = post(opener, f"{page}/decide", body)[0]

    with held(engine, "objections", objection_id):
        threads = [threading.Thread(target=decide, args=(outcome,)) for outcome in deciders]
        for thread in threads:
            thread.start()
        time.sleep(1.0)  # both posts are in, waiting for the lock
    for thread in threads:
        thread.join()

    assert sorted(answers.values()) == [303, 409], answers
    winner = next(outcome for outcome, status in answers.items() if status == 303)
    with engine.connect() as conn:
        status = conn.execute(
            sa.text("SELECT status FROM objections WHERE id = :id"), {"id": objection_id}
        ).scalar_one()
        record_status = conn.execute(
            sa.text("SELECT status FROM records WHERE id = :id"), {"id": record_id}
        ).scalar_one()
        decisions = conn.execute(
            sa.text("SELECT count(*) FROM audit_entries WHERE action = 'objection.decide' AND entity_id = :n"),
            {"n": number},
        ).scalar_one()
    engine.dispose()
    assert status == winner
    assert decisions == 1
    assert (record_status == "revoked") == (winner == "revoked")  # the record follows the one decision
    loser = deciders["revoked" if winner == "upheld" else "upheld"][0]
    assert OUTCOME_LABELS[winner] in visible_text(loser.open(page, timeout=30).read().decode())


OUTCOME_LABELS = {"upheld": "维持原记录", "revoked": "已撤销公示"}
