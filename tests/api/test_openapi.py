"""The OpenAPI document: valid OpenAPI 3.1 (openapi-spec-validator), in both languages, naming every route of the API
and nothing else, each list with exactly its page's filters, each record kind with exactly its dataset's columns,
and parameters whose documented values are exactly what the validators take."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate

from portal.api.endpoints import BY_NAME, ENDPOINTS, value_schema
from portal.listing import parse_list_query
from portal.opendata.datasets import AGENCIES, COMMITMENTS, COMPLAINTS, OUTCOMES, RECORDS_BY_KIND
from portal.records.kinds import KINDS


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_document_is_valid_openapi_3_1(client: FlaskClient, lang: str) -> None:
    document = client.get(f"/api/v1/openapi.json?lang={lang}").get_json()
    assert document["openapi"] == "3.1.0"
    validate(document)  # raises on the first problem


def test_every_route_of_the_api_is_documented_and_nothing_else(app: Flask, spec: dict[str, Any]) -> None:
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") and rule.endpoint not in ("api.openapi", "api.elsewhere"):
            served.add(BY_NAME[rule.endpoint.removeprefix("api.")].path)
    served.add(BY_NAME["search"].path)
    assert app.url_map.bind("localhost").match("/api/v1/search") == ("search.api", {})
    assert set(spec["paths"]) == served
    assert len(served) == len(ENDPOINTS) == 13
    for path, item in spec["paths"].items():
        assert list(item) == ["get"], path


@pytest.mark.parametrize(
    ("name", "filters"),
    [
        ("records", {"kind", "status", "severity", "agency", "region", "year", "case"}),
        ("commitments", {"type", "subject", "fulfilment", "agency"}),
        ("outcomes", {"kind", "agency", "result"}),
        ("agencies", {"listed"}),
        ("complaints", set()),
        ("bulletins", set()),
    ],
)
def test_each_list_takes_its_pages_filters_a_cursor_and_a_limit(
    spec: dict[str, Any], name: str, filters: set[str]
) -> None:
    names = [p["name"] for p in spec["paths"][BY_NAME[name].path]["get"]["parameters"]]
    assert set(names) == filters | {"cursor", "limit", "lang"}
    assert len(names) == len(set(names))


def test_every_record_kind_has_its_datasets_columns(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    assert [ref["$ref"].rsplit("/", 1)[1] for ref in schemas["Record"]["oneOf"]] == [f"Record_{k}" for k in KINDS]
    for kind, declared in KINDS.items():
        schema = schemas[f"Record_{kind}"]
        columns = [c.key for c in RECORDS_BY_KIND[kind].columns]
        assert list(schema["properties"])[: len(columns)] == columns  # in the dataset's order
        assert schema["properties"]["kind"]["const"] == kind
        for field in declared.fields:  # each own field, titled by the standard's name
            assert schema["properties"][field.name]["title"] == field.column
        assert schema["additionalProperties"] is False
        assert set(schema["required"]) == set(schema["properties"])
    for component, dataset in (
        ("Commitment", COMMITMENTS),
        ("Outcome", OUTCOMES),
        ("Agency", AGENCIES),
        ("Complaint", COMPLAINTS),
    ):
        properties = list(schemas[component]["properties"])
        assert properties[: len(dataset.columns)] == [c.key for c in dataset.columns], component


def test_documented_values_are_exactly_what_the_validators_take(app: Flask) -> None:
    checked = 0
    with app.test_request_context():
        for endpoint in ENDPOINTS:
            for param in endpoint.params():
                if param.fixed is not None or param.name in ("cursor", "lang"):
                    continue
                schema = value_schema(param.validate, param.doc.labels)
                values = [str(v) for v in schema.get("enum", [])]
                if schema.get("type") == "integer" and "minimum" in schema:
                    values = [str(schema["minimum"]), str(schema["maximum"])]
                    outside = [str(schema["minimum"] - 1), str(schema["maximum"] + 1)]
                elif "pattern" in schema:
                    values, outside = [], ["1234"]
                else:
                    outside = ["no-such-value", ""] if values else []
                for value in values:
                    asked = parse_list_query({param.name: value}, {param.name: param.validate})
                    assert not asked.problems, (endpoint.name, param.name, value)
                    checked += 1
                for value in [v for v in outside if v]:
                    asked = parse_list_query({param.name: value}, {param.name: param.validate})
                    assert param.name in asked.problems, (endpoint.name, param.name, value)
    assert checked > 60


def test_a_filter_without_a_known_validator_stops_the_app_at_once() -> None:
    with pytest.raises(TypeError, match="no schema for the validator"):
        value_schema(lambda value: value, None)
