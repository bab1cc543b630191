"""The 工作台账 (supervision ledger): every deadline the local rules set, counted in working days. Pure: `today` and
the working-day calendar are arguments.

Each ledger rule below names its source clause. The five documents are in ../shared/policy/ (see its README):
- 新信用发〔2018〕6号 (新沂), 关于建立健全政府机构失信治理长效机制实施意见, 二(一) … 二(九);
- 泰信用办〔2022〕12号 (泰安), 关于持续深化政务失信治理…的通知, 二(一) … 二(六);
- 如东县政务失信防范治理长效管理办法（试行）(2020), 三(二): 约谈 for concealment or delay;
- 泗政秘〔2018〕145号 (泗县) (十四): towns' public commitments;
- 沈政办发〔2018〕117号 (沈阳) 二(二): monthly 监测结果和预警报告.

The number of working days each rule allows is in core.deadlines.DEFAULT_DAYS (PORTAL_DEADLINE_DAYS overrides it):
7 where a document says 7 working days; the portal's own default where a document says only 及时 (promptly).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from portal.core.deadlines import Urgency, urgency
from portal.core.labelled import N_, LabelledEnum
from portal.core.workdays import WorkCalendar


class LetterKind(LabelledEnum):
    """The letters the credit office sends (DESIGN.md, Supervision)."""

    REMINDER = "reminder", N_("提醒函")  # 新信用发〔2018〕6号 二(一); 泰信用办〔2022〕12号 二(二)、二(四)
    URGING = "urging", N_("督办函")  # 新信用发〔2018〕6号 二(二)
    ASSIGNMENT = "assignment", N_("交办单")  # 新信用发〔2018〕6号 二(五): 发函、下发交办单
    INTERVIEW_NOTICE = "interview_notice", N_("约谈通知书")  # 新信用发〔2018〕6号 二(五)1; 如东县办法 三(二)
    NOTIFICATION = "notification", N_("情况通报")  # 泰信用办〔2022〕12号 二(五): 通报同级党委、政府及组织部、财政


class Closing(LabelledEnum):
    """How a ledger item is closed: by a letter, by a 约谈 or 现场督办 held, by staff recording what happened (the
    court's notice came, the bulletin went out, an undertaking was kept), or by the case itself (the derived kind:
    the daily job sees the rectification finished, the complaint answered …)."""

    LETTER = "letter", N_("发函")
    MEETING = "meeting", N_("约谈或现场督办")
    MANUAL = "manual", N_("登记办结")
    CASE = "case", N_("随案件办结")


class ClosedHow(LabelledEnum):
    """How an item was in fact closed (shown in the ledger's 办结情况 column, with the letter's 文号, the meeting's
    date or the note)."""

    LETTER = "letter", N_("已发函")
    MEETING = "meeting", N_("已约谈或督办")
    MANUAL = "manual", N_("已登记办结")
    DONE = "done", N_("已随案件办结")
    REPLIED = "replied", N_("已回复")
    LAPSED = "lapsed", N_("情况变化，无需办理")


@dataclass(frozen=True)
class RuleSpec:
    clause: str  # the source clause, as the documents are cited (shown on the ledger and the item page)
    closing: Closing
    letter: LetterKind | None = None  # the letter that closes it (Closing.LETTER)
    days: str | None = None  # its key in core.deadlines.DEFAULT_DAYS, when the due day is counted in working days


class LedgerRule(LabelledEnum):
    """The kinds of ledger item. RULES below gives each one's source clause, how it is closed and its days."""

    SUIT_REMINDER = "suit_reminder", N_("起诉案件提醒")
    LOST_CASE_URGING = "lost_case_urging", N_("败诉案件督办")
    PERFORMANCE = "performance", N_("判决履行期限")
    EXECUTION_NOTICE = "execution_notice", N_("执行立案通报")
    EXECUTION_REMINDER = "execution_reminder", N_("执行案件提醒履行")
    DEFAULTER_NOTIFICATION = "defaulter_notification", N_("失信被执行人通报")
    SITE_VISIT = "site_visit", N_("现场督办")
    PENALTY_REPAIR_REMINDER = "penalty_repair_reminder", N_("行政处罚到期修复提醒")
    RECTIFICATION_DEADLINE = "rectification_deadline", N_("整改期限")
    PLAN_STEP_DEADLINE = "plan_step_deadline", N_("整改措施期限")
    INTERVIEW_SUGGESTED = "interview_suggested", N_("建议约谈")
    UNDERTAKING = "undertaking", N_("约谈承诺事项")
    COMMITMENT_DETERMINATION = "commitment_determination", N_("承诺履行认定")
    CAMPAIGN_SUBMISSION = "campaign_submission", N_("定期承诺报送")
    MONTHLY_BULLETIN = "monthly_bulletin", N_("月度通报")
    LETTER_REPLY = "letter_reply", N_("函件回复")
    COMPLAINT = "complaint", N_("投诉办理")
    OBJECTION = "objection", N_("异议处理")
    REPAIR = "repair", N_("信用修复决定")

    @property
    def spec(self) -> RuleSpec:
        return RULES[self]


