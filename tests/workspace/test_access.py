"""Who may open the workspace: anonymous visitors go to the login page (and back afterwards), each role sees its own
dashboard, a wrong role gets 403, another agency's item 404, and signed-in pages are never cached."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_login import login_user
from sqlalchemy import func, select
from werkzeug.exceptions import NotFound

from portal.extensions import db
from portal.review.models import Submission
from portal.users.access import check_agency
from portal.users.rules import Role
from tests.factories import make_agency, make_commitment, make_user
from tests.forms import sign_in
from tests.html import parse_strict, title_of, visible_text


def test_anonymous_visitors_are_sent_to_the_login_page(app: Flask, client: FlaskClient) -> None:
    response = client.get("/workspace/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=%2Fworkspace%2F"
    assert response.headers["Cache-Control"] == "private, no-store"


def test_the_login_page_reached_so_speaks_the_readers_language(app: Flask, client: FlaskClient) -> None:
    """Flask-Login flashes its default English "Please log in to access this page." unless told otherwise."""
    body = client.get(client.get("/workspace/").headers["Location"]).get_data(as_text=True)
    assert "工作人员登录" in body
    assert "Please log in" not in visible_text(body)


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/workspace/account", "/login?next=%2Fworkspace%2Faccount"),
        ("/workspace/review/", "/login?next=%2Fworkspace%2Freview%2F"),
        ("/workspace/commitments/new", "/login?next=%2Fworkspace%2Fcommitments%2Fnew"),
    ],
)
def test_every_workspace_page_sends_anonymous_visitors_to_login(
    app: Flask, client: FlaskClient, path: str, location: str
) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"] == location


def test_an_officer_sees_their_agencys_dashboard(app: Flask, client: FlaskClient) -> None:
    agency = make_agency()
    make_commitment(agency, state="draft", published_at=None)
    officer = make_user(Role.OFFICER, agency, display_name="王填报")
    sign_in(client, officer)
    response = client.get("/workspace/")
    body = response.get_data(as_text=True)
    parse_strict(body)
    text = visible_text(body)
    assert response.status_code == 200
    assert title_of(body).startswith("工作台")
    assert "王填报，您好。您的角色：机构填报员" in text
    assert agency.name in text
    assert "可编辑的草稿和退回件：1" in text
    assert "待信用办审核：0" in text
    assert "本单位承诺书" in text
    assert "我的账号" in text
    assert "审核队列" not in text


@pytest.mark.parametrize(("role", "label"), [(Role.STAFF, "信用办工作人员"), (Role.ADMIN, "管理员")])
def test_staff_and_admins_see_the_review_queue_on_their_dashboard(
    app: Flask, client: FlaskClient, role: Role, label: str
) -> None:
    user = make_user(role, display_name="李审核")
    sign_in(client, user)
    response = client.get("/workspace/")
    body = response.get_data(as_text=True)
    parse_strict(body)
    text = visible_text(body)
    pending = db.session.scalar(select(func.count(Submission.id)).where(Submission.status == "pending"))
    assert response.status_code == 200
    assert f"李审核，您好。您的角色：{label}" in text
    assert f"审核队列中待处理：{pending}" in text
    assert "审核队列" in text
    assert "本单位承诺书" not in text
    assert "可编辑的草稿" not in text


def test_a_wrong_role_gets_403(app: Flask, client: FlaskClient) -> None:
    sign_in(client, make_user(Role.OFFICER))
    assert client.get("/workspace/review/").status_code == 403
    sign_in(client, make_user(Role.STAFF))
    assert client.get("/workspace/commitments/new").status_code == 403


def test_check_agency_hides_other_agencies_items(app: Flask) -> None:
    own, other = make_agency(), make_agency()
    officer = make_user(Role.OFFICER, own)
    with app.test_request_context():
        login_user(officer)
        check_agency(own.id)
        with pytest.raises(NotFound):
            check_agency(other.id)
    with app.test_request_context():
        login_user(make_user(Role.STAFF))
        check_agency(other.id)  # staff see every agency's items


@pytest.mark.parametrize("path", ["/workspace/", "/workspace/account", "/", "/records/"])
def test_signed_in_pages_are_never_cached(app: Flask, client: FlaskClient, path: str) -> None:
    sign_in(client, make_user(Role.STAFF))
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"


def test_public_pages_for_anonymous_visitors_are_not_marked_private(app: Flask, client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert "private" not in response.headers.get("Cache-Control", "")
