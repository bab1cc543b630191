"""The workspace's menu and dashboard figures, filled by the features themselves.

A feature registers, in its own `workspace.py`, the links it adds to the workspace menu (`menu_link`) and the
figures it adds to the dashboard (`dashboard_figure`), each for the roles that see it; this module and the
dashboard know no feature. (Indico does the same with signals; a list is all this needs.) A figure may name the
list that shows what it counts (`link`, an endpoint, with `link_args` such as a filter): the dashboard shows it as
a link to that list when the endpoint is installed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, url_for
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
    link: str | None = None  # the endpoint of the list that shows what it counts
    link_args: Mapping[str, Any] = field(default_factory=dict)  # that list's filters (query parameters)


@dataclass(frozen=True)
class ShownFigure:
    """A figure as the dashboard shows it: its sentence, and the address of its list (None: no link)."""

    text: str
    url: str | None = None

    def __str__(self) -> str:
        return self.text


_LINKS: dict[str, MenuLink] = {}
# (role, the counting function's module and name) -> figure: one entry per figure and role, however many figures
# share an order (they are shown by order, then in the order they were registered).
_FIGURES: dict[tuple[str, str], DashboardFigure] = {}


def menu_link(endpoint: str, label: Any, *, roles: frozenset[str], order: int) -> None:
    """A link in the workspace menu for the users of `roles` (menus are sorted by `order`)."""
    _LINKS[endpoint] = MenuLink(endpoint, label, roles, order)


def dashboard_figure(
    label: Any,
    *,
    roles: frozenset[str],
    order: int,
    link: str | None = None,
    link_args: Mapping[str, Any] | None = None,
) -> Callable[[Callable[[Any], int]], Any]:
    """Decorator: the function (signed-in user → number) is a figure on the dashboard of the users of `roles`,
    linked to the list at `link` (an endpoint, with `link_args` as its query) when given: the list filtered to
    exactly what the figure counts where there is one, else the list where those items are found."""

    def register(count: Callable[[Any], int]) -> Callable[[Any], int]:
        name = f"{count.__module__}.{count.__qualname__}"
        for role in roles:
            figure = DashboardFigure(label, frozenset({role}), order, count, link, dict(link_args or {}))
            _FIGURES[(role, name)] = figure
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


def dashboard_figures(user: Any) -> list[ShownFigure]:
    """The signed-in user's dashboard figures, as sentences ("待信用办审核：3") with the address of their list
    (None when the figure has no list, or its feature is not installed)."""
    figures = sorted((f for (role, _), f in _FIGURES.items() if role == user.role), key=lambda f: f.order)
    return [
        ShownFigure(
            str(figure.label) % {"n": figure.count(user)},
            url_for(figure.link, **figure.link_args)
            if figure.link is not None and figure.link in current_app.view_functions
            else None,
        )
        for figure in figures
    ]
