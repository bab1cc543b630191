"""Open-data files written and read: rows of a dataset (portal/opendata/datasets.py) out as CSV, XLSX or JSON Lines,
and a CSV or XLSX file back in as rows of text cells. Writers are generators of bytes, so that a response or a dump
streams a large list in bounded memory; no database and no request here (a URL column is made absolute by the
`link` function the caller passes).

- CSV: UTF-8 with a byte-order mark (so that Excel reads the Chinese as Chinese), the standard's names as headers,
  codes as their Chinese labels, money in 万元, text that a spreadsheet would run as a formula escaped (rules.py).
- XLSX: openpyxl's write-only workbook (rows go to a temporary file as they come, never all in memory), then the
  file is streamed; the same cells, dates as dates, money as numbers, text typed as text.
- JSON Lines: one object per item under the stable English keys, codes as codes, money as numbers of 万元."""

from __future__ import annotations

import csv
import io
import json
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from openpyxl import Workbook, load_workbook  # type: ignore[import-untyped]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]

from portal.core.cells import csv_text
from portal.core.labelled import LabelledEnum
from portal.opendata.datasets import Column, ColumnType, Dataset
from portal.opendata.rules import cell_text, csv_cell, wan_number, wan_text

FORMATS = ("csv", "xlsx", "jsonl")
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jsonl": "application/x-ndjson; charset=utf-8",
}
BATCH = 500  # rows per chunk a writer yields
CHUNK = 256 * 1024  # bytes per chunk of a finished XLSX file
XLSX_TYPE = MIMETYPES["xlsx"]

Link = Callable[[str, dict[str, Any]], str]  # (endpoint, values) → absolute URL


def plain_value(column: Column, item: Any, link: Link) -> Any:
    """The column's value of an item, typed: str, int, date, Decimal (万元), a LabelledEnum member, or None."""
    value = column.value(item)
    if value is None or value == "":
        return None
    if column.type is ColumnType.MONEY:
        return wan_number(int(value))
    if column.type is ColumnType.URL:
        endpoint, values = value
        return link(endpoint, values)
    if column.type is ColumnType.DATE and isinstance(value, str):
        return date.fromisoformat(value)
    return value


def file_cell(column: Column, value: Any) -> Any:
    """A value as a CSV or XLSX cell shows it (before CSV escaping): a code as its Chinese label."""
    if isinstance(value, LabelledEnum):
        return value.msgid
    return value


def csv_cell_text(column: Column, value: Any) -> str:
    value = file_cell(column, value)
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return wan_text(int(value * 1_000_000))
    if isinstance(value, int):
        return str(value)
    return csv_text(str(value))


