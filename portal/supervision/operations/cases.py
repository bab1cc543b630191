"""Court cases against government bodies (涉政府案件), followed from the suit to the judgment and its performance:

- 新信用发〔2018〕6号 二(一): the court reports a suit against a body (起诉政府案件通报); the credit office registers
  it before any judgment and writes to the defendant (提醒函: the ledger's SUIT_REMINDER item);
- 泰信用办〔2022〕12号 二(三): 庭外信用调解 sessions and their result;
- 新信用发〔2018〕6号 二(二): the judgment; a lost case is urged (督办函: LOST_CASE_URGING) to fulfil within the court's
  履行期限 (PERFORMANCE, overdue when it passes unfulfilled), and may become a 司法判决（败诉） record.

One function per use case: it checks the rules, changes state, writes the audit entry, derives the case's ledger
items at once (operations.ledger.refresh_subject, so the ledger shows them without waiting for the daily job) and
flushes; the view commits. Bad input is an InputRefusedError (messages by field), a step the case's stage does not
allow a NotAllowedError (409); either way nothing is written."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.agencies.models import Agency
from portal.audit.operations import write_audit
from portal.core.money import format_yuan
from portal.core.periods import Severity
from portal.errors import InputRefusedError, NotAllowedError
from portal.extensions import db
from portal.records.models import Record
from portal.records.operations import create_record
from portal.supervision.models import CourtCase, MediationSession
from portal.supervision.operations.ledger import refresh_subject
from portal.supervision.rules import CaseStage, MediationResult
from portal.users.models import User

# The columns' lengths (models.CourtCase).
CASE_NUMBER_MAX = 100
NAME_MAX = 200
RECORD_TITLE_MAX = 200

CaseValues = Mapping[str, Any]  # a new case as the form gives it: see register_case


def _refresh(case: CourtCase, today: date) -> None:
    """The case's ledger items follow its change at once (提醒函 due on registration, 督办函 and 履行期限 on a lost
    judgment, the 履行期限 closed by the fulfilment)."""
    db.session.flush()
    refresh_subject("case", case.id, today)
    db.session.flush()


def _not_after_today(today: date) -> Any:
    return _l("日期不能晚于今天（%(today)s）", today=today.isoformat())


def _not_before(what: Any, day: date) -> Any:
    return _l("不能早于%(what)s（%(day)s）", what=what, day=day.isoformat())


def _case_number_taken(case_number: str) -> CourtCase | None:
    return db.session.scalar(select(CourtCase).where(CourtCase.case_number == case_number))


def _reused(existing: CourtCase) -> Any:
    return _l(
        "案号 %(number)s 已登记（被告：%(agency)s），同一案件不能重复登记",
        number=existing.case_number,
        agency=existing.agency.name,
    )


# --- which step a case's stage allows ------------------------------------------------------------------------------

STEPS = ("hearing", "mediation", "judgment", "fulfilment", "record")


def is_open(case: CourtCase) -> bool:
    """Still to be settled: being tried, or lost and not yet fulfilled (mediation may still settle it)."""
    return case.stage is CaseStage.PENDING or (case.stage is CaseStage.LOST and case.fulfilled_on is None)


def step_refusal(case: CourtCase, step: str) -> NotAllowedError | None:
    """Why the case's stage does not allow `step` (one of STEPS) now, or None when it does."""
    stage = case.stage
    if step in ("hearing", "judgment") and stage is not CaseStage.PENDING:
        return NotAllowedError(
            _l(
                "案件已于 %(day)s 结案（%(stage)s），不能再登记开庭或判决。",
                day=_day(case.judged_on),
                stage=stage.label,
            )
        )
    if step == "mediation" and not is_open(case):
        return NotAllowedError(_l("案件已结案（%(stage)s），不能再登记调解。", stage=stage.label))
    if step == "fulfilment" and stage is not CaseStage.LOST:
        return NotAllowedError(_l("只有败诉案件需要登记履行情况（本案：%(stage)s）。", stage=stage.label))
    if step == "record" and stage is not CaseStage.LOST:
        return NotAllowedError(_l("只有败诉案件可以转为司法判决（败诉）记录（本案：%(stage)s）。", stage=stage.label))
    if step == "fulfilment" and case.fulfilled_on is not None:
        return NotAllowedError(_l("本案已于 %(day)s 登记履行完毕。", day=case.fulfilled_on.isoformat()))
    if step == "record" and case.record_id is not None:
        return NotAllowedError(_l("本案已转为失信记录，不能重复生成。"))
    return None


