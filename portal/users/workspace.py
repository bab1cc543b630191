"""The dashboard each signed-in role starts from. Its figures and the menu come from the features (portal/menu.py)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l

from portal.menu import dashboard_figures, menu_link
from portal.users.access import current, signed_in
from portal.users.rules import Role

bp = Blueprint("workspace", __name__, url_prefix="/workspace")

menu_link("users.account", _l("我的账号"), roles=frozenset(Role), order=90)


@bp.get("/")
@signed_in()
def dashboard() -> str:
    user = current()
    return render_template("workspace/dashboard.html", user=user, figures=dashboard_figures(user))
