"""Open-data exports and the bulk import at scale (issue 15), measured in-process.

    .venv/bin/python bench/opendata.py [--records 100000] [--import-rows 100000] [--database-url URL]

Exports, over the demo database of --records records: /records/export.csv and .xlsx of every public record (all
kinds: the columns they share) and of one kind (行政处罚, every column), each in a fresh process that loads the app
and streams the download to nowhere: the time, the bytes and rows, the process's peak RSS and that peak above the
loaded app's own (the search libraries alone take about 200 MB before any request). Target: an export adds less than
200 MB, however long the list (the rows are streamed from the database; XLSX is written by openpyxl's write-only
workbook to a temporary file).

Import, into an empty SQLite database (always SQLite: the target is SQLite's): the bench's agencies (their export),
then --import-rows rows of 行政处罚 in the export's columns, built here. The dry run (every row checked, nothing
written), the write (every row through create_record: audit entry and search outbox row each) with its commit, and,
apart, the search index catching up with the outbox afterwards (what the commit's after-commit hook or
`flask search sync` does). Target: the write under 3 minutes.
"""

from __future__ import annotations

import csv
import io
import json
import resource
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from common import TODAY, arguments, database_settings, prepared_app

from portal import create_app
from portal.extensions import db

EXPORTS = (
    "/records/export.csv",
    "/records/export.xlsx",
    "/records/export.csv?kind=administrative_penalty",
    "/records/export.xlsx?kind=administrative_penalty",
)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_export(settings: dict[str, str], path: str) -> dict[str, Any]:
    """One export streamed to nowhere, in this (fresh) process."""
    app = create_app(settings)
    client = app.test_client()
    client.get("/")  # the app warmed up: templates, the search analyzers
    baseline = peak_mb()
    started = time.perf_counter()
    response = client.get(path, buffered=False)
    assert response.status_code == 200, path
    size, lines, first = 0, 0, None
    for chunk in response.response:
        first = first if first is not None else time.perf_counter() - started
        size += len(chunk)
        lines += chunk.count(b"\n")
    response.close()
    seconds = time.perf_counter() - started
    rows = lines - 1 if ".csv" in path else None  # CSV: lines after the header (a cell may hold a line break)
    return {"seconds": seconds, "first_byte": first, "bytes": size, "rows": rows, "peak": peak_mb(), "base": baseline}


