"""A renamed agency is still found by its former name, and by its new one, as soon as the rename is committed."""

from __future__ import annotations

from flask.testing import FlaskClient

from portal.search.index import SearchIndex
from portal.users.rules import Role
from tests.factories import make_agency, make_user
from tests.forms import post_form, sign_in
from tests.search.conftest import keys, search


def test_a_renamed_agency_is_found_by_its_old_and_new_names(client: FlaskClient, writable_index: SearchIndex) -> None:
    sign_in(client, make_user(Role.STAFF))
    agency = make_agency(name="演示县老字号管理局")
    url = f"/workspace/agencies/{agency.id}/rename"
    assert post_form(client, url, {"name": "演示县新气象服务中心", "used_until": "2026-11-01"}).status_code == 303
    key = f"agency:{agency.uscc}"
    assert key in keys(search(writable_index, "老字号管理局"))
    assert key in keys(search(writable_index, "新气象服务中心"))
