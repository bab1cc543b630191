"""The daily job (`refresh_ledger`, `flask --app portal supervision run`) and `refresh_subject`: which items the cases
raise, due when (counted by hand on China's calendar), how they close, and that a second run changes nothing.

The test database holds the demo county (300 records), so every test looks at the items of what it built by key;
today is 2026-11-20 (a Friday)."""

from __future__ import annotations

import itertools
import re
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from portal.agencies.models import Agency
from portal.commitments.rules import Fulfilment
from portal.complaints.operations import accept, agency_answers, close, file_complaint, transfer
from portal.core.deadlines import DEFAULT_DAYS, Urgency
from portal.core.uploads import MB, CheckedFile, FileKind, check_upload
from portal.demo.generator import make_uscc
from portal.demo.pdf import one_page_pdf
from portal.extensions import db
from portal.files.operations import store_bytes
from portal.objections import operations as objections
from portal.objections.operations import Objector, file_objection
from portal.objections.rules import Ground, ObjectionStatus
from portal.records.models import Record
from portal.records.operations import change_status
from portal.records.rules import RecordStatus
from portal.rectifications.models import PlanStep, ProgressEntry
from portal.rectifications.rules import Outcome
from portal.repairs.operations import apply_for_repair, decide_repair
from portal.repairs.rules import RepairStatus
from portal.supervision.models import (
    CalendarOverride,
    Campaign,
    CourtCase,
    LedgerItem,
    Letter,
    MediationSession,
    Meeting,
    SupervisionRun,
    Undertaking,
)
from portal.supervision.operations import work_calendar
from portal.supervision.operations.ledger import LedgerChanges, close_item, refresh_ledger, refresh_subject
from portal.supervision.rules import (
    CaseStage,
    ClosedHow,
    LedgerRule,
    LetterKind,
    MediationResult,
    MeetingKind,
    item_state,
)
from portal.users.rules import Role
from tests.factories import make_agency, make_commitment, make_record, make_rectification, make_user

TODAY = date(2026, 11, 20)
D = date
_serial = itertools.count(1)


# --- builders ---------------------------------------------------------------------------------------------------------


def execution_details(**fields: Any) -> dict[str, Any]:
    return {
        "case_number": f"(2026)演0121执{next(_serial)}号",
        "court": "演示县人民法院",
        "basis_document": "(2026)演0121民初1号",
        "basis_issuer": "演示县人民法院",
        "filed_on": "2026-11-20",
        "obligation": "支付工程款",
        "performance": "全部未履行",
    } | fields


def enforced_party(agency: Agency | None = None, filed_on: str = "2026-11-20", **fields: Any) -> Record:
    """A 被执行人 record, 立案 on `filed_on`."""
    return make_record(
        agency,
        kind="enforced_party",
        decision_date=D(2026, 11, 20),
        details=execution_details(filed_on=filed_on),
        **fields,
    )


def make_case(agency: Agency, **fields: Any) -> CourtCase:
    values: dict[str, Any] = {
        "case_number": f"(2026)演0121行初{next(_serial)}号",
        "court": "演示县人民法院",
        "plaintiff": "演示建设有限公司",
        "cause": "行政协议纠纷",
        "amount_fen": 1_000_000,
        "filed_on": D(2026, 11, 10),
        "notified_on": D(2026, 11, 16),
    } | fields
    case = CourtCase(agency_id=agency.id, **values)
    db.session.add(case)
    db.session.flush()
    return case


def make_meeting(agency: Agency, **fields: Any) -> Meeting:
    values: dict[str, Any] = {
        "kind": MeetingKind.INTERVIEW,
        "scheduled_on": D(2026, 11, 25),
        "place": "县信用办会议室",
        "interviewer_post": "县信用办主任",
        "attendee_post": "局长",
    } | fields
    meeting = Meeting(agency_id=agency.id, **values)
    db.session.add(meeting)
    db.session.flush()
    return meeting


def make_letter(app: Flask, agency: Agency, **fields: Any) -> Letter:
    files_dir = app.config["PORTAL_SETTINGS"].files_dir
    pdf = store_bytes(one_page_pdf([f"ledger job letter {next(_serial)}"]), FileKind.PDF.value, files_dir)
    values: dict[str, Any] = {
        "kind": LetterKind.REMINDER,
        "year": 2026,
        "serial": 9000 + next(_serial),
        "addressee": agency.name,
        "title": "关于及时履行生效判决的提醒函",
        "body": "请及时履行。",
        "issued_on": D(2026, 11, 18),
        "file_sha256": pdf.sha256,
    } | fields
    letter = Letter(agency_id=agency.id, **values)
    db.session.add(letter)
    db.session.flush()
    return letter


def pdf(name: str) -> CheckedFile:
    return check_upload(f"{name}.pdf", one_page_pdf([name]), frozenset({FileKind.PDF}), 10 * MB)


def item(key: str) -> LedgerItem | None:
    return db.session.scalar(select(LedgerItem).where(LedgerItem.key == key))


def the_item(key: str) -> LedgerItem:
    found = item(key)
    assert found is not None, f"no ledger item {key}"
    return found