def penalty_file(agencies: list[tuple[str, str]], rows: int) -> bytes:
    """`rows` 行政处罚 rows in the export's columns, spread over the bench's agencies, each its own 文书编号."""
    from portal.opendata.datasets import RECORDS_BY_KIND

    dataset = RECORDS_BY_KIND["administrative_penalty"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    out.write("\ufeff")
    writer.writerow([c.name for c in dataset.columns])
    for n in range(rows):
        uscc, name = agencies[n % len(agencies)]
        number = f"演批罚〔2026〕{n + 1}号"
        values = {
            "agency_name": name,
            "agency_uscc": uscc,
            "decision_number": number,
            "violation_type": ("拖延办理项目审批", "违规收取保证金", "未按合同约定付款")[n % 3],
            "violation_facts": f"经查，{name}违反规定，事实清楚，证据确凿。\n（批量导入测试第 {n + 1} 条）",
            "legal_basis": "《中华人民共和国行政处罚法》及相关规定",
            "penalty_category": ("警告", "罚款", "通报批评")[n % 3],
            "penalty_content": "责令限期改正",
            "fine": f"{(n % 500) + 1}.{n % 100:02d}" if n % 3 == 1 else "",
            "decided_on": f"2026-{1 + n % 10:02d}-{1 + n % 28:02d}",
            "penalty_authority": "演示市市场监督管理局",
            "title": f"{name}受到行政处罚 · {number}",
            "severity": ("一般", "严重")[n % 2],
            "deciding_authority": "演示市市场监督管理局",
            "source_unit": "演示县社会信用体系建设领导小组办公室",
            "document_number": number,
            "decision_date": f"2026-{1 + n % 10:02d}-{1 + n % 28:02d}",
        }
        writer.writerow([values.get(c.key, "") for c in dataset.columns])
    return out.getvalue().encode("utf-8")


def child_import(root: str, agencies_csv: str, records_csv: str) -> dict[str, Any]:
    """The bulk import into an empty SQLite database, in this (fresh) process."""
    from flask_migrate import upgrade

    from portal.opendata.datasets import AGENCIES, RECORDS_BY_KIND
    from portal.opendata.operations import RowResult, import_file
    from portal.search.operations import search_index
    from portal.users.models import User

    shutil.rmtree(root, ignore_errors=True)
    settings = {
        "PORTAL_INSTANCE_DIR": root,
        "PORTAL_DATABASE_URL": f"sqlite:///{root}/import.db",
        "PORTAL_SEARCH_INDEX_DIR": f"{root}/search_index",
        "PORTAL_TODAY": TODAY,
    }
    app = create_app(settings)
    found: dict[str, Any] = {}
    today = date.fromisoformat(TODAY)
    with app.app_context():
        upgrade()
        db.session.add(User(username="bench-import", display_name="导入", role="staff", password_hash="-"))
        db.session.commit()
        search_index().rebuild(db.session, today)
        user = db.session.query(User).filter_by(username="bench-import").one()
        report = import_file(AGENCIES, Path(agencies_csv).read_bytes(), today, by=user, write=True, source="bench")
        db.session.commit()
        found["agencies"] = report.count(RowResult.NEW)
        data = Path(records_csv).read_bytes()
        dataset = RECORDS_BY_KIND["administrative_penalty"]
        started = time.perf_counter()
        report = import_file(dataset, data, today, by=user, write=False, source="bench")
        found["dry_run"] = time.perf_counter() - started
        assert report.ok, report.problems or [r for r in report.rows if r.problems][:3]
        started = time.perf_counter()
        report = import_file(dataset, data, today, by=user, write=True, source="bench")
        db.session.commit()  # without the after-commit hook: the index is timed apart, below
        found["write"] = time.perf_counter() - started
        found["new"] = report.count(RowResult.NEW)
        started = time.perf_counter()
        report = import_file(dataset, data, today, by=user, write=True, source="bench")
        db.session.commit()
        found["again"] = time.perf_counter() - started
        found["again_unchanged"] = report.count(RowResult.UNCHANGED)
        started = time.perf_counter()
        found["indexed"] = search_index().sync(db.session, today, wait=60)
        found["index"] = time.perf_counter() - started
    found["peak"] = peak_mb()
    return found


def run_child(*args: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def import_rows() -> int:
    """--import-rows N (common.arguments does not know it: taken off the command line first)."""
    if "--import-rows" not in sys.argv:
        return 100_000
    at = sys.argv.index("--import-rows")
    rows = int(sys.argv[at + 1])
    del sys.argv[at : at + 2]
    return rows


def main() -> None:
    rows_to_import = import_rows()
    args = arguments(__doc__)
    app = prepared_app(args)
    settings = database_settings(args)
    print(
        f"\n{'export (fresh process each)':50} {'s':>7} {'1st byte':>8} {'MB out':>7} {'rows':>7} "
        f"{'peak MB':>8} {'+MB':>6}"
    )
    for path in EXPORTS:
        found = run_child("--child-export", json.dumps(settings), path)
        rows = "" if found["rows"] is None else found["rows"]
        print(
            f"{path:50} {found['seconds']:7.1f} {found['first_byte']:8.1f} {found['bytes'] / 1_048_576:7.1f} "
            f"{rows:>7} {found['peak']:8.0f} {found['peak'] - found['base']:6.0f}"
        )
    work = Path(args.instance) / "import"
    work.mkdir(parents=True, exist_ok=True)
    agencies_csv, records_csv = work / "agencies.csv", work / "penalties.csv"
    client = app.test_client()
    agencies_csv.write_bytes(client.get("/agencies/export.csv").get_data())
    agencies = [
        (row["统一社会信用代码"], row["机构名称"])
        for row in csv.DictReader(io.StringIO(agencies_csv.read_text("utf-8-sig")))
    ]
    records_csv.write_bytes(penalty_file(agencies, rows_to_import))
    print(
        f"\nimport of {rows_to_import} 行政处罚 rows ({records_csv.stat().st_size / 1_048_576:.1f} MB CSV) into an "
        f"empty SQLite database, after its {len(agencies)} agencies (fresh process):"
    )
    found = run_child("--child-import", str(work / "db"), str(agencies_csv), str(records_csv))
    print(f"  dry run (every row checked, nothing written) {found['dry_run']:8.1f} s")
    print(f"  write and commit ({found['new']} new records)      {found['write']:8.1f} s   (target < 180 s)")
    print(f"  the same file again ({found['again_unchanged']} unchanged)       {found['again']:8.1f} s")
    print(f"  search index catching up ({found['indexed']} outbox rows) {found['index']:8.1f} s")
    print(f"  peak RSS of the importing process            {found['peak']:8.0f} MB")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child-export":
        print(json.dumps(child_export(json.loads(sys.argv[2]), sys.argv[3])))
    elif len(sys.argv) > 1 and sys.argv[1] == "--child-import":
        print(json.dumps(child_import(*sys.argv[2:5])))
    else:
        main()
