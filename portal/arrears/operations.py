"""Staff enter the money side of arrears and investment-promise records: the subtype, the repayment plan, the
promised incentives, and each payment received with its evidence. Each use case checks the rules, changes state,
writes its audit entry, notes the public change (the record's page and feeds move) and flushes; the view commits."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l

from portal.arrears.models import ArrearsTerms, Incentive, Instalment, Payment
from portal.arrears.queries import MoneyCase, money_case
from portal.arrears.rules import ARREARS, INVESTMENT_PROMISE, Problem, Subtype, instalment_problem, payment_problem
from portal.audit.operations import write_audit
from portal.core.money import format_yuan
from portal.core.uploads import CheckedFile
from portal.db_types import utcnow
from portal.errors import NotAllowedError, RefusedError
from portal.extensions import db
from portal.files.operations import keep_upload
from portal.outbox import ItemType, changed, item_key
from portal.records.models import Record
from portal.users.models import User

MESSAGES: dict[Problem, Any] = {  # the problems whose message needs no figures
    Problem.NOT_POSITIVE: _l("金额应大于 0"),
    Problem.IN_FUTURE: _l("付款日期不能晚于今天"),
}


def _case(record: Record, kind: str | None, today: date) -> MoneyCase:
    """The record's money, if it may be changed: a record of the right kind that is still shown."""
    case = money_case(record)
    if case is None or (kind is not None and record.kind != kind):
        raise NotAllowedError(_l("该类别的记录没有此项内容。"))
    if record.stop_notice(today) is not None:
        raise NotAllowedError(_l("该记录已停止公示，不能再登记。"))
    return case


def _moved(record: Record) -> None:
    """The record's public page changed: its feeds' `updated` moves and the search index hears of it."""
    record.updated_at = utcnow()
    changed(item_key(ItemType.RECORD, record.id))
    db.session.flush()


def set_subtype(record: Record, subtype: Subtype, today: date, *, by: User) -> None:
    """The arrears' subtype (工程款, 货款, 物资采购款, 保证金, 政策兑现款, 其他)."""
    case = _case(record, ARREARS, today)
    old = case.subtype
    if old is subtype:
        return
    terms = db.session.get(ArrearsTerms, record.id)
    if terms is None:
        db.session.add(ArrearsTerms(record_id=record.id, subtype=subtype))
    else:
        terms.subtype = subtype
    write_audit("arrears.subtype", "record", record.id, {"subtype": [old.value if old else None, subtype.value]}, by=by)
    _moved(record)


def add_instalment(record: Record, due_on: date, amount: int, today: date, *, by: User) -> Instalment:
    """One more instalment of the repayment plan (沈政办发〔2018〕117号 二(三)1 制定还款计划): after the last one, and
    the plan no larger than the amount owed. RefusedError beside `instalment_due` or `instalment_amount`."""
    case = _case(record, ARREARS, today)
    problem = instalment_problem(due_on, amount, [(i.due_on, i.amount_fen) for i in case.instalments], case.owed)
    if problem is Problem.OUT_OF_ORDER:
        last = max(i.due_on for i in case.instalments).isoformat()
        raise RefusedError(_l("还款日期应晚于计划中最后一期的日期（%(last)s）", last=last), field="instalment_due")
    if problem is Problem.PLAN_ABOVE_OWED:
        message = _l(
            "还款计划合计不能超过拖欠金额（%(owed)s），计划中已有 %(planned)s",
            owed=format_yuan(case.owed),
            planned=format_yuan(case.planned),
        )
        raise RefusedError(message, field="instalment_amount")
    if problem is not None:
        raise RefusedError(MESSAGES[problem], field="instalment_amount")
    instalment = Instalment(record_id=record.id, due_on=due_on, amount_fen=amount)
    db.session.add(instalment)
    db.session.flush()
    write_audit(
        "arrears.instalment",
        "record",
        record.id,
        {"due_on": [None, due_on.isoformat()], "amount_fen": [None, amount]},
        by=by,
    )
    _moved(record)
    return instalment


def add_incentive(record: Record, item: str, amount: int, due_on: date, today: date, *, by: User) -> Incentive:
    """A promised incentive of an investment promise (沈政办发〔2018〕117号 二(三)2 招商政策承诺): item, amount,
    due date."""
    _case(record, INVESTMENT_PROMISE, today)
    if amount <= 0:
        raise RefusedError(MESSAGES[Problem.NOT_POSITIVE], field="incentive_amount")
    incentive = Incentive(record_id=record.id, item=item.strip(), amount_fen=amount, due_on=due_on)
    db.session.add(incentive)
    db.session.flush()
    write_audit(
        "arrears.incentive",
        "record",
        record.id,
        {"item": [None, incentive.item], "amount_fen": [None, amount], "due_on": [None, due_on.isoformat()]},
        by=by,
    )
    _moved(record)
    return incentive


def record_payment(
    record: Record,
    paid_on: date,
    amount: int,
    evidence: list[CheckedFile],
    files_dir: Path,
    today: date,
    *,
    by: User,
    incentive_id: int | None = None,
    note: str = "",
) -> Payment:
    """A payment received, with its evidence files (stored only once the payment is allowed). It may not be above
    what is still owed: on the record, and for an investment promise with incentives, on the incentive it pays.
    RefusedError beside `paid_amount`, `paid_on` or `incentive`."""
    case = _case(record, None, today)
    incentive: Incentive | None = None
    still_owed = case.balance
    if record.kind == INVESTMENT_PROMISE and case.incentives:
        incentive = next((i for i in case.incentives if i.id == incentive_id), None)
        if incentive is None:
            raise RefusedError(_l("请选择这笔款项兑现的优惠政策"), field="incentive")
        still_owed = min(still_owed, case.incentive_balance(incentive))
    problem = payment_problem(paid_on, amount, still_owed, record.decision_date, today)
    if problem is Problem.ABOVE_BALANCE:
        raise RefusedError(
            _l("付款金额超过尚欠金额（%(balance)s）", balance=format_yuan(still_owed)), field="paid_amount"
        )
    if problem is Problem.BEFORE_DECISION:
        message = _l("付款日期不能早于记录的决定日期（%(date)s）", date=record.decision_date.isoformat())
        raise RefusedError(message, field="paid_on")
    if problem is Problem.IN_FUTURE:
        raise RefusedError(MESSAGES[problem], field="paid_on")
    if problem is not None:
        raise RefusedError(MESSAGES[problem], field="paid_amount")
    payment = Payment(
        record_id=record.id,
        incentive_id=incentive.id if incentive else None,
        paid_on=paid_on,
        amount_fen=amount,
        note=note.strip(),
        evidence=[keep_upload(f, files_dir) for f in evidence],
    )
    db.session.add(payment)
    db.session.flush()
    write_audit(
        "arrears.payment",
        "record",
        record.id,
        {
            "paid_on": [None, paid_on.isoformat()],
            "amount_fen": [None, amount],
            "balance_fen": [still_owed, still_owed - amount],
            **({"incentive": [None, incentive.item]} if incentive else {}),
        },
        by=by,
    )
    _moved(record)
    return payment