def check_step(case: CourtCase, step: str) -> None:
    """NotAllowedError (409) when the case's stage does not allow `step` now."""
    refusal = step_refusal(case, step)
    if refusal is not None:
        raise refusal


def open_steps(case: CourtCase) -> frozenset[str]:
    """The steps the case's page offers now."""
    return frozenset(step for step in STEPS if step_refusal(case, step) is None)


def _day(day: date | None) -> str:
    return day.isoformat() if day else ""


# --- registering the suit (新信用发〔2018〕6号 二(一)) ---------------------------------------------------------------


def register_case(values: CaseValues, today: date, *, by: User) -> CourtCase:
    """Register a suit against a government body, as the court reported it (新信用发〔2018〕6号 二(一)).

    `values`: agency (the defendant's id), case_number (案号), court, plaintiff, cause (案由), amount_fen (标的额,
    None when not known), filed_on (立案日期), hearing_on (开庭日期, optional), notified_on (the day the court's
    notice came; None: today), note. InputRefusedError with every problem beside its field: an unknown agency or
    one closed or merged, a 案号 already registered, an empty required text, 立案 after today, 开庭 before 立案,
    the notice before 立案 or after today."""
    problems: dict[str, Any] = {}
    agency_id = values.get("agency")
    agency = db.session.get(Agency, agency_id) if isinstance(agency_id, int) else None
    if agency is None:
        problems["agency"] = _l("请从列表中选择被告单位")
    elif not agency.is_active:
        problems["agency"] = _l("该单位已撤销或合并，不能再登记为被告，请选择承继其职责的单位")
    texts = {name: str(values.get(name) or "").strip() for name in ("case_number", "court", "plaintiff", "cause")}
    for name, text in texts.items():
        longest = CASE_NUMBER_MAX if name == "case_number" else NAME_MAX
        if not text:
            problems[name] = _l("此项必填")
        elif len(text) > longest:
            problems[name] = _l("太长了：最多 %(max)d 个字符。", max=longest)
    if "case_number" not in problems:
        existing = _case_number_taken(texts["case_number"])
        if existing is not None:
            problems["case_number"] = _reused(existing)
    filed_on: date | None = values.get("filed_on")
    hearing_on: date | None = values.get("hearing_on")
    notified_on: date = values.get("notified_on") or today
    if filed_on is None:
        problems["filed_on"] = _l("此项必填")
    else:
        if filed_on > today:
            problems["filed_on"] = _l("立案日期不能晚于今天（%(today)s）", today=today.isoformat())
        if hearing_on is not None and hearing_on < filed_on:
            problems["hearing_on"] = _not_before(_l("立案日期"), filed_on)
        if notified_on < filed_on:
            problems["notified_on"] = _not_before(_l("立案日期"), filed_on)
    if notified_on > today:
        problems["notified_on"] = _l("收到通报的日期不能晚于今天（%(today)s）", today=today.isoformat())
    amount_fen = values.get("amount_fen")
    if amount_fen is not None and amount_fen < 0:
        problems["amount_fen"] = _l("标的额不能为负数")
    if problems:
        raise InputRefusedError(problems)
    assert agency is not None
    assert filed_on is not None
    case = CourtCase(
        agency_id=agency.id,
        case_number=texts["case_number"],
        court=texts["court"],
        plaintiff=texts["plaintiff"],
        cause=texts["cause"],
        amount_fen=amount_fen,
        filed_on=filed_on,
        hearing_on=hearing_on,
        notified_on=notified_on,
        stage=CaseStage.PENDING,
        judgment="",
        note=str(values.get("note") or "").strip(),
        created_by_id=by.id,
    )
    case.agency = agency
    try:
        with db.session.begin_nested():  # the same 案号 registered at the same moment: refused, not a 500
            db.session.add(case)
            db.session.flush()
    except IntegrityError:
        raise InputRefusedError(
            {"case_number": _l("案号 %(number)s 已登记，同一案件不能重复登记", number=texts["case_number"])}
        ) from None
    write_audit(
        "court_case.register",
        "court_case",
        case.id,
        {
            "agency_id": [None, agency.id],
            "case_number": [None, case.case_number],
            "court": [None, case.court],
            "cause": [None, case.cause],
            "amount": [None, format_yuan(amount_fen) if amount_fen is not None else ""],
            "filed_on": [None, filed_on.isoformat()],
            "hearing_on": [None, hearing_on.isoformat() if hearing_on else ""],
            "notified_on": [None, notified_on.isoformat()],
        },
        by=by,
    )
    _refresh(case, today)
    return case


