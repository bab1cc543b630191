"""Commitment campaigns (定期承诺征集): staff call on a set of agencies to make a commitment of one subject by a due
date — 泰信用办〔2022〕12号 二(一) (履职尽责、优化服务、廉洁自律承诺, made periodically) and 泗政秘〔2018〕145号
(十四) (towns' public commitments). Each agency that has not answered by then is a ledger item its officer sees
(the ledger's CAMPAIGN_SUBMISSION rule; queries.campaigns.answered_agency_ids says who has answered).

One function per use case: it checks the rules, changes state, writes the audit entry, derives the campaign's
ledger items at once (operations.ledger.refresh_subject) and flushes; the view commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from portal.agencies.models import Agency
from portal.audit.operations import write_audit
from portal.commitments.rules import CommitmentSubject
from portal.errors import InputRefusedError
from portal.extensions import db
from portal.supervision.models import Campaign
from portal.supervision.operations.ledger import refresh_subject
from portal.users.models import User

TITLE_MAX = 200


def open_campaign(
    title: str,
    subject: CommitmentSubject,
    agencies: Sequence[Agency],
    due_on: date,
    note: str,
    today: date,
    *,
    by: User,
) -> Campaign:
    """Open a campaign today for `agencies`, due on `due_on`. InputRefusedError beside its field: no title, a due
    date before today, no agency, an agency closed or merged (it can make no new commitment)."""
    problems: dict[str, Any] = {}
    title = title.strip()
    if not title:
        problems["title"] = _l("请填写征集名称")
    elif len(title) > TITLE_MAX:
        problems["title"] = _l("太长了：最多 %(max)d 个字符。", max=TITLE_MAX)
    if due_on < today:
        problems["due_on"] = _l("报送截止日期不能早于今天（%(today)s）", today=today.isoformat())
    unique = list({agency.id: agency for agency in agencies}.values())
    closed = [agency for agency in unique if not agency.is_active]
    if not unique:
        problems["agencies"] = _l("请至少选择一个单位")
    elif closed:
        problems["agencies"] = _l(
            "以下单位已撤销或合并，不能再作出承诺：%(names)s",
            names="、".join(agency.name for agency in closed),
        )
    if problems:
        raise InputRefusedError(problems)
    campaign = Campaign(
        title=title,
        subject=subject,
        opened_on=today,
        due_on=due_on,
        note=note.strip(),
        created_by_id=by.id,
        agencies=sorted(unique, key=lambda agency: agency.name),
    )
    db.session.add(campaign)
    db.session.flush()
    write_audit(
        "campaign.open",
        "campaign",
        campaign.id,
        {
            "title": [None, campaign.title],
            "subject": [None, subject.value],
            "opened_on": [None, today.isoformat()],
            "due_on": [None, due_on.isoformat()],
            "agency_ids": [None, sorted(agency.id for agency in unique)],
        },
        by=by,
    )
    refresh_subject("campaign", campaign.id, today)
    db.session.flush()
    return campaign
