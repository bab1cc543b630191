"""The search vocabulary in the workspace (搜索词表, issue 16), for staff and admins: the hand-kept synonyms of
vocabulary.toml and the generated entries (read-only), and the words staff add and remove: synonyms of the site's
terms and other names of agencies. A term takes effect at the next search, with no rebuild. Each post parses, calls
one operation and commits once; a refusal stands beside its field with a 400."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from portal.agencies.models import Agency
from portal.errors import RefusedError, show_refusal
from portal.extensions import db
from portal.menu import menu_link
from portal.search.forms import RemoveTermForm, TermForm
from portal.search.models import SearchTerm
from portal.search.operations import add_term, remove_term
from portal.search.queries import generated_synonyms
from portal.search.vocabulary import abbreviations, data_file
from portal.users.access import STAFF_ROLES, current, signed_in

bp = Blueprint("search_workspace", __name__, url_prefix="/workspace/search/terms")

menu_link("search_workspace.index", _l("搜索词表"), roles=frozenset(STAFF_ROLES), order=77)

TERM_ID = "<id:term_id>"
Page = Response | tuple[str, int]


@dataclass(frozen=True)
class ListedTerm:
    term: SearchTerm
    form: RemoveTermForm


def _agencies() -> list[Agency]:
    return list(db.session.scalars(select(Agency).order_by(Agency.region_code, Agency.kind, Agency.name)))


def _page(
    form: TermForm, agencies: list[Agency], status: int = 200, problems: list[str] | None = None
) -> tuple[str, int]:
    """The page; `problems` are those of a removal that did not go through (shown at the top)."""
    terms = db.session.scalars(
        select(SearchTerm).options(joinedload(SearchTerm.agency)).order_by(SearchTerm.word, SearchTerm.id)
    ).all()
    dictionary = data_file()
    shortened = [
        (agency, sorted(found))
        for agency in agencies
        if (found := abbreviations(agency.name, agency.region_name, dictionary.abbreviations, dictionary.place_bound))
    ]
    return (
        render_template(
            "search/terms.html",
            form=form,
            terms=[ListedTerm(t, RemoveTermForm(formdata=None)) for t in terms],
            synonyms=sorted(dictionary.synonyms.items()),
            generated=sorted(generated_synonyms().items()),
            shortened=shortened,
            problems=problems or [],
        ),
        status,
    )


@bp.get("")
@signed_in(*STAFF_ROLES)
def index() -> tuple[str, int]:
    agencies = _agencies()
    form = TermForm(formdata=None)
    form.set_agencies(agencies)
    return _page(form, agencies)


@bp.post("")
@signed_in(*STAFF_ROLES)
def add() -> Page:
    agencies = _agencies()
    form = TermForm()
    form.set_agencies(agencies)
    done = form.already_done()
    if done is not None:
        return done
    fields_ok = form.validate()
    entry = form.entry() if fields_ok else None
    if entry is not None:
        means, agency_id = entry
        agency = next((a for a in agencies if a.id == agency_id), None)
        if agency_id is not None and agency is None:
            form.agency.errors = [_("请从列表中选择机构")]
        else:
            try:  # a refusal has added nothing (add_term checks before it adds, in a savepoint of its own)
                term = add_term(form.word.data or "", means=means, agency=agency, by=current())
            except RefusedError as refused:
                return _page(form, agencies, show_refusal(form, refused))
            return form.finish(
                url_for(".index", _anchor="staff-terms-heading"),
                _("已添加“%(word)s”，下一次搜索起生效。", word=term.word),
            )
    return _page(form, agencies, 400)


@bp.post(f"/{TERM_ID}/remove")
@signed_in(*STAFF_ROLES)
def remove(term_id: int) -> Page:
    """A term already removed (a second click, another tab) is 404 with a clear message; nothing else changes."""
    term = db.session.scalar(select(SearchTerm).where(SearchTerm.id == term_id).with_for_update())
    if term is None:
        message = _("该词条不存在或已经删除，未做任何更改。")
        return render_template("error.html", code=404, title=_("词条不存在"), message=message), 404
    form = RemoveTermForm()
    if not form.validate():
        agencies = _agencies()
        add_form = TermForm(formdata=None)
        add_form.set_agencies(agencies)
        return _page(add_form, agencies, 400, [str(error) for errors in form.errors.values() for error in errors])
    word = term.word
    remove_term(term, by=current())
    return form.finish(
        url_for(".index", _anchor="staff-terms-heading"), _("已删除“%(word)s”，下一次搜索起不再使用。", word=word)
    )