def json_value(value: Any) -> Any:
    if isinstance(value, LabelledEnum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def headers(dataset: Dataset) -> list[str]:
    return [column.name for column in dataset.columns]


def rows(dataset: Dataset, items: Iterable[Any], link: Link) -> Iterator[list[Any]]:
    """Each item as its typed values, in the dataset's column order."""
    for item in items:
        yield [plain_value(column, item, link) for column in dataset.columns]


def csv_chunks(dataset: Dataset, values: Iterable[list[Any]]) -> Iterator[bytes]:
    """The CSV file: the byte-order mark and the header first, then BATCH rows at a time."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    out.write("\ufeff")
    writer.writerow(headers(dataset))
    for n, row in enumerate(values, 1):
        writer.writerow([csv_cell_text(column, value) for column, value in zip(dataset.columns, row, strict=True)])
        if n % BATCH == 0:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode("utf-8")


def jsonl_chunks(dataset: Dataset, values: Iterable[list[Any]]) -> Iterator[bytes]:
    """One JSON object per line (no header: the keys are in every line)."""
    keys = [column.key for column in dataset.columns]
    lines: list[str] = []
    for row in values:
        lines.append(json.dumps(dict(zip(keys, map(json_value, row), strict=True)), ensure_ascii=False))
        if len(lines) == BATCH:
            yield ("\n".join(lines) + "\n").encode("utf-8")
            lines.clear()
    if lines:
        yield ("\n".join(lines) + "\n").encode("utf-8")


def xlsx_chunks(dataset: Dataset, values: Iterable[list[Any]]) -> Iterator[bytes]:
    """The XLSX file: one sheet, the header row, then every row, written by openpyxl's write-only workbook to a
    temporary file; then that file, CHUNK bytes at a time."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(dataset.sheet_title)
    sheet.append(headers(dataset))
    for row in values:
        cells = []
        for column, value in zip(dataset.columns, row, strict=True):
            shown = file_cell(column, value)
            if isinstance(shown, str) and shown.startswith("="):  # text, never a formula
                cell = WriteOnlyCell(sheet, value=shown)
                cell.data_type = "s"
                shown = cell
            cells.append(shown)
        sheet.append(cells)
    with tempfile.TemporaryFile() as out:
        workbook.save(out)
        out.seek(0)
        while chunk := out.read(CHUNK):
            yield chunk


WRITERS: dict[str, Callable[[Dataset, Iterable[list[Any]]], Iterator[bytes]]] = {
    "csv": csv_chunks,
    "xlsx": xlsx_chunks,
    "jsonl": jsonl_chunks,
}


# --- reading a file to import --------------------------------------------------------------------------------------


class UnreadableFileError(ValueError):
    """The file is neither a CSV in UTF-8 (or GB 18030) nor an XLSX workbook; `reason` says which way (raised by
    read_table, or by its rows as they are read)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


NOT_TEXT = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"\xd0\xcf\x11\xe0", b"GIF8")
XLSX_MOST_UNPACKED = 400 * 1024 * 1024  # bytes a workbook may unpack to (a zip bomb is refused before reading it)


@dataclass
class Table:
    """A file's header and its rows (line number in the file, cells as text), read lazily."""

    headers: list[str]
    rows: Iterator[tuple[int, list[str]]]
    kind: str  # "csv" or "xlsx"


def read_table(data: bytes) -> Table:
    """The file's first sheet or its CSV text; UnreadableFileError('empty' | 'encoding' | 'workbook' | 'no_header')."""
    if not data.strip(b"\xef\xbb\xbf \t\r\n"):
        raise UnreadableFileError("empty")
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data)
    if b"\x00" in data or data.startswith(NOT_TEXT):  # a PDF, an image, a legacy .xls: not a CSV
        raise UnreadableFileError("encoding")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return _read_csv(text)
    raise UnreadableFileError("encoding")


def _read_csv(text: str) -> Table:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        head = next(reader)
    except (StopIteration, csv.Error):
        raise UnreadableFileError("no_header") from None

    def lines() -> Iterator[tuple[int, list[str]]]:
        try:
            for line, row in enumerate(reader, 2):
                yield line, [csv_cell(cell.strip()) for cell in row]
        except csv.Error:  # a cell of more than 128 KB, a NUL: not a table this reads
            raise UnreadableFileError("csv") from None

    return Table([cell.strip() for cell in head], lines(), "csv")


def _read_xlsx(data: bytes) -> Table:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
        if "xl/workbook.xml" not in names or unpacked > XLSX_MOST_UNPACKED:
            raise UnreadableFileError("workbook")
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        # the cells as written, not as the sheet's <dimension> claims: a 5 KB file claiming A1:XFD1048576 would
        # have every row padded to 16,384 cells (found by review)
        sheet.reset_dimensions()
        cells = sheet.iter_rows(values_only=True)
        head = next(cells, None)
    except UnreadableFileError:
        raise
    except Exception:  # openpyxl raises many kinds for a damaged workbook: each is "not a workbook"
        raise UnreadableFileError("workbook") from None
    if head is None:
        raise UnreadableFileError("no_header")

    def lines() -> Iterator[tuple[int, list[str]]]:
        try:
            for line, row in enumerate(cells, 2):
                yield line, [cell_text(value) for value in row]
        except Exception:  # damaged further down (or an XML bomb, which defusedxml refuses)
            raise UnreadableFileError("workbook") from None
        finally:
            workbook.close()

    return Table([cell_text(value) for value in head], lines(), "xlsx")