RULES: Mapping[LedgerRule, RuleSpec] = {
    # 新信用发〔2018〕6号 二(一): the court reports a suit against a government body; the credit office writes to the
    # defendant to seek a settlement or prepare its defence (致函并提醒). "Promptly": the portal's default days.
    LedgerRule.SUIT_REMINDER: RuleSpec(
        "新信用发〔2018〕6号 二(一)", Closing.LETTER, LetterKind.REMINDER, "suit_reminder"
    ),
    # 新信用发〔2018〕6号 二(二): on a lost case, a 督办函 to fulfil within the court's 履行期限 …
    LedgerRule.LOST_CASE_URGING: RuleSpec(
        "新信用发〔2018〕6号 二(二)", Closing.LETTER, LetterKind.URGING, "lost_case_urging"
    ),
    # … and the 履行期限 itself, overdue when it passes without the judgment fulfilled or settled (同 二(二)、二(三)).
    LedgerRule.PERFORMANCE: RuleSpec("新信用发〔2018〕6号 二(二)", Closing.CASE),
    # 泰信用办〔2022〕12号 二(四): the court notifies the credit office within 7 working days of 立案 (the office
    # records when the notice came) …
    LedgerRule.EXECUTION_NOTICE: RuleSpec("泰信用办〔2022〕12号 二(四)", Closing.MANUAL, days="execution_notice"),
    # … then reminds the body to fulfil or settle (提醒被执行政府机构及时履行法定义务), counted from the notice.
    LedgerRule.EXECUTION_REMINDER: RuleSpec(
        "泰信用办〔2022〕12号 二(四)", Closing.LETTER, LetterKind.REMINDER, "execution_reminder"
    ),
    # 泰信用办〔2022〕12号 二(五): within 7 working days of learning that a body is listed as 失信被执行人, notify
    # 同级党委、政府及党委组织部、财政 …
    LedgerRule.DEFAULTER_NOTIFICATION: RuleSpec(
        "泰信用办〔2022〕12号 二(五)", Closing.LETTER, LetterKind.NOTIFICATION, "defaulter_notification"
    ),
    # … and organise 现场督办 (及时组织现场督办; the portal counts the same 7 working days).
    LedgerRule.SITE_VISIT: RuleSpec("泰信用办〔2022〕12号 二(五)", Closing.MEETING, days="defaulter_notification"),
    # 泰信用办〔2022〕12号 二(二): within 7 working days after a penalty's minimum publication period, remind the body
    # in writing (函告) to fulfil and apply for credit repair.
    LedgerRule.PENALTY_REPAIR_REMINDER: RuleSpec(
        "泰信用办〔2022〕12号 二(二)", Closing.LETTER, LetterKind.REMINDER, "penalty_repair_reminder"
    ),
    # 新信用发〔2018〕6号 二(五): 限期整改; past the 整改期限 the case is overdue and goes on the list for the
    # government; 如东县办法: the 整改方案's measures each with a deadline.
    LedgerRule.RECTIFICATION_DEADLINE: RuleSpec("新信用发〔2018〕6号 二(五)", Closing.CASE),
    LedgerRule.PLAN_STEP_DEADLINE: RuleSpec("新信用发〔2018〕6号 二(五)", Closing.CASE),
    # 泰信用办〔2022〕12号 二(五) (没有进展或进展缓慢的单位…约谈); 如东县办法 三(二); 新信用发〔2018〕6号 二(五)1
    # 失信约谈: overdue with no progress for `interview_idle` working days puts the body on the suggested-约谈 list; the
    # 约谈 is then due within `interview_hold` working days (the portal's default).
    LedgerRule.INTERVIEW_SUGGESTED: RuleSpec(
        "泰信用办〔2022〕12号 二(五)；如东县办法 三(二)；新信用发〔2018〕6号 二(五)1",
        Closing.MEETING,
        days="interview_hold",
    ),
    # 如东县办法 三(二): what the body undertook at a 约谈 or 现场督办, each by its own date.
    LedgerRule.UNDERTAKING: RuleSpec("如东县办法 三(二)", Closing.MANUAL),
    # 泰信用办〔2022〕12号 二(一) (履约践诺信息 on the 政务承诺专栏): a commitment past its valid-until date needs a
    # fulfilment determination (the portal's default days).
    LedgerRule.COMMITMENT_DETERMINATION: RuleSpec(
        "泰信用办〔2022〕12号 二(一)", Closing.CASE, days="commitment_determination"
    ),
    # 泰信用办〔2022〕12号 二(一): bodies make 履职尽责、优化服务、廉洁自律 commitments periodically;
    # 泗政秘〔2018〕145号
    # (十四): towns publicly. Due on the campaign's date.
    LedgerRule.CAMPAIGN_SUBMISSION: RuleSpec("泰信用办〔2022〕12号 二(一)；泗政秘〔2018〕145号 (十四)", Closing.CASE),
    # 新信用发〔2018〕6号 二(八): 每月月底前一个工作日 the month's 通报 (沈政办发〔2018〕117号 二(二): monthly report).
    LedgerRule.MONTHLY_BULLETIN: RuleSpec("新信用发〔2018〕6号 二(八)", Closing.MANUAL),
    # A letter that asks for an answer: the reply is due on the date the letter sets.
    LedgerRule.LETTER_REPLY: RuleSpec("新信用发〔2018〕6号 二(五)", Closing.CASE),
    # The filings' own deadlines (core.deadlines.DEFAULT_DAYS): 泗政秘〔2018〕145号 (八) 投诉举报; 泰信用办〔2022〕12号
    # 二(六) 异议申诉、信用修复.
    LedgerRule.COMPLAINT: RuleSpec("泗政秘〔2018〕145号 (八)", Closing.CASE),
    LedgerRule.OBJECTION: RuleSpec("泰信用办〔2022〕12号 二(六)", Closing.CASE),
    LedgerRule.REPAIR: RuleSpec("泰信用办〔2022〕12号 二(六)", Closing.CASE),
}


