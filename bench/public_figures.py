"""The public figures of issue 14 with a large demo database, measured in-process with the Flask test client:
/statistics/, /evaluation/ (and its methodology page), a published monthly bulletin and the home page's band.

    .venv/bin/python bench/public_figures.py [--records 100000] [--requests 200] [--database-url URL]

Builds (or reuses) a database of --records demo records; scores the three finished months before TODAY with the
evaluation's own operation and times each (a month already scored is kept: a second run times the "nothing to do"
path); makes and publishes the last month's bulletin (timing its figures and the PDF) unless it is published; times
every statistics figure computed afresh (the first request after a change, 5 times with the per-process cache
emptied); then prints p50 and p95 in milliseconds of each page. Target: p95 under 100 ms for /statistics/ and
/evaluation/. (Not named statistics.py: this folder comes first on sys.path and common.py imports the standard
`statistics`.)
"""

from __future__ import annotations

import statistics
import time
from datetime import date

from common import TODAY, arguments, prepared_app, report, timed
from sqlalchemy import select

from portal.core.months import Month
from portal.evaluation.operations import score_month
from portal.extensions import db
from portal.reports.operations import make_draft, publish_bulletin
from portal.reports.queries import bulletin_of, make_figures
from portal.statistics import queries as statistics_queries
from portal.users.models import User


def _milliseconds(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def main() -> None:
    args = arguments(__doc__)
    app = prepared_app(args)
    today = date.fromisoformat(TODAY)
    last_month = Month.of(today).plus(-1)
    settings = app.config["PORTAL_SETTINGS"]
    with app.app_context():
        staff = db.session.scalars(select(User).where(User.username == "demo-staff")).one()
        for month in (last_month.plus(-2), last_month.plus(-1), last_month):
            started = time.perf_counter()
            scored = score_month(month, today)
            db.session.commit()
            print(
                f"{'scoring ' + str(month):58} {_milliseconds(started):8.1f} ms   "
                f"{scored.scored} scored, {scored.kept} kept (method {scored.version})"
            )
        started = time.perf_counter()
        make_figures(last_month, today)
        print(f"{'bulletin figures for ' + str(last_month):58} {_milliseconds(started):8.1f} ms")
        if bulletin_of(last_month) is None:
            bulletin = make_draft(last_month, today, by=staff)
            started = time.perf_counter()
            publish_bulletin(bulletin, today, by=staff, files_dir=settings.files_dir)
            db.session.commit()
            print(f"{'publishing it (PDF rendered and stored)':58} {_milliseconds(started):8.1f} ms")
        samples = []
        for _ in range(5):
            statistics_queries._CACHE.clear()
            started = time.perf_counter()
            statistics_queries.figures(today, 24)
            samples.append(_milliseconds(started))
        print(f"{'statistics computed afresh (24 months), median':58} {statistics.median(samples):8.1f} ms")
        db.session.remove()
    client = app.test_client()
    print(f"{'page':58} {'p50 ms':>8} {'p95 ms':>8}")
    paths = (
        "/statistics/",
        "/statistics/?months=24",
        "/evaluation/",
        f"/evaluation/?month={last_month.plus(-1)}",
        "/evaluation/method",
        "/reports/",
        f"/reports/{last_month}",
        "/",
    )
    for path in paths:
        report(path, timed(client, path, args.requests))


if __name__ == "__main__":
    main()
