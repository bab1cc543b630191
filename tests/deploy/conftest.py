"""The deployment for real: gunicorn started with deploy/gunicorn.conf.py (as deploy/systemd/portal.service starts
it) and Debian's nginx in front of it with deploy/nginx's configuration. nginx is run as the current user with a
generated nginx.conf: portal.conf down to its "servers" line (the upstream pointed at the test's gunicorns, the cache
in a temporary directory) and one plain-http server that includes portal-site.conf, as the TLS server does."""

from __future__ import annotations

import contextlib
import getpass
import os
import re
import shutil
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path

from tests.conftest import ROOT, TODAY

BIN = Path(sys.executable).parent
GUNICORN_CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
NGINX_SITE = ROOT / "deploy" / "nginx" / "portal.conf"
NGINX_SHARED = ROOT / "deploy" / "nginx" / "portal-site.conf"
SERVERS_LINE = "# == servers:"  # portal.conf: everything below it is the production servers (TLS)
EXAMPLE_UPSTREAMS = re.compile(r"^\s*server 10\.0\.0\.\d+:8000\b[^\n]*\n", re.MULTILINE)
CHECKOUT = "/srv/portal"  # where the production configuration expects the checkout (static/)
CACHE_DIR = "/var/cache/nginx/portal"


def app_settings(instance: Path, database_url: str, **settings: str) -> dict[str, str]:
    """The environment of one app server: its own instance directory and search index, "today" pinned, behind one
    proxy with the site's own address set (PORTAL_PROXY_COUNT=1 and PORTAL_BASE_URL, as deploy/portal.env.example):
    a page is the same whichever address it was asked at."""
    return {
        **os.environ,
        "PORTAL_INSTANCE_DIR": str(instance),
        "PORTAL_DATABASE_URL": database_url,
        "PORTAL_SEARCH_INDEX_DIR": str(instance / "search_index"),
        "PORTAL_TODAY": TODAY,
        "PORTAL_PROXY_COUNT": "1",
        "PORTAL_BASE_URL": "https://credit.example.gov.cn",
        **settings,
    }