def keys_of(subject_type: str, subject_id: int) -> set[str]:
    return set(
        db.session.scalars(
            select(LedgerItem.key).where(LedgerItem.subject_type == subject_type, LedgerItem.subject_id == subject_id)
        )
    )


def ledger_rows() -> list[tuple[Any, ...]]:
    """The whole ledger as the job leaves it."""
    rows = db.session.execute(select(LedgerItem.key, LedgerItem.due_on, LedgerItem.closed_on, LedgerItem.closed_how))
    return sorted(tuple(row) for row in rows)


def run(today: date = TODAY) -> LedgerChanges:
    changes = refresh_ledger(today)
    db.session.flush()
    db.session.expire_all()
    return changes


def state_of(found: LedgerItem, today: date = TODAY) -> Urgency:
    return item_state(found.due_on, found.closed_on, today, work_calendar(today))


# --- 执行立案 (泰信用办〔2022〕12号 二(四)) ---------------------------------------------------------------------------


def test_a_new_enforced_party_raises_the_execution_notice_and_a_second_run_changes_nothing(app: Flask) -> None:
    """The issue's example: 立案 on 2026-11-20 → the court's notice is due within 7 working days, on 12-01."""
    agency = make_agency()
    record = enforced_party(agency)
    first = run()
    assert first.opened >= 1
    notice = the_item(f"execution_notice:record:{record.id}")
    assert notice.rule is LedgerRule.EXECUTION_NOTICE
    assert (notice.opened_on, notice.due_on, notice.closed_on) == (D(2026, 11, 20), D(2026, 12, 1), None)
    assert (notice.agency_id, notice.responsible_unit, notice.subject) == (agency.id, agency.name, record.title)
    assert (notice.subject_type, notice.subject_id) == ("record", record.id)
    assert state_of(notice) is Urgency.NOT_DUE
    assert state_of(notice, D(2026, 11, 30)) is Urgency.DUE  # due the next working day
    assert state_of(notice, D(2026, 12, 4)) is Urgency.OVERDUE  # the issue: still nothing by 12-04
    assert keys_of("record", record.id) == {f"execution_notice:record:{record.id}"}  # no reminder before the notice

    rows = ledger_rows()
    second = run()
    assert second == LedgerChanges(0, 0, 0)
    assert ledger_rows() == rows
    runs = db.session.scalars(select(SupervisionRun).where(SupervisionRun.run_for == TODAY)).all()
    assert [(r.opened, r.changed, r.closed) for r in runs[-2:]] == [
        (first.opened, first.changed, first.closed),
        (0, 0, 0),
    ]
    assert all(r.finished_at is not None for r in runs)


def test_the_notice_recorded_opens_the_reminder_which_closes_when_the_record_is_fulfilled(app: Flask) -> None:
    staff = make_user(Role.STAFF)
    record = enforced_party(filed_on="2026-11-16")
    run()
    notice = the_item(f"execution_notice:record:{record.id}")
    assert notice.due_on == D(2026, 11, 25)  # 11-16 (Mon) + 7 working days
    close_item(notice, ClosedHow.MANUAL, D(2026, 11, 20), by=staff, note="法院执行立案通知已收到")
    db.session.flush()

    assert run().opened == 1
    reminder = the_item(f"execution_reminder:record:{record.id}")
    assert reminder.rule is LedgerRule.EXECUTION_REMINDER
    assert (reminder.opened_on, reminder.due_on) == (D(2026, 11, 20), D(2026, 11, 27))  # 5 working days
    assert reminder.closed_on is None
    assert run() == LedgerChanges(0, 0, 0)

    change_status(record, RecordStatus.FULFILLED, D(2026, 11, 24), reason="")
    assert run(D(2026, 11, 24)).closed == 1
    reminder = the_item(f"execution_reminder:record:{record.id}")
    assert (reminder.closed_on, reminder.closed_how) == (D(2026, 11, 24), ClosedHow.DONE)
    assert reminder.closed_note == "已履行"
    notice = the_item(f"execution_notice:record:{record.id}")  # closed by staff: left as it was
    assert (notice.closed_on, notice.closed_how, notice.closed_by_id) == (D(2026, 11, 20), ClosedHow.MANUAL, staff.id)
    assert run(D(2026, 11, 24)) == LedgerChanges(0, 0, 0)


def test_a_record_already_fulfilled_asks_for_no_notice_and_no_reminder(app: Flask) -> None:
    record = enforced_party(status=RecordStatus.FULFILLED.value)
    run()
    assert item(f"execution_notice:record:{record.id}") is None
    assert item(f"execution_reminder:record:{record.id}") is None


def test_a_record_fulfilled_after_the_listing_closes_the_notification_and_the_visit(app: Flask) -> None:
    record = make_record(
        make_agency(),
        kind="judgment_defaulter",
        decision_date=D(2026, 11, 10),
        details=execution_details(filed_on="2026-09-01", default_circumstance="拒不履行", published_on="2026-11-16"),
    )
    run()
    record.status = RecordStatus.FULFILLED
    db.session.flush()
    run()
    for rule in (LedgerRule.DEFAULTER_NOTIFICATION, LedgerRule.SITE_VISIT):
        closed = the_item(f"{rule}:record:{record.id}")
        assert (closed.closed_how, closed.closed_note) == (ClosedHow.DONE, "已履行")


