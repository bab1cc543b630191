"""Who may open a signed-in page: anonymous visitors are sent to the login page, a signed-in user of the wrong role
gets 403, and an officer asking for another agency's item gets 404 (so that its existence is not confirmed)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort, current_app, redirect, url_for
from flask_login import current_user
from sqlalchemy import select

from portal.extensions import db, login_manager
from portal.users.models import User
from portal.users.rules import TOTP_ROLES, Role

F = TypeVar("F", bound=Callable[..., Any])
M = TypeVar("M")
STAFF_ROLES = (Role.STAFF, Role.ADMIN)


def signed_in(*roles: Role) -> Callable[[F], F]:
    """The view needs a signed-in user with one of `roles` (any role when none is named)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if second_factor_missing(current_user):
                return redirect(url_for("workspace.account"))
            if roles and current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return cast(F, wrapped)

    return decorator


def second_factor_missing(user: User) -> bool:
    """PORTAL_REQUIRE_2FA is on and this staff member or admin has not set up TOTP yet."""
    return bool(current_app.config["PORTAL_SETTINGS"].require_2fa and user.role in TOTP_ROLES and not user.totp_secret)


def current() -> User:
    """The signed-in user (only inside a view guarded by `signed_in`)."""
    return cast(User, current_user._get_current_object())


def get_or_404(model: type[M], item_id: int, *, lock: bool = False) -> M:
    """The row with this id, or 404. With `lock` it is held (a PostgreSQL row lock) until the request commits, so
    that two people deciding the same item at once act one after the other and the second sees the first."""
    query = select(model).where(model.id == item_id)  # type: ignore[attr-defined]
    item = db.session.scalar(query.with_for_update() if lock else query)
    if item is None:
        abort(404)
    return item


def agency_item(model: type[M], item_id: int, *, lock: bool = False) -> M:
    """get_or_404 for an item that belongs to an agency: officers get only their own agency's (else 404)."""
    item = get_or_404(model, item_id, lock=lock)
    check_agency(item.agency_id)  # type: ignore[attr-defined]
    return item


def check_agency(agency_id: int) -> None:
    """Officers see only their own agency's items: anything else is 404, as if it did not exist."""
    user = current()
    if user.role is Role.OFFICER and user.agency_id != agency_id:
        abort(404)