def record_hearing(case: CourtCase, hearing_on: date, today: date, *, by: User) -> None:
    """The hearing date (开庭日期) of a case still being tried, set or changed: not before 立案 (it may lie ahead).
    NotAllowedError once the case is decided."""
    check_step(case, "hearing")
    if hearing_on < case.filed_on:
        raise InputRefusedError({"hearing_on": _not_before(_l("立案日期"), case.filed_on)})
    old = case.hearing_on
    case.hearing_on = hearing_on
    write_audit(
        "court_case.hearing",
        "court_case",
        case.id,
        {"hearing_on": [old.isoformat() if old else None, hearing_on.isoformat()]},
        by=by,
    )
    _refresh(case, today)


# --- 庭外信用调解 (泰信用办〔2022〕12号 二(三)) -------------------------------------------------------------------


def record_mediation(
    case: CourtCase,
    held_on: date,
    mediator: str,
    result: MediationResult,
    note: str,
    today: date,
    *,
    by: User,
) -> MediationSession:
    """A 庭外信用调解 session and its result (泰信用办〔2022〕12号 二(三)), held between 立案 and today. A pending case
    mediated to agreement is then closed as 调解或和解结案 (record_judgment with CaseStage.SETTLED); a lost case
    settled with the applicant is recorded fulfilled (record_fulfilment). NotAllowedError for a case already
    closed; InputRefusedError beside its field for no mediator, a date before 立案 or after today."""
    check_step(case, "mediation")
    problems: dict[str, Any] = {}
    mediator = mediator.strip()
    if not mediator:
        problems["mediator"] = _l("请填写调解组织或调解人（按职务）")
    elif len(mediator) > NAME_MAX:
        problems["mediator"] = _l("太长了：最多 %(max)d 个字符。", max=NAME_MAX)
    if held_on > today:
        problems["held_on"] = _not_after_today(today)
    elif held_on < case.filed_on:
        problems["held_on"] = _not_before(_l("立案日期"), case.filed_on)
    if problems:
        raise InputRefusedError(problems)
    session = MediationSession(
        case_id=case.id, held_on=held_on, mediator=mediator, result=result, note=note.strip(), created_by_id=by.id
    )
    db.session.add(session)
    db.session.flush()
    write_audit(
        "court_case.mediation",
        "court_case",
        case.id,
        {
            "mediation_id": [None, session.id],
            "held_on": [None, held_on.isoformat()],
            "mediator": [None, mediator],
            "result": [None, result.value],
        },
        by=by,
    )
    _refresh(case, today)
    return session


# --- the judgment and its performance (新信用发〔2018〕6号 二(二)) -------------------------------------------------


def record_judgment(
    case: CourtCase,
    stage: CaseStage,
    judged_on: date,
    judgment: str,
    performance_due: date | None,
    today: date,
    *,
    by: User,
) -> None:
    """The case decided: lost, won, settled (调解或和解结案) or withdrawn (撤诉), on `judged_on` (between 立案 and
    today). A lost case needs the judgment's text and the court's 履行期限 (not before the judgment): the ledger
    then asks for a 督办函 and watches the 履行期限 (新信用发〔2018〕6号 二(二)). NotAllowedError (409) for a case no
    longer pending; InputRefusedError beside its field otherwise."""
    check_step(case, "judgment")
    problems: dict[str, Any] = {}
    judgment = judgment.strip()
    if stage is CaseStage.PENDING:
        problems["stage"] = _l("请选择判决或结案结果")
    if judged_on > today:
        problems["judged_on"] = _not_after_today(today)
    elif judged_on < case.filed_on:
        problems["judged_on"] = _not_before(_l("立案日期"), case.filed_on)
    if stage is CaseStage.LOST:
        if not judgment:
            problems["judgment"] = _l("败诉案件请填写判决结果（将写入失信记录）")
        if performance_due is None:
            problems["performance_due"] = _l("败诉案件请填写法院判定的履行期限")
        elif performance_due < judged_on:
            problems["performance_due"] = _not_before(_l("判决日期"), judged_on)
    elif performance_due is not None:
        problems["performance_due"] = _l("只有败诉案件有履行期限，请清空此项或选择“败诉”")
    if problems:
        raise InputRefusedError(problems)
    case.stage = stage
    case.judged_on = judged_on
    case.judgment = judgment
    case.performance_due = performance_due if stage is CaseStage.LOST else None
    write_audit(
        "court_case.judgment",
        "court_case",
        case.id,
        {
            "stage": [CaseStage.PENDING.value, stage.value],
            "judged_on": [None, judged_on.isoformat()],
            "judgment": [None, judgment],
            "performance_due": [None, _day(case.performance_due) or None],
        },
        by=by,
    )
    _refresh(case, today)


