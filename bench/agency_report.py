"""The agency credit report (政务诚信报告): the time to make one report PDF, with a large demo database.

    .venv/bin/python bench/agency_report.py [--records 100000] [--requests 10] [--database-url URL]

Builds (or reuses) a database of --records demo records, then asks /agencies/<uscc>/report.pdf of the body with the
most records --requests times (at most 30: each keeps a report of about 330 KB), each time as a first request: a
report is issued once per body and day, so each sample moves "today" (the PORTAL_TODAY setting) to a day not reported
yet. Prints p50 and p95 in milliseconds of those first requests (count the figures, render the PDF, store it), then
of the day's stored report asked again, and the PDF's size. Target: a first report under 1 s."""

from __future__ import annotations

import dataclasses
import time
from datetime import date, timedelta

from common import TODAY, arguments, prepared_app, report, timed
from sqlalchemy import func, select

from portal.agencies.models import Agency
from portal.archive.models import AgencyReport
from portal.extensions import db
from portal.records.models import Record


def main() -> None:
    args = arguments(__doc__)
    app = prepared_app(args)
    settings = app.config["PORTAL_SETTINGS"]
    with app.app_context():
        busiest, records = db.session.execute(
            select(Agency.uscc, func.count())
            .join(Record, Record.agency_id == Agency.id)
            .group_by(Agency.uscc)
            .order_by(func.count().desc())
            .limit(1)
        ).one()
        last = db.session.scalar(select(func.max(AgencyReport.as_of)))
    print(f"the busiest body {busiest}: {records} records")
    client = app.test_client()
    path = f"/agencies/{busiest}/report.pdf"
    day = max(date.fromisoformat(TODAY), last or date.min) + timedelta(days=1)  # a day no earlier run reported
    samples: list[float] = []
    size = 0
    for n in range(min(args.requests, 30) + 1):
        app.config["PORTAL_SETTINGS"] = dataclasses.replace(settings, today=day + timedelta(days=n))
        started = time.perf_counter()
        response = client.get(path)  # the day's first request: counted, rendered, stored
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.status_code
        size = len(response.data)
        response.close()
        if n:  # the first one compiled the templates and loaded the fonts: a process does that once
            samples.append(elapsed)
    report(f"{path} (first of the day)", samples)
    report("  the day's stored report, asked again", timed(client, path, 50))
    print(f"PDF size: {size / 1024:.0f} KB")


if __name__ == "__main__":
    main()
