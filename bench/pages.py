"""Page response times with a large demo database, measured in-process with the Flask test client.

    .venv/bin/python bench/pages.py [--records 100000] [--requests 200] [--database-url URL]

Builds (or reuses) a database of --records demo records, then prints p50 and p95 in milliseconds for the home
page, filtered record lists at page 50, the arrears list sorted by amount, a record page, the busiest agency's
profile, the county government's profile (with the roll-up of every body under it) and the complaint form.
Target: p95 under 50 ms for each.
"""

from __future__ import annotations

from datetime import date

from common import TODAY, arguments, prepared_app, report, timed
from sqlalchemy import func, select

from portal.agencies.models import Agency
from portal.agencies.rules import AgencyKind
from portal.extensions import db
from portal.records.models import Record


def main() -> None:
    args = arguments(__doc__)
    app = prepared_app(args)
    with app.app_context():
        today = date.fromisoformat(TODAY)
        record_id = db.session.scalar(select(Record.id).where(Record.public_clause(today), Record.kind == "arrears"))
        busiest = db.session.scalar(  # the agency with the most records: its profile is the heaviest
            select(Agency.uscc)
            .join(Record, Record.agency_id == Agency.id)
            .group_by(Agency.uscc)
            .order_by(func.count().desc())
        )
        government = db.session.scalar(  # the county government: its profile rolls up every body under it
            select(Agency.uscc).where(Agency.kind == AgencyKind.GOVERNMENT, Agency.parent_id.is_(None))
        )
    client = app.test_client()
    print(f"{'page':58} {'p50 ms':>8} {'p95 ms':>8}")
    paths = (
        "/",
        "/records/?kind=arrears&status=public&page=50",
        "/records/?page=50",
        "/records/?kind=arrears&sort=amount&page=50",
        f"/records/{record_id}",
        f"/agencies/{busiest}",
        f"/agencies/{government}",
        "/complaints/new",
    )
    for path in paths:
        report(path, timed(client, path, args.requests))


if __name__ == "__main__":
    main()
