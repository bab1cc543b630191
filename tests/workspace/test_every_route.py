"""Every signed-in route, found from the URL map, tried anonymously (→ login), with each role it does not allow
(→ 403) and, when it serves an agency's item, by an officer of another agency (→ 404); the roles it allows open it,
and nothing answers 500.

ACCESS below is the table of who may use what. A route under /workspace/ (or any view wrapped by `signed_in` or
`login_required`) that is not in it fails `test_every_signed_in_route_has_an_access_rule`: a new route must say who
may use it before the suite passes. Routes are keyed by their URL rule with the converters left out
(/workspace/records/<record_id>), so renaming an endpoint or changing a converter does not matter."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_login import login_required
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from portal import clock
from portal.arrears.operations import record_payment
from portal.commitments.rules import CommitmentSubject
from portal.complaints.operations import accept, file_complaint, transfer
from portal.core.deadlines import DEFAULT_DAYS
from portal.core.months import Month
from portal.core.uploads import MB, CheckedFile, FileKind, check_upload
from portal.demo.generator import make_uscc
from portal.demo.pdf import one_page_pdf
from portal.extensions import db
from portal.files.operations import store_bytes
from portal.objections.operations import Objector, file_objection
from portal.objections.rules import Ground
from portal.rectifications.operations import report_progress
from portal.repairs.operations import apply_for_repair
from portal.reports.operations import make_draft
from portal.search.operations import add_term
from portal.supervision.models import LedgerItem, Letter
from portal.supervision.operations import work_calendar
from portal.supervision.operations.campaigns import open_campaign
from portal.supervision.operations.cases import register_case
from portal.supervision.operations.meetings import hold_meeting, schedule_meeting
from portal.supervision.rules import LedgerRule, MeetingKind
from portal.users.access import signed_in
from portal.users.models import User
from portal.users.rules import Role
from tests.factories import (
    make_agency,
    make_commitment,
    make_measure,
    make_positive_item,
    make_record,
    make_rectification,
    make_user,
)
from tests.forms import csrf_token, sign_in

ANY = frozenset(Role)
STAFF = frozenset({Role.STAFF, Role.ADMIN})
OFFICER = frozenset({Role.OFFICER})
ADMIN = frozenset({Role.ADMIN})


@dataclass(frozen=True)
class Access:
    roles: frozenset[Role]  # who may use it; the other roles get `refused`
    agency: bool = False  # it serves one agency's item: an officer of another agency gets 404
    refused: int = 403  # what a signed-in user of another role gets


# (URL rule without converters, method) → who may use it. Keep it in the order of the URL map's paths.
ACCESS: dict[tuple[str, str], Access] = {
    ("/workspace/", "GET"): Access(ANY),
    ("/workspace/account", "GET"): Access(ANY),
    ("/workspace/account", "POST"): Access(ANY),
    ("/workspace/account/password", "POST"): Access(ANY),  # one's own password change
    ("/workspace/account/totp", "POST"): Access(ANY),  # one's own second factor removed, to set it up again
    ("/workspace/account/mail", "POST"): Access(ANY),  # one's own e-mail address and daily digest
    ("/workspace/audit/", "GET"): Access(STAFF),
    ("/workspace/commitments/", "GET"): Access(OFFICER),
    ("/workspace/commitments/<commitment_id>", "GET"): Access(ANY, agency=True),
    ("/workspace/commitments/<commitment_id>/edit", "GET"): Access(OFFICER, agency=True),
    ("/workspace/commitments/<commitment_id>/edit", "POST"): Access(OFFICER, agency=True),
    ("/workspace/commitments/<commitment_id>/fulfilment", "GET"): Access(OFFICER, agency=True),
    ("/workspace/commitments/<commitment_id>/fulfilment", "POST"): Access(OFFICER, agency=True),
    ("/workspace/commitments/<commitment_id>/letter.pdf", "GET"): Access(ANY, agency=True),
    ("/workspace/commitments/<commitment_id>/submit", "POST"): Access(OFFICER, agency=True),
    ("/workspace/commitments/new", "GET"): Access(OFFICER),
    ("/workspace/commitments/new", "POST"): Access(OFFICER),
    ("/workspace/complaints/", "GET"): Access(ANY),
    ("/workspace/complaints/<complaint_id>", "GET"): Access(ANY, agency=True),
    ("/workspace/complaints/<complaint_id>/accept", "POST"): Access(STAFF),
    ("/workspace/complaints/<complaint_id>/answer", "POST"): Access(OFFICER, agency=True),
    ("/workspace/complaints/<complaint_id>/close", "POST"): Access(STAFF),
    ("/workspace/complaints/<complaint_id>/files/<sha256>", "GET"): Access(ANY, agency=True),
    ("/workspace/complaints/<complaint_id>/refuse", "POST"): Access(STAFF),
    ("/workspace/complaints/<complaint_id>/reveal", "POST"): Access(STAFF),
    ("/workspace/complaints/<complaint_id>/transfer", "POST"): Access(STAFF),
    ("/workspace/evaluation/", "GET"): Access(STAFF),
    # issue 15: bulk import of agencies and records (staff and admins): upload → dry run, then the write
    ("/workspace/import/", "GET"): Access(STAFF),
    ("/workspace/import/", "POST"): Access(STAFF),
    ("/workspace/import/write", "POST"): Access(STAFF),
    ("/workspace/evaluation/", "POST"): Access(STAFF),
    ("/workspace/evaluation/<year>", "GET"): Access(STAFF),
    ("/workspace/evaluation/<year>.xlsx", "GET"): Access(STAFF),
    ("/workspace/objections/", "GET"): Access(STAFF),
    ("/workspace/objections/<objection_id>", "GET"): Access(STAFF),
    ("/workspace/objections/<objection_id>/accept", "POST"): Access(STAFF),
    ("/workspace/objections/<objection_id>/decide", "POST"): Access(STAFF),
    # an objector's evidence: officers are told it does not exist rather than that it is not theirs
    ("/workspace/objections/<objection_id>/files/<sha256>", "GET"): Access(STAFF, refused=404),
    ("/workspace/objections/<objection_id>/reveal", "POST"): Access(STAFF),
    ("/workspace/records/", "GET"): Access(ANY),
    ("/workspace/records/<record_id>", "GET"): Access(ANY, agency=True),
    ("/workspace/records/<record_id>/correct", "GET"): Access(STAFF),
    ("/workspace/records/<record_id>/correct", "POST"): Access(STAFF),
    ("/workspace/records/<record_id>/progress", "GET"): Access(OFFICER, agency=True),
    ("/workspace/records/<record_id>/progress", "POST"): Access(OFFICER, agency=True),
    ("/workspace/records/<record_id>/repair", "GET"): Access(OFFICER, agency=True),
    ("/workspace/records/<record_id>/repair", "POST"): Access(OFFICER, agency=True),
    ("/workspace/records/<record_id>/stop", "GET"): Access(STAFF),
    ("/workspace/records/<record_id>/stop", "POST"): Access(STAFF),
    ("/workspace/records/new", "GET"): Access(STAFF),
    ("/workspace/records/new", "POST"): Access(STAFF),
    ("/workspace/repairs/", "GET"): Access(ANY),
    ("/workspace/repairs/<application_id>", "GET"): Access(ANY, agency=True),
    ("/workspace/repairs/<application_id>", "POST"): Access(STAFF),  # officers read the decision, staff make it
    ("/workspace/repairs/<application_id>/files/<sha256>", "GET"): Access(ANY, agency=True),
    # the monthly bulletin (月度通报, issue 14): staff and admins draft, edit, publish, add errata
    ("/workspace/reports/", "GET"): Access(STAFF),
    ("/workspace/reports/<bulletin_id>", "GET"): Access(STAFF),
    ("/workspace/reports/<bulletin_id>/edit", "POST"): Access(STAFF),
    ("/workspace/reports/<bulletin_id>/errata", "POST"): Access(STAFF),
    ("/workspace/reports/<bulletin_id>/figures", "POST"): Access(STAFF),
    ("/workspace/reports/<bulletin_id>/publish", "GET"): Access(STAFF),
    ("/workspace/reports/<bulletin_id>/publish", "POST"): Access(STAFF),
    ("/workspace/reports/draft", "POST"): Access(STAFF),
    ("/workspace/review/", "GET"): Access(STAFF),
    ("/workspace/review/<submission_id>", "GET"): Access(STAFF),
    ("/workspace/review/<submission_id>", "POST"): Access(STAFF),
    ("/workspace/review/<submission_id>/files/<sha256>", "GET"): Access(ANY, agency=True),
    ("/workspace/users/", "GET"): Access(ADMIN),
    ("/workspace/users/<user_id>", "GET"): Access(ADMIN),
    ("/workspace/users/<user_id>/active", "POST"): Access(ADMIN),
    ("/workspace/users/<user_id>/email", "POST"): Access(ADMIN),  # an admin sets a user's address
    ("/workspace/users/<user_id>/reset-link", "POST"): Access(ADMIN),  # a one-time password reset link
    ("/workspace/users/<user_id>/totp", "POST"): Access(ADMIN),  # removing a user's lost second factor
    ("/workspace/users/<user_id>/role", "POST"): Access(ADMIN),
    ("/workspace/users/new", "GET"): Access(ADMIN),
    ("/workspace/users/new", "POST"): Access(ADMIN),
    # issue 12 items 1 and 7: the agency registry and positive information (staff and admins)
    ("/workspace/agencies/", "GET"): Access(STAFF),
    ("/workspace/agencies/<agency_id>", "GET"): Access(STAFF),
    ("/workspace/agencies/<agency_id>/close", "GET"): Access(STAFF),
    ("/workspace/agencies/<agency_id>/close", "POST"): Access(STAFF),
    ("/workspace/agencies/<agency_id>/edit", "GET"): Access(STAFF),
    ("/workspace/agencies/<agency_id>/edit", "POST"): Access(STAFF),
    ("/workspace/agencies/<agency_id>/merge", "GET"): Access(STAFF),
    ("/workspace/agencies/<agency_id>/merge", "POST"): Access(STAFF),
    ("/workspace/agencies/<agency_id>/positive", "POST"): Access(STAFF),
    ("/workspace/agencies/<agency_id>/rename", "GET"): Access(STAFF),
    ("/workspace/agencies/<agency_id>/rename", "POST"): Access(STAFF),
    ("/workspace/agencies/new", "GET"): Access(STAFF),
    ("/workspace/agencies/new", "POST"): Access(STAFF),
    ("/workspace/agencies/positive/<item_id>/remove", "GET"): Access(STAFF),
    ("/workspace/agencies/positive/<item_id>/remove", "POST"): Access(STAFF),
    # issue 12 items 5 and 6: arrears (staff enter, the agency's officers read) and complaint → record
    ("/workspace/arrears/<arrears_id>", "GET"): Access(ANY, agency=True),
    ("/workspace/arrears/<arrears_id>/files/<sha256>", "GET"): Access(ANY, agency=True),
    ("/workspace/arrears/<arrears_id>/incentives", "POST"): Access(STAFF),
    ("/workspace/arrears/<arrears_id>/instalments", "POST"): Access(STAFF),
    ("/workspace/arrears/<arrears_id>/payments", "POST"): Access(STAFF),
    ("/workspace/arrears/<arrears_id>/subtype", "POST"): Access(STAFF),
    ("/workspace/complaints/<complaint_id>/link", "POST"): Access(STAFF),
    ("/workspace/complaints/<complaint_id>/publish", "POST"): Access(STAFF),
    ("/workspace/complaints/<complaint_id>/return", "POST"): Access(STAFF),
    # issue 12 item 4: joint measures — staff apply and lift them; the implementing unit's officers confirm 已落实
    ("/workspace/measures/", "GET"): Access(ANY),
    ("/workspace/measures/<measure_id>", "GET"): Access(ANY, agency=True),
    ("/workspace/measures/<measure_id>/confirm", "POST"): Access(OFFICER, agency=True),
    ("/workspace/measures/<measure_id>/lift", "POST"): Access(STAFF),
    ("/workspace/records/<record_id>/measures", "GET"): Access(STAFF),
    ("/workspace/records/<record_id>/measures", "POST"): Access(STAFF),
    # issue 12 items 2-3: rectification plans, their adjustments and measures, progress and outcome
    ("/workspace/records/<record_id>/plan", "GET"): Access(ANY, agency=True),
    ("/workspace/records/<record_id>/plan/new", "GET"): Access(STAFF),
    ("/workspace/records/<record_id>/plan/new", "POST"): Access(STAFF),
    ("/workspace/records/<record_id>/plan/draft", "GET"): Access(OFFICER, agency=True),
    ("/workspace/records/<record_id>/plan/draft", "POST"): Access(OFFICER, agency=True),
    ("/workspace/records/<record_id>/plan/revise", "GET"): Access(STAFF),
    ("/workspace/records/<record_id>/plan/revise", "POST"): Access(STAFF),
    ("/workspace/records/<record_id>/plan/steps", "POST"): Access(STAFF),
    ("/workspace/records/<record_id>/outcome", "GET"): Access(STAFF),
    ("/workspace/records/<record_id>/outcome", "POST"): Access(STAFF),
    ("/workspace/records/<record_id>/completion", "GET"): Access(OFFICER, agency=True),
    ("/workspace/records/<record_id>/completion", "POST"): Access(OFFICER, agency=True),
    # issue 13: the 工作台账, letters, court cases, commitment campaigns, the 约谈 and 现场督办 registers
    ("/workspace/campaigns/", "GET"): Access(ANY),  # officers: the campaigns that include their agency
    ("/workspace/campaigns/<campaign_id>", "GET"): Access(ANY, agency=True),  # officers: only one including theirs
    ("/workspace/campaigns/new", "GET"): Access(STAFF),
    ("/workspace/campaigns/new", "POST"): Access(STAFF),
    ("/workspace/cases/", "GET"): Access(STAFF),
    ("/workspace/cases/<case_id>", "GET"): Access(STAFF),
    ("/workspace/cases/<case_id>/fulfilment", "POST"): Access(STAFF),
    ("/workspace/cases/<case_id>/hearing", "POST"): Access(STAFF),
    ("/workspace/cases/<case_id>/judgment", "POST"): Access(STAFF),
    ("/workspace/cases/<case_id>/mediation", "POST"): Access(STAFF),
    ("/workspace/cases/<case_id>/record", "POST"): Access(STAFF),
    ("/workspace/cases/new", "GET"): Access(STAFF),
    ("/workspace/cases/new", "POST"): Access(STAFF),
    ("/workspace/ledger/", "GET"): Access(ANY),
    ("/workspace/ledger/<ledger_item_id>", "GET"): Access(ANY, agency=True),
    ("/workspace/ledger/<ledger_item_id>/close", "POST"): Access(STAFF),
    ("/workspace/ledger/export.csv", "GET"): Access(ANY),
    ("/workspace/ledger/export.xlsx", "GET"): Access(ANY),
    ("/workspace/letters/", "GET"): Access(ANY),
    ("/workspace/letters/<letter_id>", "GET"): Access(ANY, agency=True),
    ("/workspace/letters/<letter_id>/evidence/<sha256>", "GET"): Access(ANY, agency=True),
    ("/workspace/letters/<letter_id>/letter.pdf", "GET"): Access(ANY, agency=True),
    ("/workspace/letters/<letter_id>/reply", "POST"): Access(ANY, agency=True),
    ("/workspace/letters/new", "GET"): Access(STAFF),
    ("/workspace/letters/new", "POST"): Access(STAFF),
    ("/workspace/meetings/", "GET"): Access(ANY),
    ("/workspace/meetings/<meeting_id>", "GET"): Access(ANY, agency=True),
    ("/workspace/meetings/<meeting_id>/cancel", "POST"): Access(STAFF),
    ("/workspace/meetings/<meeting_id>/hold", "POST"): Access(STAFF),
    ("/workspace/meetings/<meeting_id>/measure", "POST"): Access(STAFF),
    ("/workspace/meetings/<meeting_id>/undertakings/<undertaking_id>/kept", "POST"): Access(STAFF),
    ("/workspace/meetings/new", "GET"): Access(STAFF),
    ("/workspace/meetings/new", "POST"): Access(STAFF),
    # issue 16: the staff's search vocabulary (搜索词表): staff and admins add and remove synonyms and agency aliases
    ("/workspace/search/terms", "GET"): Access(STAFF),
    ("/workspace/search/terms", "POST"): Access(STAFF),
    ("/workspace/search/terms/<term_id>/remove", "POST"): Access(STAFF),
}

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
CONVERTER = re.compile(r"<(?:[^>:]+:)?([^>]+)>")  # <int(max=2147483647):record_id> → record_id (a URL rule)


def rule_key(rule: Rule) -> str:
    return CONVERTER.sub(r"<\1>", rule.rule)


def _wrapper_code(decorator: Callable[[Callable[..., Any]], Callable[..., Any]]) -> Any:
    def view() -> None: ...

    return decorator(view).__code__


SIGNED_IN_CODES = (_wrapper_code(signed_in()), _wrapper_code(login_required))


def needs_sign_in(view: Callable[..., Any]) -> bool:
    """The view, or one it wraps, is the wrapper `signed_in` or `login_required` puts around a view."""
    seen: Callable[..., Any] | None = view
    while seen is not None:
        if getattr(seen, "__code__", None) in SIGNED_IN_CODES:
            return True
        seen = getattr(seen, "__wrapped__", None)
    return False


def signed_in_rules(app: Flask) -> Iterator[tuple[Rule, str]]:
    """(rule, method) of every route under /workspace/ and of every view that needs a signed-in user."""
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/workspace") or needs_sign_in(app.view_functions[rule.endpoint]):
            for method in sorted(rule.methods or ()):
                if method in METHODS:
                    yield rule, method


def test_every_signed_in_route_has_an_access_rule(app: Flask) -> None:
    found = {(rule_key(rule), method) for rule, method in signed_in_rules(app)}
    missing = sorted(found - ACCESS.keys())
    assert not missing, (
        "these signed-in routes have no access rule in tests/workspace/test_every_route.py: add each to ACCESS "
        f"(who may use it, and whether it serves one agency's items): {missing}"
    )
    gone = sorted(ACCESS.keys() - found)
    assert not gone, f"ACCESS in tests/workspace/test_every_route.py names routes that no longer exist: {gone}"


def test_every_view_under_workspace_is_guarded(app: Flask) -> None:
    """Each view under /workspace/ is wrapped by `signed_in` (or `login_required`), and the probe that says so
    tells a guarded view from a public one."""
    views = {rule.rule: app.view_functions[rule.endpoint] for rule in app.url_map.iter_rules()}
    unguarded = sorted(
        path for path, view in views.items() if path.startswith("/workspace") and not needs_sign_in(view)
    )
    assert not unguarded, f"these views answer without asking who is signed in: {unguarded}"
    assert needs_sign_in(views["/workspace/account"])  # login_required
    assert needs_sign_in(views["/workspace/"])  # signed_in()
    assert not needs_sign_in(views["/"])


# --- the items the routes are tried on ---------------------------------------------------------------------------


@dataclass
class World:
    officer: User  # an officer of the agency that owns every item below
    stranger: User  # an officer of another agency
    staff: User
    admin: User
    values: dict[str, int]  # URL converter → the item's id
    files: dict[str, str]  # first part of a route's path → the sha256 of one of its item's files

    def user(self, role: Role) -> User:
        return {Role.OFFICER: self.officer, Role.STAFF: self.staff, Role.ADMIN: self.admin}[role]

    def url(self, key: str) -> str:
        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            if name == "sha256":
                return next(sha for prefix, sha in self.files.items() if key.startswith(prefix))
            return str(self.values[name])

        return CONVERTER.sub(fill, key)


def _pdf(name: str) -> CheckedFile:
    return check_upload(f"{name}.pdf", one_page_pdf([name]), frozenset({FileKind.PDF}), 10 * MB)


@pytest.fixture
def world(app: Flask) -> World:
    """One agency's record (fulfilled, so repairable, with a rectification), draft commitment with its letter,
    complaint transferred to it, objection, repair application and progress report, each with a file; its officer,
    an officer of another agency, staff and an admin."""
    settings = app.config["PORTAL_SETTINGS"]
    files_dir = settings.files_dir
    today = clock.today()
    calendar = work_calendar(today)
    own = make_agency()
    officer, stranger = make_user(Role.OFFICER, own), make_user(Role.OFFICER, make_agency())
    staff, admin = make_user(Role.STAFF), make_user(Role.ADMIN)

    record = make_record(own, decision_date=date(2026, 1, 10), status="fulfilled")
    make_rectification(record)
    letter = store_bytes(one_page_pdf(["every route: letter"]), FileKind.PDF.value, files_dir)
    draft = make_commitment(
        own, code="99012120261001999992", state="draft", published_at=None, letter_sha256=letter.sha256
    )
    complaint, _ = file_complaint(
        {
            "filer_type": "enterprise",
            "name": "欧阳小明",
            "uscc": make_uscc("91", "990121", 4343),
            "phone": "13912345678",
            "email": "xiaoming@example.com",
            "agency_id": own.id,
            "agency_typed": "",
            "category": "arrears",
            "description": "工程款至今未付。",
            "amount_fen": 120_000_000,
            "publish_consent": True,
        },
        [_pdf("every route: complaint")],
        files_dir,
        today,
        calendar,
        settings.deadline_days,
    )
    accept(complaint, today, by=staff)
    transfer(complaint, own, today, by=staff)
    objection, _ = file_objection(
        record,
        Ground.WRONG,
        "金额有误",
        Objector("欧阳小明", "13912345678", "xiaoming@example.com"),
        [_pdf("every route: objection")],
        files_dir,
        today,
        calendar,
        DEFAULT_DAYS,
    )
    application = apply_for_repair(
        record,
        "已全部履行。",
        [_pdf("every route: evidence")],
        _pdf("every route: pledge"),
        files_dir,
        today,
        by=officer,
    )
    submission = report_progress(
        record, today, "已筹措资金。", [_pdf("every route: progress")], files_dir, today, by=officer
    )
    paid = record_payment(  # issue 12 item 5: an arrears record with a payment and its evidence
        make_record(own, kind="arrears", details={"amount_owed": 500_000}, amount_fen=500_000),
        *(today, 100, [_pdf("every route: payment")], files_dir, today),
        by=staff,
    )
    # issue 13: a ledger item of `own` closed by a note, a letter to it (answered, built directly: the letter tests
    # render real PDFs), a suit against it, a campaign including it, a 约谈 held with one undertaking
    ledger_item = LedgerItem(
        key=f"execution_notice:record:{record.id}",
        rule=LedgerRule.EXECUTION_NOTICE,
        agency_id=own.id,
        responsible_unit=own.name,
        subject=record.title,
        subject_type="record",
        subject_id=record.id,
        opened_on=date(2026, 11, 10),
        due_on=date(2026, 11, 19),
    )
    db.session.add(ledger_item)
    letter_pdf = store_bytes(one_page_pdf(["every route: letter"]), FileKind.PDF.value, files_dir)
    reply_evidence = store_bytes(one_page_pdf(["every route: letter reply"]), FileKind.PDF.value, files_dir)
    sent = Letter(
        kind="reminder",
        year=today.year,
        serial=99999,  # far from the year's sequence
        agency_id=own.id,
        addressee=own.name,
        title="关于测试事项的提醒函",
        body="请按要求办理。",
        reply_due=today,
        issued_on=today,
        file_sha256=letter_pdf.sha256,
        issued_by_id=staff.id,
        reply_text="已办理。",
        reply_evidence_sha256=reply_evidence.sha256,
        replied_on=today,
        replied_by_id=officer.id,
    )
    db.session.add(sent)
    db.session.flush()
    case = register_case(
        {
            "agency": own.id,
            "case_number": "（2026）演0121行初9999号",
            "court": "演示县人民法院",
            "plaintiff": "欧阳小明",
            "cause": "行政协议纠纷",
            "amount_fen": 100_000_000,
            "filed_on": date(2026, 11, 2),
            "hearing_on": None,
            "notified_on": date(2026, 11, 3),
            "note": "",
        },
        today,
        by=staff,
    )
    campaign = open_campaign("every route: 年度履职尽责承诺", CommitmentSubject.DUTY, [own], today, "", today, by=staff)
    meeting = schedule_meeting(
        MeetingKind.INTERVIEW,
        own,
        scheduled_on=today,
        place="县信用办会议室",
        interviewer_post="县信用办主任",
        attendee_post="主要负责人",
        record=record,
        today=today,
        by=staff,
    )
    (undertaking,) = hold_meeting(
        meeting,
        held_on=today,
        minutes="every route: minutes",
        undertakings=[("every route: undertaking", today)],
        today=today,
        by=staff,
    )
    return World(
        officer=officer,
        stranger=stranger,
        staff=staff,
        admin=admin,
        values={
            "record_id": record.id,
            "commitment_id": draft.id,
            "complaint_id": complaint.id,
            "objection_id": objection.id,
            "application_id": application.id,
            "submission_id": submission.id,
            "user_id": stranger.id,
            "arrears_id": paid.record_id,  # issue 12 item 5
            "agency_id": own.id,  # the agency registry (issue 12 item 1)
            "item_id": make_positive_item(own).id,  # its positive information (issue 12 item 7)
            "measure_id": make_measure(make_record(), own).id,  # issue 12 item 4: carried out by `own`
            "ledger_item_id": ledger_item.id,  # issue 13
            "letter_id": sent.id,
            "case_id": case.id,
            "campaign_id": campaign.id,
            "meeting_id": meeting.id,
            "bulletin_id": make_draft(Month.of(today), today, by=staff).id,  # a draft of this month's bulletin
            "year": 2026,  # the 考核 sheet's year (/workspace/evaluation/<year>): not an item id
            "term_id": add_term("每条路由", means="逾期", by=staff).id,  # issue 16: a staff synonym
            "undertaking_id": undertaking.id,
        },
        files={
            "/workspace/complaints/": complaint.attachments[0]["sha256"],
            "/workspace/arrears/": paid.evidence[0]["sha256"],  # issue 12 item 5
            "/workspace/objections/": objection.attachments[0]["sha256"],
            "/workspace/repairs/": application.pledge_sha256,
            "/workspace/review/": submission.files[0]["sha256"],
            "/workspace/letters/": reply_evidence.sha256,  # issue 13: the reply's evidence
        },
    )


def request(client: FlaskClient, method: str, url: str, token_page: str) -> TestResponse:
    """GET the url, or POST to it with the session's CSRF token (read from `token_page`) and nothing else."""
    if method == "GET":
        return client.get(url)
    token = csrf_token(client.get(token_page).get_data(as_text=True))
    return client.open(url, method=method, data={"csrf_token": token})


