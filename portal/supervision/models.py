"""The supervision ledger (工作台账) and the registers behind it: court cases against government bodies, 庭外信用调解
sessions, letters, 约谈 and 现场督办 with their undertakings, commitment campaigns, and the daily job's runs.
The rules (which items, when due, their clauses) are in rules.py."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.agencies.models import Agency
from portal.commitments.rules import CommitmentSubject
from portal.db_types import Coded, UTCDateTime, one_of, utcnow
from portal.extensions import db
from portal.files.models import StoredFile
from portal.supervision.rules import (
    CaseStage,
    ClosedHow,
    LedgerRule,
    LetterKind,
    MediationResult,
    MeetingKind,
    MeetingState,
    letter_number,
    meeting_state,
)

if TYPE_CHECKING:
    from portal.measures.models import JointMeasure
    from portal.records.models import Record
    from portal.users.models import User


class CalendarOverride(db.Model):  # type: ignore[name-defined]
    """A day whose working status staff set by hand, when the official calendar changes or is not yet known."""

    __tablename__ = "calendar_overrides"

    day: Mapped[date] = mapped_column(primary_key=True)
    is_workday: Mapped[bool]
    note: Mapped[str] = mapped_column(String(200), default="")


class CourtCase(db.Model):  # type: ignore[name-defined]
    """A court case against a government body (涉政府案件), registered when the court reports the suit, before any
    judgment (新信用发〔2018〕6号 二(一)); a lost case is followed to its 履行期限 (同 二(二)) and may become a
    司法判决（败诉） record (`record`)."""

    __tablename__ = "court_cases"
    __table_args__ = (
        one_of("stage", CaseStage),
        CheckConstraint("judged_on IS NULL OR judged_on >= filed_on", name="judged_after_filing"),
        CheckConstraint("performance_due IS NULL OR performance_due >= judged_on", name="performance_after_judgment"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)  # the defendant body
    case_number: Mapped[str] = mapped_column(String(100), unique=True)  # 案号
    court: Mapped[str] = mapped_column(String(200))  # 审理法院
    plaintiff: Mapped[str] = mapped_column(String(200))  # 原告 (staff only: may be a person)
    cause: Mapped[str] = mapped_column(String(200))  # 案由
    amount_fen: Mapped[int | None] = mapped_column(BigInteger)  # 标的额
    filed_on: Mapped[date]  # 立案日期
    hearing_on: Mapped[date | None]  # 开庭日期
    notified_on: Mapped[date]  # the day the court's notice reached the credit office (counts the 提醒函's days)
    stage: Mapped[CaseStage] = mapped_column(Coded(CaseStage, 16), default=CaseStage.PENDING)
    judged_on: Mapped[date | None]  # 判决（裁定）日期
    judgment: Mapped[str] = mapped_column(Text, default="")  # 判决结果
    performance_due: Mapped[date | None]  # 履行期限 set by the court (a lost case)
    fulfilled_on: Mapped[date | None]  # fulfilled or settled: the 履行期限 item is done
    note: Mapped[str] = mapped_column(Text, default="")
    record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"))  # the 司法判决（败诉） record made from it
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    agency: Mapped[Agency] = relationship()
    record: Mapped[Record | None] = relationship()
    mediations: Mapped[list[MediationSession]] = relationship(
        back_populates="case", order_by="MediationSession.held_on"
    )


class MediationSession(db.Model):  # type: ignore[name-defined]
    """A 庭外信用调解 session of a court case and its result (泰信用办〔2022〕12号 二(三))."""

    __tablename__ = "mediation_sessions"
    __table_args__ = (one_of("result", MediationResult),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("court_cases.id"), index=True)
    held_on: Mapped[date]
    mediator: Mapped[str] = mapped_column(String(200))  # 调解组织或调解人 (by post)
    result: Mapped[MediationResult] = mapped_column(Coded(MediationResult, 16))
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    case: Mapped[CourtCase] = relationship(back_populates="mediations")


class Letter(db.Model):  # type: ignore[name-defined]
    """A letter of the credit office (提醒函, 督办函, 交办单, 约谈通知书, 情况通报) with its 文号 from the year's
    sequence
    (rules.letter_number), kept as the PDF that was sent (`file`, by its SHA-256). Sending one closes the ledger
    item it answers (the item's `letter`); the body's officer sees it and replies with text and evidence by
    `reply_due`."""

    __tablename__ = "letters"
    __table_args__ = (
        one_of("kind", LetterKind),
        UniqueConstraint("year", "serial", name="uq_letters_year_serial"),
        CheckConstraint("serial > 0", name="serial_positive"),
        CheckConstraint("reply_due IS NULL OR reply_due >= issued_on", name="reply_after_issue"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[LetterKind] = mapped_column(Coded(LetterKind, 24))
    year: Mapped[int]
    serial: Mapped[int]
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)  # the body it concerns
    addressee: Mapped[str] = mapped_column(String(300))  # 主送 (the body, or 县委、县政府… for a 情况通报)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)  # the facts and what is asked, plain text
    deadline: Mapped[date | None]  # 限期: what the letter asks done by
    reply_due: Mapped[date | None]  # a reply is asked for by this day (a ledger item)
    issued_on: Mapped[date]
    file_sha256: Mapped[str] = mapped_column(ForeignKey("stored_files.sha256"))  # the PDF sent
    case_id: Mapped[int | None] = mapped_column(ForeignKey("court_cases.id"))
    record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"))
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reply_text: Mapped[str] = mapped_column(Text, default="")
    reply_evidence_sha256: Mapped[str | None] = mapped_column(ForeignKey("stored_files.sha256"))
    replied_on: Mapped[date | None]
    replied_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    agency: Mapped[Agency] = relationship()
    file: Mapped[StoredFile] = relationship(foreign_keys=[file_sha256])
    reply_evidence: Mapped[StoredFile | None] = relationship(foreign_keys=[reply_evidence_sha256])
    case: Mapped[CourtCase | None] = relationship()
    record: Mapped[Record | None] = relationship()
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])

    @property
    def number(self) -> str:
        """The 文号, e.g. 信用办函〔2026〕3号."""
        return letter_number(self.year, self.serial)


class Meeting(db.Model):  # type: ignore[name-defined]
    """An entry of the 约谈 or the 现场督办 register (`kind`): scheduled, then held (date, place, interviewer and the
    body's 主要负责人 by post, minutes) or cancelled; what the body undertook are its `undertakings`. A held 约谈 may
    be published on its record as a 约谈告诫 measure (`measure`)."""

    __tablename__ = "meetings"
    __table_args__ = (
        one_of("kind", MeetingKind),
        CheckConstraint("held_on IS NULL OR cancelled_on IS NULL", name="held_or_cancelled"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[MeetingKind] = mapped_column(Coded(MeetingKind, 16))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("court_cases.id"), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")  # why: the rule that fired, or staff's words
    scheduled_on: Mapped[date]
    place: Mapped[str] = mapped_column(String(200))
    interviewer_post: Mapped[str] = mapped_column(String(200))  # 约谈人 / 督办带队 (by post)
    attendee_post: Mapped[str] = mapped_column(String(200))  # the body's 主要负责人 (by post)
    held_on: Mapped[date | None]
    minutes: Mapped[str] = mapped_column(Text, default="")
    cancelled_on: Mapped[date | None]
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    notice_letter_id: Mapped[int | None] = mapped_column(ForeignKey("letters.id"))  # 约谈通知书
    measure_id: Mapped[int | None] = mapped_column(ForeignKey("joint_measures.id"))  # published as 约谈告诫
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    agency: Mapped[Agency] = relationship()
    record: Mapped[Record | None] = relationship()
    case: Mapped[CourtCase | None] = relationship()
    notice_letter: Mapped[Letter | None] = relationship(foreign_keys=[notice_letter_id])
    measure: Mapped[JointMeasure | None] = relationship()
    undertakings: Mapped[list[Undertaking]] = relationship(
        back_populates="meeting", order_by="Undertaking.id", cascade="all, delete-orphan"
    )

    @property
    def state(self) -> MeetingState:
        return meeting_state(self.held_on, self.cancelled_on)


class Undertaking(db.Model):  # type: ignore[name-defined]
    """What a body undertook at a 约谈 or 现场督办, by a date: a ledger item until staff record it kept."""

    __tablename__ = "undertakings"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date]
    done_on: Mapped[date | None]
    done_note: Mapped[str] = mapped_column(Text, default="")

    meeting: Mapped[Meeting] = relationship(back_populates="undertakings")


campaign_agencies = db.Table(
    "campaign_agencies",
    db.Column("campaign_id", db.ForeignKey("commitment_campaigns.id"), primary_key=True),
    db.Column("agency_id", db.ForeignKey("agencies.id"), primary_key=True),
)


class Campaign(db.Model):  # type: ignore[name-defined]
    """A call on a set of agencies to make a commitment of `subject` by `due_on` (e.g. the yearly 履职尽责 commitment;
    泰信用办〔2022〕12号 二(一), 泗政秘〔2018〕145号 (十四)). An agency has answered once it has submitted or published
    a
    commitment of that subject on or after `opened_on`; until then it is a ledger item its officer sees."""

    __tablename__ = "commitment_campaigns"
    __table_args__ = (
        one_of("subject", CommitmentSubject),
        CheckConstraint("due_on >= opened_on", name="due_after_opening"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    subject: Mapped[CommitmentSubject] = mapped_column(Coded(CommitmentSubject, 32))
    opened_on: Mapped[date]
    due_on: Mapped[date]
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    agencies: Mapped[list[Agency]] = relationship(secondary=campaign_agencies, order_by="Agency.name")


class LedgerItem(db.Model):  # type: ignore[name-defined]
    """One item of the 工作台账: a thing the rules say is due by a day (rules.LedgerRule), for an agency, until it is
    closed — by a letter (`letter`), the meeting scheduled for it (`meeting`) once held, staff's note, or by the case
    itself. `key` names what the item is derived
    from (e.g. "execution_notice:record:12"), so the daily job can run again and change nothing."""

    __tablename__ = "ledger_items"
    __table_args__ = (
        one_of("rule", LedgerRule),
        one_of("closed_how", ClosedHow),
        CheckConstraint("(closed_on IS NULL) = (closed_how IS NULL)", name="closed_with_how"),
        # the open items by due day (the default list, its counts, the dashboard), and the closed ones
        Index(
            "ix_ledger_items_open_due",
            "due_on",
            "id",
            sqlite_where=text("closed_on IS NULL"),
            postgresql_where=text("closed_on IS NULL"),
        ),
        Index(
            "ix_ledger_items_closed_due",
            "due_on",
            "id",
            sqlite_where=text("closed_on IS NOT NULL"),
            postgresql_where=text("closed_on IS NOT NULL"),
        ),
        Index("ix_ledger_items_agency_due", "agency_id", "due_on", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    rule: Mapped[LedgerRule] = mapped_column(Coded(LedgerRule, 32), index=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))  # None: the office's own (月度通报)
    responsible_unit: Mapped[str] = mapped_column(String(200), default="")  # 责任单位 (the plan's, or the agency)
    subject: Mapped[str] = mapped_column(String(300))  # what it is about: 案号, record title, month …
    subject_type: Mapped[str] = mapped_column(String(20))  # record, case, meeting, undertaking, commitment, …
    subject_id: Mapped[int | None]
    opened_on: Mapped[date]
    due_on: Mapped[date]
    closed_on: Mapped[date | None]
    closed_how: Mapped[ClosedHow | None] = mapped_column(Coded(ClosedHow, 16))
    closed_note: Mapped[str] = mapped_column(Text, default="")
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    letter_id: Mapped[int | None] = mapped_column(ForeignKey("letters.id"))  # the letter that closed it
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id")
    )  # the 约谈/现场督办 scheduled or held for it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    agency: Mapped[Agency | None] = relationship()
    closed_by: Mapped[User | None] = relationship()
    letter: Mapped[Letter | None] = relationship(foreign_keys=[letter_id])
    meeting: Mapped[Meeting | None] = relationship(foreign_keys=[meeting_id])

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


class SupervisionRun(db.Model):  # type: ignore[name-defined]
    """One run of the daily job (`flask --app portal supervision run`): what it found, for the ledger's "updated"
    line and to show that a second run changes nothing."""

    __tablename__ = "supervision_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_for: Mapped[date]  # the `today` it derived the items for
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    opened: Mapped[int] = mapped_column(default=0)  # items created
    changed: Mapped[int] = mapped_column(default=0)  # due day or unit changed
    closed: Mapped[int] = mapped_column(default=0)  # closed by the case
