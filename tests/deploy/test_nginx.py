"""Debian's nginx in front of gunicorn, both as deployed (deploy/nginx, deploy/gunicorn.conf.py): the app's headers
and caching rules pass through, nginx serves static/ itself, feeds revalidate with 304, nginx's cache keeps public
pages and never a personal one, its request size limits are the app's, its edge limits refuse a flood of sign-ins,
and half-open connections do not stall other clients.

Half-open connections, measured on this machine (2 cores) with gunicorn straight on the network: with the 2 sync
workers of `make run`, two connections that sent half a request header stalled every other client for 44 s on a busy
machine (issue 20: about 33 s), until gunicorn's 30 s worker timeout had killed both workers and new ones had booted;
with deploy/gunicorn.conf.py's gthread workers (2 × 4 threads) two such connections no longer do, but 32 do (the next
requests time out). Behind nginx, 32 are held by nginx and never reach gunicorn: other clients are answered at once
(test_half_open_connections_do_not_stall_other_clients; with nginx's proxy_request_buffering off, it fails).

Each test that sends many requests comes from its own loopback address (127.0.0.2, …), as nginx's limits count per
client address: the tests do not use up each other's allowance, whatever order they run in."""

from __future__ import annotations

import gzip
import http.client
import re
import socket
import sqlite3
import subprocess
import time
import urllib.parse
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from portal import create_app
from portal.demo.operations import DEMO_PASSWORD
from tests.conftest import ROOT
from tests.deploy.conftest import (
    NGINX_SITE,
    app_settings,
    gunicorns,
    nginx,
    nginx_binary,
    prepare,
    shared_part,
    whole_conf,
)
from tests.forms import hidden_fields

SECURITY_HEADERS = (
    "Content-Security-Policy",
    "Permissions-Policy",
    "X-Content-Type-Options",
    "X-Frame-Options",
    "Referrer-Policy",
)
PASSED_THROUGH = (*SECURITY_HEADERS, "Cache-Control", "Content-Language", "Content-Type", "ETag", "Last-Modified")
BYPASS = {"Cookie": "session=someone"}  # a visitor with a session cookie: nginx's cache is not used for them


@dataclass(frozen=True)
class Site:
    app: str  # gunicorn, straight
    edge: str  # nginx in front of it
    app_log: Path  # gunicorn's access log
    database: Path

    def logged(self, text: str, at_least: int = 1) -> list[str]:
        """gunicorn's access log lines holding `text` (a line is written just after its response: wait a little)."""
        deadline = time.monotonic() + 2
        while True:
            lines = [line for line in self.app_log.read_text().splitlines() if text in line]
            if len(lines) >= at_least or time.monotonic() > deadline:
                return lines

    def public_record(self) -> int:
        with sqlite3.connect(self.database) as conn:
            return int(conn.execute("SELECT min(id) FROM records WHERE status = 'public'").fetchone()[0])


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    work = tmp_path_factory.mktemp("nginx")
    database = work / "instance" / "portal.db"
    env = app_settings(work / "instance", f"sqlite:///{database}")
    prepare(env)
    with gunicorns([env], work / "logs") as [app], nginx([app], work / "nginx") as edge:
        yield Site(app, edge, work / "logs" / "app-0.access.log", database)


@dataclass(frozen=True)
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def header(self, name: str) -> str:
        return ", ".join(self.headers.get_all(name) or [])


def _address(base: str) -> tuple[str, int]:
    host, port = base.removeprefix("http://").split(":")
    return host, int(port)


def get(
    base: str,
    path: str,
    headers: Mapping[str, str] | None = None,
    method: str = "GET",
    body: bytes | None = None,
    client: str = "127.0.0.1",
    timeout: float = 30,
) -> Answer:
    """One request on a connection of its own, from the loopback address `client`."""
    host, port = _address(base)
    conn = http.client.HTTPConnection(host, port, timeout=timeout, source_address=(client, 0))
    try:
        conn.request(method, path, body=body, headers=dict(headers or {}))
        response = conn.getresponse()
        return Answer(response.status, response.headers, response.read())
    finally:
        conn.close()


