"""A search as the URL asks it (query, facet filters, sort, page) and its answer, for the search page, its JSON
twin and its feeds; and the labels of the facets."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.agencies.models import Agency
from portal.commitments.rules import CommitmentType, Fulfilment
from portal.extensions import db
from portal.listing import choice, region_param, uscc_param, year
from portal.records.kinds import KINDS, Kind
from portal.records.rules import RecordStatus
from portal.rectifications.rules import Outcome
from portal.search.documents import TYPES
from portal.search.engine import SORTS

TYPE_LABELS: dict[str, Any] = {
    "record": _l("失信记录"),
    "commitment": _l("政务承诺"),
    "outcome": _l("整改结果"),
    "agency": _l("诚信档案"),
    "page": _l("政策与指南"),
}
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
