"""Throughput under load: wrk against a real gunicorn, every address in one run, each as a ratio to /healthz.

    .venv/bin/python bench/load.py [--records 100000] [--duration 10] [--connections 8] [--threads 2] [--page-cache off]
        [--worker-class sync|gthread] [--workers 2] [--redis-url URL] [--database-url URL] [--instance DIR]

On the bench database of --records demo records (built once, then reused; see common.py) with its own search index
(built if missing), it starts gunicorn with deploy/gunicorn.conf.py and --workers (2), with the worker class of
`make run` (sync, as issue 20 measured) or the deployment's (gthread), and runs Debian's wrk (apt-get install wrk)
--duration seconds per address, after a 2-second warm-up of that address: /healthz, a record page, the home page,
/records/?page=50, a search, a full feed, and the same feed asked with its ETag (If-None-Match: the 304). It prints
req/s, the ratio to /healthz of the same run, and how many answers were not 2xx/3xx (which would void the line).
Issue 20's goals: a record page at 0.8 × /healthz or more, the home and list pages at 0.5 × or more. The page cache is
each worker's memory unless --redis-url is given (production: Redis). Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from common import TODAY, database_settings, prepared_app, start_gunicorn
from sqlalchemy import select

from portal.extensions import db
from portal.records.models import Record
from portal.search.engine import SearchUnavailableError

ROOT = Path(__file__).resolve().parent.parent
SEARCH_WORDS = "财政局 拖欠"


@dataclass(frozen=True)
class Target:
    name: str
    path: str
    headers: tuple[str, ...] = ()
    script: Path | None = None  # a wrk Lua script choosing each request's path


# Each wrk thread walks the list from its own place, so that hardly any page is asked twice in a run: what rendering
# costs when the page cache cannot help (the other lines ask one address again and again, as a spike does).
SPREAD_LUA = """
paths = {%s}
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("offset", threads * 7919)
end
function init(args)
  n = offset + tonumber(args[1] or 0)
end
function request()
  n = n + 1
  return wrk.format(nil, paths[(n %% #paths) + 1])
end
"""


@dataclass(frozen=True)
class Measured:
    requests_per_second: float
    failed: int  # answers that were not 2xx or 3xx, and socket errors


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per address")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2, help="wrk's threads")
    parser.add_argument("--worker-class", choices=("sync", "gthread"), default="sync")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--redis-url", default="", help="the page cache and limits in Redis (default: memory)")
    parser.add_argument(
        "--page-cache", choices=("on", "off"), default="on", help="off: as before issue 20 (no ETags, nothing kept)"
    )
    parser.add_argument("--database-url", default="", help="an empty PostgreSQL database (default: SQLite)")
    parser.add_argument("--instance", default=str(Path(tempfile.gettempdir()) / "portal-bench"))
    args = parser.parse_args()
    args.requests = 0  # common.prepared_app prints it
    return args


def prepare(args: argparse.Namespace) -> tuple[dict[str, str], list[int]]:
    """The bench database and its search index; returns the app servers' settings and public records' ids, newest
    first."""
    settings = {
        **database_settings(args),
        "PORTAL_SEARCH_INDEX_DIR": str(Path(args.instance) / str(args.records) / "search-tantivy"),
        **({"PORTAL_REDIS_URL": args.redis_url} if args.redis_url else {}),
        "PORTAL_PAGE_CACHE": args.page_cache,
    }
    app = prepared_app(args, settings)
    with app.app_context():
        index = app.extensions["search_index"]
        today = app.config["PORTAL_SETTINGS"].today
        try:
            index.mark()
        except SearchUnavailableError:
            started = time.perf_counter()
            count = index.rebuild(db.session, today)
            print(f"indexed {count} documents in {time.perf_counter() - started:.1f} s")
        index.sync(db.session, today, wait=60)
        newest = select(Record.id).where(Record.public_clause(today)).order_by(Record.id.desc()).limit(20_000)
        record_ids = list(db.session.scalars(newest))
        db.session.remove()
    return settings, record_ids


def serve(args: argparse.Namespace, settings: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    """gunicorn as deployed (deploy/gunicorn.conf.py) with --worker-class and --workers."""
    return start_gunicorn(
        settings,
        "--config",
        str(ROOT / "deploy" / "gunicorn.conf.py"),
        "--worker-class",
        args.worker_class,
        *(["--threads", "1"] if args.worker_class == "sync" else []),  # threads > 1 would make it gthread
        "--workers",
        str(args.workers),
        "--access-logfile",
        "/dev/null",
    )


def wrk(args: argparse.Namespace, base: str, target: Target, seconds: int, start: int = 0) -> Measured:
    """`start`: where a script's walk begins (the warm-up's pages are not the measured ones)."""
    headers = [option for header in target.headers for option in ("-H", header)]
    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        *headers,
        *(["--script", str(target.script)] if target.script else []),
        base + target.path,
        *(["--", str(start)] if target.script else []),
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if rate is None:
        raise SystemExit(f"wrk said:\n{output}")
    failed = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if errors is not None:
        failed += sum(int(n) for n in errors.groups())
    return Measured(float(rate.group(1)), failed)


def commit_measured() -> str:
    found = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    status = ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"]
    dirty = subprocess.run(status, capture_output=True)
    return found.stdout.strip() + (" with uncommitted changes" if dirty.stdout.strip() else "")


def main() -> None:
    args = arguments()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    settings, record_ids = prepare(args)
    server, base = serve(args, settings)
    spread = Path(tempfile.mkstemp(suffix=".lua")[1])
    spread.write_text(SPREAD_LUA % ", ".join(f'"/records/{n}"' for n in record_ids), encoding="utf-8")
    try:
        feed = "/records/feed.atom"
        with urllib.request.urlopen(base + feed, timeout=30) as response:
            etag = response.headers["ETag"]
        search = "/search?" + urllib.parse.urlencode({"q": SEARCH_WORDS})
        targets = [
            Target("/healthz", "/healthz"),
            Target("a record page", f"/records/{record_ids[0]}"),
            Target(f"record pages, {len(record_ids):,} in turn", "/", script=spread),
            Target("the home page", "/"),
            Target("/records/?page=50", "/records/?page=50"),
            Target(f"/search?q={SEARCH_WORDS}", search),
            Target("a full feed", feed),
            Target("the same feed's 304", feed, (f"If-None-Match: {etag}",)),
        ]
        cache_words = ("in Redis" if args.redis_url else "in memory") if args.page_cache == "on" else "off"
        print(
            f"\ncommit {commit_measured()}; {args.records} records on {settings['PORTAL_DATABASE_URL'].split(':')[0]}; "
            f"gunicorn {args.workers} {args.worker_class} workers; page cache {cache_words}; "
            f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s per address, today {TODAY}\n"
        )
        results = {}
        for target in targets:
            wrk(args, base, target, 2)  # warm-up: the worker's caches, the page cache
            results[target.name] = wrk(args, base, target, args.duration, start=len(record_ids) // 2)
        healthz = results["/healthz"].requests_per_second
        print(f"| {'address':28} | {'req/s':>8} | {'× /healthz':>10} | {'not 2xx/3xx':>11} |")
        print(f"| {'-' * 28} | {'-' * 8} | {'-' * 10} | {'-' * 11} |")
        for target in targets:
            measured = results[target.name]
            ratio = measured.requests_per_second / healthz if healthz else 0
            print(f"| {target.name:28} | {measured.requests_per_second:8,.0f} | {ratio:10.2f} | {measured.failed:11} |")
    finally:
        server.terminate()
        server.wait(timeout=30)
        spread.unlink()


if __name__ == "__main__":
    main()
