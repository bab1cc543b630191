"""Every public page revalidated and cached by one publication version (issue 20).

The version is what every public page can depend on: the search outbox's high-water mark (every publish and change
of public data writes a row), the audit log's (every other change: a complaint filed changes the statistics), the
content files (pages and news) and today's date in China (publication ends by date). A page's ETag is the version
with its path, query and language, so:

- a reader who has the page (If-None-Match) gets 304 before the view runs;
- otherwise the page cache, keyed by that ETag, answers without rendering (Redis when PORTAL_REDIS_URL is set, so
  every worker and node shares it; else each process keeps its own, bounded);
- otherwise the view renders and the page is kept.

`Cache-Control: public, max-age=MAX_AGE, stale-while-revalidate=STALE` lets nginx's proxy_cache or a CDN absorb a
spike too (deploy/nginx). The version is looked up at most once per PORTAL_FEED_FRESHNESS_SECONDS per process, so
a burst of requests costs no database round trip.

Nothing personal is ever cached: a request from a signed-in user or with a message waiting (a flash) skips the
cache, and a response is kept only if it is a 200 to a GET that generated no CSRF token (every form carries one),
set no cookie and set no validator of its own (feeds, files and PDFs have theirs)."""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from pathlib import Path
from time import monotonic
from typing import Any

from flask import Flask, Response, current_app, g, request, session
from sqlalchemy import text

from portal import clock
from portal.core.content import content_stamp
from portal.extensions import db

MAX_AGE = 60  # seconds a browser or proxy may reuse a public page without asking
STALE = 600  # seconds a proxy may serve it stale while it asks again
REDIS_TTL = 900  # seconds a page is kept in Redis (its key names its version: an old one is never served)
REDIS_PAGES = 5000  # pages kept in Redis per version, at most (a few hundred MB at worst, for REDIS_TTL)
MEMORY_PAGES = 2000  # pages a process keeps, at most
MEMORY_BYTES = 64 * 1024 * 1024  # and bytes
LARGEST_PAGE = 2 * 1024 * 1024  # a bigger body is not kept
PRIVATE_PREFIXES = ("/workspace", "/login", "/logout", "/reset", "/healthz", "/static/")
KEPT_HEADERS = ("Content-Type", "Content-Language", "X-Robots-Tag", "Link")

# The audit log's part leaves out what no public page shows (sign-ins, failed logins, contact reveals: anyone could
# otherwise keep the cache cold), and counts the public entries among the newest ids as well as the highest: on
# PostgreSQL ids are drawn before commit, so an entry can commit after a higher one was seen (the window ends at the
# newest public entry: a private one never moves it).
# Entries that change no public page: sign-ins and account changes, reveals of a filer's contact, followers' alerts.
_PUBLIC_AUDIT = "action NOT LIKE 'user.%' AND action NOT LIKE '%.reveal' AND action NOT LIKE 'alert.%'"
AUDIT_WINDOW = 200
_VERSION_SQL = text(
    "SELECT (SELECT coalesce(max(id), 0) FROM search_outbox), top.id,"
    f" (SELECT count(*) FROM audit_entries WHERE {_PUBLIC_AUDIT} AND id > top.id - {AUDIT_WINDOW})"
    f" FROM (SELECT coalesce((SELECT id FROM audit_entries WHERE {_PUBLIC_AUDIT} ORDER BY id DESC LIMIT 1), 0)"
    " AS id) AS top"
)


class _Versions:
    """The publication version per database, looked up at most once per freshness interval."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple[float, int, str]] = {}
        self._lock = threading.Lock()

    def current(self) -> tuple[int, str]:
        """(the outbox high-water mark, the version string)."""
        settings = current_app.config["PORTAL_SETTINGS"]
        database = current_app.config["SQLALCHEMY_DATABASE_URI"]
        now = monotonic()
        seen = self._seen.get(database)
        if seen is None or now - seen[0] >= settings.feed_freshness_seconds:
            outbox, audit, recent = db.session.execute(_VERSION_SQL).one()
            content = content_stamp(settings.content_dir)[:12]
            build = current_app.extensions["page_build"]
            version = f"{build}.{outbox}.{audit}.{recent}.{content}.{clock.today().isoformat()}"
            seen = (now, int(outbox), version)
            with self._lock:
                self._seen[database] = seen
        return seen[1], seen[2]


class MemoryPages:
    """A process's own pages, least recently used dropped first, bounded in count and bytes."""

    def __init__(self) -> None:
        self._pages: OrderedDict[str, bytes] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: str, page: bytes, version: str) -> None:
        with self._lock:
            old = self._pages.pop(key, None)
            self._bytes += len(page) - (len(old) if old else 0)
            self._pages[key] = page
            while len(self._pages) > MEMORY_PAGES or self._bytes > MEMORY_BYTES:
                _key, dropped = self._pages.popitem(last=False)
                self._bytes -= len(dropped)


