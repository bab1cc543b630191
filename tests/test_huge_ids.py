"""An id larger than any row can have answers 404 (or 403 where the role may not come) on every page that takes
one, never a database error."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from portal.users.rules import Role
from tests.factories import make_user
from tests.forms import sign_in

HUGE = 10**20  # beyond any integer column (SQLite cannot even bind it)


def test_every_int_converter_refuses_ids_beyond_the_column(app: Flask, client: FlaskClient) -> None:
    sign_in(client, make_user(Role.ADMIN))
    checked = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or set()) or not any(
            type(conv).__name__ == "IntegerConverter" for conv in rule._converters.values()
        ):
            continue
        url = rule.rule
        for name, conv in rule._converters.items():
            value = str(HUGE) if type(conv).__name__ == "IntegerConverter" else "0" * 64
            url = re.sub(rf"<[^>]*:?{name}>", value, url)
        response = client.get(url)
        assert response.status_code in (403, 404), f"{url} answered {response.status_code}"
        checked += 1
    assert checked > 20
