"""The daily full dump (`flask --app portal opendata dump`) and /data/: one zip per day with a CSV per dataset, the
data dictionary and a manifest with each member's SHA-256 and rows; the zip's SHA-256 beside it; the newest N kept;
the same data makes the same bytes; /data/ lists and serves them; the data dictionary page lists every column."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import time
import zipfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.opendata import operations, views
from portal.opendata.datasets import DATASETS, DUMPED, Dataset
from portal.records.operations import change_status
from portal.records.rules import RecordStatus
from tests.factories import make_record
from tests.html import find, links, one, parse_strict, text_of, visible_text


@pytest.fixture
def dumps(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The dumps' directory of this test (the instance's own is shared by every test); the site's address set, so
    that the dump (made outside a request) and the exports (inside one) give the same addresses."""
    settings = app.config["PORTAL_SETTINGS"]
    monkeypatch.setitem(app.config, "PORTAL_SETTINGS", replace(settings, base_url="https://credit.example.gov.cn"))
    directory = tmp_path / "opendata"
    monkeypatch.setattr(operations, "dumps_dir", lambda: directory)
    monkeypatch.setattr(views, "dumps_dir", lambda: directory)
    from portal.opendata import commands

    monkeypatch.setattr(commands, "dumps_dir", lambda: directory)
    return directory


def export_path(app: Flask, dataset: Dataset, fmt: str) -> str:
    with app.test_request_context():
        return views.export_url(dataset, fmt)


def dump(app: Flask, *options: str) -> str:
    result = app.test_cli_runner().invoke(args=["opendata", "dump", *options])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_dump_holds_every_dataset_with_its_manifest(app: Flask, client: FlaskClient, dumps: Path) -> None:
    output = dump(app)
    path = dumps / "opendata-2026-11-20.zip"
    data = path.read_bytes()
    sha256 = hashlib.sha256(data).hexdigest()
    assert f"SHA-256 {sha256}" in output
    assert (dumps / "opendata-2026-11-20.zip.sha256").read_text() == f"{sha256}  opendata-2026-11-20.zip\n"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        manifest = json.loads(archive.read("manifest.json"))
        assert names == [*(f"{d.key}.csv" for d in DUMPED), "dictionary.csv", "manifest.json"]
        for member in manifest["members"]:
            content = archive.read(member["name"])
            assert hashlib.sha256(content).hexdigest() == member["sha256"]
            assert len(content) == member["bytes"]
            if member["dataset"]:
                assert content == client.get(export_path(app, DATASETS[member["dataset"]], "csv")).get_data()
                rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
                assert member["rows"] == len(rows) - 1
        dictionary = list(csv.reader(io.StringIO(archive.read("dictionary.csv").decode("utf-8-sig"))))
    assert manifest["date"] == "2026-11-20"
    assert manifest["licence"].endswith("/pages/open-data-licence")
    assert len(dictionary) - 1 == sum(len(d.columns) for d in DATASETS.values())
    assert dictionary[
        next(i for i, row in enumerate(dictionary) if row[3] == "fine" and row[0] == "records-administrative_penalty")
    ][:4] == ["records-administrative_penalty", "失信记录：行政处罚", "罚款金额（万元）", "fine"]
    (entry,) = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "opendata.dump")).all()
    assert entry.changes["sha256"] == [None, sha256]


def test_the_same_data_makes_the_same_zip_and_old_dumps_go(app: Flask, dumps: Path) -> None:
    dumps.mkdir()
    for day in ("2026-11-17", "2026-11-18", "2026-11-19"):
        (dumps / f"opendata-{day}.zip").write_bytes(b"old")
        (dumps / f"opendata-{day}.zip.sha256").write_text("0" * 64)
        (dumps / f"opendata-{day}.manifest.json").write_text("{}")
    dump(app, "--keep", "2")
    first = (dumps / "opendata-2026-11-20.zip").read_bytes()
    dump(app, "--keep", "2")
    assert (dumps / "opendata-2026-11-20.zip").read_bytes() == first
    assert sorted(p.name for p in dumps.iterdir()) == [
        "opendata-2026-11-19.manifest.json",
        "opendata-2026-11-19.zip",
        "opendata-2026-11-19.zip.sha256",
        "opendata-2026-11-20.manifest.json",
        "opendata-2026-11-20.zip",
        "opendata-2026-11-20.zip.sha256",
    ]


