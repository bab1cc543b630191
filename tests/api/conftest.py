"""Helpers of the API's tests: the OpenAPI document as the app serves it, and checking a body against one of its
schemas (jsonschema, with formats checked)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator, FormatChecker

from portal.complaints.models import Complaint
from portal.core.months import Month
from portal.extensions import db
from portal.reports.models import Bulletin
from portal.reports.operations import make_draft, publish_bulletin
from portal.users.rules import Role
from tests.conftest import TODAY
from tests.factories import make_agency, make_closed_complaint, make_user


@pytest.fixture
def spec(client: FlaskClient) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.get_json()
    return document


@pytest.fixture
def bulletin(app: Flask) -> Bulletin:
    """October's bulletin, drafted and published through the operations (the test data has none)."""
    staff = make_user(Role.STAFF)
    draft = make_draft(Month(2026, 10), date.fromisoformat(TODAY), by=staff)
    publish_bulletin(draft, date.fromisoformat(TODAY), by=staff, files_dir=app.config["PORTAL_SETTINGS"].files_dir)
    db.session.flush()
    return draft


@pytest.fixture
def complaint() -> Complaint:
    """A closed complaint published with its public answer (the test data has none)."""
    return make_closed_complaint(
        make_agency(), "TS-2026-990009", "已督促被投诉单位付清货款。", by=make_user(Role.STAFF)
    )


def check(spec: dict[str, Any], component: str, instance: Any) -> None:
    """Fail with every way `instance` differs from the document's schema `component`."""
    conforms(spec, {"$ref": f"#/components/schemas/{component}"}, instance)


def conforms(spec: dict[str, Any], schema: dict[str, Any], instance: Any) -> None:
    """Fail with every way `instance` differs from `schema` (whose references name the document's components)."""
    rooted = {**schema, "components": spec["components"]}
    errors = sorted(Draft202012Validator(rooted, format_checker=FormatChecker()).iter_errors(instance), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


def list_body(spec: dict[str, Any], path: str) -> dict[str, Any]:
    """The schema of a list endpoint's answer (the page envelope around its items)."""
    schema: dict[str, Any] = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    return schema