# What `make run` prepares (migrations, the demo county, the search index), in one process rather than three CLI
# commands (one app start-up instead of three: this machine has 2 cores). argv: the search index directories.
PREPARE = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from flask_migrate import upgrade
    from portal import create_app
    from portal.demo.operations import load_demo
    from portal.extensions import db
    from portal.search.index import SearchIndex

    app = create_app()
    with app.app_context():
        upgrade()
        settings = app.config["PORTAL_SETTINGS"]
        load_demo(150, 2026, settings.today, settings.files_dir, dict(settings.disclosure_periods))
        db.session.commit()
        for index_dir in sys.argv[1:]:
            index = SearchIndex(Path(index_dir), settings.search_engine, settings.content_dir)
            index.rebuild(db.session, settings.today)
    """
)


def prepare(env: Mapping[str, str], *more_indexes: Path) -> None:
    """The database of `env` with the demo county, and its search index (and `more_indexes`, other nodes')."""
    indexes = [env["PORTAL_SEARCH_INDEX_DIR"], *map(str, more_indexes)]
    done = subprocess.run([sys.executable, "-c", PREPARE, *indexes], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"preparing the database failed:\n{done.stdout}\n{done.stderr}"


def wait_for(url: str, process: subprocess.Popen[bytes], log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (OSError, urllib.error.URLError) as exc:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not answer: {log.read_text(errors='replace')}") from exc
        time.sleep(0.1)


@contextlib.contextmanager
def gunicorns(envs: list[Mapping[str, str]], logs: Path) -> Iterator[list[str]]:
    """One gunicorn per environment, each with deploy/gunicorn.conf.py on a socket the test bound itself (no other
    test or xdist worker can take the port meanwhile); started together, yielded once every one answers /healthz.
    logs/app-N.access.log has each one's access log (the X-Forwarded-* nginx sent), app-N.log the rest."""
    logs.mkdir(parents=True, exist_ok=True)
    servers: list[tuple[subprocess.Popen[bytes], str, Path]] = []
    try:
        for n, env in enumerate(envs):
            with socket.socket() as listener, (logs / f"app-{n}.log").open("wb") as errors:
                listener.bind(("127.0.0.1", 0))
                port = int(listener.getsockname()[1])
                command = [
                    str(BIN / "gunicorn"),
                    "--config",
                    str(GUNICORN_CONFIG),
                    "--workers",  # the config's one per core, as on a 2-core machine (CI may have more cores)
                    "2",
                    "--bind",
                    f"fd://{listener.fileno()}",
                    "--access-logfile",
                    str(logs / f"app-{n}.access.log"),
                    "wsgi:app",
                ]
                process = subprocess.Popen(
                    command, cwd=ROOT, env=env, stdout=errors, stderr=errors, pass_fds=(listener.fileno(),)
                )
            servers.append((process, f"http://127.0.0.1:{port}", logs / f"app-{n}.log"))
        for process, base, log in servers:
            wait_for(f"{base}/healthz", process, log)
        yield [base for _, base, _ in servers]
    finally:
        for process, _, _ in servers:
            process.terminate()
        for process, _, _ in servers:
            process.wait(timeout=30)


def nginx_binary() -> str:
    found = shutil.which("nginx", path=f"{os.environ.get('PATH', '')}:/usr/sbin:/sbin")
    assert found, "nginx is not installed: apt-get install nginx-light (.ci/run installs it)"
    return found


def shared_part(workdir: Path) -> Path:
    """A copy of portal-site.conf serving the checkout's static/ instead of /srv/portal's."""
    shared = NGINX_SHARED.read_text(encoding="utf-8")
    assert f"{CHECKOUT}/static/" in shared
    path = workdir / "portal-site.conf"
    path.write_text(shared.replace(CHECKOUT, str(ROOT)), encoding="utf-8")
    return path


def whole_conf(workdir: Path, http: str) -> str:
    """An nginx.conf around `http` (the http block's content) that runs as the current user with every file it
    writes under `workdir`."""
    # as root, nginx's workers would run as nobody, who cannot read the test's directories
    user = f"user {getpass.getuser()};" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"    {name}_temp_path {workdir / name};" for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{user}
worker_processes 1;
pid {workdir / "nginx.pid"};
error_log {workdir / "error.log"} warn;
events {{
    worker_connections 512;
}}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    access_log {workdir / "access.log"};
{temp}
{http.replace(CACHE_DIR, str(workdir / "cache"))}
}}
"""


def nginx_conf(upstreams: list[str], workdir: Path, port: int, extra: str = "") -> str:
    """nginx.conf for the test: portal.conf's http part with the test's app servers, and a plain http server on
    `port` that includes portal-site.conf."""
    site = NGINX_SITE.read_text(encoding="utf-8")
    assert SERVERS_LINE in site, f"{NGINX_SITE} no longer has its {SERVERS_LINE!r} line"
    http_part = site.split(SERVERS_LINE)[0]
    assert len(EXAMPLE_UPSTREAMS.findall(http_part)) == 2, "portal.conf's upstream no longer has its two servers"
    assert CACHE_DIR in http_part
    servers = "".join(f"    server {base.removeprefix('http://')};\n" for base in upstreams)
    http_part = EXAMPLE_UPSTREAMS.sub("", http_part)
    http_part = http_part.replace("upstream portal_app {\n", f"upstream portal_app {{\n{servers}")
    server = f"""
    server {{
        listen 127.0.0.1:{port};
        server_name localhost;
        {extra}
        include {shared_part(workdir)};
    }}
"""
    return whole_conf(workdir, http_part + server)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def nginx(upstreams: list[str], workdir: Path, extra: str = "") -> Iterator[str]:
    """Debian's nginx in front of `upstreams`, run as the current user, in the foreground; yields its address.
    nginx binds its own port: a free one is picked, and another tried if someone took it meanwhile."""
    workdir.mkdir(parents=True, exist_ok=True)
    binary = nginx_binary()
    for _attempt in range(5):
        port = _free_port()
        conf = workdir / "nginx.conf"
        conf.write_text(nginx_conf(upstreams, workdir, port, extra), encoding="utf-8")
        log = workdir / "error.log"
        process = subprocess.Popen(
            [binary, "-p", str(workdir), "-c", str(conf), "-e", str(log), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(f"http://127.0.0.1:{port}/healthz", process, log, seconds=15)
        except RuntimeError:
            process.terminate()
            process.wait(timeout=10)
            if "Address already in use" in log.read_text(errors="replace"):
                continue
            raise
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            process.wait(timeout=10)
        return
    raise RuntimeError("nginx found no free port")
