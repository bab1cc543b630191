"""Helpers of the open-data tests: files built from a dataset's columns, and files read back."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from openpyxl import Workbook, load_workbook  # type: ignore[import-untyped]

from portal.opendata.datasets import Dataset
from portal.users.models import User
from portal.users.rules import Role
from tests.factories import make_user
from tests.forms import sign_in


def csv_bytes(dataset: Dataset, rows: list[dict[str, str]], *, encoding: str = "utf-8-sig") -> bytes:
    """A CSV file with the dataset's headers (the standard's names) and these rows (by column key; missing: empty)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.name for c in dataset.columns])
    for row in rows:
        writer.writerow([row.get(c.key, "") for c in dataset.columns])
    return out.getvalue().encode(encoding)


def xlsx_bytes(dataset: Dataset, rows: list[dict[str, Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([c.name for c in dataset.columns])
    for row in rows:
        sheet.append([row.get(c.key) for c in dataset.columns])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def read_csv(data: bytes) -> list[dict[str, str]]:
    """An exported CSV (BOM first) as dicts by header."""
    assert data.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def read_xlsx(data: bytes) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def read_jsonl(data: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


@pytest.fixture
def staff(client: FlaskClient) -> User:
    user = make_user(Role.STAFF)
    sign_in(client, user)
    return user
