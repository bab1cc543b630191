"""While the demo county is loaded, every page says so (the banner in base.html asks `demo_loaded()`)."""

from __future__ import annotations

from flask import Blueprint, g
from sqlalchemy import exists, select
from sqlalchemy.exc import SQLAlchemyError

from portal.demo.models import DemoDataset
from portal.extensions import db

bp = Blueprint("demo", __name__)


def demo_loaded() -> bool:
    if "demo_loaded" not in g:
        try:
            g.demo_loaded = bool(db.session.scalar(select(exists().where(DemoDataset.id.is_not(None)))))
        except SQLAlchemyError:  # the error page must render even when the database is down
            db.session.rollback()
            g.demo_loaded = False
    return bool(g.demo_loaded)


@bp.app_context_processor
def _demo_banner() -> dict[str, object]:
    return {"demo_loaded": demo_loaded}