def test_the_apps_headers_and_caching_rules_pass_through(site: Site) -> None:
    record = site.public_record()
    for path in ("/", "/records/", f"/records/{record}", "/records/feed.atom", "/search?q=财政局", "/login"):
        quoted = urllib.parse.quote(path, safe="/?=")
        straight, edge = get(site.app, quoted), get(site.edge, quoted)
        assert (straight.status, edge.status) == (200, 200), path
        for name in PASSED_THROUGH:
            assert edge.header(name) == straight.header(name), (path, name)
        for name in SECURITY_HEADERS:
            assert edge.header(name), (path, name)
    assert get(site.edge, "/").header("Cache-Control").startswith("public, max-age=")
    assert get(site.edge, "/records/feed.atom").header("Cache-Control") == "public, max-age=300"
    assert get(site.edge, "/login").header("Cache-Control") == "private, no-store"


def test_nginx_tells_the_app_who_asked_and_how(site: Site) -> None:
    """X-Forwarded-For, -Proto and -Host reach gunicorn (the app trusts one proxy: PORTAL_PROXY_COUNT=1)."""
    probe = f"/healthz?probe={time.time_ns()}"
    assert get(site.edge, probe).status == 200
    assert "xff=127.0.0.1 proto=http host=127.0.0.1 " in site.logged(probe)[0]


def test_nginx_serves_static_files_itself_with_long_caching(site: Site) -> None:
    page = get(site.edge, "/").body.decode()
    stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)"', page)
    assert stylesheet is not None
    href = stylesheet.group(1)
    css = (ROOT / "static" / "css" / "site.css").read_bytes()
    served = get(site.edge, href)
    assert (served.status, served.body, served.header("Content-Type")) == (200, css, "text/css")
    # The app's static URLs carry no content hash today: an hour, then a revalidation. A hashed URL: a year.
    expected = "public, max-age=31536000, immutable" if "?v=" in href else "public, max-age=3600"
    assert served.header("Cache-Control") == expected
    assert get(site.edge, "/static/css/site.css?v=0123abcd").header("Cache-Control") == (
        "public, max-age=31536000, immutable"
    )
    assert get(site.edge, href, {"If-None-Match": served.header("ETag")}).status == 304
    compressed = get(site.edge, href, {"Accept-Encoding": "gzip"})
    assert compressed.header("Content-Encoding") == "gzip"
    assert gzip.decompress(compressed.body) == css
    icon = get(site.edge, "/favicon.ico")
    assert (icon.status, icon.body) == (200, (ROOT / "static" / "favicon.ico").read_bytes())
    assert icon.header("X-Content-Type-Options") == "nosniff"
    log = site.app_log.read_text()
    assert "/static/" not in log
    assert "/favicon.ico" not in log


def test_a_feed_revalidates_with_304_through_nginx(site: Site) -> None:
    path = "/records/feed.atom"
    gzipped = {"Accept-Encoding": "gzip"}
    full = get(site.edge, path, gzipped)
    assert full.status == 200
    assert gzip.decompress(full.body).startswith(b"<?xml")
    etag = full.header("ETag")  # weak (W/"…") once nginx has compressed the feed
    assert etag
    from_cache = get(site.edge, path, {**gzipped, "If-None-Match": etag})
    assert (from_cache.status, from_cache.body) == (304, b"")
    # past nginx's cache (a visitor with a session cookie) too: nginx asks the app with its own validators, never
    # the client's, and answers the client's with 304 from the app's answer
    bypassed = get(site.edge, path, {**gzipped, **BYPASS, "If-None-Match": etag})
    assert (bypassed.status, bypassed.header("X-Cache"), bypassed.body) == (304, "BYPASS", b"")
    assert bypassed.header("Cache-Control") == "public, max-age=300"


def test_a_public_page_revalidates_with_304_through_nginx(site: Site) -> None:
    """nginx weakens the ETag of what it compresses (W/"…"), and a browser sends it back so: nginx compares it
    weakly (RFC 9110 13.1.2), from its cache and past it."""
    path = "/records/?page=2"
    gzipped = {"Accept-Encoding": "gzip"}
    full = get(site.edge, path, gzipped)
    assert full.status == 200
    etag = full.header("ETag")
    assert etag.startswith('W/"')
    assert get(site.edge, path, {**gzipped, "If-None-Match": etag}).status == 304
    bypassed = get(site.edge, path, {**gzipped, **BYPASS, "If-None-Match": etag})
    assert (bypassed.status, bypassed.header("X-Cache")) == (304, "BYPASS")


