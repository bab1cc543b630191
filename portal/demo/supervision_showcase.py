"""The demo's supervision, as the credit office works it (issue 13): the 工作台账 derived by the daily job, then a
few items worked through the same operations the workspace calls — a suit and its 提醒函, a lost case with its 督办函,
its 履行期限 passed and the 约谈 it brought (held, with undertakings), a court's execution notice recorded and the
reminder sent, a 失信被执行人 reported and visited (现场督办), a penalty's repair reminder answered by the agency, a
held 约谈 published as a 约谈告诫 measure, and the year's commitment campaign for the townships. Letters are real
PDFs with their 文号."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from portal.agencies.models import Agency
from portal.agencies.rules import AgencyKind
from portal.commitments.rules import CommitmentSubject
from portal.core.deadlines import DEFAULT_DAYS
from portal.core.uploads import EVIDENCE, check_upload
from portal.demo.pdf import one_page_pdf
from portal.extensions import db
from portal.measures.models import JointMeasure
from portal.measures.rules import MeasureKind
from portal.supervision.forms.letters import letter_draft
from portal.supervision.models import CourtCase, LedgerItem, Letter
from portal.supervision.operations import work_calendar
from portal.supervision.operations.campaigns import open_campaign
from portal.supervision.operations.cases import record_judgment, register_case
from portal.supervision.operations.ledger import refresh_ledger
from portal.supervision.operations.ledger_notes import close_by_note
from portal.supervision.operations.letters import reply_to_letter, send_letter
from portal.supervision.operations.meetings import hold_meeting, publish_as_measure, schedule_meeting
from portal.supervision.rules import CaseStage, LedgerRule, LetterKind, MeetingKind
from portal.users.models import User
from portal.users.rules import Role


def _open_item(rule: LedgerRule, subject_type: str | None = None) -> LedgerItem | None:
    query = select(LedgerItem).where(LedgerItem.rule == rule, LedgerItem.closed_on.is_(None))
    if subject_type is not None:
        query = query.where(LedgerItem.subject_type == subject_type)
    return db.session.scalars(query.order_by(LedgerItem.due_on, LedgerItem.id).limit(1)).first()


def _item_of(rule: LedgerRule, subject_type: str, subject_id: int) -> LedgerItem | None:
    return db.session.scalars(
        select(LedgerItem).where(
            LedgerItem.rule == rule,
            LedgerItem.subject_type == subject_type,
            LedgerItem.subject_id == subject_id,
            LedgerItem.closed_on.is_(None),
        )
    ).first()


def _send_for(item: LedgerItem, today: date, files_dir: Path, staff: User) -> Letter:
    """The letter the item asks for, as the form prefills it (forms.letters.letter_draft)."""
    assert item.agency is not None
    case = db.session.get(CourtCase, item.subject_id) if item.subject_type == "case" and item.subject_id else None
    draft = letter_draft(item, item.agency, case, today, work_calendar(today), DEFAULT_DAYS)
    return send_letter(
        LetterKind(draft["kind"]),
        item.agency,
        addressee=draft["addressee"],
        title=draft["title"],
        body=draft["body"],
        deadline=draft.get("deadline"),
        reply_due=draft.get("reply_due"),
        today=today,
        by=staff,
        files_dir=files_dir,
        item=item,
        case=case,
    )


def _hold(meeting_kind: MeetingKind, item: LedgerItem, today: date, staff: User, undertakings: list[str]) -> None:
    assert item.agency is not None
    meeting = schedule_meeting(
        meeting_kind,
        item.agency,
        scheduled_on=today,
        place="县信用办会议室" if meeting_kind is MeetingKind.INTERVIEW else f"{item.agency.name}办公地",
        interviewer_post="县信用办主任" if meeting_kind is MeetingKind.INTERVIEW else "县政府分管副县长",
        attendee_post="主要负责人",
        item=item,
        today=today,
        by=staff,
    )
    calendar = work_calendar(today)
    hold_meeting(
        meeting,
        held_on=today,
        minutes="通报失信情况和整改要求；被约谈单位说明原因并作出承诺。（演示数据）",
        undertakings=[(text, calendar.add_workdays(today, 10 * (n + 1))) for n, text in enumerate(undertakings)],
        today=today,
        by=staff,
    )
    if meeting_kind is MeetingKind.INTERVIEW and meeting.record is not None:
        credit_office = db.session.scalar(select(Agency).where(Agency.name.like("%发展和改革%")))
        already = db.session.scalar(
            select(JointMeasure.id).where(
                JointMeasure.record_id == meeting.record.id,
                JointMeasure.kind == MeasureKind.INTERVIEW,
                JointMeasure.lifted_on.is_(None),
            )
        )
        if credit_office is not None and credit_office.id != meeting.agency_id and already is None:
            publish_as_measure(
                meeting, today, by=staff, implementing_agency=credit_office, document_number="演信用办〔2026〕12号"
            )


def supervise(today: date, files_dir: Path) -> None:
    """Run the demo's supervision through the operations (the caller commits)."""
    staff = db.session.scalar(select(User).where(User.username == "demo-staff"))
    assert staff is not None
    refresh_ledger(today)  # the daily job: every item the rules ask for today
    calendar = work_calendar(today)
    bodies = list(
        db.session.scalars(select(Agency).where(Agency.kind == AgencyKind.DEPARTMENT).order_by(Agency.id).limit(2))
    )

    # 1. 新信用发〔2018〕6号 二(一): a suit reported by the court; the 提醒函 goes out.
    suit = register_case(
        {
            "agency": bodies[0].id,
            "case_number": f"（{today.year}）演0121行初118号",
            "court": "演示县人民法院",
            "plaintiff": "演示县某建材有限公司",
            "cause": "行政协议纠纷",
            "amount_fen": 86_000_000,
            "filed_on": today - timedelta(days=20),
            "hearing_on": today + timedelta(days=30),
            "notified_on": today - timedelta(days=2),
            "note": "演示数据",
        },
        today,
        by=staff,
    )
    reminder = _item_of(LedgerRule.SUIT_REMINDER, "case", suit.id)
    if reminder is not None:
        _send_for(reminder, today, files_dir, staff)

    # 2. 同 二(二): a lost case; the 督办函 went out, the 履行期限 passed with no progress: a 约谈 held, undertakings.
    lost = register_case(
        {
            "agency": bodies[-1].id,
            "case_number": f"（{today.year}）演0121民初52号",
            "court": "演示县人民法院",
            "plaintiff": "演示县某工程有限公司",
            "cause": "建设工程施工合同纠纷",
            "amount_fen": 312_500_000,
            "filed_on": today - timedelta(days=200),
            "hearing_on": today - timedelta(days=150),
            "notified_on": today - timedelta(days=198),
            "note": "演示数据",
        },
        today,
        by=staff,
    )
    record_judgment(
        lost,
        CaseStage.LOST,
        today - timedelta(days=90),
        "判决被告于判决生效后三十日内支付工程款3125000元及利息。（演示数据）",
        today - timedelta(days=60),
        today,
        by=staff,
    )
    urging = _item_of(LedgerRule.LOST_CASE_URGING, "case", lost.id)
    if urging is not None:
        _send_for(urging, today, files_dir, staff)
    suggested = _item_of(LedgerRule.INTERVIEW_SUGGESTED, "case", lost.id)
    if suggested is not None:
        _hold(MeetingKind.INTERVIEW, suggested, today, staff, ["制定分期支付方案报县政府审定", "支付首期工程款"])

    # 3. 泰信用办〔2022〕12号 二(四): the court's execution notice recorded; the reminder to fulfil goes out.
    notice = _open_item(LedgerRule.EXECUTION_NOTICE)
    if notice is not None:
        close_by_note(notice, today, "已收到县人民法院执行立案通报（演示数据）", today, by=staff)
        assert notice.subject_id is not None
        execution = _item_of(LedgerRule.EXECUTION_REMINDER, "record", notice.subject_id)
        if execution is not None:
            _send_for(execution, today, files_dir, staff)

    # 4. 同 二(五): a 失信被执行人 reported to the county's leaders, and visited (现场督办).
    listed = _open_item(LedgerRule.DEFAULTER_NOTIFICATION)
    if listed is not None and listed.subject_id is not None:
        _send_for(listed, today, files_dir, staff)
        visit = _item_of(LedgerRule.SITE_VISIT, "record", listed.subject_id)
        if visit is not None:
            _hold(MeetingKind.SITE_VISIT, visit, today, staff, ["明确资金来源，限期履行生效法律文书"])

    # 5. 同 二(二): a penalty past its minimum period; the reminder goes out and the agency's officer answers it.
    penalty = _open_item(LedgerRule.PENALTY_REPAIR_REMINDER)
    if penalty is not None and penalty.agency_id is not None:
        letter = _send_for(penalty, today, files_dir, staff)
        officer = db.session.scalar(
            select(User).where(User.role == Role.OFFICER, User.agency_id == penalty.agency_id).order_by(User.id)
        )
        if officer is not None and letter.reply_due is not None:
            evidence = one_page_pdf(["xinyong xiufu shenqing", "fictional demo data"])
            reply_to_letter(
                letter,
                "已按期缴纳罚款，正在“信用中国”网站提交信用修复申请。（演示数据）",
                [check_upload("修复申请回执.pdf", evidence, EVIDENCE.kinds, EVIDENCE.max_bytes)],
                today,
                by=officer,
                files_dir=files_dir,
            )

    # 6. 如东县办法 三(二): a rectification overdue and idle — the suggested 约谈 held and published as 约谈告诫.
    warned = select(JointMeasure.record_id).where(
        JointMeasure.kind == MeasureKind.INTERVIEW, JointMeasure.lifted_on.is_(None)
    )
    idle = db.session.scalars(
        select(LedgerItem)
        .where(
            LedgerItem.rule == LedgerRule.INTERVIEW_SUGGESTED,
            LedgerItem.subject_type == "record",
            LedgerItem.closed_on.is_(None),
            LedgerItem.subject_id.not_in(warned),
        )
        .order_by(LedgerItem.due_on, LedgerItem.id)
        .limit(1)
    ).first()
    if idle is not None:
        _hold(MeetingKind.INTERVIEW, idle, today, staff, ["十个工作日内报送整改进展"])

    # 7. 泰信用办〔2022〕12号 二(一); 泗政秘〔2018〕145号 (十四): the townships' yearly commitments.
    towns = list(db.session.scalars(select(Agency).where(Agency.kind == AgencyKind.TOWNSHIP).order_by(Agency.id)))
    if towns:
        open_campaign(
            f"{today.year + 1}年度乡镇（街道）履职尽责公开承诺",
            CommitmentSubject.DUTY,
            towns,
            calendar.add_workdays(today, 15),
            "各乡镇（街道）在工作台提交承诺书，经信用办审核后在政务承诺专栏公示。（演示数据）",
            today,
            by=staff,
        )
