"""The round trip (issue 15): records and agencies entered in instance A through the ordinary operations are
exported, imported into an empty instance B with `flask opendata import`, and exported again — the same bytes, ids
aside (the 记录编号 and 网址 columns, and the order of records published on the same day, which the lists break by
id). A's XLSX files read as the same rows (all unchanged in B), and importing the files again changes nothing in B.
On SQLite and, when PORTAL_TEST_DATABASE_URL is set, on PostgreSQL."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import Result
from flask import Flask
from flask_migrate import upgrade

from portal import create_app
from portal.agencies.operations import create_agency
from portal.db import commit
from portal.demo.generator import make_uscc
from portal.extensions import db, limiter
from portal.opendata.datasets import AGENCIES, RECORDS_BY_KIND, Dataset
from portal.opendata.operations import RowResult, import_file
from portal.records.operations import create_record
from portal.users.models import User
from tests.conftest import BACKENDS, TODAY, fresh_postgres_database
from tests.opendata.conftest import read_jsonl

TODAY_DATE = date.fromisoformat(TODAY)
GOVERNMENT = make_uscc("11", "990121", 660_001)
DEPARTMENT = make_uscc("11", "990121", 660_002)
TOWNSHIP = make_uscc("11", "990121", 660_003)
ID_COLUMNS = ("记录编号", "网址")


@dataclass
class Instance:
    app: Flask
    root: Path

    def cli(self, *args: str) -> Result:
        with self.app.app_context():
            return self.app.test_cli_runner().invoke(args=list(args))

    def get(self, path: str) -> bytes:
        response = self.app.test_client().get(path)
        assert response.status_code == 200, path
        return response.get_data()

    def tables(self) -> dict[str, int]:
        engine = sa.create_engine(self.app.config["SQLALCHEMY_DATABASE_URI"], poolclass=sa.NullPool)
        try:
            with engine.connect() as conn:
                names = sa.inspect(conn).get_table_names()
                return {name: conn.scalar(sa.text(f'SELECT count(*) FROM "{name}"')) or 0 for name in names}
        finally:
            engine.dispose()


def new_instance(root: Path, backend: str, name: str) -> Instance:
    root.mkdir()
    url = f"sqlite:///{root / 'portal.db'}" if backend == "sqlite" else fresh_postgres_database(f"opendata_{name}")
    app = create_app(
        {
            "PORTAL_DATABASE_URL": url,
            "PORTAL_INSTANCE_DIR": str(root),
            "PORTAL_SEARCH_INDEX_DIR": str(root / "search_index"),
            "PORTAL_SECRET_KEY": "opendata-round-trip-" + "x" * 32,
            "PORTAL_TODAY": TODAY,
            "PORTAL_PAGE_CACHE": "off",
            "PORTAL_BASE_URL": "https://credit.example.gov.cn",  # the same addresses in both instances' files
        }
    )
    app.config["TESTING"] = True
    with app.app_context():
        upgrade()
        db.session.add(User(username="importer", display_name="导入员", role="staff", password_hash="-"))
        db.session.commit()
    instance = Instance(app, root)
    assert instance.cli("search", "rebuild").exit_code == 0
    return instance


def staff() -> User:
    user = db.session.scalar(sa.select(User).where(User.username == "importer"))
    assert user is not None
    return user


TRICKY = '=HYPERLINK("x"), 含逗号, "引号", 以及\n换行'


def kind_values(kind: str, n: int) -> dict[str, Any]:
    """Each kind's own fields, with text a spreadsheet would run, quotes, commas, line breaks and fen-exact money."""
    execution = {
        "case_number": f"（2026）演0121执{n}号",
        "court": "演示县人民法院",
        "basis_document": f"（2025）演0121民初{n}号",
        "basis_issuer": "演示县人民法院",
        "filed_on": date(2026, 9, 1),
        "obligation": TRICKY,
        "performance": "全部未履行",
    }
    by_kind: dict[str, dict[str, Any]] = {
        "judgment_defaulter": execution
        | {"default_circumstance": "-有履行能力而拒不履行", "published_on": date(2026, 10, 2)},
        "enforced_party": execution,
        "administrative_penalty": {
            "decision_number": f"演测罚〔2026〕{n}号",
            "violation_type": "+拖延办理",
            "violation_facts": TRICKY,
            "legal_basis": "@依据",
            "penalty_category": "罚款",
            "penalty_content": "罚款",
            "fine": 123_456 if n % 2 else None,
            "decided_on": date(2026, 10, 1),
            "penalty_authority": "演示市市场监督管理局",
        },
        "lost_lawsuit": {
            "case_number": f"（2026）演0121民初{n}号",
            "court": "演示县人民法院",
            "cause": "买卖合同纠纷",
            "judgment": TRICKY,
            "amount": 99_999_999_999_999,
        },
        "arrears": {
            "contract_number": f"'YSX-{n}",
            "party_a": "演示县测试政府",
            "party_b": "演示建设工程有限公司",
            "contract_amount": 150_000_000,
            "amount_owed": 1,
            "breach": TRICKY,
        },
        "investment_promise": {
            "project": "冷链物流中心",
            "promise": TRICKY,
            "unfulfilled": "未兑现",
            "amount": None,
        },
    }
    return by_kind[kind]