def sign_in(site: Site, client: str) -> str:
    """demo-staff signed in through nginx; returns the session cookie."""
    form = get(site.edge, "/login", client=client)
    cookie = form.header("Set-Cookie").split(";")[0]
    fields = {**hidden_fields(form.body.decode()), "username": "demo-staff", "password": DEMO_PASSWORD}
    headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
    answer = get(site.edge, "/login", headers, "POST", urllib.parse.urlencode(fields).encode(), client=client)
    assert answer.status == 303, answer.body.decode()
    return answer.header("Set-Cookie").split(";")[0]


def test_nginx_keeps_public_pages_and_nothing_personal(site: Site) -> None:
    client = "127.0.0.5"
    feed = "/records/feed.atom?kind=arrears"
    assert [get(site.edge, feed, client=client).header("X-Cache") for _ in range(2)] == ["MISS", "HIT"]
    # the session cookie by its production name too (__Host-session); another cookie that merely ends so is not it
    production = get(site.edge, feed, {"Cookie": "lang=zh_CN; __Host-session=x"}, client=client)
    assert production.header("X-Cache") == "BYPASS"
    assert get(site.edge, feed, {"Cookie": "notsession=x"}, client=client).header("X-Cache") != "BYPASS"
    # nor one that says nothing of caching (/healthz), nor one that sets a cookie (here the language)
    health = [get(site.edge, "/healthz", client=client) for _ in range(2)]
    assert [(answer.header("Cache-Control"), answer.header("X-Cache")) for answer in health] == [("", "MISS")] * 2
    english = [get(site.edge, "/agencies/?lang=en", client=client) for _ in range(2)]
    assert all(answer.header("Set-Cookie").startswith("lang=en") for answer in english)
    assert [answer.header("X-Cache") for answer in english] == ["MISS", "MISS"]
    # signed in: past the cache, and the page (with the user's name) is not kept for anyone else
    session = sign_in(site, client)
    mine = get(site.edge, "/", {"Cookie": session}, client=client)
    assert (mine.header("X-Cache"), mine.header("Cache-Control")) == ("BYPASS", "private, no-store")
    assert "退出登录" in mine.body.decode()
    for _ in range(2):
        public = get(site.edge, "/", client=client)
        assert public.header("Cache-Control").startswith("public")
        assert "退出登录" not in public.body.decode()
    assert public.header("X-Cache") == "HIT"


def _send(base: str, request: bytes, client: str) -> socket.socket:
    sock = socket.create_connection(_address(base), timeout=10, source_address=(client, 0))
    sock.sendall(request)
    return sock


def _status_line(sock: socket.socket) -> str:
    return sock.recv(4096).decode("latin-1").split("\r\n")[0]


def _expect_continue(base: str, path: str, length: int) -> str:
    """A post of `length` bytes that asks first (Expect: 100-continue): nginx answers 100 Continue once it would
    take the body, 413 if it is too large. No body is sent."""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; boundary=x\r\n"
        f"Content-Length: {length}\r\nExpect: 100-continue\r\n\r\n"
    )
    with _send(base, head.encode(), client="127.0.0.4") as sock:
        return _status_line(sock)


