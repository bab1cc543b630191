"""Questions about commitment campaigns (定期承诺征集; 泰信用办〔2022〕12号 二(一), 泗政秘〔2018〕145号 (十四)): which
of a campaign's agencies have answered, the staff's list and an officer's.

An agency has answered a campaign once it has a commitment of the campaign's subject that it submitted (待审核) or
that is published (已发布), created on or after the day the campaign opened (in the portal's time zone). A draft, a
returned or a rejected commitment is no answer. The ledger's 定期承诺报送 items (rules.LedgerRule.CAMPAIGN_SUBMISSION)
ask the same question (`answered_agency_ids`)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Select, func, select

from portal.commitments.models import Commitment
from portal.commitments.rules import DraftState
from portal.extensions import db
from portal.supervision.models import Campaign, campaign_agencies

# The states that count as an answer: submitted to the credit office, or published.
ANSWER_STATES = (DraftState.SUBMITTED.value, DraftState.PUBLISHED.value)


def opening_instant(opened_on: date) -> datetime:
    """The first instant (UTC) of the day the campaign opened, in the portal's time zone (Asia/Shanghai): a
    commitment created from then on may answer it."""
    zone = ZoneInfo(current_app.config["PORTAL_SETTINGS"].timezone)
    return datetime.combine(opened_on, time(0), zone).astimezone(UTC)


def answers(campaign: Campaign) -> dict[int, Commitment]:
    """agency id → the first commitment (the earliest created) that answers the campaign, for each of its agencies
    that has answered."""
    agency_ids = select(campaign_agencies.c.agency_id).where(campaign_agencies.c.campaign_id == campaign.id)
    rows = db.session.scalars(
        select(Commitment)
        .where(
            Commitment.agency_id.in_(agency_ids),
            Commitment.subject == campaign.subject,
            Commitment.state.in_(ANSWER_STATES),
            Commitment.created_at >= opening_instant(campaign.opened_on),
        )
        .order_by(Commitment.created_at.desc(), Commitment.id.desc())
    )
    return {commitment.agency_id: commitment for commitment in rows}  # the earliest one is written last


def answered_agency_ids(campaign: Campaign) -> set[int]:
    """The ids of the campaign's agencies that have answered it (see the module's docstring)."""
    return set(answers(campaign))


def listed(agency_id: int | None = None) -> Select[Any]:
    """Campaigns, the latest due first (then the newest); with `agency_id`, only those that include that agency
    (an officer's list)."""
    query = select(Campaign)
    if agency_id is not None:
        query = query.where(
            Campaign.id.in_(select(campaign_agencies.c.campaign_id).where(campaign_agencies.c.agency_id == agency_id))
        )
    return query.order_by(Campaign.due_on.desc(), Campaign.id.desc())


def includes(campaign: Campaign, agency_id: int | None) -> bool:
    """Is the agency one of the campaign's?"""
    if agency_id is None:
        return False
    found = db.session.scalar(
        select(func.count())
        .select_from(campaign_agencies)
        .where(campaign_agencies.c.campaign_id == campaign.id, campaign_agencies.c.agency_id == agency_id)
    )
    return bool(found)


def agency_count(campaign_ids: list[int]) -> dict[int, int]:
    """campaign id → how many agencies it includes, for a page of campaigns."""
    if not campaign_ids:
        return {}
    rows = db.session.execute(
        select(campaign_agencies.c.campaign_id, func.count())
        .where(campaign_agencies.c.campaign_id.in_(campaign_ids))
        .group_by(campaign_agencies.c.campaign_id)
    )
    return {campaign_id: count for campaign_id, count in rows}


def unanswered(agency_id: int) -> list[Campaign]:
    """The campaigns that include the agency and that it has not answered yet (its officer's to-do), in two
    queries: the campaigns, then the agency's commitments that could answer them."""
    campaigns = list(db.session.scalars(listed(agency_id)))
    if not campaigns:
        return []
    earliest = min(opening_instant(c.opened_on) for c in campaigns)
    made = db.session.execute(
        select(Commitment.subject, Commitment.created_at).where(
            Commitment.agency_id == agency_id,
            Commitment.state.in_(ANSWER_STATES),
            Commitment.created_at >= earliest,
        )
    ).all()
    return [
        campaign
        for campaign in campaigns
        if not any(
            subject == campaign.subject and created_at >= opening_instant(campaign.opened_on)
            for subject, created_at in made
        )
    ]