def fill(instance: Instance) -> None:
    """Agencies (a government, its department, a township) and two records of every kind, through the operations."""
    with instance.app.app_context():
        user = staff()
        government = create_agency(
            {"uscc": GOVERNMENT, "name": "演示县测试政府", "kind": "government", "region_code": "990121",
             "region_name": "演示县", "legal_representative": "张三"}, by=user,
        )  # fmt: skip
        create_agency(
            {"uscc": DEPARTMENT, "name": "演示县测试局, \"甲\"", "kind": "department", "region_code": "990121",
             "region_name": "演示县", "parent_id": government.id}, by=user,
        )  # fmt: skip
        township = create_agency(
            {"uscc": TOWNSHIP, "name": "演示县测试镇", "kind": "township", "region_code": "990121101",
             "region_name": "演示县测试镇", "parent_id": government.id}, by=user,
        )  # fmt: skip
        for n, kind in enumerate(RECORDS_BY_KIND, 1):
            for m in (0, 1):
                values = kind_values(kind, 100 * n + m)
                agency = township if m else government
                common = {
                    "agency": agency.id,
                    "title": f"{kind} 记录 {m}",
                    "summary": "" if m else "**摘要**，第一行\n第二行",
                    "severity": ("general", "serious")[m],
                    "deciding_authority": "演示县人民法院",
                    "deciding_authority_code": "" if m else DEPARTMENT,
                    "source_unit": "演示县信用办",
                    "document_number": f"演测〔2026〕{n}-{m}号",
                    "decision_date": date(2026, 10, 5),
                }
                if kind == "investment_promise":
                    common["commitment_code"] = ""
                create_record(kind, common | values, TODAY_DATE, by=user)
        commit()


@dataclass
class RoundTrip:
    a: Instance
    b: Instance
    files: Path


@pytest.fixture(scope="module", params=BACKENDS)
def round_trip(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RoundTrip]:
    saved = limiter._storage, limiter._limiter
    root = tmp_path_factory.mktemp(f"opendata-{request.param}")
    a = new_instance(root / "a", request.param, "a")
    b = new_instance(root / "b", request.param, "b")
    fill(a)
    files = root / "files"
    files.mkdir()
    (files / "agencies.csv").write_bytes(a.get("/agencies/export.csv"))
    for kind in RECORDS_BY_KIND:
        for fmt in ("csv", "xlsx", "jsonl"):
            (files / f"{kind}.{fmt}").write_bytes(a.get(f"/records/export.{fmt}?kind={kind}"))
    imported = b.cli("opendata", "import", str(files / "agencies.csv"), "--dataset", "agencies", "--user",
                     "importer", "--write")  # fmt: skip
    assert imported.exit_code == 0, imported.output
    assert "imported: 3 new, 0 unchanged, 0 refused" in imported.output
    for kind in RECORDS_BY_KIND:
        imported = b.cli("opendata", "import", str(files / f"{kind}.csv"), "--dataset", f"records-{kind}", "--user",
                         "importer", "--write")  # fmt: skip
        assert imported.exit_code == 0, imported.output
        assert "imported: 2 new, 0 unchanged, 0 refused" in imported.output
    try:
        yield RoundTrip(a, b, files)
    finally:
        for instance in (a, b):
            with instance.app.app_context():
                db.engine.dispose()
        limiter._storage, limiter._limiter = saved