def signed_in_as(client: FlaskClient, user: User, method: str, url: str) -> TestResponse:
    sign_in(client, user)
    return request(client, method, url, "/workspace/")


ROUTES = sorted(ACCESS)


@pytest.mark.parametrize(("key", "method"), ROUTES)
def test_anonymous_visitors_are_sent_to_login(
    app: Flask, client: FlaskClient, world: World, key: str, method: str
) -> None:
    url = world.url(key)
    response = request(client, method, url, "/login")
    assert response.status_code == 302, (method, url, response.status_code)
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login", (method, url)
    assert parse_qs(location.query)["next"] == [url], (method, url)


@pytest.mark.parametrize(("key", "method"), ROUTES)
def test_other_roles_are_refused(app: Flask, client: FlaskClient, world: World, key: str, method: str) -> None:
    access = ACCESS[key, method]
    url = world.url(key)
    for role in sorted(ANY - access.roles):
        response = signed_in_as(client, world.user(role), method, url)
        assert response.status_code == access.refused, (role, method, url, response.status_code)


@pytest.mark.parametrize(("key", "method"), [(k, m) for k, m in ROUTES if ACCESS[k, m].agency])
def test_an_officer_of_another_agency_is_told_nothing_is_there(
    app: Flask, client: FlaskClient, world: World, key: str, method: str
) -> None:
    assert Role.OFFICER in ACCESS[key, method].roles, "only routes officers may use are scoped to their agency"
    url = world.url(key)
    response = signed_in_as(client, world.stranger, method, url)
    assert response.status_code == 404, (method, url, response.status_code)


@pytest.mark.parametrize("key", [k for k, m in ROUTES if m == "GET"])
def test_the_roles_allowed_open_the_page(app: Flask, client: FlaskClient, world: World, key: str) -> None:
    """Each allowed role (an officer: of the item's own agency) gets the page or the file."""
    url = world.url(key)
    for role in sorted(ACCESS[key, "GET"].roles):
        sign_in(client, world.user(role))
        response = client.get(url)
        response.close()  # a file is streamed from disk
        assert response.status_code == 200, (role, url, response.status_code)


@pytest.mark.parametrize("key", [k for k, m in ROUTES if m == "POST"])
def test_the_roles_allowed_posting_an_empty_form_get_an_answer_not_an_error(
    app: Flask, client: FlaskClient, world: World, key: str
) -> None:
    """A post with the CSRF token and no fields: let in (no login, 403 or 404), then refused or done, never 500."""
    url = world.url(key)
    for role in sorted(ACCESS[key, "POST"].roles):
        response = signed_in_as(client, world.user(role), "POST", url)
        assert response.status_code in (200, 303, 400, 409), (role, url, response.status_code)
