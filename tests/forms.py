"""Helpers for the signed-in side: sign a user in, and post a form the way a browser does (with the CSRF token
and the one-time form token from the page that shows the form)."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from portal.users.models import User


def sign_in(client: FlaskClient, user: User) -> None:
    """Put the user in the client's session, as a successful login does (tests of the login itself post it)."""
    with client.session_transaction() as session:
        session.clear()
        session["_user_id"] = str(user.id)
        session["_fresh"] = True


def hidden_fields(body: str) -> dict[str, str]:
    """The hidden inputs of the page's first form that has a CSRF token (csrf_token, form_token...)."""
    form = re.search(r"<form[^>]*method=\"post\"[^>]*>(.*?)</form>", body, re.S)
    assert form, "the page has no form"
    fields = {}
    for tag in re.findall(r"<input[^>]*type=\"hidden\"[^>]*>", form.group(1)):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            fields[name.group(1)] = value.group(1) if value else ""
    assert "csrf_token" in fields, "the form has no CSRF token"
    return fields


def post_form(
    client: FlaskClient, form_url: str, data: dict[str, Any], *, to: str | None = None, **kwargs: Any
) -> TestResponse:
    """GET the page at `form_url`, then POST `data` with its hidden fields to `to` (default: the same URL)."""
    page = client.get(form_url)
    assert page.status_code == 200, f"GET {form_url} answered {page.status_code}"
    return client.post(to or form_url, data={**hidden_fields(page.get_data(as_text=True)), **data}, **kwargs)