# --- 失信被执行人 (二(五)) and 行政处罚到期 (二(二)) ------------------------------------------------------------------


def test_a_judgment_defaulter_raises_the_notification_and_the_site_visit(app: Flask) -> None:
    agency = make_agency()
    record = make_record(
        agency,
        kind="judgment_defaulter",
        decision_date=D(2026, 11, 10),
        details=execution_details(
            filed_on="2026-09-01", default_circumstance="有履行能力而拒不履行", published_on="2026-11-16"
        ),
    )
    run()
    for rule in (LedgerRule.DEFAULTER_NOTIFICATION, LedgerRule.SITE_VISIT):
        found = the_item(f"{rule}:record:{record.id}")
        assert found.rule is rule
        # 7 working days after the listing was published (11-16, a Monday), not after 立案
        assert (found.opened_on, found.due_on, found.agency_id) == (D(2026, 11, 16), D(2026, 11, 25), agency.id)
    assert keys_of("record", record.id) == {
        f"defaulter_notification:record:{record.id}",
        f"site_visit:record:{record.id}",
    }


def test_a_defaulter_listed_across_national_day(app: Flask) -> None:
    record = make_record(
        kind="judgment_defaulter",
        decision_date=D(2026, 9, 30),
        details=execution_details(published_on="2026-09-30"),
    )
    run()
    assert the_item(f"defaulter_notification:record:{record.id}").due_on == D(2026, 10, 15)  # 10-08, 09, 10 (调休) …


def test_a_penalty_past_its_minimum_publication_period_raises_the_repair_reminder(app: Flask) -> None:
    passed = make_record(publication_min_end=D(2026, 11, 10))
    ends_today = make_record(publication_min_end=TODAY)
    not_yet = make_record(publication_min_end=D(2026, 11, 21))
    run()
    reminder = the_item(f"penalty_repair_reminder:record:{passed.id}")
    assert (reminder.opened_on, reminder.due_on) == (D(2026, 11, 10), D(2026, 11, 19))  # 7 working days
    assert state_of(reminder) is Urgency.OVERDUE
    assert the_item(f"penalty_repair_reminder:record:{ends_today.id}").due_on == D(2026, 12, 1)
    assert keys_of("record", not_yet.id) == set()
    assert run(D(2026, 11, 21)).opened >= 1  # the next day it has passed
    assert the_item(f"penalty_repair_reminder:record:{not_yet.id}").due_on == D(2026, 12, 1)


# --- 整改 (新信用发〔2018〕6号 二(五)) and the suggested 约谈 ---------------------------------------------------------


def overdue_rectification(**fields: Any) -> tuple[Record, Any]:
    """A record under rectification whose 整改期限 (and its one measure's) was 2026-10-30: overdue from 10-31."""
    record = make_record(status=RecordStatus.RECTIFYING.value)
    rectification = make_rectification(record, deadline=D(2026, 10, 30), **fields)
    return record, rectification


def test_an_idle_overdue_rectification_is_suggested_for_an_interview(app: Flask) -> None:
    record, rectification = overdue_rectification()
    run()
    deadline = the_item(f"rectification_deadline:record:{record.id}")
    assert (deadline.due_on, deadline.closed_on, deadline.responsible_unit) == (
        D(2026, 10, 30),
        None,
        rectification.responsible_unit,
    )
    assert state_of(deadline) is Urgency.OVERDUE
    step = rectification.steps[0]
    assert the_item(f"plan_step_deadline:step:{step.id}").due_on == D(2026, 10, 30)
    # 10 working days with no progress after 10-31: fired on 11-13; the 约谈 within 10 more, by 11-27
    suggestion = the_item(f"interview_suggested:record:{record.id}:2026-11-13")
    assert suggestion.rule is LedgerRule.INTERVIEW_SUGGESTED
    assert (suggestion.opened_on, suggestion.due_on, suggestion.subject_type, suggestion.subject_id) == (
        D(2026, 11, 13),
        D(2026, 11, 27),
        "record",
        record.id,
    )
    assert suggestion.agency_id == record.agency_id
    assert run() == LedgerChanges(0, 0, 0)


def test_progress_lapses_the_suggestion_and_a_new_one_fires_after_more_idle_days(app: Flask) -> None:
    record, rectification = overdue_rectification()
    run()
    key = f"interview_suggested:record:{record.id}:2026-11-13"
    db.session.add(ProgressEntry(rectification_id=rectification.id, entry_date=D(2026, 11, 18), text="已筹措部分资金"))
    db.session.flush()
    assert run().closed == 1
    lapsed = the_item(key)
    assert (lapsed.closed_on, lapsed.closed_how) == (TODAY, ClosedHow.LAPSED)
    assert the_item(f"rectification_deadline:record:{record.id}").closed_on is None  # still overdue
    # idle again for 10 working days after the progress of 11-18: a new suggestion on 12-02; the old one stays closed
    run(D(2026, 12, 2))
    fresh = the_item(f"interview_suggested:record:{record.id}:2026-12-02")
    assert (fresh.due_on, fresh.closed_on) == (D(2026, 12, 16), None)
    assert (the_item(key).closed_on, the_item(key).closed_how) == (TODAY, ClosedHow.LAPSED)