def due_after(rule: LedgerRule, start: date, calendar: WorkCalendar, days: Mapping[str, int]) -> date:
    """The due day of `rule` counted from `start` (立案, the notice, the judgment, the end of the minimum
    publication period …): `days[rule's key]` working days after it, `start` itself not counted."""
    key = rule.spec.days
    if key is None:
        raise ValueError(f"{rule} has no working-day count: its due day is a date of the case")
    return calendar.add_workdays(start, days[key])


def bulletin_due(year: int, month: int, calendar: WorkCalendar) -> date:
    """新信用发〔2018〕6号 二(八): 每月月底前一个工作日 — the last working day before the month's last day."""
    first_of_next = date(year + month // 12, month % 12 + 1, 1)
    return calendar.previous_workday(first_of_next - timedelta(days=1))


def interview_suggested_on(
    overdue_since: date | None, last_activity: date | None, calendar: WorkCalendar, idle_days: int
) -> date | None:
    """The day a case goes on the suggested-约谈 list (泰信用办〔2022〕12号 二(五); 如东县办法 三(二)): `idle_days`
    working days with no progress after it became overdue — counted from the later of the day it was overdue
    (`overdue_since`, the first day past its deadline) and its last progress, 约谈 or 现场督办. None when the case
    is not overdue."""
    if overdue_since is None:
        return None
    start = overdue_since if last_activity is None else max(overdue_since, last_activity)
    return calendar.add_workdays(start, idle_days)


def item_state(due_on: date, closed_on: date | None, today: date, calendar: WorkCalendar) -> Urgency:
    """未到期, 今明到期, 已逾期 or 已办结: core.deadlines.urgency, an item closed being 已办结."""
    return urgency(None if closed_on is not None else due_on, today, calendar)


# Letters carry a 文号 from a per-year sequence: 信用办函〔2026〕3号.
LETTER_PREFIX = "信用办函"


def letter_number(year: int, serial: int) -> str:
    return f"{LETTER_PREFIX}〔{year}〕{serial}号"


class CaseStage(LabelledEnum):
    """A court case against a government body (涉政府案件), registered before any judgment (新信用发〔2018〕6号
    二(一))."""

    PENDING = "pending", N_("审理中")
    LOST = "lost", N_("败诉")
    WON = "won", N_("胜诉")
    SETTLED = "settled", N_("调解或和解结案")
    WITHDRAWN = "withdrawn", N_("撤诉")


class MediationResult(LabelledEnum):
    """The result of a 庭外信用调解 session (泰信用办〔2022〕12号 二(三))."""

    AGREED = "agreed", N_("达成和解")
    PARTIAL = "partial", N_("部分达成")
    FAILED = "failed", N_("未达成")


class MeetingKind(LabelledEnum):
    """The two registers kept the same way: 约谈 (泰信用办〔2022〕12号 二(五); 如东县办法 三(二); 新信用发〔2018〕6号
    二(五)1) and 现场督办 (泰信用办〔2022〕12号 二(五))."""

    INTERVIEW = "interview", N_("约谈")
    SITE_VISIT = "site_visit", N_("现场督办")


class MeetingState(LabelledEnum):
    SCHEDULED = "scheduled", N_("已安排")
    HELD = "held", N_("已举行")
    CANCELLED = "cancelled", N_("已取消")


def meeting_state(held_on: date | None, cancelled_on: date | None) -> MeetingState:
    if held_on is not None:
        return MeetingState.HELD
    if cancelled_on is not None:
        return MeetingState.CANCELLED
    return MeetingState.SCHEDULED
