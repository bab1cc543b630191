"""The front page (信用查询, entry tiles, the statistics band, 信用动态 and 典型案例, 政策法规, the latest records and
outcomes), the site map (/sitemap, /sitemap.xml), the favicon, the footer's site identity and /healthz."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from xml.etree import ElementTree

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, send_from_directory, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from portal import clock
from portal.agencies.models import Agency
from portal.arrears.queries import arrears_money
from portal.core.uscc import is_valid_uscc
from portal.extensions import db
from portal.home import health
from portal.home.queries import Place, band, content_sections, item_places, policy_pages
from portal.news.queries import shown_news
from portal.news.rules import NewsKind
from portal.records.queries import public_records
from portal.rectifications.queries import public_outcomes
from portal.search.operations import search_index
from portal.web import external_url

bp = Blueprint("home", __name__)

NEWS_SHOWN = 5  # 信用动态 on the front page
CASES_SHOWN = 3  # 典型案例 on the front page
LOOKUP_MOST = 200  # characters of a 信用查询 (the search box's own limit)


@bp.get("/")
def index() -> str:
    today = clock.today()
    settings = current_app.config["PORTAL_SETTINGS"]
    lang = str(get_locale())
    news = shown_news(settings.content_dir, lang, today)
    return render_template(
        "home.html",
        latest_records=db.session.scalars(public_records(today).limit(8)).all(),
        latest_outcomes=db.session.scalars(public_outcomes(today).limit(5)).all(),
        band=band(today),
        money=arrears_money(today),  # 拖欠账款 owed and repaid, summed in SQL (沈政办发〔2018〕117号 二(三)1)
        updates=[item for item in news if item.kind is NewsKind.UPDATE][:NEWS_SHOWN],
        cases=[item for item in news if item.kind is NewsKind.CASE][:CASES_SHOWN],
        policies=policy_pages(settings.content_dir, lang),
    )


@bp.get("/lookup")
def lookup() -> Response:
    """The front page's 信用查询 box: the 统一社会信用代码 of a known agency opens its 诚信档案; anything else (a name,
    a code no agency has) is searched. Full-width characters and spaces inside a code are forgiven."""
    asked = request.args.get("q", "")[:LOOKUP_MOST].strip()
    code = re.sub(r"\s", "", unicodedata.normalize("NFKC", asked)).upper()
    if is_valid_uscc(code) and db.session.scalar(select(Agency.id).where(Agency.uscc == code)) is not None:
        return redirect(url_for("agencies.profile", uscc=code))
    return redirect(url_for("search.page", q=asked or None))


@bp.get("/sitemap")
def sitemap() -> str:
    settings = current_app.config["PORTAL_SETTINGS"]
    return render_template(
        "home/sitemap.html", sections=content_sections(settings.content_dir, str(get_locale()), clock.today())
    )


SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
SITEMAP_MAX_AGE = 3600


@bp.get("/sitemap.xml")
def sitemap_xml() -> Response:
    """Every public list and service page, content page, news item, published bulletin, agency (诚信档案), public
    commitment and published complaint, with its last change where known (sitemaps.org 0.9)."""
    settings = current_app.config["PORTAL_SETTINGS"]
    places: list[Place] = [
        place for section in content_sections(settings.content_dir, "zh_CN", clock.today()) for place in section.places
    ]
    urlset = ElementTree.Element("urlset", xmlns=SITEMAP_NS)
    for place in [*places, *item_places()]:
        url = ElementTree.SubElement(urlset, "url")
        ElementTree.SubElement(url, "loc").text = external_url(place.endpoint, **place.args)
        if place.updated is not None:
            ElementTree.SubElement(url, "lastmod").text = place.updated.isoformat()
    body = ElementTree.tostring(urlset, encoding="utf-8", xml_declaration=True)
    response = Response(body, content_type="application/xml; charset=utf-8")
    response.headers["Cache-Control"] = f"public, max-age={SITEMAP_MAX_AGE}"
    return response


@bp.get("/favicon.ico")
def favicon() -> Response:
    """Browsers ask for /favicon.ico whatever the page links: it answers (static/favicon.ico, the same mark as
    static/favicon.svg)."""
    return send_from_directory(
        current_app.static_folder or "static", "favicon.ico", mimetype="image/vnd.microsoft.icon", max_age=86400
    )


# --- the footer's site identity (《政府网站发展指引》, 国办发〔2017〕47号) ------------------------------------------

ICP_LOOKUP = "https://beian.miit.gov.cn/"  # the ICP record's own look-up, which the number links to
POLICE_LOOKUP = "https://beian.mps.gov.cn/#/query/webSearch?code="  # + the record's digits


@dataclass(frozen=True)
class FooterField:
    name: str
    label: str
    value: str
    href: str = ""


def site_footer() -> list[FooterField]:
    """The footer's fields that are set (PORTAL_SITE_*, portal/config.py), in the order the guideline lists them."""
    settings = current_app.config["PORTAL_SETTINGS"]
    police_digits = re.sub(r"\D", "", settings.site_police_record)
    fields = [
        # the default organiser (the demo county's credit office) is in the catalog; one that is set is shown as set
        FooterField("organiser", _("主办单位"), _(settings.site_organiser) if settings.site_organiser else ""),
        FooterField("operator", _("承办单位"), settings.site_operator),
        FooterField("contact", _("联系方式"), settings.site_contact),
        FooterField("code", _("网站标识码"), settings.site_code),
        FooterField("icp", _("ICP备案号"), settings.site_icp_record, ICP_LOOKUP),
        FooterField("police", _("公安机关备案号"), settings.site_police_record, POLICE_LOOKUP + police_digits),
    ]
    return [field for field in fields if field.value]


@bp.app_context_processor
def _footer() -> dict[str, object]:
    return {"site_footer": site_footer}


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """Is the site up: the database answers. With ?deep=1 (for the operator's monitor, issue 19) also: the database
    takes a write, the search index opens, the files directory takes a file and the disks have room; 503 names the
    part that failed."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unreachable", failed=["database"]), 503
    if request.args.get("deep") != "1":
        return jsonify(status="ok", database="ok"), 200
    settings = current_app.config["PORTAL_SETTINGS"]
    index = search_index()
    problems = {
        "database": health.database_writable(),
        "search_index": health.index_opens(index),
        "files": health.directory_writable(settings.files_dir),
        "disk": health.disk_room([settings.files_dir, index.root]),
    }
    failed = [part for part, problem in problems.items() if problem is not None]
    answer = {part: problem or "ok" for part, problem in problems.items()}
    return jsonify(status="error" if failed else "ok", failed=failed, **answer), 503 if failed else 200