def test_a_meeting_scheduled_for_the_suggestion_keeps_it_open_after_progress(app: Flask) -> None:
    record, rectification = overdue_rectification()
    run()
    suggestion = the_item(f"interview_suggested:record:{record.id}:2026-11-13")
    meeting = make_meeting(record.agency, record_id=record.id, reason="逾期未整改")
    suggestion.meeting_id = meeting.id
    db.session.add(ProgressEntry(rectification_id=rectification.id, entry_date=D(2026, 11, 18), text="已筹措部分资金"))
    db.session.flush()
    assert run() == LedgerChanges(0, 0, 0)
    suggestion = the_item(f"interview_suggested:record:{record.id}:2026-11-13")
    assert (suggestion.closed_on, suggestion.meeting_id) == (None, meeting.id)


def test_a_finished_rectification_closes_its_items_with_the_outcome(app: Flask) -> None:
    record, rectification = overdue_rectification()
    run()
    rectification.outcome = Outcome.PERFORMED
    rectification.finished_on = D(2026, 11, 19)
    db.session.flush()
    run()
    deadline = the_item(f"rectification_deadline:record:{record.id}")
    assert (deadline.closed_on, deadline.closed_how, deadline.closed_note) == (
        D(2026, 11, 19),
        ClosedHow.DONE,
        "履行完毕",
    )
    step = the_item(f"plan_step_deadline:step:{rectification.steps[0].id}")
    assert (step.closed_on, step.closed_how) == (D(2026, 11, 19), ClosedHow.DONE)
    suggestion = the_item(f"interview_suggested:record:{record.id}:2026-11-13")
    assert suggestion.closed_on == TODAY  # nothing more to suggest
    assert all(found.closed_on is not None for found in map(the_item, keys_of("record", record.id)))
    assert run() == LedgerChanges(0, 0, 0)


def test_a_measure_done_closes_its_item_on_the_day_it_was_done(app: Flask) -> None:
    record = make_record(status=RecordStatus.RECTIFYING.value)
    rectification = make_rectification(
        record,
        deadline=D(2026, 12, 31),
        measures=[PlanStep(text="筹措资金", deadline=D(2026, 11, 10)), PlanStep(text="支付", deadline=D(2026, 12, 20))],
    )
    run()
    first, second = rectification.steps
    assert the_item(f"plan_step_deadline:step:{first.id}").due_on == D(2026, 11, 10)
    assert the_item(f"plan_step_deadline:step:{second.id}").due_on == D(2026, 12, 20)
    first.done_on = D(2026, 11, 12)
    db.session.flush()
    run()
    done = the_item(f"plan_step_deadline:step:{first.id}")
    assert (done.closed_on, done.closed_how) == (D(2026, 11, 12), ClosedHow.DONE)
    assert the_item(f"plan_step_deadline:step:{second.id}").closed_on is None


def test_an_already_finished_rectification_creates_no_item(app: Flask) -> None:
    record, _ = overdue_rectification(outcome=Outcome.SETTLED, finished_on=D(2026, 11, 2))
    run()
    assert keys_of("record", record.id) == set()


# --- court cases (新信用发〔2018〕6号 二(一)、二(二)) -----------------------------------------------------------------


def test_a_suit_raises_the_reminder_which_the_judgment_closes(app: Flask) -> None:
    agency = make_agency()
    case = make_case(agency)
    run()
    reminder = the_item(f"suit_reminder:case:{case.id}")
    assert (reminder.opened_on, reminder.due_on) == (D(2026, 11, 16), D(2026, 11, 23))  # 5 working days
    assert (reminder.subject_type, reminder.subject_id, reminder.agency_id) == ("case", case.id, agency.id)
    assert reminder.subject == f"{case.case_number} 行政协议纠纷"
    case.stage, case.judged_on, case.judgment = CaseStage.WON, D(2026, 11, 19), "驳回原告诉讼请求"
    db.session.flush()
    run()
    reminder = the_item(f"suit_reminder:case:{case.id}")
    assert (reminder.closed_on, reminder.closed_how, reminder.closed_note) == (D(2026, 11, 19), ClosedHow.DONE, "胜诉")
    assert keys_of("case", case.id) == {f"suit_reminder:case:{case.id}"}


def lost_case(agency: Agency | None = None, **fields: Any) -> CourtCase:
    """Lost on 2026-10-20, to perform by 10-30."""
    return make_case(
        agency or make_agency(),
        **{
            "filed_on": D(2026, 8, 3),
            "notified_on": D(2026, 8, 5),
            "stage": CaseStage.LOST,
            "judged_on": D(2026, 10, 20),
            "judgment": "被告于2026年10月30日前支付工程款",
            "performance_due": D(2026, 10, 30),
        }
        | fields,
    )


