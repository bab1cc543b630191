from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template
from flask_babel import get_locale

from portal.pages.loader import list_pages, load_page

bp = Blueprint("pages", __name__, url_prefix="/pages")


@bp.get("/")
def index() -> str:
    pages = list_pages(current_app.config["PORTAL_SETTINGS"].content_dir, str(get_locale()))
    return render_template("pages/index.html", pages=pages)


@bp.get("/<slug>")
def show(slug: str) -> str:
    page = load_page(current_app.config["PORTAL_SETTINGS"].content_dir, slug, str(get_locale()))
    if page is None:
        abort(404)
    return render_template("pages/show.html", page=page)