def without_ids(data: bytes) -> bytes:
    """The CSV again, without the columns that carry ids, rows ordered by 文书编号."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    keep = [i for i, name in enumerate(rows[0]) if name not in ID_COLUMNS]
    order = rows[0].index("文书编号")
    body = sorted(([row[i] for i in keep] for row in rows[1:]), key=lambda row: row[keep.index(order)])
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([[rows[0][i] for i in keep], *body])
    return out.getvalue().encode("utf-8")


def test_the_agencies_come_back_byte_for_byte(round_trip: RoundTrip) -> None:
    assert round_trip.b.get("/agencies/export.csv") == (round_trip.files / "agencies.csv").read_bytes()


@pytest.mark.parametrize("kind", RECORDS_BY_KIND)
def test_the_records_come_back_byte_for_byte_ids_aside(round_trip: RoundTrip, kind: str) -> None:
    before = (round_trip.files / f"{kind}.csv").read_bytes()
    after = round_trip.b.get(f"/records/export.csv?kind={kind}")
    assert len(before.splitlines()) > 2
    assert without_ids(after) == without_ids(before)
    assert TRICKY.replace("\n", "\r\n").encode() not in before  # line breaks inside a cell stay \n
    lines_before, lines_after = (
        sorted(({k: v for k, v in line.items() if k not in ("id", "url")} for line in read_jsonl(data)),
               key=lambda line: line["document_number"])
        for data in (round_trip.files.joinpath(f"{kind}.jsonl").read_bytes(),
                     round_trip.b.get(f"/records/export.jsonl?kind={kind}"))
    )  # fmt: skip
    assert lines_after == lines_before


def test_the_xlsx_files_read_as_the_same_rows(round_trip: RoundTrip) -> None:
    with round_trip.b.app.app_context():
        for kind, dataset in RECORDS_BY_KIND.items():
            data = (round_trip.files / f"{kind}.xlsx").read_bytes()
            report = import_file(dataset, data, TODAY_DATE, by=staff(), write=False, source="")
            assert [row.result for row in report.rows] == [RowResult.UNCHANGED] * 2, (kind, report.rows)
        db.session.rollback()


def test_importing_the_same_files_again_changes_nothing(round_trip: RoundTrip) -> None:
    tables = round_trip.b.tables()
    files: list[tuple[Path, Dataset]] = [(round_trip.files / "agencies.csv", AGENCIES)]
    files += [(round_trip.files / f"{kind}.csv", dataset) for kind, dataset in RECORDS_BY_KIND.items()]
    for path, dataset in files:
        result = round_trip.b.cli("opendata", "import", str(path), "--dataset", dataset.key, "--user", "importer",
                                  "--write")  # fmt: skip
        assert result.exit_code == 0, result.output
        assert " 0 new," in result.output
    assert round_trip.b.tables() == tables


def test_a_dry_run_on_the_command_line_writes_nothing(round_trip: RoundTrip, tmp_path: Path) -> None:
    tables = round_trip.b.tables()
    changed = tmp_path / "changed.csv"
    text = (
        (round_trip.files / "arrears.csv")
        .read_text(encoding="utf-8-sig")
        .replace("演测〔2026〕5-0号", "演测〔2026〕5-9号")
    )
    changed.write_text(text, encoding="utf-8-sig")
    result = round_trip.b.cli("opendata", "import", str(changed), "--dataset", "records-arrears", "--user", "importer")
    assert result.exit_code == 0, result.output
    assert "checked (dry run, nothing written): 1 new, 1 unchanged, 0 refused" in result.output
    refused = round_trip.b.cli("opendata", "import", str(changed), "--dataset", "records-arrears", "--user", "nobody")
    assert refused.exit_code != 0
    assert round_trip.b.tables() == tables
