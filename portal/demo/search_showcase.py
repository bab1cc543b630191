"""The demo's search vocabulary: a few words residents use, added by the demo's staff account through the search
workspace's own operation, as the credit office would (issue 16): the county's everyday names of three agencies and
one everyday word for 逾期. An entry the vocabulary has already is left as it is."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal.agencies.models import Agency
from portal.extensions import db
from portal.search.models import SearchTerm
from portal.search.operations import add_term
from portal.users.models import User

ALIASES = (  # word -> the demo agency it names
    ("县医院", "演示县人民医院"),
    ("县政府", "演示县人民政府"),
    ("开发区", "演示经济开发区管理委员会"),
    ("经开区", "演示经济开发区管理委员会"),
)
SYNONYMS = (("卡脖子", "逾期"),)  # word -> the site's term


def add_demo_terms(today: date) -> None:
    """Add the demo's aliases and synonyms (the caller commits). `today`, the demo's anchor, is taken as the other
    showcases take it; a term is stamped with the time it is added."""
    staff = db.session.scalar(select(User).where(User.username == "demo-staff"))
    assert staff is not None, "the demo has a staff account"
    known = set(db.session.scalars(select(SearchTerm.word)))
    for word, name in ALIASES:
        agency = db.session.scalar(select(Agency).where(Agency.name == name))
        if agency is not None and word not in known:
            add_term(word, agency=agency, by=staff)
    for word, means in SYNONYMS:
        if word not in known:
            add_term(word, means=means, by=staff)
