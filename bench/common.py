"""Shared by the benchmarks: a database of N demo records (built once, then reused) and timing helpers."""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Mapping
from datetime import date
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import func, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal import create_app
from portal.demo.operations import load_demo
from portal.extensions import db
from portal.records.models import Record

TODAY = "2026-11-20"


def arguments(description: str | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database-url", default="", help="an empty PostgreSQL database (default: SQLite)")
    parser.add_argument("--instance", default=str(Path(tempfile.gettempdir()) / "portal-bench"))
    return parser.parse_args()


def database_settings(args: argparse.Namespace) -> dict[str, str]:
    """The PORTAL_* settings of the bench database for `args.records` (its own instance directory per size)."""
    instance = Path(args.instance) / str(args.records)
    url = args.database_url or f"sqlite:///{instance / 'bench.db'}"
    return {"PORTAL_INSTANCE_DIR": str(instance), "PORTAL_DATABASE_URL": url, "PORTAL_TODAY": TODAY}


def prepared_app(args: argparse.Namespace, overrides: Mapping[str, str] | None = None) -> Flask:
    """The app over a database holding `args.records` demo records, with fresh planner statistics; `overrides`
    are further PORTAL_* settings (the search benchmark's index directory and engine)."""
    app = create_app({**database_settings(args), **(overrides or {})})
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        settings = app.config["PORTAL_SETTINGS"]
        summary = load_demo(
            args.records, 2026, date.fromisoformat(TODAY), settings.files_dir, dict(settings.disclosure_periods)
        )
        db.session.commit()
        if not summary.already_loaded:
            print(f"loaded {summary.records} records in {time.perf_counter() - started:.1f} s")
        if db.engine.dialect.name == "postgresql":  # what autovacuum does on a settled production database
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
            print("ran VACUUM ANALYZE")
        total = db.session.scalar(select(func.count()).select_from(Record))
        print(
            f"{total} records in {db.engine.dialect.name}; {args.requests} requests per line after "
            f"{getattr(args, 'warmup', 10)} warm-up requests"
        )
        db.session.remove()
    return app


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def timed(
    client: FlaskClient, path: str, requests: int, status: int = 200, headers: Mapping[str, str] | None = None
) -> list[float]:
    """Milliseconds per request, after 10 warm-up requests; every response must have `status`."""
    for _ in range(10):
        assert client.get(path, headers=dict(headers or {})).status_code == status, path
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(path, headers=dict(headers or {}))
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == status, path
    return samples


def report(name: str, samples: list[float]) -> None:
    print(f"{name:58} {statistics.median(samples):8.1f} {percentile(samples, 0.95):8.1f}")


def start_gunicorn(settings: Mapping[str, str], *options: str) -> tuple[subprocess.Popen[bytes], str]:
    """gunicorn serving wsgi:app with the PORTAL_* `settings` and gunicorn `options`, on a socket already bound to a
    free port (nothing can take the port meanwhile); returns the process and its address once /healthz answers."""
    root = Path(__file__).resolve().parent.parent
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        port = int(listener.getsockname()[1])
        command = [str(Path(sys.executable).parent / "gunicorn"), *options, "--bind", f"fd://{listener.fileno()}"]
        server = subprocess.Popen(
            [*command, "wsgi:app"],
            cwd=root,
            env={**os.environ, **settings},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(listener.fileno(),),
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=5) as response:
                if response.status == 200:
                    return server, base
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                raise SystemExit("gunicorn did not start") from None
            time.sleep(0.3)