def test_a_lost_case_raises_the_urging_the_performance_and_after_idle_days_a_suggestion(app: Flask) -> None:
    case = lost_case()
    run()
    assert item(f"suit_reminder:case:{case.id}") is None  # judged before the ledger saw it: never opened
    urging = the_item(f"lost_case_urging:case:{case.id}")
    assert (urging.opened_on, urging.due_on) == (D(2026, 10, 20), D(2026, 10, 27))  # 5 working days
    performance = the_item(f"performance:case:{case.id}")
    assert (performance.due_on, performance.closed_on) == (D(2026, 10, 30), None)
    assert state_of(performance) is Urgency.OVERDUE
    suggestion = the_item(f"interview_suggested:case:{case.id}:2026-11-13")
    assert (suggestion.due_on, suggestion.subject_type, suggestion.subject_id) == (D(2026, 11, 27), "case", case.id)
    assert run() == LedgerChanges(0, 0, 0)

    case.fulfilled_on = D(2026, 11, 19)
    db.session.flush()
    assert run().closed == 3
    for key in (f"lost_case_urging:case:{case.id}", f"performance:case:{case.id}"):
        found = the_item(key)
        assert (found.closed_on, found.closed_how) == (D(2026, 11, 19), ClosedHow.DONE), key
    assert the_item(f"interview_suggested:case:{case.id}:2026-11-13").closed_on == TODAY
    assert run() == LedgerChanges(0, 0, 0)


def test_a_mediation_or_a_meeting_after_the_deadline_holds_the_suggestion_back(app: Flask) -> None:
    mediated, met, idle = lost_case(), lost_case(), lost_case()
    db.session.add(
        MediationSession(
            case_id=mediated.id, held_on=D(2026, 11, 10), mediator="县人民调解委员会", result=MediationResult.FAILED
        )
    )
    make_meeting(met.agency, case_id=met.id, kind=MeetingKind.SITE_VISIT, held_on=D(2026, 11, 12))
    db.session.flush()
    run()
    assert not any(k.startswith("interview_suggested") for k in keys_of("case", mediated.id))  # fires 11-24
    assert not any(k.startswith("interview_suggested") for k in keys_of("case", met.id))  # fires 11-26
    assert item(f"interview_suggested:case:{idle.id}:2026-11-13") is not None
    run(D(2026, 11, 24))
    assert item(f"interview_suggested:case:{mediated.id}:2026-11-24") is not None


# --- undertakings, letters, commitments -------------------------------------------------------------------------------


def test_the_undertakings_of_a_held_meeting_are_items_until_kept(app: Flask) -> None:
    agency = make_agency()
    held = make_meeting(agency, held_on=D(2026, 11, 18), minutes="主要负责人作出承诺")
    kept, pending = (
        Undertaking(meeting_id=held.id, text="12月前拟定还款计划", due_on=D(2026, 11, 30)),
        Undertaking(meeting_id=held.id, text="年底前支付首期款项", due_on=D(2026, 12, 31)),
    )
    scheduled = make_meeting(agency)
    not_yet = Undertaking(meeting_id=scheduled.id, text="尚未举行", due_on=D(2026, 12, 31))
    db.session.add_all([kept, pending, not_yet])
    db.session.flush()
    run()
    found = the_item(f"undertaking:undertaking:{kept.id}")
    assert (found.rule, found.opened_on, found.due_on, found.agency_id) == (
        LedgerRule.UNDERTAKING,
        D(2026, 11, 18),
        D(2026, 11, 30),
        agency.id,
    )
    assert (found.subject_type, found.subject_id, found.subject) == ("meeting", held.id, "12月前拟定还款计划")
    assert the_item(f"undertaking:undertaking:{pending.id}").due_on == D(2026, 12, 31)
    assert item(f"undertaking:undertaking:{not_yet.id}") is None  # the meeting was not held
    kept.done_on, kept.done_note = D(2026, 11, 19), "还款计划已报送"
    db.session.flush()
    assert run().closed == 1
    found = the_item(f"undertaking:undertaking:{kept.id}")
    assert (found.closed_on, found.closed_how, found.closed_note) == (D(2026, 11, 19), ClosedHow.DONE, "还款计划已报送")


def test_a_letter_asking_for_a_reply_is_an_item_until_replied(app: Flask) -> None:
    agency = make_agency()
    letter = make_letter(app, agency, reply_due=D(2026, 11, 27))
    no_reply = make_letter(app, agency)
    run()
    found = the_item(f"letter_reply:letter:{letter.id}")
    assert (found.rule, found.opened_on, found.due_on, found.agency_id) == (
        LedgerRule.LETTER_REPLY,
        D(2026, 11, 18),
        D(2026, 11, 27),
        agency.id,
    )
    assert found.subject.startswith(f"信用办函〔2026〕{letter.serial}号")
    assert keys_of("letter", no_reply.id) == set()
    letter.replied_on, letter.reply_text = D(2026, 11, 19), "已制定还款计划"
    db.session.flush()
    run()
    found = the_item(f"letter_reply:letter:{letter.id}")
    assert (found.closed_on, found.closed_how) == (D(2026, 11, 19), ClosedHow.REPLIED)


