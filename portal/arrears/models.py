"""The money side of arrears and investment-promise records: the subtype, the repayment plan (还款计划), the
promised incentives and the payments received (沈政办发〔2018〕117号 二(三)). What is still owed is computed, never
stored."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.arrears.rules import Subtype
from portal.db_types import Coded, JSONDocument, UTCDateTime, one_of, utcnow
from portal.extensions import db


class ArrearsTerms(db.Model):  # type: ignore[name-defined]
    """What an arrears record is owed for (its subtype); one row per record that has one."""

    __tablename__ = "arrears_terms"
    __table_args__ = (one_of("subtype", Subtype),)

    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), primary_key=True)
    subtype: Mapped[Subtype] = mapped_column(Coded(Subtype, 16))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Instalment(db.Model):  # type: ignore[name-defined]
    """One instalment of the repayment plan (还款计划): due date and amount."""

    __tablename__ = "arrears_instalments"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    due_on: Mapped[date]
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Incentive(db.Model):  # type: ignore[name-defined]
    """An incentive promised to an investor (招商引资承诺的优惠政策): what, how much, by when."""

    __tablename__ = "promised_incentives"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    item: Mapped[str] = mapped_column(String(200))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    due_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Payment(db.Model):  # type: ignore[name-defined]
    """A payment received by the creditor (已偿还 / 已兑现), with its evidence (private files); for an investment
    promise, the incentive it pays."""

    __tablename__ = "arrears_payments"
    __table_args__ = (Index("ix_arrears_payments_record", "record_id", "paid_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"))
    incentive_id: Mapped[int | None] = mapped_column(ForeignKey("promised_incentives.id"))
    paid_on: Mapped[date]
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    note: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument, default=list)  # [{sha256, name, type}]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    incentive: Mapped[Incentive | None] = relationship()
