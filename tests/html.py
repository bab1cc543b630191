"""Helpers for asserting on HTML that users see. Pages are read with an HTML parser (html5lib, as a browser parses
them), never with regular expressions: a test finds elements by tag and attributes and reads their text.

    find_all(body, "tr", id=startswith("entry-"))      every <tr> whose id begins with entry-
    one(body, "p", class_="field-error-message")        the only such <p> (fails when there are none or several)
    css(body, 'main form[method=post] input[type=hidden]')   a small CSS subset, see `css`
    text_of(element), visible_text(body), links(body), form_fields(form)

Every helper takes either a page (a str, parsed once and cached) or an element found in one."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

import html5lib

Node = str | ET.Element
AttrTest = str | bool | Callable[[str], bool]


def parse_strict(body: str) -> None:
    """Fail on any HTML parse error (unclosed tags, bad nesting, duplicate attributes...)."""
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(body)


@lru_cache(maxsize=64)
def parse(body: str) -> ET.Element:
    """The page's <html> element, as a browser builds it (tags in lower case, no namespaces). Do not change it:
    the tree is shared by every helper called with the same page."""
    return html5lib.parse(body, treebuilder="etree", namespaceHTMLElements=False)


def root_of(node: Node) -> ET.Element:
    return parse(node) if isinstance(node, str) else node


def _elements(node: Node) -> Iterator[ET.Element]:
    """The node's elements in document order, the node itself first (comments left out)."""
    return (e for e in root_of(node).iter() if isinstance(e.tag, str))


# --- finding elements --------------------------------------------------------------------------------------------


def startswith(prefix: str) -> Callable[[str], bool]:
    """An attribute test: the value begins with `prefix`."""
    return lambda value: value.startswith(prefix)


def _attr_name(keyword: str) -> str:
    """Keyword argument to attribute name: class_ → class, for_ → for, aria_describedby → aria-describedby."""
    return keyword.rstrip("_").replace("_", "-")


def _matches(element: ET.Element, name: str, test: AttrTest) -> bool:
    value = element.get(name)
    if test is True or test is False:
        return (value is not None) is test
    if value is None:
        return False
    if callable(test):
        return test(value)
    if name == "class":  # like CSS .name: one of the element's classes
        return test in value.split()
    return value == test


def find_all(node: Node, tag: str | None = None, /, **attrs: AttrTest) -> list[ET.Element]:
    """The elements under `node` (the node included) with this tag (any tag when None) whose attributes pass:
    a str is the exact value (for class_: one of the classes), True present, False absent, a callable a test."""
    tests = {_attr_name(k): v for k, v in attrs.items()}
    return [
        e
        for e in _elements(node)
        if (tag is None or e.tag == tag) and all(_matches(e, name, test) for name, test in tests.items())
    ]


def find(node: Node, tag: str | None = None, /, **attrs: AttrTest) -> ET.Element | None:
    """The first element find_all would give, or None."""
    found = find_all(node, tag, **attrs)
    return found[0] if found else None


def one(node: Node, tag: str | None = None, /, **attrs: AttrTest) -> ET.Element:
    """The only element find_all gives; fails when there is none or more than one."""
    found = find_all(node, tag, **attrs)
    assert len(found) == 1, f"expected one <{tag or '*'}> with {attrs}, found {len(found)}"
    return found[0]


@dataclass(frozen=True)
class _Compound:
    tag: str | None
    tests: tuple[tuple[str, str, str | None], ...]  # (attribute, operator, value): operator "", "=", "^=", "*=", "~="

    def matches(self, element: ET.Element) -> bool:
        if self.tag not in (None, "*", element.tag):
            return False
        for name, op, expected in self.tests:
            value = element.get(name)
            if value is None:
                return False
            if expected is None:
                continue
            if not {
                "=": value == expected,
                "^=": value.startswith(expected),
                "*=": expected in value,
                "~=": expected in value.split(),
            }[op]:
                return False
        return True


_COMPOUND = re.compile(r"^([a-zA-Z][a-zA-Z0-9]*|\*)?((?:[#.][\w-]+|\[[^\]]+\])*)$")
_PART = re.compile(r"([#.])([\w-]+)|\[\s*([\w-]+)\s*(?:([~^*]?=)\s*(?:\"([^\"]*)\"|'([^']*)'|([^\]\s]*))\s*)?\]")


@lru_cache(maxsize=256)
def _compile(selector: str) -> tuple[_Compound, ...]:
    """A selector (the syntax, not HTML) into its compounds, outermost first."""
    compounds = []
    for piece in re.findall(r"(?:[^\s\[]|\[[^\]]*\])+", selector.strip()):
        match = _COMPOUND.match(piece)
        assert match, f"unsupported selector {piece!r} in {selector!r}"
        tests: list[tuple[str, str, str | None]] = []
        for part in _PART.finditer(match.group(2)):
            sigil, word, name, op, double, single, bare = part.groups()
            if sigil == "#":
                tests.append(("id", "=", word))
            elif sigil == ".":
                tests.append(("class", "~=", word))
            else:
                value = next((v for v in (double, single, bare) if v is not None), None)
                tests.append((name.lower(), op or "", value if op else None))
        compounds.append(_Compound(match.group(1).lower() if match.group(1) else None, tuple(tests)))
    assert compounds, "empty selector"
    return tuple(compounds)


