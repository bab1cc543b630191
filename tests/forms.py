"""Helpers for the signed-in side: sign a user in, and post a form the way a browser does (with the CSRF token
and the one-time form token from the page that shows the form)."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from portal.users.models import User
from tests.html import attr, find, form_fields, forms


def sign_in(client: FlaskClient, user: User) -> None:
    """Put the user in the client's session, as a successful login does (tests of the login itself post it)."""
    with client.session_transaction() as session:
        session.clear()
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def hidden_fields(body: str) -> dict[str, str]:
    """The hidden inputs (csrf_token, form_token...) of the first post form in the page's <main> (the header's
    sign-out form comes before it)."""
    main = find(body, "main")
    posts = forms(body if main is None else main, method="post")
    assert posts, "the page has no form"
    fields = form_fields(posts[0], hidden_only=True)
    assert "csrf_token" in fields, "the form has no CSRF token"
    return fields


def csrf_token(body: str) -> str:
    """The session's CSRF token, from the first form on the page that carries one (the header's sign-out form
    when someone is signed in)."""
    token = find(body, "input", name="csrf_token")
    assert token is not None, "no CSRF token on the page"
    return attr(token, "value")


def post_form(
    client: FlaskClient, form_url: str, data: dict[str, Any], *, to: str | None = None, **kwargs: Any
) -> TestResponse:
    """GET the page at `form_url`, then POST `data` with its hidden fields to `to` (default: the same URL)."""
    page = client.get(form_url)
    assert page.status_code == 200, f"GET {form_url} answered {page.status_code}"
    return client.post(to or form_url, data={**hidden_fields(page.get_data(as_text=True)), **data}, **kwargs)


def multipart(fields: dict[str, Any], files: dict[str, list[tuple[bytes, str]]]) -> tuple[bytes, str]:
    """A multipart/form-data body built in memory (the test client would spool big files to unclosed temporary
    files); returns the body and its content type."""
    boundary = "portal-test-boundary-7c1f"
    parts = []
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{item}\r\n'.encode())
    for name, uploads in files.items():
        for data, filename in uploads:
            head = (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n"
            )
            parts.append(head.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def post_files(
    client: FlaskClient,
    form_url: str,
    data: dict[str, Any],
    files: dict[str, list[tuple[bytes, str]]],
    *,
    to: str | None = None,
) -> TestResponse:
    """post_form with file uploads: `files` maps a field to [(bytes, file name), ...]."""
    page = client.get(form_url)
    assert page.status_code == 200, f"GET {form_url} answered {page.status_code}"
    body, content_type = multipart({**hidden_fields(page.get_data(as_text=True)), **data}, files)
    return client.post(to or form_url, data=body, content_type=content_type)


def sign_out(client: FlaskClient) -> None:
    """Press the header's 退出登录 button (a POST with the page's CSRF token)."""
    header = find(client.get("/").get_data(as_text=True), "header")
    assert header is not None, "the page has no header"
    sign_out_form = find(header, "form", action="/logout")
    assert sign_out_form is not None, "the header has no sign-out form"
    token = form_fields(sign_out_form, hidden_only=True)["csrf_token"]
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