class RedisPages:
    """Pages shared by every worker and node, each kept REDIS_TTL seconds. Redis down: no page is cached (the site
    answers as without a cache), never an error."""

    def __init__(self, url: str) -> None:
        from redis import Redis  # only where Redis is configured

        self._redis = Redis.from_url(url, socket_timeout=0.2, socket_connect_timeout=0.2)

    def get(self, key: str) -> bytes | None:
        try:
            value = self._redis.get(f"page:{key}")
        except Exception:  # a cache that is down is a cache miss
            return None
        return value if isinstance(value, bytes) else None

    def put(self, key: str, page: bytes, version: str) -> None:
        """Kept unless this version has REDIS_PAGES already: any query string is a page of its own, and Redis also
        holds the rate limits, so junk URLs must not fill it."""
        try:
            counter = f"pages:{hashlib.sha256(version.encode()).hexdigest()[:24]}"
            kept: Any = self._redis.incr(counter)
            if int(kept) > REDIS_PAGES:
                return
            self._redis.expire(counter, REDIS_TTL)
            self._redis.set(f"page:{key}", page, ex=REDIS_TTL)
        except Exception:  # a cache that is down keeps nothing
            return


def _cacheable_request() -> bool:
    if not current_app.config["PORTAL_PAGE_CACHE"]:
        return False
    if request.method not in ("GET", "HEAD") or request.path.startswith(PRIVATE_PREFIXES):
        return False
    # signed in (Flask-Login's key) or a message waiting to be shown: this page is someone's own
    return "_user_id" not in session and "_flashes" not in session and "pending_login" not in session


def _etag(version: str) -> str:
    lang = request.args.get("lang") or request.cookies.get("lang") or ""
    # without PORTAL_BASE_URL (development) absolute links follow the request's host: so does the key
    host = "" if current_app.config["PORTAL_SETTINGS"].base_url else request.host_url
    key = f"{version}\n{host}\n{request.path}\n{request.query_string.decode('latin-1')}\n{lang}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _pack(response: Response) -> bytes:
    headers = {name: response.headers[name] for name in KEPT_HEADERS if name in response.headers}
    return json.dumps(headers).encode() + b"\n" + response.get_data()


def _unpack(page: bytes) -> Response:
    head, _sep, body = page.partition(b"\n")
    headers: dict[str, Any] = json.loads(head)
    return Response(body, status=200, headers=headers)


def _caching_headers(response: Response, etag: str) -> None:
    response.set_etag(etag)
    response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}, stale-while-revalidate={STALE}"
    response.vary.add("Cookie")  # the language and a session come in the cookie


def _answer_from_cache() -> Response | None:
    """Before the view: 304 if the reader has this version of the page, the kept page if there is one."""
    if not _cacheable_request():
        return None
    outbox, version = current_app.extensions["page_versions"].current()
    etag = _etag(version)
    g.page_etag, g.page_outbox, g.page_version = etag, outbox, version
    asked = request.if_none_match  # compared weakly, as RFC 9110 says (a gzip proxy makes W/"…"); never `*`
    if not asked.star_tag and asked.contains_weak(etag):
        response = Response(status=304)
    else:
        page = current_app.extensions["page_cache"].get(etag)
        if page is None:
            return None
        response = _unpack(page)
    _caching_headers(response, etag)
    g.page_answered = True
    return response


def _keep(response: Response) -> Response:
    """After the view: a public 200 gets the version's ETag and is kept (see the module's rules)."""
    etag = g.get("page_etag")
    if etag is None or g.get("page_answered"):
        return response
    if (
        response.status_code != 200
        or "csrf_token" in g  # a form: its token is this visitor's
        or session.modified  # a cookie is being set (a new session, a flash shown)
        or response.headers.get("Set-Cookie")
        or response.headers.get("ETag")  # feeds, files and PDFs validate themselves
        or "Cache-Control" in response.headers  # the view (or web's private rule) said how to cache it
        or response.is_streamed
        or response.direct_passthrough
        or not _index_has_caught_up()
    ):
        return response
    body_size = response.calculate_content_length() or 0
    if body_size <= LARGEST_PAGE:
        current_app.extensions["page_cache"].put(etag, _pack(response), g.page_version)
    _caching_headers(response, etag)
    return response


def _index_has_caught_up() -> bool:
    """A search page is kept only once the search index has applied every outbox entry of its version (the index
    catches up after the commit, or on another node a moment later)."""
    if request.blueprint != "search":  # /search and /api/v1/search; the rest of /api/v1 reads the database only
        return True
    try:
        return bool(current_app.extensions["search_index"].mark() >= g.page_outbox)
    except Exception:  # an index that cannot say is not caught up
        return False


def build_stamp(settings: Any) -> str:
    """What the pages are rendered by, besides the data: the code, templates, static files and translations (by
    content, so that every node of one release agrees) and the settings pages show. A deploy or a changed setting
    is a new version: no old page is served or revalidated after it."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for folder, pattern in (("portal", "*.py"), ("portal", "*.mo"), ("templates", "*"), ("static", "*")):
        for path in sorted((root / folder).rglob(pattern)):
            if path.is_file():
                digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    shown = (
        settings.site_name, settings.base_url, settings.tag_authority, settings.timezone, settings.page_size,
        sorted(settings.disclosure_periods.items()), sorted(settings.deadline_days.items()),
        settings.site_organiser, settings.site_operator, settings.site_contact, settings.site_code,
        settings.site_icp_record, settings.site_police_record,
    )  # fmt: skip
    digest.update(repr(shown).encode())
    return digest.hexdigest()[:12]


def init_app(app: Flask) -> None:
    app.extensions["page_build"] = build_stamp(app.config["PORTAL_SETTINGS"])
    redis_url = app.config["PORTAL_SETTINGS"].redis_url
    app.extensions["page_versions"] = _Versions()
    app.extensions["page_cache"] = RedisPages(redis_url) if redis_url else MemoryPages()
    app.before_request(_answer_from_cache)
    app.after_request(_keep)
