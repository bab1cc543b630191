"""The workspace's menu and dashboard figures, filled by the features themselves.

A feature registers, in its own `workspace.py`, the links it adds to the workspace menu (`menu_link`) and the
figures it adds to the dashboard (`dashboard_figure`), each for the roles that see it; this module and the
dashboard know no feature. (Indico does the same with signals; a list is all this needs.)"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_login import current_user


@dataclass(frozen=True)
class MenuLink:
    endpoint: str
    label: Any  # lazy string
    roles: frozenset[str]
    order: int


@dataclass(frozen=True)
class DashboardFigure:
    label: Any  # lazy string with %(n)d
    roles: frozenset[str]
    order: int
    count: Callable[[Any], int]  # the signed-in user -> the figure


_LINKS: dict[str, MenuLink] = {}
_FIGURES: dict[tuple[str, int], DashboardFigure] = {}


def menu_link(endpoint: str, label: Any, *, roles: frozenset[str], order: int) -> None:
    """A link in the workspace menu for the users of `roles` (menus are sorted by `order`)."""
    _LINKS[endpoint] = MenuLink(endpoint, label, roles, order)


def dashboard_figure(label: Any, *, roles: frozenset[str], order: int) -> Callable[[Callable[[Any], int]], Any]:
    """Decorator: the function (signed-in user → number) is a figure on the dashboard of the users of `roles`."""

    def register(count: Callable[[Any], int]) -> Callable[[Any], int]:
        for role in roles:
            _FIGURES[(role, order)] = DashboardFigure(label, frozenset({role}), order, count)
        return count

    return register


def workspace_links() -> list[tuple[str, Any]]:
    """(endpoint, label) of the signed-in user's menu; endpoints of features not installed are left out."""
    if not current_user.is_authenticated:
        return []
    role = current_user.role
    return [
        (link.endpoint, link.label)
        for link in sorted(_LINKS.values(), key=lambda link: link.order)
        if role in link.roles and link.endpoint in current_app.view_functions
    ]


def dashboard_figures(user: Any) -> list[str]:
    """The signed-in user's dashboard figures, as sentences ("待信用办审核：3")."""
    figures = sorted((f for (role, _), f in _FIGURES.items() if role == user.role), key=lambda f: f.order)
    return [str(figure.label) % {"n": figure.count(user)} for figure in figures]
