"""schemathesis against the app, from the document it serves: every operation of /api/v1 is called with parameters
generated from its declaration — valid ones, then invalid ones — and every answer must be no server error, of a
status the document names, JSON, with the headers it promises and a body its schema accepts. Bounded (a few dozen
cases per operation) and deterministic (derandomized, no example database): the same cases every run."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import flask_babel
import schemathesis
from flask import Flask, g
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from portal import clock
from portal.complaints.models import Complaint
from portal.extensions import db
from portal.records.queries import public_records
from portal.reports.models import Bulletin
from tests.factories import make_commitment, make_record

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = {GenerationMode.POSITIVE: 12, GenerationMode.NEGATIVE: 8}  # per operation


def fresh_requests(app: Flask) -> Callable[[dict[str, Any], Any], Iterable[bytes]]:
    """The app as a WSGI callable whose every request starts afresh, as tests/conftest.PortalClient's do (the test's
    app context, and so its session and `g`, is shared by the requests)."""

    def wsgi(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        flask_babel.refresh()
        for name in list(g):
            g.pop(name)
        db.session.expire_all()
        return app.wsgi_app(environ, start_response)

    return wsgi


def known_items(bulletin: Bulletin, complaint: Complaint) -> dict[str, list[Any]]:
    """Path parameters that name real items (generated ones almost never do): a public record and a stopped one, a
    commitment, an agency, a published complaint and a bulletin."""
    record = db.session.scalars(public_records(clock.today())).first()
    assert record is not None
    stopped = make_record(status="revoked", stopped_on=clock.today(), stop_note="异议成立，予以撤销")
    return {
        "record_id": [record.id, stopped.id],
        "code": [make_commitment().code],
        "uscc": [record.agency.uscc],
        "number": [complaint.number],
        "month": [bulletin.month],
    }


def test_every_operation_answers_as_its_document_says(app: Flask, bulletin: Bulletin, complaint: Complaint) -> None:
    known = known_items(bulletin, complaint)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fresh_requests(app))
    operations = [result.ok() for result in schema.get_all_operations() if isinstance(result, Ok)]
    assert len(operations) == 13
    for operation in operations:
        names = [p.name for p in operation.path_parameters]
        runs: list[tuple[GenerationMode, int, dict[str, Any] | None]] = [
            (mode, examples, None) for mode, examples in EXAMPLES.items()
        ]
        if names:
            (name,) = names
            runs += [(GenerationMode.POSITIVE, 4, {name: value}) for value in known[name]]
        for mode, examples, path in runs:

            @settings(
                max_examples=examples,
                derandomize=True,
                database=None,
                deadline=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path))
            def call(case: Any) -> None:
                response = case.call()
                case.validate_response(response, checks=CHECKS)

            call()
