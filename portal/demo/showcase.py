"""The demo's cases as the credit office works them: each one made through the same operations the workspace
calls (plans, review decisions, results, joint measures, repayments, incentives, positive items, a complaint
linked to its record, complaints rated, published and returned), by the demo accounts, so the audit log, the
outbox and every page show the real flow.

The bulk of the demo (records by the thousand for the benchmarks) is inserted directly; these cases come on top."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from portal.agencies.models import Agency
from portal.agencies.operations import add_positive_item
from portal.agencies.rules import AgencyKind, PositiveKind
from portal.arrears.operations import add_incentive, add_instalment, record_payment, set_subtype
from portal.arrears.rules import Subtype
from portal.complaints.operations import (
    accept,
    agency_answers,
    close,
    file_complaint,
    link_record,
    publish_answer,
    rate,
    redacted_answer,
    return_to_agency,
    transfer,
)
from portal.complaints.rules import Satisfaction
from portal.core.deadlines import DEFAULT_DAYS
from portal.core.uploads import EVIDENCE, CheckedFile, check_upload
from portal.demo.pdf import one_page_pdf
from portal.extensions import db
from portal.measures.operations import apply_measure, confirm_measure
from portal.measures.rules import MeasureKind
from portal.records.kinds import Kind
from portal.records.models import Record
from portal.records.rules import RecordStatus
from portal.rectifications.operations import (
    create_plan,
    mark_step_done,
    report_completion,
    report_progress,
    revise_plan,
    submit_plan,
)
from portal.rectifications.rules import Plan, Step
from portal.review.operations import decide
from portal.review.rules import SubmissionStatus
from portal.supervision.operations import work_calendar
from portal.users.models import User
from portal.users.rules import Role


def _evidence(title: str) -> list[CheckedFile]:
    pdf = one_page_pdf([title.encode().hex(), "fictional demo data"])
    return [check_upload(f"{title}.pdf", pdf, EVIDENCE.kinds, EVIDENCE.max_bytes)]


def _officer(agency_id: int) -> User:
    officer = db.session.scalar(select(User).where(User.role == Role.OFFICER, User.agency_id == agency_id))
    assert officer is not None, "the demo has an officer for every agency"
    return officer


def _open_cases(kind: Kind | None, today: date, count: int) -> list[Record]:
    """Public records without a plan yet, oldest decision first (so every deadline can fall after it)."""
    query = select(Record).where(
        Record.public_clause(today), Record.status == RecordStatus.PUBLIC, Record.publication_start <= today
    )
    if kind is not None:
        query = query.where(Record.kind == kind)
    found = [
        r for r in db.session.scalars(query.order_by(Record.decision_date, Record.id).limit(200)) if not r.rectification
    ]
    return found[:count]


def _plan(record: Record, today: date, deadline: date) -> Plan:
    first = max(record.decision_date, min(deadline, today - timedelta(days=20)))
    return Plan(
        responsible_unit=record.agency.name,
        responsible_post="分管负责人、财务科科长",
        steps=(
            Step("制定还款或履行计划，明确资金来源并报县政府审定", first),
            Step("按计划履行义务，向信用办报送佐证材料", deadline),
        ),
        deadline=deadline,
    )


def show_the_real_flow(today: date, files_dir: Path) -> None:
    """Run the demo's showcase cases through the operations (the caller commits)."""
    staff = db.session.scalar(select(User).where(User.username == "demo-staff"))
    assert staff is not None
    finance = db.session.scalar(select(Agency).where(Agency.name.like("%财政局")))
    government = db.session.scalar(
        select(Agency).where(Agency.kind == AgencyKind.GOVERNMENT, Agency.parent_id.is_(None))
    )
    assert finance is not None
    assert government is not None
    cases = _open_cases(None, today, 4)

    # 1. Staff make a plan; a measure is done; the plan is adjusted with a reason (调整记录).
    if len(cases) > 0:
        record = cases[0]
        rectification = create_plan(record, _plan(record, today, today + timedelta(days=60)), today, by=staff)
        mark_step_done(rectification, rectification.steps[0].id, today - timedelta(days=3), today, by=staff)
        longer = _plan(record, today, today + timedelta(days=90))
        revise_plan(rectification, longer, "财政资金分两批到位，整改期限相应延长", today, by=staff)
        officer = _officer(record.agency_id)
        submission = report_progress(
            record,
            today - timedelta(days=1),
            "已支付首批款项，余款列入下月预算。",
            _evidence("进展佐证"),
            files_dir,
            today,
            by=officer,
        )
        decide(submission, SubmissionStatus.APPROVED, "", today, by=staff)

    # 2. The agency's officer drafts the plan, staff approve it; the deadline has passed: 逾期未整改, and a joint
    #    measure (书面警示) is applied and confirmed by the unit carrying it out.
    if len(cases) > 1:
        record = cases[1]
        officer = _officer(record.agency_id)
        past = max(record.decision_date + timedelta(days=30), today - timedelta(days=15))
        if past < today:
            decide(
                submit_plan(record, _plan(record, today, past), today, by=officer),
                SubmissionStatus.APPROVED,
                "",
                today,
                by=staff,
            )
        unit = finance if finance.id != record.agency_id else government
        measure = apply_measure(
            record,
            MeasureKind.WRITTEN_WARNING,
            unit,
            "演信用办〔2026〕12号",
            today - timedelta(days=5),
            "新信用发〔2018〕6号 (五)：对逾期未整改的失信政府机构实施惩戒",
            "逾期未整改，书面警示",
            today,
            by=staff,
        )
        confirm_measure(measure, today - timedelta(days=2), "已向该单位送达书面警示函", today, by=_officer(unit.id))

    # 3. A plan carried out: the officer reports 履行完毕 with evidence, staff confirm it, the record is 已履行.
    if len(cases) > 2:
        record = cases[2]
        create_plan(record, _plan(record, today, today + timedelta(days=30)), today, by=staff)
        officer = _officer(record.agency_id)
        report = report_completion(
            record,
            today - timedelta(days=1),
            "履行凭证及债权人确认书",
            "款项已全部支付，债权人确认无异议。",
            _evidence("履行完毕佐证"),
            files_dir,
            today,
            by=officer,
        )
        decide(report, SubmissionStatus.APPROVED, "", today, by=staff)

    # 4. Arrears: what is owed, the repayment plan and a payment (沈政办发〔2018〕117号 二(三)1); staff also note what
    # more of them are owed for, so that a search for 拖欠货款 or 欠保证金 finds its kind of arrears (issue 16).
    in_arrears = _open_cases(Kind.ARREARS, today, 12)
    kinds = [s for s in Subtype if s not in (Subtype.CONSTRUCTION, Subtype.OTHER)]
    for n, record in enumerate(in_arrears[2:]):
        set_subtype(record, kinds[n % len(kinds)], today, by=staff)
    for record in in_arrears[:2]:
        set_subtype(record, Subtype.CONSTRUCTION, today, by=staff)
        owed = int(record.details.get("amount_owed") or 0)
        if owed >= 300:
            add_instalment(record, today + timedelta(days=30), owed // 3, today, by=staff)
            add_instalment(record, today + timedelta(days=90), owed - owed // 3, today, by=staff)
            record_payment(
                record,
                max(record.decision_date, today - timedelta(days=7)),
                owed // 6,
                _evidence("付款凭证"),
                files_dir,
                today,
                by=staff,
                note="首期部分付款",
            )

    # 5. An investment promise: the incentives promised, and what has been paid.
    for record in _open_cases(Kind.INVESTMENT_PROMISE, today, 1):
        incentive = add_incentive(record, "固定资产投资补助", 50_000_000, today - timedelta(days=60), today, by=staff)
        record_payment(
            record,
            max(record.decision_date, today - timedelta(days=10)),
            20_000_000,
            _evidence("补助拨付凭证"),
            files_dir,
            today,
            by=staff,
            incentive_id=incentive.id,
            note="第一笔补助已拨付",
        )

    # 6. Positive information on the 政务诚信档案 (泰信用办〔2022〕12号 三(四)).
    add_positive_item(
        government,
        {
            "title": "营商环境建设先进单位",
            "kind": PositiveKind.COMMENDATION,
            "awarded_on": today - timedelta(days=40),
            "awarding_unit": "演示市人民政府",
            "document_number": "演示政发〔2026〕8号",
            "note": "演示数据",
        },
        today,
        by=staff,
    )

    # 7. A complaint (新官不理旧账: unpaid works), accepted and linked to its agency's arrears record.
    arrears = db.session.scalars(
        select(Record).where(Record.public_clause(today), Record.kind == Kind.ARREARS).order_by(Record.id).limit(1)
    ).first()
    if arrears is not None:
        complaint, _receipt = file_complaint(
            {
                "filer_type": "individual",
                "name": "演示县某建筑队负责人",
                "uscc": "",
                "phone": "0527-88886666",
                "email": "",
                "agency_id": arrears.agency_id,
                "agency_typed": "",
                "category": "old_debts",
                "description": "工程竣工验收已满一年，换届后工程款至今未付。（演示数据）",
                "amount_fen": 120_000_000,
                "publish_consent": False,
            },
            [],
            files_dir,
            today,
            work_calendar(today),
            DEFAULT_DAYS,
        )
        accept(complaint, today, by=staff)
        link_record(complaint, arrears, by=staff)

    # 8. Two complaints closed and rated (issue 18): one 满意 and published in a public version staff wrote from the
    #    redacted draft; one 不满意 and returned to the agency once, now waiting for its answer again.
    _rated_complaints(finance, today, files_dir, staff)


def _rated_complaints(agency: Agency, today: date, files_dir: Path, staff: User) -> None:
    officer = _officer(agency.id)
    cases = (
        ("enterprise", "演示建材有限公司", "arrears", True, Satisfaction.SATISFIED, 30),
        ("individual", "演示县某村民", "broken_promise", True, Satisfaction.DISSATISFIED, 12),
    )
    for filer_type, name, category, consent, rating, days_ago in cases:
        filed = today - timedelta(days=days_ago)
        calendar = work_calendar(filed)
        complaint, _receipt = file_complaint(
            {
                "filer_type": filer_type,
                "name": name,
                "uscc": "91990121MA0000000X" if filer_type == "enterprise" else "",
                "phone": "0527-88887777",
                "email": "",
                "agency_id": agency.id,
                "agency_typed": "",
                "category": category,
                "description": f"{agency.name}的款项（或承诺的补贴）逾期未兑现。（演示数据）",
                "amount_fen": 35_000_000,
                "publish_consent": consent,
            },
            [],
            files_dir,
            filed,
            calendar,
            DEFAULT_DAYS,
        )
        accept(complaint, filed, by=staff)
        transfer(complaint, agency, filed, by=staff, note="请核实并在期限内反馈。")
        closed = min(calendar.add_workdays(filed, 7), today)  # never after today, whatever holidays fall between
        answered = min(calendar.add_workdays(filed, 5), closed)
        agency_answers(complaint, "已核实，款项已安排支付。（演示数据）", answered, by=officer)
        close(
            complaint,
            f"{name}：您好！经核实，{agency.name}已安排支付。如有疑问请拨打 0527-88887777。",
            closed,
            by=staff,
        )
        rate(complaint, rating, "" if rating is Satisfaction.SATISFIED else "只说安排，没有说哪天付。", closed)
        if rating is Satisfaction.SATISFIED:
            publish_answer(complaint, redacted_answer(complaint), by=staff)
        else:
            return_to_agency(
                complaint, today, work_calendar(today), DEFAULT_DAYS, by=staff, note="请明确付款日期后重新反馈。"
            )