def test_request_size_limits_are_the_apps(site: Site, tmp_path: Path) -> None:
    """Every upload form's own limit (portal/forms.py request_limit, from the policies in portal/core/uploads.py) and
    the app's default (MAX_CONTENT_LENGTH) get through nginx; one byte more is refused by nginx before it takes the
    body, where one nginx location serves one limit."""
    app = create_app({"PORTAL_INSTANCE_DIR": str(tmp_path), "PORTAL_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    urls = app.url_map.bind("localhost")
    limits = {}
    for rule in app.url_map.iter_rules():
        limit = getattr(app.view_functions[rule.endpoint], "max_content_length", None)
        if limit is not None and "POST" in (rule.methods or ()):
            limits[urls.build(rule.endpoint, dict.fromkeys(rule.arguments, 1))] = limit
    assert len(limits) >= 5, limits
    largest = max(limits.values())
    assert largest == 72 * 1024 * 1024  # a credit-repair application: 5 × 10 MB evidence, the 20 MB pledge, 2 MB
    for path, limit in limits.items():
        assert _expect_continue(site.edge, path, limit) == "HTTP/1.1 100 Continue", path
        if not path.startswith("/workspace/") or limit == largest:  # /workspace/ takes its largest form's limit
            assert _expect_continue(site.edge, path, limit + 1) == "HTTP/1.1 413 Request Entity Too Large", path
    default = app.config["MAX_CONTENT_LENGTH"]
    assert _expect_continue(site.edge, "/logout", default) == "HTTP/1.1 100 Continue"
    assert _expect_continue(site.edge, "/logout", default + 1) == "HTTP/1.1 413 Request Entity Too Large"


def test_edge_limits_refuse_a_flood_of_sign_ins(site: Site) -> None:
    client = "127.0.0.2"
    body = b"username=flood&password=guess"
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    started = time.monotonic()
    answers = [get(site.edge, "/login", form, "POST", body, client=client) for _ in range(25)]
    taken = 25 - len([answer for answer in answers if answer.status == 429])
    # the first, a burst of 10, then one every 6 s (10 a minute)
    assert taken <= 11 + (time.monotonic() - started) // 6, [answer.status for answer in answers]
    refused = [answer for answer in answers if answer.status == 429]
    assert not any(answer.header("Content-Security-Policy") for answer in refused)  # nginx's refusal, not the app's
    assert len(site.logged(f"xff={client} ", at_least=taken)) == taken  # the refused never reached gunicorn
    assert get(site.edge, "/login", client=client).status == 200  # showing the form is not limited


HALF_OPEN_HEADERS = 2  # connections that sent half a request header, as in the issue
HALF_OPEN_BODIES = 30  # and more: posts whose body never comes, more than gunicorn has threads (2 × 4)


def test_half_open_connections_do_not_stall_other_clients(site: Site) -> None:
    held = [
        _send(site.edge, b"GET /records/ HTTP/1.1\r\nHost: localhost\r\nUser-Agent: half", client="127.0.0.3")
        for _ in range(HALF_OPEN_HEADERS)
    ]
    half_post = (
        b"POST /logout HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: 100000\r\n\r\ncsrf_token="
    )
    held += [_send(site.edge, half_post, client="127.0.0.3") for _ in range(HALF_OPEN_BODIES)]
    try:
        time.sleep(0.5)  # all of them in
        record = site.public_record()
        for path in ("/healthz", f"/records/{record}", "/records/?page=3", "/agencies/", "/outcomes/"):
            started = time.monotonic()
            answer = get(site.edge, path, BYPASS, timeout=5)  # past the cache: gunicorn answers
            took = time.monotonic() - started
            assert answer.status == 200, path
            assert took < 2, f"{path} took {took:.1f} s"
        for sock in held:  # every one of them is still open, waiting
            sock.setblocking(False)
            with pytest.raises(BlockingIOError):
                sock.recv(1)
    finally:
        for sock in held:
            sock.close()


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for credit.example.gov.cn and its key, good for a day."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "credit.example.gov.cn")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "fullchain.pem", directory / "privkey.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def test_the_production_site_with_its_tls_server_passes_nginx_t(tmp_path: Path) -> None:
    """The whole of portal.conf — the http → https redirect and the TLS server the running tests leave out — with
    only its placeholders filled in: a certificate, and where the snippet is."""
    cert, key = self_signed(tmp_path)
    site = NGINX_SITE.read_text(encoding="utf-8")
    for placeholder, value in (
        ("/etc/ssl/portal/fullchain.pem", cert),
        ("/etc/ssl/portal/privkey.pem", key),
        ("/etc/nginx/snippets/portal-site.conf", shared_part(tmp_path)),
    ):
        assert placeholder in site
        site = site.replace(placeholder, str(value))
    conf = tmp_path / "nginx.conf"
    conf.write_text(whole_conf(tmp_path, site), encoding="utf-8")
    checked = subprocess.run(
        [nginx_binary(), "-t", "-p", str(tmp_path), "-c", str(conf), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr
