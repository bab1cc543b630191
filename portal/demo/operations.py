"""Load the fictional demo county into the database, in bulk, in one transaction."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import exists, insert, select, text

from portal.agencies.models import Agency
from portal.audit.operations import write_audit
from portal.commitments.models import Commitment, FulfilmentEntry
from portal.core.periods import PeriodBounds, Severity
from portal.demo.generator import demo_agencies, demo_commitments, demo_records
from portal.demo.models import DemoDataset
from portal.demo.pdf import one_page_pdf
from portal.extensions import db
from portal.files.operations import store_bytes
from portal.measures.models import JointMeasure
from portal.records.models import Record
from portal.rectifications.models import PlanStep, ProgressEntry, Rectification
from portal.users.models import User
from portal.users.operations import create_user
from portal.users.rules import Role

BATCH = 5000
DEMO_PASSWORD = "yanshixian-demo-2026"  # demo only: production refuses to start while a demo account is active


class DemoRefusedError(RuntimeError):
    """The database holds data that is not the demo's: loading would mix fiction with real records."""


@dataclass(frozen=True)
class DemoSummary:
    agencies: int
    commitments: int
    records: int
    already_loaded: bool = False


def _batches(rows: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    while batch := list(islice(rows, size)):
        yield batch


def load_demo(size: int, seed: int, anchor: Any, files_dir: Path, periods: dict[Severity, PeriodBounds]) -> DemoSummary:
    """Load the demo county unless it is there already; the caller commits."""
    if db.session.scalar(select(exists().where(DemoDataset.id.is_not(None)))):
        return DemoSummary(0, 0, 0, already_loaded=True)
    if db.session.scalar(select(exists().where(Agency.id.is_not(None)))):
        raise DemoRefusedError("the database already holds agencies that are not demo data; demo data was not loaded")

    agency_rows = demo_agencies()
    agencies = [Agency(**{k: v for k, v in row.items() if k != "parent"}) for row in agency_rows]
    db.session.add_all(agencies)
    db.session.flush()
    for agency, row in zip(agencies, agency_rows, strict=True):
        if row["parent"] is not None:
            agency.parent_id = agencies[row["parent"]].id

    _add_demo_accounts(agencies)

    rnd = random.Random(seed)
    commitment_rows = demo_commitments(agency_rows, anchor, rnd)
    commitments = []
    for row in commitment_rows:
        agency = agencies[row["agency_index"]]
        letter = store_bytes(
            one_page_pdf(
                [
                    "Demo County credit office - commitment letter (fictional demo data)",
                    f"Commitment code: {row['code']}",
                    f"Agency USCC: {agency.uscc}",
                    f"Made on: {row['made_on'].isoformat()}",
                    "Signed and sealed by the agency's legal representative.",
                ]
            ),
            "application/pdf",
            files_dir,
        )
        determined_on = row["determined_on"]
        commitment = Commitment(
            **{k: v for k, v in row.items() if k not in ("agency_index", "determined_on")},
            agency_id=agency.id,
            letter_sha256=letter.sha256,
            published_at=datetime.combine(row["made_on"], time(1, 0), tzinfo=UTC),  # 09:00 in Shanghai
        )
        if determined_on is not None:
            commitment.fulfilment_history.append(
                FulfilmentEntry(
                    fulfilment=row["fulfilment"],
                    determined_on=determined_on,
                    determined_by=row["accepting_unit"],
                    note="演示数据",
                )
            )
        commitments.append(commitment)
    db.session.add_all(commitments)
    db.session.flush()

    count = 0
    for batch in _batches(demo_records(size, agency_rows, commitment_rows, anchor, seed, periods), BATCH):
        rectifications = []
        record_rows = []
        for row in batch:
            rectifications.append(row.pop("rectification"))
            row["agency_id"] = agencies[row.pop("agency_index")].id
            index = row.pop("commitment_index")
            row["commitment_id"] = commitments[index].id if index is not None else None
            record_rows.append(row)
        record_ids = db.session.scalars(
            insert(Record).returning(Record.id, sort_by_parameter_order=True), record_rows
        ).all()
        _insert_rectifications(list(zip(record_ids, rectifications, strict=True)), {a.name: a.id for a in agencies})
        count += len(batch)

    db.session.execute(text("ANALYZE"))  # fresh statistics after a bulk load, so the planner picks the list indexes
    db.session.add(DemoDataset(seed=seed, records=count, anchor_date=anchor))
    write_audit(
        "demo.load",
        "demo",
        seed,
        {"agencies": [None, len(agencies)], "records": [None, count]},
        actor="demo loader",
    )
    db.session.flush()
    return DemoSummary(len(agencies), len(commitments), count)


def _add_demo_accounts(agencies: list[Agency]) -> None:
    """One admin, one staff account, and one officer for every agency: the first agency of each kind has
    `demo-officer-<kind>`, the others `demo-officer-<nn>` (their place in the list)."""
    create_user("demo-admin", DEMO_PASSWORD, Role.ADMIN, display_name="演示管理员", is_demo=True)
    create_user("demo-staff", DEMO_PASSWORD, Role.STAFF, display_name="演示信用办工作人员", is_demo=True)
    named: set[str] = set()
    for n, agency in enumerate(agencies, start=1):
        suffix = agency.kind.value if agency.kind.value not in named else f"{n:02d}"
        named.add(agency.kind.value)
        create_user(
            f"demo-officer-{suffix}",
            DEMO_PASSWORD,
            Role.OFFICER,
            display_name=f"{agency.name}填报员",
            agency=agency,
            is_demo=True,
        )


def demo_accounts() -> list[User]:
    return list(db.session.scalars(select(User).where(User.is_demo).order_by(User.role.desc(), User.username)))


def _insert_rectifications(pairs: list[tuple[int, dict[str, Any] | None]], agency_ids: dict[str, int]) -> None:
    rows = [(record_id, r) for record_id, r in pairs if r is not None]
    if not rows:
        return
    plain = [
        {k: v for k, v in r.items() if k not in ("progress", "measures_applied", "steps")} | {"record_id": rid}
        for rid, r in rows
    ]
    ids = db.session.scalars(
        insert(Rectification).returning(Rectification.id, sort_by_parameter_order=True), plain
    ).all()
    progress = [p | {"rectification_id": rid} for rid, (_, r) in zip(ids, rows, strict=True) for p in r["progress"]]
    measures = [  # joint measures belong to the record; their unit is named in the demo rows
        {k: v for k, v in m.items() if k != "implementing"}
        | {"record_id": record_id, "implementing_agency_id": agency_ids[m["implementing"]]}
        for record_id, r in rows
        for m in r["measures_applied"]
    ]
    steps = [s | {"rectification_id": rid} for rid, (_, r) in zip(ids, rows, strict=True) for s in r["steps"]]
    if steps:
        db.session.execute(insert(PlanStep), steps)
    if progress:
        db.session.execute(insert(ProgressEntry), progress)
    if measures:
        db.session.execute(insert(JointMeasure), measures)