def test_a_commitment_past_its_date_needs_a_determination(app: Flask) -> None:
    agency = make_agency()
    due = make_commitment(agency, valid_until=D(2026, 11, 10))
    others = [
        make_commitment(agency, valid_until=D(2026, 11, 10), fulfilment="fulfilled"),  # determined already
        make_commitment(agency, valid_until=TODAY),  # valid today
        make_commitment(agency, valid_until=None),  # 长期有效
        make_commitment(agency, valid_until=D(2026, 11, 10), state="draft", published_at=None),
    ]
    run()
    found = the_item(f"commitment_determination:commitment:{due.id}")
    assert (found.opened_on, found.due_on, found.agency_id) == (D(2026, 11, 11), D(2026, 11, 17), agency.id)
    assert all(keys_of("commitment", other.id) == set() for other in others)
    due.fulfilment = Fulfilment.FULFILLED
    db.session.flush()
    assert run().closed == 1
    found = the_item(f"commitment_determination:commitment:{due.id}")
    assert (found.closed_on, found.closed_how, found.closed_note) == (TODAY, ClosedHow.DONE, "全部履行")


# --- complaints, objections, repairs ----------------------------------------------------------------------------------


def test_the_filings_deadlines_join_the_ledger_and_close_when_done(app: Flask) -> None:
    settings = app.config["PORTAL_SETTINGS"]
    calendar = work_calendar(TODAY)
    agency = make_agency()
    staff, officer = make_user(Role.STAFF), make_user(Role.OFFICER, agency)
    complaint, _ = file_complaint(
        {
            "filer_type": "enterprise",
            "name": "欧阳小明",
            "uscc": make_uscc("91", "990121", 4344),
            "phone": "13912345678",
            "email": "",
            "agency_id": agency.id,
            "agency_typed": "",
            "category": "arrears",
            "description": "工程款至今未付。",
            "amount_fen": 120_000_000,
            "publish_consent": False,
        },
        [pdf("ledger job: complaint")],
        settings.files_dir,
        TODAY,
        calendar,
        settings.deadline_days,
    )
    record = make_record(agency)
    objection, _ = file_objection(
        record,
        Ground.WRONG,
        "金额有误",
        Objector("欧阳小明", "13912345678", ""),
        [pdf("ledger job: objection")],
        settings.files_dir,
        TODAY,
        calendar,
        DEFAULT_DAYS,
    )
    repairable = make_record(agency, decision_date=D(2026, 1, 10), status="fulfilled")
    application = apply_for_repair(
        repairable,
        "已全部履行。",
        [pdf("ledger job: evidence")],
        pdf("ledger job: pledge"),
        settings.files_dir,
        TODAY,
        by=officer,
    )
    run()
    for key, rule, due in (
        (f"complaint:complaint:{complaint.id}", LedgerRule.COMPLAINT, D(2026, 11, 24)),  # accept within 2
        (f"objection:objection:{objection.id}", LedgerRule.OBJECTION, D(2026, 11, 24)),  # accept within 2
        (f"repair:repair:{application.id}", LedgerRule.REPAIR, D(2026, 12, 4)),  # decide within 10
    ):
        found = the_item(key)
        # a complaint is the agency's (its officers' ledger and digest) only once it is transferred to them
        owner = None if rule is LedgerRule.COMPLAINT else agency.id
        assert (found.rule, found.due_on, found.agency_id, found.closed_on) == (rule, due, owner, None), key
    assert the_item(f"complaint:complaint:{complaint.id}").subject == complaint.number

    accept(complaint, TODAY, by=staff)
    objections.accept(objection, TODAY, by=staff)
    assert run().changed == 2
    assert the_item(f"complaint:complaint:{complaint.id}").due_on == D(2026, 12, 4)  # the agency's answer, 10
    assert the_item(f"objection:objection:{objection.id}").due_on == D(2026, 12, 4)  # verified within 10

    transfer(complaint, agency, TODAY, by=staff)
    refresh_subject("complaint", complaint.id, TODAY)
    assert the_item(f"complaint:complaint:{complaint.id}").agency_id == agency.id
    agency_answers(complaint, "已与企业对账。", TODAY, by=officer)
    refresh_subject("complaint", complaint.id, TODAY)
    assert the_item(f"complaint:complaint:{complaint.id}").due_on == D(2026, 12, 11)  # closing, 15
    close(complaint, "已督促支付。", TODAY, by=staff)
    objections.decide(objection, ObjectionStatus.UPHELD, "经核查记录无误。", TODAY, by=staff)
    decide_repair(application, RepairStatus.REJECTED, "佐证材料不足。", TODAY, by=staff)
    assert run().closed == 3
    for key in (
        f"complaint:complaint:{complaint.id}",
        f"objection:objection:{objection.id}",
        f"repair:repair:{application.id}",
    ):
        found = the_item(key)
        assert (found.closed_on, found.closed_how) == (TODAY, ClosedHow.DONE), key
    assert run() == LedgerChanges(0, 0, 0)