def close_case(case: CourtCase, stage: CaseStage, closed_on: date, note: str, today: date, *, by: User) -> None:
    """A pending case closed without a judgment against the body: settled after a 庭外信用调解 reached agreement
    (泰信用办〔2022〕12号 二(三)), withdrawn, or won. The same step as record_judgment, without a 履行期限."""
    record_judgment(case, stage, closed_on, note, None, today, by=by)


def record_fulfilment(case: CourtCase, fulfilled_on: date, note: str, today: date, *, by: User) -> None:
    """A lost case fulfilled, or settled with the applicant and the settlement performed (新信用发〔2018〕6号 二(二)),
    on a day between the judgment and today: the ledger's 履行期限 item closes with the case. NotAllowedError for a
    case that is not lost or is already fulfilled."""
    check_step(case, "fulfilment")
    assert case.judged_on is not None  # a lost case is judged
    if fulfilled_on > today:
        raise InputRefusedError({"fulfilled_on": _not_after_today(today)})
    if fulfilled_on < case.judged_on:
        raise InputRefusedError({"fulfilled_on": _not_before(_l("判决日期"), case.judged_on)})
    note = note.strip()
    case.fulfilled_on = fulfilled_on
    if note:  # kept as data, in the documents' language (not the reader's)
        case.note = f"{case.note}\n{fulfilled_on.isoformat()} 履行情况：{note}".strip()
    write_audit(
        "court_case.fulfilment",
        "court_case",
        case.id,
        {"fulfilled_on": [None, fulfilled_on.isoformat()], "note": [None, note]},
        by=by,
    )
    _refresh(case, today)


# --- the 司法判决（败诉） record --------------------------------------------------------------------------------


def record_values(case: CourtCase, severity: Severity) -> dict[str, Any]:
    """The lost case as the records feature's RecordValues of kind lost_lawsuit: the court decided it (认定机关 and
    数据来源单位), its 案号 is the 文书编号, the judgment day is the decision date. The plaintiff is not named (a
    person's name is not published)."""
    assert case.judged_on is not None
    # The record's text is data, published in the documents' language whatever the staff member reads.
    title = f"{case.agency.name} 败诉案件 {case.case_number}"
    summary = (
        f"{case.agency.name}在{case.court}审理的案件（{case.case_number}，案由：{case.cause}）中败诉，"
        f"判决日期 {case.judged_on.isoformat()}。"
    )
    return {
        "agency": case.agency_id,
        "title": title[:RECORD_TITLE_MAX],
        "summary": summary,
        "severity": severity.value,
        "deciding_authority": case.court,
        "deciding_authority_code": "",
        "source_unit": case.court,
        "document_number": case.case_number,
        "decision_date": case.judged_on,
        "case_number": case.case_number,
        "court": case.court,
        "cause": case.cause,
        "judgment": case.judgment,
        "amount": case.amount_fen,
    }


def make_record(case: CourtCase, today: date, *, by: User, severity: Severity = Severity.GENERAL) -> Record:
    """A lost case becomes a 司法判决（败诉） record with one action (新信用发〔2018〕6号 二(二)): created, published,
    indexed and audited by the records feature's own create_record, then linked to the case. NotAllowedError (409)
    for a case that is not lost or already has its record; the records feature's refusals (e.g. a judgment so old
    that its disclosure period has ended, an agency since closed) pass through as they are."""
    check_step(case, "record")
    record = create_record("lost_lawsuit", record_values(case, severity), today, by=by)
    case.record_id = record.id
    write_audit("court_case.record", "court_case", case.id, {"record_id": [None, record.id]}, by=by)
    _refresh(case, today)
    refresh_subject("record", record.id, today)
    db.session.flush()
    return record