def css(node: Node, selector: str) -> list[ET.Element]:
    """The elements matching a small subset of CSS, in document order: tag, *, #id, .class, [attr], [attr=value],
    [attr^=prefix], [attr*=part], [attr~=word], and the descendant combinator (a space).
    Example: css(body, 'main form[method=post] input[type=hidden]')."""
    compounds = _compile(selector)
    start = root_of(node)
    parents = {id(child): parent for parent in start.iter() for child in parent}

    def chain(element: ET.Element, i: int) -> bool:
        """The element matches compounds[i], and some ancestor of it (within `node`) compounds[:i]."""
        if not compounds[i].matches(element):
            return False
        if i == 0:
            return True
        ancestor = parents.get(id(element))
        while ancestor is not None:
            if chain(ancestor, i - 1):
                return True
            ancestor = parents.get(id(ancestor))
        return False

    return [e for e in _elements(start) if chain(e, len(compounds) - 1)]


def css_one(node: Node, selector: str) -> ET.Element:
    """The only element `css` gives; fails when there is none or more than one."""
    found = css(node, selector)
    assert len(found) == 1, f"expected one element for {selector!r}, found {len(found)}"
    return found[0]


# --- reading them ------------------------------------------------------------------------------------------------


def _pieces(element: ET.Element) -> Iterator[str]:
    """The text under the element with a space at every tag, where the text's words would be separated."""
    if isinstance(element.tag, str):
        yield " "
        yield element.text or ""
        for child in element:
            yield from _pieces(child)
            yield child.tail or ""
        yield " "


def visible_text(node: Node) -> str:
    """The text of the page (or element) with every tag taken as a space and runs of white space made one space:
    entities decoded, attributes left out; <title>, <script> and <style> contents are kept (so a payload that
    became a script still shows up in it)."""
    return re.sub(r"\s+", " ", "".join(_pieces(root_of(node))))


def text_of(node: Node) -> str:
    """visible_text without the spaces at its ends."""
    return visible_text(node).strip()


def title_of(body: str) -> str:
    title = find(body, "title")
    assert title is not None, "page has no <title>"
    return text_of(title)


def links(node: Node) -> list[str]:
    """The href of every <a> with one, in document order."""
    return [a.get("href", "") for a in find_all(node, "a", href=True)]


def attr(element: ET.Element, name: str) -> str:
    """An attribute that must be there."""
    value = element.get(name)
    assert value is not None, f"<{element.tag}> has no {name}"
    return value


def selected_values(select_element: ET.Element) -> list[str]:
    """The values of a <select>'s selected options (a browser picks the first option when none is marked)."""
    options = find_all(select_element, "option")
    chosen = [o for o in options if o.get("selected") is not None]
    if not chosen and options and select_element.get("multiple") is None:
        chosen = options[:1]
    return [o.get("value", text_of(o)) for o in chosen]


def form_fields(form: ET.Element, *, hidden_only: bool = False) -> dict[str, str]:
    """What a browser would send from the form as it stands (buttons left out): inputs with a name (checkboxes and
    radios only when checked), the selected option of each select, the text of each textarea. With hidden_only,
    only the hidden inputs."""
    fields: dict[str, str] = {}
    for element in _elements(form):
        name = element.get("name")
        if not name or element.get("disabled") is not None:
            continue
        if element.tag == "input":
            kind = element.get("type", "text").lower()
            if hidden_only and kind != "hidden":
                continue
            if kind in ("submit", "button", "image", "reset", "file"):
                continue
            if kind in ("checkbox", "radio") and element.get("checked") is None:
                continue
            fields[name] = element.get("value", "on" if kind in ("checkbox", "radio") else "")
        elif hidden_only:
            continue
        elif element.tag == "select":
            chosen = selected_values(element)
            if chosen:
                fields[name] = chosen[0]
        elif element.tag == "textarea":
            fields[name] = "".join(element.itertext())
    return fields


def forms(node: Node, *, method: str | None = None) -> list[ET.Element]:
    """The <form>s under the node, those with this method only when one is given."""
    return [f for f in find_all(node, "form") if method is None or f.get("method", "get").lower() == method.lower()]


def canonical(node: Node, *, drop: Callable[[ET.Element, str], bool] | None = None) -> str:
    """The markup re-serialised in one fixed way (attributes sorted), to compare two pages; `drop(element, name)`
    says which attributes to leave out (a value the user typed, a CSRF token...)."""

    def out(element: ET.Element) -> Iterable[str]:
        if not isinstance(element.tag, str):  # a comment
            yield element.tail or ""
            return
        names = sorted(n for n in element.attrib if drop is None or not drop(element, n))
        yield f"<{element.tag}" + "".join(f" {n}={element.attrib[n]!r}" for n in names) + ">"
        yield element.text or ""
        for child in element:
            yield from out(child)
        yield f"</{element.tag}>"
        yield element.tail or ""

    return "".join(out(root_of(node)))