def test_a_filing_item_is_opened_on_the_day_it_was_filed(app: Flask) -> None:
    """The ledger's dates come from the case and `today`, never the wall clock: a complaint filed on 2026-11-20
    (PORTAL_TODAY) is opened on 11-20, whatever day the machine thinks it is."""
    settings = app.config["PORTAL_SETTINGS"]
    complaint, _ = file_complaint(
        {
            "filer_type": "individual",
            "name": "欧阳小明",
            "phone": "13912345678",
            "agency_id": make_agency().id,
            "category": "arrears",
            "description": "工程款至今未付。",
        },
        [pdf("ledger job: opened")],
        settings.files_dir,
        TODAY,
        work_calendar(TODAY),
        settings.deadline_days,
    )
    run()
    found = the_item(f"complaint:complaint:{complaint.id}")
    assert (found.opened_on, found.due_on) == (complaint.filed_on, D(2026, 11, 24))
    assert found.opened_on == TODAY


def test_a_rectification_item_is_not_opened_after_the_day_the_job_ran_for(app: Flask) -> None:
    """A plan made on 2026-11-20 (PORTAL_TODAY) with its 整改期限 on 12-31: the job run for 11-20 cannot have opened
    its item later than 11-20 (the row's created_at is the wall clock's, which may be any later day)."""
    record = make_record(status=RecordStatus.RECTIFYING.value)
    make_rectification(record, deadline=D(2026, 12, 31))
    run()
    found = the_item(f"rectification_deadline:record:{record.id}")
    assert found.due_on == D(2026, 12, 31)
    assert found.opened_on <= TODAY


# --- the month's 通报 (新信用发〔2018〕6号 二(八)) --------------------------------------------------------------------


def test_the_monthly_bulletin_is_due_the_working_day_before_the_month_ends(app: Flask) -> None:
    run()
    november = the_item("monthly_bulletin:month:2026-11")
    assert (november.rule, november.agency_id, november.subject_type, november.subject_id) == (
        LedgerRule.MONTHLY_BULLETIN,
        None,
        "month",
        None,
    )
    assert (november.opened_on, november.due_on, november.closed_on) == (D(2026, 11, 1), D(2026, 11, 27), None)
    # not closed by the end of the month: it stays on the ledger beside December's
    run(D(2026, 12, 1))
    assert the_item("monthly_bulletin:month:2026-11").closed_on is None
    assert the_item("monthly_bulletin:month:2026-12").due_on == D(2026, 12, 30)
    close_item(the_item("monthly_bulletin:month:2026-11"), ClosedHow.MANUAL, D(2026, 12, 1), by=None, note="已通报")
    db.session.flush()
    assert run(D(2026, 12, 1)) == LedgerChanges(0, 0, 0)
    run(D(2027, 1, 4))
    assert the_item("monthly_bulletin:month:2026-11").closed_how is ClosedHow.MANUAL
    assert the_item("monthly_bulletin:month:2027-01").due_on == D(2027, 1, 29)


# --- commitment campaigns (泰信用办〔2022〕12号 二(一); 泗政秘〔2018〕145号 (十四)) -----------------------------------


def test_each_agency_of_a_campaign_is_an_item_until_it_answers(app: Flask) -> None:
    waiting, answering = make_agency(), make_agency()
    campaign = Campaign(
        title="2026年度履职尽责承诺",
        subject="duty",
        opened_on=D(2026, 11, 2),
        due_on=D(2026, 11, 30),
        agencies=[waiting, answering],
    )
    db.session.add(campaign)
    db.session.flush()
    run()
    for agency in (waiting, answering):
        found = the_item(f"campaign_submission:campaign:{campaign.id}:{agency.id}")
        assert (found.rule, found.opened_on, found.due_on, found.agency_id) == (
            LedgerRule.CAMPAIGN_SUBMISSION,
            D(2026, 11, 2),
            D(2026, 11, 30),
            agency.id,
        )
        assert (found.subject_type, found.subject_id) == ("campaign", campaign.id)
    make_commitment(answering, subject="duty", state="submitted", code=None, published_at=None)
    assert refresh_subject("campaign", campaign.id, TODAY) == LedgerChanges(0, 0, 1)
    found = the_item(f"campaign_submission:campaign:{campaign.id}:{answering.id}")
    assert (found.closed_on, found.closed_how) == (TODAY, ClosedHow.DONE)
    assert the_item(f"campaign_submission:campaign:{campaign.id}:{waiting.id}").closed_on is None


# --- the working-day calendar corrected by staff ----------------------------------------------------------------------


def test_a_calendar_override_moves_the_due_days_of_open_items(app: Flask) -> None:
    record = enforced_party()  # due 12-01
    run()
    db.session.add(CalendarOverride(day=D(2026, 11, 23), is_workday=False, note="临时调整：示例"))
    db.session.flush()
    assert run().changed >= 1
    assert the_item(f"execution_notice:record:{record.id}").due_on == D(2026, 12, 2)
    assert run() == LedgerChanges(0, 0, 0)


# --- lapsing, never reopening, one subject ----------------------------------------------------------------------------


