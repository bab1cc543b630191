"""Page response times with a large demo database, measured in-process with the Flask test client.

    .venv/bin/python bench/pages.py [--records 100000] [--requests 200] [--database-url URL]

Builds (or reuses) a database of --records demo records, then prints p50 and p95 in milliseconds for the home
page, a filtered record list at page 50 and a record page. Target: p95 under 50 ms for each.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import func, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal import create_app
from portal.demo.operations import load_demo
from portal.extensions import db
from portal.records.models import Record

TODAY = "2026-11-20"


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--instance", default=str(Path(tempfile.gettempdir()) / "portal-bench"))
    args = parser.parse_args()

    instance = Path(args.instance) / str(args.records)
    url = args.database_url or f"sqlite:///{instance / 'bench.db'}"
    app = create_app({"PORTAL_INSTANCE_DIR": str(instance), "PORTAL_DATABASE_URL": url, "PORTAL_TODAY": TODAY})
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        settings = app.config["PORTAL_SETTINGS"]
        summary = load_demo(
            args.records,
            2026,
            date.fromisoformat(TODAY),
            settings.files_dir,
            dict(settings.disclosure_periods),
        )
        db.session.commit()
        if not summary.already_loaded:
            print(f"loaded {summary.records} records in {time.perf_counter() - started:.1f} s")
        if db.engine.dialect.name == "postgresql":  # what autovacuum does on a settled production database
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
            print("ran VACUUM ANALYZE")
        total = db.session.scalar(select(func.count()).select_from(Record))
        today = date.fromisoformat(TODAY)
        record_id = db.session.scalar(select(Record.id).where(Record.public_clause(today), Record.kind == "arrears"))
        db.session.remove()

    backend = url.split(":", 1)[0]
    print(f"{total} records in {backend}; {args.requests} requests per page after 10 warm-up requests")
    client = app.test_client()
    pages = {
        "home /": "/",
        "list /records/?kind=arrears&status=public&page=50": "/records/?kind=arrears&status=public&page=50",
        "list /records/?page=50": "/records/?page=50",
        f"record /records/{record_id}": f"/records/{record_id}",
    }
    print(f"{'page':58} {'p50 ms':>8} {'p95 ms':>8}")
    for name, path in pages.items():
        for _ in range(10):
            assert client.get(path).status_code == 200, path
        samples = []
        for _ in range(args.requests):
            started = time.perf_counter()
            response = client.get(path)
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        print(f"{name:58} {statistics.median(samples):8.1f} {percentile(samples, 0.95):8.1f}")


if __name__ == "__main__":
    main()
