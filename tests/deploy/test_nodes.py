"""Several nodes (issue 20): two app servers, each with its own search index, on one PostgreSQL database and one
Redis, behind one nginx upstream. A record staff publish on one node is found by /search on the other within a
second.

How the other node learns of it (nothing was added for this: it is how the search outbox works). The publish writes a
search_outbox row in its own transaction (portal/outbox.py changed), and the publishing node applies it to its own
index after the commit. Every index remembers the last outbox row it applied (outbox_mark), and every search first
compares that mark with the outbox's newest id — one index look-up, SearchIndex.pending — and applies what it has not
seen before it searches (portal/search/operations.py run_search). So the next search on any node finds the publish;
`flask search sync` every minute (deploy/systemd/portal-search-sync.timer) catches up a node nobody searches on. What
can delay it is the page cache: each process reads the publication version at most once per
PORTAL_FEED_FRESHNESS_SECONDS (1 s), and until then it may answer a search page kept under the old version
(portal/pagecache.py).

PostgreSQL and Redis run beside the suite (.ci/run starts both); when they are down this test fails, it is never
skipped."""

from __future__ import annotations

import secrets
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal.demo.operations import DEMO_PASSWORD
from tests.conftest import POSTGRES_URL, TEST_REDIS_URL, fresh_postgres_database
from tests.deploy.conftest import app_settings, gunicorns, nginx, prepare
from tests.forms import hidden_fields
from tests.records.test_workspace import record_input
from tests.workspace.test_double_post import browser, post

WITHIN = 1.0  # seconds from the publish's answer until the other node's search finds it


def search_finds(base: str, words: str, record_id: int | None) -> bool:
    with urllib.request.urlopen(f"{base}/search?{urllib.parse.urlencode({'q': words})}", timeout=10) as response:
        assert response.status == 200
        return record_id is not None and f'href="/records/{record_id}"' in response.read().decode()


def publish_record(base: str, database_url: str, title: str) -> int:
    """demo-staff signs in on `base` and enters a record, which publishes it (the workspace's form, as a browser
    posts it); returns the record's id."""
    staff = browser()
    login = staff.open(f"{base}/login", timeout=30).read().decode()
    fields = {**hidden_fields(login), "username": "demo-staff", "password": DEMO_PASSWORD}
    assert post(staff, f"{base}/login", urllib.parse.urlencode(fields).encode())[0] == 303
    engine = sa.create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        agency_id = conn.execute(sa.text("SELECT min(id) FROM agencies")).scalar_one()
    engine.dispose()
    form_url = f"{base}/workspace/records/new?kind=administrative_penalty"
    page = staff.open(form_url, timeout=30).read().decode()
    typed = {**hidden_fields(page), **record_input("administrative_penalty", agency_id, 1, title=title)}
    status, location = post(staff, form_url, urllib.parse.urlencode(typed).encode())
    assert status == 303, status
    return int(location.rstrip("/").rsplit("/", 1)[-1])


def test_a_record_published_on_one_node_is_found_on_the_other_within_a_second(tmp_path: Path) -> None:
    if not POSTGRES_URL:
        pytest.fail("several nodes share PostgreSQL: set PORTAL_TEST_DATABASE_URL (.ci/run does)")
    database_url = fresh_postgres_database("portal_nodes")
    shared = {  # what the nodes share besides the database: Redis, the secret key, the stored files
        "PORTAL_REDIS_URL": TEST_REDIS_URL,
        "PORTAL_SECRET_KEY": "several-nodes-" + secrets.token_hex(16),
        "PORTAL_FILES_DIR": str(tmp_path / "files"),
    }
    one_env, two_env = (app_settings(tmp_path / f"node-{n}", database_url, **shared) for n in (1, 2))
    prepare(one_env, Path(two_env["PORTAL_SEARCH_INDEX_DIR"]))
    with (
        gunicorns([one_env, two_env], tmp_path / "logs") as [one, two],
        nginx([one, two], tmp_path / "nginx", extra="add_header X-Upstream $upstream_addr always;") as edge,
    ):
        answered_by = set()
        for n in range(6):
            with urllib.request.urlopen(f"{edge}/healthz?n={n}", timeout=10) as response:
                answered_by.add(response.headers["X-Upstream"])
        assert answered_by == {one.removeprefix("http://"), two.removeprefix("http://")}  # nginx uses both

        # words no earlier run searched for: a page another run kept in Redis can never answer them
        title = f"跨节点同步测试记录 {secrets.randbelow(10**8):08d}"
        assert not search_finds(two, title, None)  # the other node has searched before (its index is open)
        record_id = publish_record(one, database_url, title)
        published = time.monotonic()
        assert search_finds(one, title, record_id)  # the publishing node indexed it after the commit
        while not search_finds(two, title, record_id):
            assert time.monotonic() - published < WITHIN, "the other node did not find the record in time"
            time.sleep(0.05)
        print(f"found on the other node {time.monotonic() - published:.2f} s after the publish answered")
        assert search_finds(edge, title, record_id)  # and through nginx, whichever node answers
