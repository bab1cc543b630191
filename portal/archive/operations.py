"""Issuing the agency credit report (政务诚信报告, 泰信用办〔2022〕12号 二(六): the 信用档案查询 that 评先评优 and
文明单位评选 rely on).

A body's report as of a day is issued once: the first request of the day renders the PDF — its number, issue time and
as-of day printed in it — and keeps it under its SHA-256; every later request that day gets the same stored file and
number, so that a report handed to a selection committee can be confirmed on the site by its number (the check page
shows its SHA-256 and the stored file). A request is public (GET, no account): nothing personal is kept or audited —
the audit entry names no person and no address.

Twin first requests (two browsers, two gunicorn workers, two machines on one PostgreSQL) race: both render, one
inserts first; the other's insert breaks the unique (agency, day), it drops its file and returns the winner. So
there is never a 500 and never two reports of one body for one day.

The report is an official document in Chinese, whatever the reader's language (as the letters): it is rendered under
the zh_CN locale, its fixed words are not translated (templates/archive/report.html)."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import date, datetime
from pathlib import Path

from flask import render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from portal.agencies.models import Agency
from portal.archive.models import AgencyReport
from portal.archive.queries import (
    NUMBER_DIGITS,
    ReportFacts,
    number_taken,
    report_facts,
    report_number,
    report_of,
)
from portal.audit.operations import write_audit
from portal.clock import local_time
from portal.commitments.rules import Fulfilment
from portal.core.periods import Severity
from portal.db_types import utcnow
from portal.errors import RefusedError
from portal.extensions import db
from portal.files.models import StoredFile
from portal.files.operations import store_bytes
from portal.pdf import chinese_date, office_name, render_pdf
from portal.web import public_path, site_root

log = logging.getLogger(__name__)

CLAUSE = "泰信用办〔2022〕12号 二(六)"  # 信用档案查询, 评先树优 (the clause the report serves)
TIERS = [Severity.SERIOUS, Severity.GENERAL, Severity.MINOR]  # the order the report counts them in
ATTEMPTS = 3  # numbers drawn when a freshly drawn one is taken between the check and the insert


def draw_serial() -> int:
    """The random part of a report number (queries.NUMBER_PATTERN says why random)."""
    return secrets.randbelow(10**NUMBER_DIGITS)


def issued_words(issued_at: datetime) -> str:
    """2026年12月4日 10:23:45（北京时间）: the issue time as the report prints it."""
    local = local_time(issued_at)
    return f"{chinese_date(local.date())} {local:%H:%M:%S}（北京时间）"


def report_html(facts: ReportFacts, number: str, issued_at: datetime, root: str) -> str:
    """The report as HTML for the PDF (templates/archive/report.html), always in Chinese."""
    score_month = ""
    if facts.score is not None:
        year, month = facts.score.month.split("-")
        score_month = f"{int(year)}年{int(month)}月"
    with force_locale("zh_CN"):
        return render_template(
            "archive/report.html",
            facts=facts,
            agency=facts.agency,
            number=number,
            issued=issued_words(issued_at),
            issued_date=chinese_date(local_time(issued_at).date()),
            as_of=chinese_date(facts.as_of),
            sender=office_name(),
            clause=CLAUSE,
            check_url=root + public_path("agencies.report_check", number=number),
            records_url=root + public_path("records.index", agency=facts.agency.uscc),
            commitments_url=root + public_path("commitments.index", agency=facts.agency.uscc),
            tiers=TIERS,
            fulfilments=list(Fulfilment),
            score_month=score_month,
            chinese_date=chinese_date,
        )


def _unused_number(today: date) -> str:
    """A number not yet given: drawn afresh until it is (a clash is a one in 10^7 event at worst)."""
    while True:
        number = report_number(today, draw_serial())
        if not number_taken(number):
            return number


def _render(facts: ReportFacts, number: str, issued_at: datetime, root: str) -> bytes:
    try:
        return render_pdf(report_html(facts, number, issued_at, root))
    except Exception:  # WeasyPrint, fontconfig, a template error: whatever it is, nothing is written
        log.exception("agency report PDF failed to render: %s", number)
        raise RefusedError(_l("政务诚信报告生成失败，请稍后重试。"), status=503) from None


def _discard(stored: StoredFile, files_dir: Path) -> None:
    """A loser's PDF: its row and its file go (no report names it; the number printed in it was never given)."""
    db.session.delete(stored)
    db.session.flush()
    stored.path_in(files_dir).unlink(missing_ok=True)


def issue_report(agency: Agency, today: date, files_dir: Path) -> AgencyReport:
    """The body's report as of `today`: the one already issued today, or a new one — numbered, rendered as a PDF
    with its CJK fonts embedded, kept under its SHA-256 (泰信用办〔2022〕12号 二(六)). The check page's address printed
    in it is on web.site_root (PORTAL_BASE_URL). Flushes; the caller commits.

    RefusedError (503) when the PDF cannot be rendered: nothing is written, no number is given."""
    existing = report_of(agency.id, today)
    if existing is not None:
        return existing
    root = site_root()
    facts = report_facts(agency, today)
    for _attempt in range(ATTEMPTS):
        number = _unused_number(today)
        issued_at = utcnow().replace(microsecond=0)  # printed to the second, stored as printed
        pdf = _render(facts, number, issued_at, root)
        # The file's row is the transaction's first write (SQLite then waits for a twin's commit instead of
        # failing on a stale read); the report's insert alone is inside the savepoint.
        new_file = db.session.get(StoredFile, hashlib.sha256(pdf).hexdigest()) is None  # (always, in practice)
        stored = store_bytes(pdf, "application/pdf", files_dir)
        db.session.flush()
        report = AgencyReport(
            number=number, agency_id=agency.id, as_of=today, issued_at=issued_at, pdf_sha256=stored.sha256
        )
        try:
            with db.session.begin_nested():  # the unique (agency, day) and the unique number back the checks above
                db.session.add(report)
                db.session.flush()
        except IntegrityError:
            if new_file:
                _discard(stored, files_dir)
            winner = report_of(agency.id, today)
            if winner is not None:  # a twin request issued today's report first: it is the report
                return winner
            continue  # the number was given meanwhile to another body's report: draw another
        write_audit(
            "agency_report.issue",
            "agency_report",
            report.id,
            {
                "number": [None, number],
                "agency_id": [None, agency.id],
                "as_of": [None, today.isoformat()],
                "pdf_sha256": [None, stored.sha256],
            },
            actor="public",  # a public GET: no person, no address is recorded
        )
        db.session.flush()
        return report
    raise RefusedError(_l("政务诚信报告编号分配失败，请稍后重试。"), status=503)
