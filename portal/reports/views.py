"""The monthly bulletin's public pages: /reports/ (the published months, newest first), /reports/<YYYY-MM> (the
bulletin as published, with its errata), /reports/<YYYY-MM>.pdf (the PDF as published, its SHA-256 on the page)
and the feeds /reports/feed.atom and /reports/feed.rss (an erratum updates its bulletin's entry). A malformed month,
or one without a published bulletin, is 404. Everything shown comes from the bulletin's snapshot: a later change of
the data (or an agency's new name) changes nothing here."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from flask import Blueprint, abort, current_app, render_template, request, send_file
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from portal.core.months import Month
from portal.extensions import db
from portal.feeds.builders import ATOM_TYPE, RSS_TYPE, FeedEntry, FeedInfo, build_atom, build_rss, tag_uri
from portal.files.models import StoredFile
from portal.reports.models import Bulletin
from portal.reports.queries import published_bulletins, published_of
from portal.reports.rules import (
    BASIS,
    RECORD_COLUMNS,
    TOTAL_LABELS,
    WORK_COLUMNS,
)
from portal.web import current_external_url, external_url, html_lang, refuse_control_characters, site_name

bp = Blueprint("reports", __name__, url_prefix="/reports")

EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
SUMMARY_CHARS = 300  # of 总体情况 in a feed entry
MAX_AGE = 300


def _published(month_text: str) -> Bulletin:
    try:
        bulletin = published_of(Month.parse(month_text))
    except ValueError:
        bulletin = None
    if bulletin is None:
        abort(404)
    return bulletin


@bp.get("/")
def index() -> str:
    return render_template("reports/index.html", bulletins=published_bulletins(), basis=BASIS)


@bp.get("/<month>")
def show(month: str) -> str:
    bulletin = _published(month)
    return render_template(
        "reports/show.html",
        bulletin=bulletin,
        f=bulletin.figures,
        record_columns=RECORD_COLUMNS,
        work_columns=WORK_COLUMNS,
        total_labels=TOTAL_LABELS,
        basis=BASIS,
    )


@bp.get("/<month>.pdf")
def pdf(month: str) -> Response:
    """The PDF as published (never rendered again)."""
    bulletin = _published(month)
    if bulletin.pdf_sha256 is None:
        abort(404)
    stored = db.session.get(StoredFile, bulletin.pdf_sha256)
    path = stored.path_in(current_app.config["PORTAL_SETTINGS"].files_dir) if stored is not None else None
    if path is None or not path.is_file():
        abort(404)
    response = send_file(
        path,
        mimetype="application/pdf",
        download_name=f"bulletin-{bulletin.month}.pdf",
        conditional=True,
        etag=bulletin.pdf_sha256,
    )
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


# --- feeds ---------------------------------------------------------------------------------------------------------


def _updated(bulletin: Bulletin) -> datetime:
    """When the entry last changed: its publication, or its latest erratum."""
    instants = [bulletin.published_at, *(e.created_at for e in bulletin.errata)]
    return max((i for i in instants if i is not None), default=EPOCH)


def _entry(bulletin: Bulletin) -> FeedEntry:
    settings = current_app.config["PORTAL_SETTINGS"]
    summary = " ".join(bulletin.summary.split())
    if len(summary) > SUMMARY_CHARS:
        summary = summary[:SUMMARY_CHARS] + "…"
    if bulletin.errata:
        latest = bulletin.errata[-1]
        summary += " " + _(
            "勘误 %(n)d 条，最近一条 %(day)s：%(text)s",
            n=len(bulletin.errata),
            day=latest.dated_on.isoformat(),
            text=" ".join(latest.text.split()),
        )
    published = bulletin.published_at or EPOCH
    return FeedEntry(
        id=tag_uri(settings.tag_authority, f"reports/{bulletin.month}"),
        title=bulletin.title,
        link=external_url("reports.show", month=bulletin.month),
        summary=summary,
        author=_("信用办"),
        category=_("月度通报"),
        category_term="monthly_bulletin",
        published=published,
        updated=_updated(bulletin),
    )


@bp.get("/feed.<any(atom, rss):fmt>")
def feed(fmt: str) -> Response:
    refuse_control_characters()
    settings = current_app.config["PORTAL_SETTINGS"]
    entries = [_entry(b) for b in published_bulletins()]
    info = FeedInfo(
        id=tag_uri(settings.tag_authority, "feeds/reports"),
        title=f"{_('月度通报')} — {site_name()}",
        subtitle=_("政务失信治理工作情况月度通报（新信用发〔2018〕6号 二(八)）"),
        self_url=current_external_url(),
        html_url=external_url("reports.index"),
        language=html_lang(),
        updated=max((e.updated for e in entries), default=EPOCH),
    )
    body = build_atom(info, entries) if fmt == "atom" else build_rss(info, entries)
    response = Response(body, content_type=ATOM_TYPE if fmt == "atom" else RSS_TYPE)
    response.set_etag(hashlib.sha256(body).hexdigest()[:40])
    response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
    response.headers["Vary"] = "Cookie"
    return response.make_conditional(request)
