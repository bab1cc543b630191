"""Open data, the public side: every public list's exports (its twins at <list>/export.csv, .xlsx and .jsonl, with
the list's own filters), /data/ (the datasets, the daily dumps, the licence) and the data dictionary. No account."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, render_template, request, send_file, stream_with_context, url_for
from flask_babel import gettext as _

from portal import clock
from portal.listing import parse_list_query
from portal.opendata.datasets import DATASETS, DUMPED, ColumnType, Dataset
from portal.opendata.operations import DUMP_NAME, current_dump, dumps_dir, item_url, manifest_path
from portal.opendata.queries import EXPORTS, count, dataset_query, items
from portal.opendata.tables import MIMETYPES, WRITERS, rows
from portal.web import refuse_control_characters

bp = Blueprint("opendata", __name__)

LICENCE_PAGE = "open-data-licence"  # content/open-data-licence.md: the office's choice of licence
EXPORT_MAX_AGE = 60  # seconds a browser or proxy may reuse an export (a page's own MAX_AGE)


def _export(name: str, fmt: str) -> Response:
    """The list `name` with the filters of the query string, every page of it, as `fmt`; streamed (generators all the
    way from the database), so that it stays out of the page cache and a large list holds a few rows in memory."""
    refuse_control_characters()
    export = EXPORTS[name]
    asked = parse_list_query(request.args, export.filters)
    if asked.filters.get("sort") == "amount" and asked.filters.get("kind") != "arrears":
        asked.problems["sort"] = _("按金额排序须先选择类别“拖欠账款/合同违约”")
    if asked.problems:
        abort(400, "; ".join(f"{key}: {message}" for key, message in asked.problems.items()))
    dataset = export.dataset(asked.filters)
    today = clock.today()
    query = export.query(today, asked.filters)
    body = WRITERS[fmt](dataset, rows(dataset, items(query), item_url))
    response = Response(stream_with_context(body), content_type=MIMETYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{dataset.key}-{today.isoformat()}.{fmt}"'
    response.headers["Cache-Control"] = f"public, max-age={EXPORT_MAX_AGE}"  # the same in either language
    return response


FORMATS = "<any(csv, xlsx, jsonl):fmt>"


@bp.get(f"/records/export.{FORMATS}")
def export_records(fmt: str) -> Response:
    return _export("records", fmt)


@bp.get(f"/commitments/export.{FORMATS}")
def export_commitments(fmt: str) -> Response:
    return _export("commitments", fmt)


@bp.get(f"/outcomes/export.{FORMATS}")
def export_outcomes(fmt: str) -> Response:
    return _export("outcomes", fmt)


@bp.get(f"/agencies/export.{FORMATS}")
def export_agencies(fmt: str) -> Response:
    return _export("agencies", fmt)


@bp.get(f"/complaints/export.{FORMATS}")
def export_complaints(fmt: str) -> Response:
    return _export("complaints", fmt)


def export_url(dataset: Dataset, fmt: str) -> str:
    values: dict[str, Any] = {"fmt": fmt, **dict(dataset.export_args)}
    return url_for(dataset.export_endpoint, **values)


@bp.get("/data/")
def index() -> str:
    """The datasets (each with its rows today and its downloads), the daily dumps and the licence."""
    today = clock.today()
    counted = {dataset.key: count(dataset_query(dataset, today)) for dataset in DUMPED}
    return render_template(
        "opendata/index.html",
        datasets=DUMPED,
        counted=counted,
        dump=current_dump(dumps_dir(), today),
        export_url=export_url,
        licence=LICENCE_PAGE,
    )


@bp.get("/data/dictionary")
def dictionary() -> str:
    """The data dictionary, generated from the declaration: every dataset, column, type, meaning and example."""
    return render_template(
        "opendata/dictionary.html", datasets=DATASETS.values(), types=ColumnType, licence=LICENCE_PAGE
    )


@bp.get("/data/dumps/<name>")
def dump(name: str) -> Response:
    """A daily dump (opendata-YYYY-MM-DD.zip) or its manifest (….manifest.json), as a download with its SHA-256 as
    ETag; anything else 404."""
    is_manifest = name.endswith(".manifest.json")
    zip_name = name.removesuffix(".manifest.json") + ".zip" if is_manifest else name
    if DUMP_NAME.fullmatch(zip_name) is None:
        abort(404)
    current = current_dump(dumps_dir(), clock.today())
    if current is None or current.name != zip_name:  # only today's, while it holds nothing withdrawn since
        abort(404)
    path = current.path
    if is_manifest:
        path = manifest_path(path)
    if not path.is_file():
        abort(404)
    mimetype = "application/json" if is_manifest else "application/zip"
    response = send_file(path, mimetype=mimetype, as_attachment=True, download_name=name, conditional=True)
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
