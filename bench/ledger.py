"""The 工作台账 with a large demo database: the daily job and the ledger page, measured in-process.

    .venv/bin/python bench/ledger.py [--records 100000] [--requests 200] [--database-url URL]

Builds (or reuses) a database of --records demo records, empties the ledger, then times `refresh_ledger` (the daily
job, `flask --app portal supervision run`) on that empty ledger and again on the ledger it wrote (the second run
must change nothing), and prints p50 and p95 in milliseconds for the ledger page signed in as staff: the default
list, the overdue items and page 20. Targets: each run under 60 s; p95 under 100 ms for each page.
"""

from __future__ import annotations

import time
from datetime import date

from common import TODAY, arguments, prepared_app, report, timed
from sqlalchemy import delete, func, select, text

from portal.extensions import db
from portal.records.models import Record
from portal.supervision.models import LedgerItem, SupervisionRun
from portal.supervision.operations.ledger import refresh_ledger
from portal.users.models import User

PAGES = ("/workspace/ledger/", "/workspace/ledger/?state=overdue", "/workspace/ledger/?page=20")


def main() -> None:
    args = arguments(__doc__)
    app = prepared_app(args)
    today = date.fromisoformat(TODAY)
    with app.app_context():
        db.session.execute(delete(LedgerItem))  # the first run starts from an empty ledger, as on deployment
        db.session.execute(delete(SupervisionRun))
        db.session.commit()
        records = db.session.scalar(select(func.count()).select_from(Record))
        print(f"daily job for {today.isoformat()} over {records} records ({db.engine.dialect.name})")
        for name in ("first run (empty ledger)", "second run"):
            started = time.perf_counter()
            changes = refresh_ledger(today)
            db.session.commit()
            seconds = time.perf_counter() - started
            print(
                f"  {name:26} {seconds:6.1f} s   "
                f"{changes.opened} opened, {changes.changed} changed, {changes.closed} closed"
            )
        total = db.session.scalar(select(func.count()).select_from(LedgerItem))
        still_open = db.session.scalar(select(func.count()).where(LedgerItem.closed_on.is_(None)))
        overdue = db.session.scalar(
            select(func.count()).where(LedgerItem.closed_on.is_(None), LedgerItem.due_on < today)
        )
        print(f"  ledger: {total} items, {still_open} open, {overdue} overdue")
        if db.engine.dialect.name == "postgresql":  # what autovacuum does after the first run's bulk of new items
            db.session.remove()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE ledger_items"))
        staff = db.session.scalars(select(User).where(User.username == "demo-staff")).one()
        session_id = staff.get_id()
        db.session.remove()
    if "ledger.index" not in app.view_functions:
        print("the ledger page (endpoint ledger.index) does not exist yet: not timed")
        return
    client = app.test_client()
    with client.session_transaction() as session:  # signed in as the demo staff account
        session["_user_id"] = session_id
        session["_fresh"] = True
    print(f"{'page (staff)':58} {'p50 ms':>8} {'p95 ms':>8}")
    for path in PAGES:
        report(path, timed(client, path, args.requests))


if __name__ == "__main__":
    main()
