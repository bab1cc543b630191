"""The read API (/api/v1, issue 15) with a large demo database, measured in-process with the Flask test client (page
cache off: every request runs its view).

    .venv/bin/python bench/api.py [--records 100000] [--requests 200] [--database-url URL]

Prints p50 and p95 in milliseconds of: the first page of records (20 and 100 items), a filtered page, a page deep in
the list (after a cursor 50,000 records in: keyset paging reads no row before it), one record, the other lists, the
statistics and the OpenAPI document; then the time to walk every public arrears record page by page."""

from __future__ import annotations

import time

from common import arguments, prepared_app, report, timed
from sqlalchemy import select

from portal import clock
from portal.api.endpoints import BY_NAME
from portal.extensions import db
from portal.records.models import Record
from portal.records.queries import public_records


def main() -> None:
    args = arguments(__doc__)
    app = prepared_app(args)
    app.config.update(PORTAL_PAGE_CACHE=False)
    with app.test_request_context():
        ids = db.session.scalars(public_records(clock.today()).with_only_columns(Record.id)).all()
        deep = BY_NAME["records"].cursor(ids[min(len(ids) - 1, 50_000)])
        one = ids[len(ids) // 2]
        db.session.remove()
    client = app.test_client()
    print(f"{'':58} {'p50':>8} {'p95':>8}   ({len(ids)} public records)")
    for name, path in (
        ("/api/v1/records", "/api/v1/records"),
        ("/api/v1/records?limit=100", "/api/v1/records?limit=100"),
        ("/api/v1/records?kind=arrears&case=overdue", "/api/v1/records?kind=arrears&case=overdue"),
        ("/api/v1/records?cursor=… (50,000 in)", f"/api/v1/records?cursor={deep}"),
        ("/api/v1/records/<id>", f"/api/v1/records/{one}"),
        ("/api/v1/commitments", "/api/v1/commitments"),
        ("/api/v1/outcomes", "/api/v1/outcomes"),
        ("/api/v1/agencies", "/api/v1/agencies"),
        ("/api/v1/statistics", "/api/v1/statistics"),
        ("/api/v1/openapi.json", "/api/v1/openapi.json"),
    ):
        report(name, timed(client, path, args.requests))
    started = time.perf_counter()
    pages, items, cursor = 0, 0, ""
    while True:
        body = client.get(f"/api/v1/records?kind=arrears&limit=100{'&cursor=' + cursor if cursor else ''}").get_json()
        pages, items = pages + 1, items + len(body["items"])
        if body["next_cursor"] is None:
            break
        cursor = body["next_cursor"]
    with app.app_context():
        expected = len(
            db.session.scalars(
                select(Record.id).where(Record.public_clause(clock.today()), Record.kind == "arrears")
            ).all()
        )
    assert items == expected, (items, expected)
    print(f"walked {items} arrears records in {pages} pages of 100: {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