def test_a_revoked_record_lapses_its_open_items_and_closed_items_stay_closed(app: Flask) -> None:
    record = make_record(
        kind="judgment_defaulter", decision_date=D(2026, 11, 16), details=execution_details(published_on="2026-11-16")
    )
    run()
    notified = the_item(f"defaulter_notification:record:{record.id}")
    close_item(notified, ClosedHow.MANUAL, D(2026, 11, 19), by=None, note="已通报")
    db.session.flush()
    change_status(record, RecordStatus.REVOKED, TODAY, reason="经核查撤销")
    assert run().closed == 1
    visit = the_item(f"site_visit:record:{record.id}")
    assert (visit.closed_on, visit.closed_how) == (TODAY, ClosedHow.LAPSED)
    notified = the_item(f"defaulter_notification:record:{record.id}")
    assert (notified.closed_on, notified.closed_how, notified.closed_note) == (
        D(2026, 11, 19),
        ClosedHow.MANUAL,
        "已通报",
    )
    assert run() == LedgerChanges(0, 0, 0)


def test_a_closed_item_is_never_reopened_even_when_the_rule_still_asks(app: Flask) -> None:
    record = enforced_party()
    run()
    close_item(the_item(f"execution_notice:record:{record.id}"), ClosedHow.MANUAL, TODAY, by=None)
    close_item(the_item("monthly_bulletin:month:2026-11"), ClosedHow.MANUAL, TODAY, by=None)
    db.session.flush()
    rows = [row for row in ledger_rows() if not row[0].startswith("execution_reminder")]
    run()
    run(D(2026, 11, 23))
    after = {row[0]: row for row in ledger_rows()}
    for key in (f"execution_notice:record:{record.id}", "monthly_bulletin:month:2026-11"):
        assert after[key][2:] == (TODAY, ClosedHow.MANUAL)
    assert all(after[row[0]][2:] == row[2:] for row in rows if row[2] is not None)  # every closed item as it was


def test_refresh_subject_touches_only_that_subject(app: Flask) -> None:
    one, other = enforced_party(), enforced_party()
    changes = refresh_subject("record", one.id, TODAY)
    assert changes == LedgerChanges(1, 0, 0)
    assert keys_of("record", one.id) == {f"execution_notice:record:{one.id}"}
    assert keys_of("record", other.id) == set()
    assert item("monthly_bulletin:month:2026-11") is None  # the daily job's, not this record's

    run()
    before = ledger_rows()
    for record in (one, other):
        change_status(record, RecordStatus.REVOKED, TODAY, reason="经核查撤销")
    assert refresh_subject("record", one.id, TODAY) == LedgerChanges(0, 0, 1)
    db.session.expire_all()
    assert the_item(f"execution_notice:record:{one.id}").closed_how is ClosedHow.LAPSED
    assert the_item(f"execution_notice:record:{other.id}").closed_on is None
    old, new = {row[0]: row for row in before}, {row[0]: row for row in ledger_rows()}
    assert {key for key in old.keys() | new.keys() if old.get(key) != new.get(key)} == {
        f"execution_notice:record:{one.id}"
    }


def test_refresh_subject_of_a_case_and_of_a_meeting(app: Flask) -> None:
    case, untouched = make_case(make_agency()), make_case(make_agency())
    assert refresh_subject("case", case.id, TODAY).opened == 1
    assert keys_of("case", case.id) == {f"suit_reminder:case:{case.id}"}
    assert keys_of("case", untouched.id) == set()
    meeting = make_meeting(case.agency, case_id=case.id, held_on=D(2026, 11, 19))
    undertaking = Undertaking(meeting_id=meeting.id, text="按期支付", due_on=D(2026, 12, 15))
    db.session.add(undertaking)
    db.session.flush()
    assert refresh_subject("meeting", meeting.id, TODAY) == LedgerChanges(1, 0, 0)
    assert keys_of("meeting", meeting.id) == {f"undertaking:undertaking:{undertaking.id}"}
    assert refresh_subject("meeting", meeting.id, TODAY) == LedgerChanges(0, 0, 0)


# --- the command ------------------------------------------------------------------------------------------------------


def test_the_command_prints_its_figures_and_a_second_run_changes_nothing(app: Flask) -> None:
    enforced_party()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["supervision", "run", "--today", "2026-11-20"])
    assert first.exit_code == 0, first.output
    assert re.fullmatch(r"Ledger for 2026-11-20: [1-9]\d* opened, 0 changed, 0 closed in \d+\.\d s\.\n", first.output)
    second = runner.invoke(args=["supervision", "run", "--today", "2026-11-20"])
    assert second.exit_code == 0, second.output
    assert "Ledger for 2026-11-20: 0 opened, 0 changed, 0 closed in" in second.output
    latest = db.session.scalars(select(SupervisionRun).order_by(SupervisionRun.id.desc()).limit(1)).one()
    assert (latest.run_for, latest.opened, latest.changed, latest.closed) == (TODAY, 0, 0, 0)


@pytest.mark.parametrize("bad", ["2026-13-01", "20261120", "tomorrow"])
def test_the_command_refuses_a_bad_date(app: Flask, bad: str) -> None:
    result = app.test_cli_runner().invoke(args=["supervision", "run", "--today", bad])
    assert result.exit_code == 2
    assert "--today" in result.output