def test_data_lists_and_serves_the_dumps(app: Flask, client: FlaskClient, dumps: Path) -> None:
    empty = client.get("/data/").get_data(as_text=True)
    assert "暂无当天的全量数据包" in visible_text(empty)
    dump(app)
    sha256 = hashlib.sha256((dumps / "opendata-2026-11-20.zip").read_bytes()).hexdigest()
    body = client.get("/data/").get_data(as_text=True)
    parse_strict(body)
    assert sha256 in visible_text(body)
    response = client.get("/data/dumps/opendata-2026-11-20.zip")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    assert hashlib.sha256(response.get_data()).hexdigest() == sha256
    response.close()
    manifest = client.get("/data/dumps/opendata-2026-11-20.manifest.json")
    assert json.loads(manifest.get_data())["date"] == "2026-11-20"
    manifest.close()
    for bad in ("opendata-2026-11-21.zip", "opendata-2026-13-01.zip", "..%2Fsecret_key", "x.zip", "opendata.zip"):
        assert client.get(f"/data/dumps/{bad}").status_code == 404, bad


def test_data_lists_every_dataset_with_its_downloads(app: Flask, client: FlaskClient) -> None:
    body = client.get("/data/").get_data(as_text=True)
    parse_strict(body)
    for dataset in DUMPED:
        row = one(body, "tr", id=f"dataset-{dataset.key}")
        hrefs = links(row)
        assert export_path(app, dataset, "csv") in hrefs
        assert export_path(app, dataset, "jsonl") in hrefs
    assert "/pages/open-data-licence" in links(body)
    assert "/data/dictionary" in links(body)
    english = client.get("/data/?lang=en")
    assert english.status_code == 200
    assert one(english.get_data(as_text=True), "html").get("lang") == "en"


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_dictionary_lists_every_column(client: FlaskClient, lang: str) -> None:
    body = client.get(f"/data/dictionary?lang={lang}").get_data(as_text=True)
    parse_strict(body)
    for dataset in DATASETS.values():
        section = find(body, "section", id=dataset.key)
        assert section is not None, dataset.key
        names = [text_of(cell) for cell in section.iter("td") if cell.get("class") == "title"]
        assert names == [column.name for column in dataset.columns]


def test_the_licence_page_says_the_office_chooses(client: FlaskClient) -> None:
    text = visible_text(client.get("/pages/open-data-licence").get_data(as_text=True))
    assert "CC BY 4.0" in text
    assert "由运行本平台的信用办决定" in text
    english = visible_text(client.get("/pages/open-data-licence?lang=en").get_data(as_text=True))
    assert "choice of the credit office" in english


def test_a_dump_is_withdrawn_once_a_record_in_it_stops(app: Flask, client: FlaskClient, dumps: Path) -> None:
    """Found by review: a kept dump went on serving a revoked record's details. Only today's dump is served, and only
    while nothing it holds has left the public since it was written."""
    record = make_record(title="撤销后不应再公开的标题", document_number="演测罚〔2026〕7777号")
    dump(app)
    served = client.get("/data/dumps/opendata-2026-11-20.zip")
    assert served.status_code == 200
    served.close()
    time.sleep(0.01)  # the revocation comes after the dump was written
    change_status(record, RecordStatus.REVOKED, date(2026, 11, 20), reason="异议成立，不应公示")
    db.session.flush()
    assert client.get(f"/records/{record.id}").status_code == 410
    for name in ("opendata-2026-11-20.zip", "opendata-2026-11-20.manifest.json"):
        assert client.get(f"/data/dumps/{name}").status_code == 404
    assert "暂无当天的全量数据包" in visible_text(client.get("/data/").get_data(as_text=True))
    dump(app)  # the next run: a current dump again, without the record
    response = client.get("/data/dumps/opendata-2026-11-20.zip")
    assert response.status_code == 200
    assert "7777" not in zipfile.ZipFile(io.BytesIO(response.get_data())).read(
        "records-administrative_penalty.csv"
    ).decode("utf-8-sig")
    response.close()


def test_yesterdays_dump_is_not_served(app: Flask, client: FlaskClient, dumps: Path) -> None:
    """Yesterday's dump holds records whose publication ended at midnight."""
    dumps.mkdir(parents=True, exist_ok=True)
    (dumps / "opendata-2026-11-19.zip").write_bytes(b"PK\x05\x06" + b"\x00" * 18)
    assert client.get("/data/dumps/opendata-2026-11-19.zip").status_code == 404
