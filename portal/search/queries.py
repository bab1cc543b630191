"""A search as the URL asks it (query, facet filters, sort, page) and its answer, for the search page, its JSON
twin and its feeds; and the labels of the facets."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal.agencies.models import Agency
from portal.arrears.rules import Subtype
from portal.audit.models import AuditEntry
from portal.commitments.rules import CommitmentType, Fulfilment
from portal.extensions import db
from portal.listing import choice, region_param, uscc_param, year
from portal.records.kinds import KINDS, Kind
from portal.records.rules import RecordStatus
from portal.rectifications.rules import Outcome
from portal.search.documents import TYPE_WORDS, TYPES
from portal.search.engine import SORTS
from portal.search.models import SearchTerm
from portal.search.suggest import sound, spellings
from portal.search.vocabulary import AgencyNames, Vocabulary, data_file

TYPE_LABELS: dict[str, Any] = {name: _l(words) for name, words in TYPE_WORDS.items()}
FACET_LABELS: dict[str, Any] = {
    "type": _l("类型"),
    "kind": _l("类别"),
    "status": _l("状态"),
    "agency": _l("主体"),
    "region": _l("地区"),
    "year": _l("年份"),
}
KIND_LABELS: dict[str, Any] = {**dict(Kind.choices()), **dict(CommitmentType.choices())}
STATUS_LABELS: dict[str, Any] = {
    **dict(RecordStatus.choices()),
    **dict(Fulfilment.choices()),
    **dict(Outcome.choices()),
}
FILTERS = {
    "type": choice(TYPES),
    "kind": choice([*KINDS, *(t.value for t in CommitmentType)]),
    "status": choice([*(s.value for s in RecordStatus), *(f.value for f in Fulfilment), *(o.value for o in Outcome)]),
    "agency": uscc_param,
    "region": region_param,
    "year": year,
    "sort": choice(SORTS),
}
FACET_SHOWN = 10  # values per facet on the page


def agencies_by_uscc() -> dict[str, Agency]:
    return {a.uscc: a for a in db.session.scalars(select(Agency).order_by(Agency.name))}


def facet_label(name: str, value: str, agencies: dict[str, Agency]) -> str:
    if name == "type":
        return str(TYPE_LABELS.get(value, value))
    if name == "kind":
        return str(KIND_LABELS.get(value, value))
    if name == "status":
        return str(STATUS_LABELS.get(value, value))
    if name == "agency":
        return agencies[value].name if value in agencies else value
    if name == "region":
        return next((a.region_name for a in agencies.values() if a.region_code == value), value)
    return value


# --- the vocabulary (vocabulary.py): the data file, the generated entries and what staff added ----------------------


def generated_synonyms() -> dict[str, tuple[str, ...]]:
    """An arrears subtype typed with its verb finds arrears records of that subtype: 拖欠工程款, 欠工程款 ->
    拖欠账款 工程款 (沈政办发〔2018〕117号 二(三)1 names 拖欠工程款)."""
    found: dict[str, tuple[str, ...]] = {}
    for subtype in Subtype:
        if subtype is not Subtype.OTHER:
            label = str(subtype.label)
            for verb in ("拖欠", "欠"):
                found[f"{verb}{label}"] = (f"拖欠账款 {label}",)
    return found


def _stamp() -> tuple[object, ...]:
    """Changes when the names change: an agency created, edited, renamed, closed or merged, or a staff term added or
    removed (each writes an audit entry), or an agency loaded without one (the demo, an import)."""
    return tuple(
        db.session.execute(
            select(
                select(func.max(AuditEntry.id))
                .where(AuditEntry.entity_type.in_(("agency", "search_term")))
                .scalar_subquery(),
                select(func.count(Agency.id)).scalar_subquery(),
                select(func.max(Agency.id)).scalar_subquery(),
            )
        ).one()
    )


_VOCABULARY: dict[str, tuple[tuple[object, ...], Vocabulary]] = {}


def vocabulary() -> Vocabulary:
    """The search vocabulary as of now, built once per process and again after a change."""
    stamp = _stamp()
    known = _VOCABULARY.get("current")
    if known is not None and known[0] == stamp:
        return known[1]
    dictionary = data_file()
    synonyms: dict[str, list[str]] = {}
    for word, targets in (*generated_synonyms().items(), *dictionary.synonyms.items()):
        synonyms.setdefault(word, []).extend(targets)
    aliases: dict[int, list[str]] = {}
    for term in db.session.scalars(select(SearchTerm).order_by(SearchTerm.id)):
        if term.agency_id is not None:
            aliases.setdefault(term.agency_id, []).append(term.word)
        elif term.means:
            synonyms.setdefault(term.word, []).append(term.means)
    agencies = [
        AgencyNames(a.uscc, a.name, a.region_name, tuple(f.name for f in a.former_names), tuple(aliases.get(a.id, ())))
        for a in db.session.scalars(select(Agency).options(selectinload(Agency.former_names)))
    ]
    built = Vocabulary(synonyms, agencies, dictionary.abbreviations, spellings, dictionary.place_bound, sound)
    _VOCABULARY["current"] = (stamp, built)
    return built
