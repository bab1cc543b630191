"""Commitment campaigns (承诺征集) in the workspace.

Bodies make 履职尽责、优化服务、廉洁自律 commitments periodically (泰信用办〔2022〕12号 二(一)), and towns publicly
(泗政秘〔2018〕145号 (十四)). Staff open a campaign for a set of agencies with a due date and follow who has answered;
each agency that has not is a ledger item until it submits a commitment of the campaign's subject. An officer sees
the campaigns that include their agency, whether it has answered (已报送/未报送), and goes to the commitments workspace
to make the commitment; another agency's campaign is 404 to them."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.wrappers import Response

from portal import clock
from portal.agencies.models import Agency
from portal.agencies.queries import active_agencies
from portal.agencies.rules import AgencyKind
from portal.commitments.rules import CommitmentSubject
from portal.errors import RefusedError, show_refusal
from portal.extensions import db
from portal.listing import paginate, parse_list_query
from portal.menu import dashboard_figure, menu_link
from portal.supervision.forms.campaigns import CampaignForm
from portal.supervision.models import Campaign
from portal.supervision.operations.campaigns import open_campaign
from portal.supervision.queries.campaigns import agency_count, answers, includes, listed, unanswered
from portal.supervision.rules import LedgerRule
from portal.users.access import STAFF_ROLES, current, get_or_404, signed_in
from portal.users.models import User
from portal.users.rules import Role

bp = Blueprint("campaigns", __name__, url_prefix="/workspace/campaigns")

menu_link("campaigns.index", _l("承诺征集"), roles=frozenset(Role), order=18)


@dashboard_figure(
    _l("本单位未报送的承诺征集：%(n)d"), roles=frozenset({Role.OFFICER}), order=18, link="campaigns.index"
)
def _waiting_for_my_unit(user: User) -> int:
    return len(unanswered(user.agency_id)) if user.agency_id is not None else 0


# --- the list ------------------------------------------------------------------------------------------------------


@bp.get("/")
@signed_in()
def index() -> tuple[str, int]:
    """Staff: every campaign with how many of its agencies have answered. An officer: the campaigns that include
    their agency, each 已报送 or 未报送."""
    asked = parse_list_query(request.args, {})
    user = current()
    is_staff = user.role in STAFF_ROLES
    if not is_staff and user.agency_id is None:
        abort(403)  # an officer bound to no agency is called on by no campaign
    results = paginate(listed(None if is_staff else user.agency_id), asked)
    campaigns: list[Campaign] = results.items
    totals = agency_count([c.id for c in campaigns])
    answered = {c.id: answers(c) for c in campaigns}
    return render_template(
        "workspace/supervision/campaigns/index.html",
        results=results,
        asked=asked,
        is_staff=is_staff,
        totals=totals,
        answered=answered,
        agency_id=user.agency_id,
        today=clock.today(),
    ), asked.status


# --- opening one (staff) ---------------------------------------------------------------------------------------------


def _new_page(form: CampaignForm) -> str:
    agencies = active_agencies()
    groups = [(kind, [a for a in agencies if a.kind is kind]) for kind in AgencyKind]
    chosen = {str(value) for value in form.agencies.data or []}
    return render_template(
        "workspace/supervision/campaigns/new.html",
        form=form,
        groups=[(kind, members) for kind, members in groups if members],
        chosen=chosen,
        chosen_kinds={str(value) for value in form.kinds.data or []},
    )


@bp.route("/new", methods=["GET", "POST"])
@signed_in(*STAFF_ROLES)
def new() -> Response | tuple[str, int]:
    """Open a campaign: no agency, a due date before today, a closed agency … 400 beside the field."""
    today = clock.today()
    form = CampaignForm()
    if not form.is_submitted():
        return _new_page(form), 200
    done = form.already_done()
    if done is not None:
        return done
    if not form.validate():
        return _new_page(form), 400
    ids = form.agency_ids()
    chosen = list(db.session.scalars(select(Agency).where(Agency.id.in_(ids)))) if ids else []
    if len(chosen) != len(ids):
        form.agencies.errors = [*form.agencies.errors, _("请从列表中选择单位")]
        return _new_page(form), 400
    kinds = form.chosen_kinds()
    if kinds:  # every open agency of the kinds chosen (all townships, all departments …)
        chosen += active_agencies(kinds)
    due_on = form.due_on.data
    assert due_on is not None  # required: validated
    try:
        with db.session.begin_nested():  # a refusal leaves no trace of its partial work
            campaign = open_campaign(
                form.title.data or "",
                CommitmentSubject(form.subject.data),
                chosen,
                due_on,
                form.note.data or "",
                today,
                by=current(),
            )
    except RefusedError as refused:
        status = show_refusal(form, refused)
        return _new_page(form), status
    url = url_for(".show", campaign_id=campaign.id)
    return form.finish(
        url, _("已发起承诺征集：%(title)s（%(n)d 个单位）。", title=campaign.title, n=len(campaign.agencies))
    )


# --- one campaign --------------------------------------------------------------------------------------------------


@bp.get("/<id:campaign_id>")
@signed_in()
def show(campaign_id: int) -> str:
    """Staff: each agency, answered or not, with the commitment that answered. An officer: only a campaign that
    includes their agency (else 404), and their own agency's answer."""
    campaign = get_or_404(Campaign, campaign_id)
    user = current()
    is_staff = user.role in STAFF_ROLES
    if not is_staff and not includes(campaign, user.agency_id):
        abort(404)
    answered = answers(campaign)
    agencies = campaign.agencies if is_staff else [a for a in campaign.agencies if a.id == user.agency_id]
    return render_template(
        "workspace/supervision/campaigns/show.html",
        campaign=campaign,
        agencies=agencies,
        answered=answered,
        is_staff=is_staff,
        total=len(campaign.agencies),
        today=clock.today(),
        clause=LedgerRule.CAMPAIGN_SUBMISSION.spec.clause,
    )
