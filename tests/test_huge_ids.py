"""One id converter serves every route (portal/web.py IdConverter, issue 19): an id larger than any row can have,
an id in other digits than ASCII (٢٥٢, full-width ２５２), with a leading zero or zero itself answers 404 (or 403
where the role may not come) on every page that takes one, never a database error and never another record."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.users.rules import Role
from portal.web import IdConverter
from tests.factories import make_record, make_user
from tests.forms import sign_in

HOSTILE_IDS = [
    str(10**20),  # beyond any integer column (SQLite cannot even bind it)
    str(2**63 - 1),
    str(2**31),  # one past the 32-bit id columns: PostgreSQL would refuse it
    "0",
    "0252",
    "٢٥٢",  # Arabic-Indic digits: werkzeug's int converter took them as 252
    "２５２",  # full-width digits
    "252a",
]


@pytest.mark.parametrize("value", HOSTILE_IDS)
def test_every_id_converter_refuses_what_is_no_id(app: Flask, client: FlaskClient, value: str) -> None:
    sign_in(client, make_user(Role.ADMIN))
    checked = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or set()) or not any(
            isinstance(conv, IdConverter) for conv in rule._converters.values()
        ):
            continue
        url = rule.rule
        for name, conv in rule._converters.items():
            url = re.sub(rf"<[^>]*:?{name}>", value if isinstance(conv, IdConverter) else "0" * 64, url)
        response = client.get(url)
        assert response.status_code in (403, 404), f"{url} answered {response.status_code}"
        checked += 1
    assert checked > 20


def test_a_record_is_found_only_by_its_ascii_id(client: FlaskClient) -> None:
    record = make_record()
    assert client.get(f"/records/{record.id}").status_code == 200
    for other in ("".join(chr(0x0660 + int(d)) for d in str(record.id)), f"0{record.id}"):
        assert client.get(f"/records/{other}").status_code == 404, other
