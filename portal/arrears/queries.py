"""What an arrears or investment-promise record owes and was paid, and the money sums of the public pages (in SQL,
in integer fen)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from portal.arrears.models import ArrearsTerms, Incentive, Instalment, Payment
from portal.arrears.rules import ARREARS, MONEY_KINDS, Subtype, balance
from portal.extensions import db
from portal.records.models import Record


@dataclass
class MoneyCase:
    """A record's money: the subtype, plan, incentives and payments, what was owed, paid and is still owed."""

    record: Record
    subtype: Subtype | None
    instalments: list[Instalment]
    incentives: list[Incentive]
    payments: list[Payment]
    paid_by_incentive: dict[int, int] = field(default_factory=dict)

    @property
    def owed(self) -> int:
        """Arrears: the 拖欠金额; an investment promise: its incentives' total, or its 涉及金额 while it has none."""
        if self.record.kind == ARREARS or not self.incentives:
            return self.record.amount_fen or 0
        return sum(i.amount_fen for i in self.incentives)

    @property
    def paid(self) -> int:
        return sum(p.amount_fen for p in self.payments)

    @property
    def balance(self) -> int:
        return balance(self.owed, self.paid)

    @property
    def planned(self) -> int:
        return sum(i.amount_fen for i in self.instalments)

    def incentive_balance(self, incentive: Incentive) -> int:
        return balance(incentive.amount_fen, self.paid_by_incentive.get(incentive.id, 0))


def money_case(record: Record) -> MoneyCase | None:
    """The record's money (None for a kind without any): four small queries by the record's id."""
    if record.kind not in MONEY_KINDS:
        return None
    terms = db.session.get(ArrearsTerms, record.id)
    payments = list(
        db.session.scalars(select(Payment).where(Payment.record_id == record.id).order_by(Payment.paid_on, Payment.id))
    )
    paid_by_incentive: dict[int, int] = {}
    for payment in payments:
        if payment.incentive_id is not None:
            paid_by_incentive[payment.incentive_id] = (
                paid_by_incentive.get(payment.incentive_id, 0) + payment.amount_fen
            )
    return MoneyCase(
        record=record,
        subtype=terms.subtype if terms else None,
        instalments=list(
            db.session.scalars(select(Instalment).where(Instalment.record_id == record.id).order_by(Instalment.due_on))
        ),
        incentives=list(
            db.session.scalars(
                select(Incentive).where(Incentive.record_id == record.id).order_by(Incentive.due_on, Incentive.id)
            )
        ),
        payments=payments,
        paid_by_incentive=paid_by_incentive,
    )


@dataclass(frozen=True)
class Money:
    """Money owed on the public arrears records (拖欠金额) and repaid on them (已偿还), in fen."""

    owed: int
    repaid: int

    @property
    def outstanding(self) -> int:
        return balance(self.owed, self.repaid)


def arrears_money(today: date, agency_ids: Collection[int] | None = None) -> Money:
    """The sums over the public arrears records (of these agencies, if given), computed in SQL: the amounts walk
    ix_records_kind_amount, the payments join them by record."""
    shown = [Record.public_clause(today), Record.kind == ARREARS]
    if agency_ids is not None:
        shown.append(Record.agency_id.in_(list(agency_ids)))
    owed = select(func.coalesce(func.sum(Record.amount_fen), 0)).where(*shown)
    repaid = (
        select(func.coalesce(func.sum(Payment.amount_fen), 0))
        .join(Record, Payment.record_id == Record.id)
        .where(*shown)
    )
    row = db.session.execute(select(owed.scalar_subquery(), repaid.scalar_subquery())).one()  # one round trip
    return Money(int(row[0] or 0), int(row[1] or 0))
