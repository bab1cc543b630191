"""The open-data use cases: the bulk import of agencies and records (a dry run, then an all-or-nothing write through
the registry's and the records' own operations) and the daily full dump.

Bulk import. A file in an export's own columns (portal/opendata/datasets.py) is read row by row; each row is new,
unchanged (its natural key — an agency's 统一社会信用代码, a record's kind and 文书编号 — names a stored item with the
same values) or refused, with every problem by row and column: a bad check character, an unknown or closed agency,
dates in the future or out of order, a 文书编号 twice in the file or already stored with other values, money written
with a unit. A stored item is never changed by an import (a correction has its reason and its public trace: the
workspace does it). Writing runs the same checks inside a savepoint and creates each new row with create_agency /
create_record — so each is audited and noted in the search outbox like one typed in — and keeps nothing unless every
row passed; the same file imported again finds every row unchanged and writes nothing at all.

Daily dump (如东县政务失信防范治理长效管理办法（试行）五(二), 泰信用办〔2022〕12号 三(四): the information is collected
and disclosed in full). One zip per day in the instance directory: a CSV per dataset, the data dictionary and a
manifest with each member's SHA-256 and rows; the zip's own SHA-256 beside it. The same data gives the same bytes."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.agencies.models import Agency
from portal.agencies.operations import AgencyRefusedError, create_agency
from portal.audit.operations import write_audit
from portal.core.labelled import N_, LabelledEnum
from portal.core.regions import is_region_code
from portal.core.uscc import normalise
from portal.errors import RefusedError
from portal.extensions import db
from portal.forms import control_characters, uscc_message
from portal.opendata.datasets import AGENCIES, DATASETS, DUMPED, Column, ColumnType, Dataset
from portal.opendata.queries import dataset_query, items, withdrawn_since
from portal.opendata.rules import CellError, future_date, header_name, out_of_order, parse_day, parse_wan
from portal.opendata.tables import Link, UnreadableFileError, csv_chunks, read_table, rows
from portal.records.kinds import KINDS, Kind, RecordValues
from portal.records.models import Record
from portal.records.operations import RecordRefusedError, check_new_record, create_record
from portal.users.models import User
from portal.web import public_path, site_root

MB = 1024 * 1024
WEB_MOST_BYTES = 20 * MB  # an uploaded file at most (more: 413)
# Rows a web import takes (more: 413 — the command line takes any number): written, then indexed by the commit's
# after-commit hook, in well under nginx's 60 s (bench/opendata.py: about 2 ms a row, and as much to index it).
WEB_MOST_ROWS = 5_000


class RowResult(LabelledEnum):
    NEW = "new", N_("新增")
    UNCHANGED = "unchanged", N_("未变化")
    REFUSED = "refused", N_("有错误")


@dataclass
class RowReport:
    line: int  # the row's number in the file (the header is row 1), as a spreadsheet shows it
    key: str  # the natural key as written (a 文书编号, a 统一社会信用代码)
    result: RowResult
    problems: list[tuple[str, str]] = field(default_factory=list)  # (the column's name, what is wrong)


@dataclass
class ImportReport:
    dataset: Dataset
    rows: list[RowReport] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # the file's own: columns missing or twice
    ignored: list[str] = field(default_factory=list)  # headers that are no column of the dataset
    written: bool = False  # the new rows were created (nothing was refused)

    def count(self, result: RowResult) -> int:
        return sum(1 for row in self.rows if row.result is result)

    @property
    def ok(self) -> bool:
        return not self.problems and not any(row.result is RowResult.REFUSED for row in self.rows)


class ImportRefusedError(RefusedError):
    """The file as a whole cannot be imported (not a table, too many rows): the message goes beside the file field."""

    def __init__(self, message: Any, status: int = 400) -> None:
        super().__init__(message, field="file", status=status)


UNREADABLE = {
    "empty": N_("文件是空的。"),
    "encoding": N_("无法识别文件：请上传 XLSX 工作簿，或以 UTF-8 编码保存的 CSV 文件（Excel：另存为“CSV UTF-8”）。"),
    "workbook": N_("文件不是可以打开的 XLSX 工作簿（或已损坏），请重新导出后上传。"),
    "no_header": N_("文件没有表头：第一行应为列名（与导出文件相同）。"),
    "csv": N_("文件中有无法按 CSV 读取的内容（如超过 128 KB 的单元格），请检查后重新导出。"),
}


def import_file(
    dataset: Dataset,
    data: bytes,
    today: date,
    *,
    by: User,
    write: bool,
    source: str,
    most_rows: int | None = None,
) -> ImportReport:
    """Read the file and judge every row; with `write`, create the new rows (all, or none when any row is refused).
    `source` names the file in the audit log (its SHA-256). ImportRefusedError for a file that is not a table of the
    dataset, or (413) with more than `most_rows` rows."""
    if not dataset.importable:
        raise ValueError(f"{dataset.key} is not importable")
    try:
        if most_rows is not None:  # counted first: too many rows is refused before any row is worked on
            _too_many(_filled(read_table(data).rows), most_rows)
        table = read_table(data)
    except UnreadableFileError as unreadable:
        raise ImportRefusedError(_(UNREADABLE[unreadable.reason])) from None
    report = ImportReport(dataset)
    mapping = _columns(dataset, table.headers, report)
    if report.problems:
        return report
    importer = _AgencyImport(report, today, by) if dataset is AGENCIES else _RecordImport(report, today, by)
    lines = _filled(table.rows)
    savepoint = db.session.begin_nested() if write else None
    try:
        importer.run(mapping, lines, write=write)
    except BaseException as failed:
        if savepoint is not None:
            savepoint.rollback()
        if isinstance(failed, UnreadableFileError):
            raise ImportRefusedError(_(UNREADABLE[failed.reason])) from None
        raise
    if savepoint is None:
        return report
    if not report.ok:
        savepoint.rollback()
        return report
    savepoint.commit()
    new = report.count(RowResult.NEW)
    if new:  # an import that finds nothing new writes nothing, not even this entry
        changes = {
            "file": [None, source],
            "new": [None, new],
            "unchanged": [None, report.count(RowResult.UNCHANGED)],
        }
        write_audit("opendata.import", "dataset", dataset.key, changes, by=by)
        db.session.flush()
    report.written = True
    return report


def _filled(lines: Iterator[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str]]]:
    """The rows that hold anything (a spreadsheet's trailing empty rows are no rows)."""
    return ((line, cells) for line, cells in lines if any(cells))


def _too_many(lines: Iterator[tuple[int, list[str]]], most: int) -> None:
    """ImportRefusedError (413) when there are more than `most` rows."""
    if sum(1 for _row in lines) > most:
        raise ImportRefusedError(
            _(
                "文件的数据超过 %(most)d 行：网页导入每次最多 %(most)d 行，请分成几个文件，或由管理员用命令 "
                "flask --app portal opendata import 导入。",
                most=most,
            ),
            status=413,
        )


def _columns(dataset: Dataset, headers: list[str], report: ImportReport) -> dict[int, Column]:
    """Which column each header is (by the standard's name or the English key); missing required columns and
    columns given twice are the file's problems, headers of no column are ignored (and listed)."""
    known = {header_name(c.name): c for c in dataset.columns} | {header_name(c.key): c for c in dataset.columns}
    mapping: dict[int, Column] = {}
    for index, header in enumerate(headers):
        name = header_name(header)
        if not name:
            continue
        column = known.get(name)
        if column is None:
            report.ignored.append(header)
        elif column in mapping.values():
            report.problems.append(_("列“%(name)s”出现了两次。", name=column.name))
        else:
            mapping[index] = column
    missing = [c.name for c in dataset.imported_columns() if c.required and c not in mapping.values()]
    if missing:
        report.problems.append(
            _("缺少必填的列：%(names)s（列名须与导出文件相同，见数据字典）。", names="、".join(missing))
        )
    return mapping


# --- reading a cell ------------------------------------------------------------------------------------------------


def _code(column: Column, text: str) -> LabelledEnum:
    """A code-list cell: the Chinese label as exported, or the code itself."""
    assert column.codes is not None
    plain = unicodedata.normalize("NFKC", text).strip()
    for member in column.codes:
        if plain in (unicodedata.normalize("NFKC", member.msgid), member.value):
            return member
    allowed = "、".join(member.msgid for member in column.codes)
    raise CellError(_("不是可选的值，可填：%(allowed)s", allowed=allowed))


CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")  # every character forms.control_characters may refuse (category Cc)


def parse_cell(column: Column, text: str, today: date) -> Any:
    """A cell of an imported column → the value as stored (None when empty); CellError with the reason otherwise."""
    if column.type is ColumnType.LONG_TEXT:
        text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return None
    if CONTROL.search(text) and control_characters(text, multiline=column.type is ColumnType.LONG_TEXT):
        raise CellError(_("不能包含控制字符") if column.type is ColumnType.LONG_TEXT else _("不能包含换行或控制字符"))
    if column.longest and len(text) > column.longest:
        raise CellError(_("太长了：最多 %(max)d 个字符。", max=column.longest))
    if column.type is ColumnType.USCC:
        code = normalise(text)
        message = uscc_message(code)
        if message:
            raise CellError(message)
        return code
    if column.type is ColumnType.REGION:
        if not is_region_code(text):
            raise CellError(_("行政区划代码应为 6 位或 9 位数字"))
        return text
    if column.type is ColumnType.DATE:
        day = parse_day(text)
        problem = future_date(day, today) if day else None
        if problem:
            raise CellError(problem)
        return day
    if column.type is ColumnType.MONEY:
        return parse_wan(text)
    if column.type is ColumnType.LABEL:
        return _code(column, text)
    return text


def _stored(column: Column, item: Any) -> Any:
    """The stored item's value of an imported column, as parse_cell gives it (to tell unchanged from different)."""
    value = column.value(item)
    if value == "":
        return None
    if column.type is ColumnType.DATE and isinstance(value, str):
        return date.fromisoformat(value)
    return value


@dataclass
class _Row:
    line: int
    values: dict[str, Any]
    report: RowReport

    def refuse(self, column: Column, message: Any) -> None:
        self.report.problems.append((column.name, str(message)))
        self.report.result = RowResult.REFUSED


class _Import:
    """What both imports share: reading the cells of each row and comparing a row with the stored item."""

    compared: tuple[str, ...] = ()  # the imported columns an unchanged row must match

    def __init__(self, report: ImportReport, today: date, by: User) -> None:
        self.report, self.dataset, self.today, self.by = report, report.dataset, today, by
        self.seen: dict[str, int] = {}  # natural key → the first row that gave it
        self.key_column = self.dataset.column(self.dataset.natural_key)

    def read(self, mapping: dict[int, Column], line: int, cells: list[str]) -> _Row:
        row = _Row(line, {}, RowReport(line, "", RowResult.NEW))
        for index, column in mapping.items():
            if not column.imported:
                continue
            text = cells[index].strip() if index < len(cells) else ""
            try:
                value = parse_cell(column, text, self.today)
            except CellError as refused:
                row.refuse(column, refused.message)
                continue
            if value is None and column.required:
                row.refuse(column, _("此项必填"))
            row.values[column.key] = value
        key_column = self.key_column
        row.report.key = str(row.values.get(key_column.key) or "")
        self.report.rows.append(row.report)
        for earlier, later in self.dataset.date_order:
            if out_of_order(row.values.get(earlier), row.values.get(later)):
                first, then = self.dataset.column(earlier), self.dataset.column(later)
                row.refuse(then, _("%(later)s不能早于%(earlier)s", later=then.name, earlier=first.name))
        key = row.values.get(key_column.key)
        if key:
            if key in self.seen:
                row.refuse(key_column, _("与第 %(line)d 行重复", line=self.seen[key]))
            else:
                self.seen[key] = line
        return row

    def differences(self, row: _Row, item: Any) -> list[str]:
        """The names of the columns whose value in the row is not the stored one."""
        return [
            column.name
            for column in self.dataset.imported_columns()
            if column.key in self.compared and row.values.get(column.key) != _stored(column, item)
        ]


# --- records ---------------------------------------------------------------------------------------------------------

# RecordValues names (create_record's refusals) → the dataset's columns
_RECORD_FIELDS = {"agency": "agency_uscc"}


class _RecordImport(_Import):
    def __init__(self, report: ImportReport, today: date, by: User) -> None:
        super().__init__(report, today, by)
        kind = self.dataset.kind
        assert kind is not None
        self.kind = kind
        self.compared = tuple(c.key for c in self.dataset.imported_columns() if c.key not in ("kind", "agency_name"))
        self.agencies = {
            a.uscc: a for a in db.session.scalars(select(Agency).options(selectinload(Agency.former_names)))
        }
        self.stored: dict[str, list[int]] = {}
        for record_id, number in db.session.execute(
            select(Record.id, Record.document_number).where(Record.kind == kind).order_by(Record.id)
        ):
            self.stored.setdefault(number, []).append(record_id)
        self.clean = True  # no row refused yet: writing goes on

    def run(self, mapping: dict[int, Column], lines: Iterable[tuple[int, list[str]]], *, write: bool) -> None:
        for line, cells in lines:
            row = self.read(mapping, line, cells)
            self.check(row, write=write)
            if row.report.result is RowResult.REFUSED:
                self.clean = False

    def check(self, row: _Row, *, write: bool) -> None:
        dataset, values = self.dataset, row.values
        kind = values.get("kind")
        if kind is not None and kind != self.kind:
            row.refuse(dataset.column("kind"), _("本文件只能含“%(kind)s”类记录", kind=Kind(self.kind).label))
        agency = self.agencies.get(values.get("agency_uscc") or "")
        if values.get("agency_uscc") and agency is None:
            row.refuse(dataset.column("agency_uscc"), _("机构名录中没有这个统一社会信用代码：请先登记或导入该机构"))
        name = values.get("agency_name")
        if agency is not None and name and name not in {agency.name, *(n.name for n in agency.former_names)}:
            row.refuse(dataset.column("agency_name"), _("与名录不符：该代码登记的机构是“%(name)s”", name=agency.name))
        if row.report.result is RowResult.REFUSED or agency is None:
            return
        number = values["document_number"]
        if number in self.stored:
            self.compare(row, self.stored[number])
            return
        record_values = self.record_values(values, agency)
        try:
            if write and self.clean:
                create_record(self.kind, record_values, self.today, by=self.by)
            else:
                check_new_record(self.kind, record_values, self.today)
        except RecordRefusedError as refused:
            for name, message in refused.problems.items():
                row.refuse(dataset.column(_RECORD_FIELDS.get(name, name)), message)

    def compare(self, row: _Row, record_ids: list[int]) -> None:
        number_column = self.dataset.column("document_number")
        records = [db.session.get(Record, record_id) for record_id in record_ids]
        stopped = next((r for r in records if r is not None and r.stop_notice(self.today) is not None), None)
        if stopped is not None:
            notice = stopped.stop_notice(self.today)
            assert notice is not None
            row.refuse(
                number_column,
                _(
                    "该文书编号的记录（编号 %(id)d）已于 %(day)s 停止公示（%(reason)s），不能再次导入",
                    id=stopped.id,
                    day=notice.since.isoformat(),
                    reason=_(notice.reason.msgid),
                ),
            )
            return
        record = records[0]
        assert record is not None
        different = self.differences(row, record)
        if different:
            row.refuse(
                number_column,
                _(
                    "已有文书编号相同的记录（编号 %(id)d），这些列不同：%(names)s。"
                    "导入不修改已有记录，请在工作台更正该记录",
                    id=record.id,
                    names="、".join(different),
                ),
            )
        else:
            row.report.result = RowResult.UNCHANGED

    def record_values(self, values: dict[str, Any], agency: Agency) -> RecordValues:
        """The row as the records' operations take it (RecordValues: a kind field's date as a date, money in fen)."""
        record: RecordValues = {
            "agency": agency.id,
            "title": values["title"],
            "summary": values.get("summary") or "",
            "severity": values["severity"].value,
            "deciding_authority": values["deciding_authority"],
            "deciding_authority_code": values.get("deciding_authority_code") or "",
            "source_unit": values["source_unit"],
            "document_number": values["document_number"],
            "decision_date": values["decision_date"],
        }
        if self.kind == Kind.INVESTMENT_PROMISE:
            record["commitment_code"] = values.get("commitment_code") or ""
        for spec in KINDS[self.kind].fields:
            record[spec.name] = values.get(spec.name)
        return record


# --- agencies ------------------------------------------------------------------------------------------------------

_AGENCY_FIELDS = {"parent": "parent_uscc"}  # create_agency's refusals → the dataset's columns


class _AgencyImport(_Import):
    compared = ("uscc", "name", "kind", "region_code", "region_name", "parent_uscc", "legal_representative")

    def __init__(self, report: ImportReport, today: date, by: User) -> None:
        super().__init__(report, today, by)
        self.agencies = {a.uscc: a for a in db.session.scalars(select(Agency))}

    def run(self, mapping: dict[int, Column], lines: Iterable[tuple[int, list[str]]], *, write: bool) -> None:
        rows = [self.read(mapping, line, cells) for line, cells in lines]
        new = {}
        for row in rows:
            self.check(row)
            if row.report.result is RowResult.NEW:
                new[row.values["uscc"]] = row
        for row in new.values():
            self.check_parent(row, new)
        if write and self.report.ok:
            self.create(list(new.values()))

    def check(self, row: _Row) -> None:
        agency = self.agencies.get(row.values.get("uscc") or "")
        if row.report.result is RowResult.REFUSED or agency is None:
            return
        different = self.differences(row, agency)
        if different:
            row.refuse(
                self.dataset.column("uscc"),
                _(
                    "该机构已登记，这些列不同：%(names)s。导入不修改已登记的机构，请在机构名录中修改",
                    names="、".join(different),
                ),
            )
        else:
            row.report.result = RowResult.UNCHANGED

    def check_parent(self, row: _Row, new: dict[str, _Row]) -> None:
        """A new agency's parent is registered and in force, or a new agency of the same file; no loop."""
        column = self.dataset.column("parent_uscc")
        parent = row.values.get("parent_uscc")
        if not parent:
            return
        stored = self.agencies.get(parent)
        if parent == row.values["uscc"]:
            row.refuse(column, _("上级机构不能是本机构"))
        elif stored is not None and not stored.is_active:
            row.refuse(column, _("该机构已撤销或合并，不能作为上级机构"))
        elif stored is None and parent not in new:
            row.refuse(column, _("上级机构未登记，也不在本文件中"))
        elif stored is None:
            seen = {row.values["uscc"]}
            walk: str | None = parent
            while walk in new and walk not in seen:
                seen.add(walk)
                walk = new[walk].values.get("parent_uscc")
            if walk == row.values["uscc"]:
                row.refuse(column, _("上级机构关系形成循环"))

    def create(self, new: list[_Row]) -> None:
        """Each new agency after its parent (a parent may come later in the file)."""
        waiting = list(new)
        while waiting:
            pending = {row.values["uscc"] for row in waiting}
            ready = [row for row in waiting if (row.values.get("parent_uscc") or "") not in pending]
            if not ready:  # a loop (check_parent refuses one first)
                raise ValueError("the new agencies' parents make a loop")
            for row in ready:
                values = dict(row.values)
                parent = values.pop("parent_uscc", None)
                values["parent_id"] = self.agencies[parent].id if parent else None
                values["kind"] = values["kind"].value
                try:
                    self.agencies[values["uscc"]] = create_agency(values, by=self.by)
                except AgencyRefusedError as refused:
                    for name, message in refused.problems.items():
                        row.refuse(self.dataset.column(_AGENCY_FIELDS.get(name, name)), message)
                    return
            waiting = [r for r in waiting if r not in ready]


# --- the daily dump ------------------------------------------------------------------------------------------------

DUMP_NAME = re.compile(r"opendata-([0-9]{4}-[0-9]{2}-[0-9]{2})\.zip")
DICTIONARY = "dictionary.csv"
MANIFEST = "manifest.json"


def item_url(endpoint: str, values: dict[str, Any]) -> str:
    """An item's page, absolute on the site's address (PORTAL_BASE_URL), also outside a request (the dump)."""
    return site_root() + public_path(endpoint, **values)


def dumps_dir() -> Path:
    return Path(current_app.config["PORTAL_SETTINGS"].instance_dir) / "opendata"


@dataclass(frozen=True)
class Dump:
    path: Path
    day: date
    size: int
    sha256: str  # of the zip
    manifest: dict[str, Any]

    @property
    def name(self) -> str:
        return self.path.name


def dictionary_rows() -> Iterator[list[str]]:
    """The data dictionary as rows: every dataset's every column (the page and the dump's dictionary.csv)."""
    yield ["数据集", "数据集名称", "列名", "键", "类型", "导入", "含义", "示例", "代码表"]
    for dataset in DATASETS.values():
        for column in dataset.columns:
            imported = ("必填" if column.required else "选填") if column.imported and dataset.importable else ""
            codes = "；".join(f"{code}={label}" for code, label in column.code_values())
            yield [dataset.key, str(dataset.title), column.name, column.key, str(column.type.label), imported,
                   str(column.meaning), column.example, codes]  # fmt: skip


def _csv_bytes(lines: Iterable[list[str]]) -> bytes:
    out = io.StringIO()
    out.write("\ufeff")
    csv.writer(out, lineterminator="\r\n").writerows(lines)
    return out.getvalue().encode("utf-8")


def _member(archive: zipfile.ZipFile, name: str, day: date, chunks: Iterable[bytes]) -> tuple[int, str]:
    """Write one member (dated the dump's day, so that the same data makes the same zip); its size and SHA-256."""
    info = zipfile.ZipInfo(name, date_time=(day.year, day.month, day.day, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    digest, size = hashlib.sha256(), 0
    with archive.open(info, "w", force_zip64=True) as out:
        for chunk in chunks:
            out.write(chunk)
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def write_dump(directory: Path, today: date, link: Link, licence_url: str, *, keep: int) -> Dump:
    """Today's dump (replacing one of the same day), then only the `keep` newest are kept; audited."""
    directory.mkdir(parents=True, exist_ok=True)
    name = f"opendata-{today.isoformat()}.zip"
    members = []
    fd, temporary = tempfile.mkstemp(dir=directory, prefix=".dump-")
    try:
        with os.fdopen(fd, "wb") as handle, zipfile.ZipFile(handle, "w") as archive:
            for dataset in DUMPED:
                counted = [0]

                def counting(values: Iterator[list[Any]], counted: list[int] = counted) -> Iterator[list[Any]]:
                    for value in values:
                        counted[0] += 1
                        yield value

                chunks = csv_chunks(dataset, counting(rows(dataset, items(dataset_query(dataset, today)), link)))
                size, sha256 = _member(archive, f"{dataset.key}.csv", today, chunks)
                members.append({"name": f"{dataset.key}.csv", "dataset": dataset.key, "title": str(dataset.title),
                                "rows": counted[0], "bytes": size, "sha256": sha256})  # fmt: skip
            size, sha256 = _member(archive, DICTIONARY, today, [_csv_bytes(dictionary_rows())])
            members.append({"name": DICTIONARY, "dataset": None, "title": "数据字典", "rows": None, "bytes": size,
                            "sha256": sha256})  # fmt: skip
            manifest = {"date": today.isoformat(), "licence": licence_url, "members": members}
            manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"
            _member(archive, MANIFEST, today, [manifest_bytes])
        digest = hashlib.sha256()
        with open(temporary, "rb") as written:
            while chunk := written.read(1024 * 1024):
                digest.update(chunk)
        path = directory / name
        _replace_text(directory / f"{name}.sha256", f"{digest.hexdigest()}  {name}\n")
        _replace_text(directory / f"opendata-{today.isoformat()}.manifest.json", manifest_bytes.decode("utf-8"))
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    for old in list_dumps(directory)[keep:]:
        for sidecar in (old.path, old.path.with_name(f"{old.name}.sha256"), manifest_path(old.path)):
            sidecar.unlink(missing_ok=True)
    rows_written = {m["dataset"]: m["rows"] for m in members if m["dataset"]}
    write_audit(
        "opendata.dump",
        "opendata_dump",
        today.isoformat(),
        {"sha256": [None, digest.hexdigest()], "rows": [None, rows_written]},
    )
    db.session.flush()
    return Dump(path, today, path.stat().st_size, digest.hexdigest(), manifest)


def _replace_text(path: Path, text: str) -> None:
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".dump-")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(temporary, 0o644)
    os.replace(temporary, path)


def manifest_path(zip_path: Path) -> Path:
    return zip_path.with_name(zip_path.name.removesuffix(".zip") + ".manifest.json")


def current_dump(directory: Path, today: date) -> Dump | None:
    """The dump /data/ publishes: today's, while nothing it holds has left the public since it was written (a record
    stopped, a complaint or commitment withdrawn). Older dumps stay on disk for staff, never served: yesterday's holds
    records that expired at midnight. The next `opendata dump` makes a current one again."""
    dumps = list_dumps(directory)
    if not dumps or dumps[0].day != today:
        return None
    written = datetime.fromtimestamp(dumps[0].path.stat().st_mtime, UTC)
    return None if withdrawn_since(written) else dumps[0]


def list_dumps(directory: Path) -> list[Dump]:
    """The dumps in the directory, newest first (each with its SHA-256 and manifest as written beside it)."""
    found = []
    for path in directory.glob("opendata-*.zip") if directory.is_dir() else ():
        match = DUMP_NAME.fullmatch(path.name)
        if match is None:
            continue
        sums = path.with_name(f"{path.name}.sha256")
        sha256 = sums.read_text(encoding="utf-8").split()[0] if sums.is_file() else ""
        manifest_file = manifest_path(path)
        manifest = json.loads(manifest_file.read_text(encoding="utf-8")) if manifest_file.is_file() else {}
        found.append(Dump(path, date.fromisoformat(match[1]), path.stat().st_size, sha256, manifest))
    return sorted(found, key=lambda dump: dump.day, reverse=True)
