"""The words residents use, mapped to the site's (issue 16): everyday words to the site's terms (欠钱 -> 拖欠账款),
agency abbreviations generated from the names (发展和改革委员会 -> 发改委, 镇人民政府 -> 镇政府), and the synonyms and
aliases staff add in the workspace. The hand-kept part is the data file vocabulary.toml beside this module.

Pure: a Vocabulary is built from entries (queries.py loads them from the file and the database) and answers three
questions about a stretch of a query: which other words it stands for, which agencies it names exactly (a name, an
alias, an abbreviation, pinyin), and which agencies it may mean by a near miss (tried only when the words as typed
find nothing, operations.run_search)."""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from portal.search.analyzer import squash

VOCABULARY_FILE = Path(__file__).with_name("vocabulary.toml")
MAX_RUN = 4  # the longest run of query words looked up as one synonym
Spell = Callable[[str], tuple[str, str]]  # name -> (full pinyin, initials)
Sound = Callable[[str], str]  # text -> how it sounds (suggest.sound)


@dataclass(frozen=True)
class Dictionary:
    """The hand-kept entries: synonyms (everyday word -> site terms), abbreviation rules (long form -> short) and
    the words of a question that name nothing to look for."""

    synonyms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    abbreviations: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    question_words: frozenset[str] = frozenset()
    place_bound: frozenset[str] = frozenset()  # long forms whose short form needs its place (人民政府 -> 城关镇政府)


@cache
def data_file(path: Path = VOCABULARY_FILE) -> Dictionary:
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    return Dictionary(
        {k: tuple(v) for k, v in data.get("synonyms", {}).items()},
        {k: tuple(v) for k, v in data.get("abbreviations", {}).items()},
        frozenset(data.get("question_words", "").split()),
        frozenset(data.get("place_bound", ())),
    )


@dataclass(frozen=True)
class AgencyNames:
    """The names one agency is known by."""

    uscc: str
    name: str
    region_name: str = ""
    former: tuple[str, ...] = ()  # 曾用名
    aliases: tuple[str, ...] = ()  # added by staff


def short_name(name: str, region_name: str) -> str:
    """The name without its region in front (演示县财政局 -> 财政局), or the name."""
    rest = name.removeprefix(region_name) if region_name else name
    return rest if len(rest) >= 2 else name


def abbreviations(
    name: str, region_name: str, rules: Mapping[str, tuple[str, ...]], place_bound: Iterable[str] = ()
) -> set[str]:
    """The name with each long form it contains shortened, with and without its region:
    演示县发展和改革委员会 -> {演示县发改委, 发改委}. A `place_bound` long form keeps its place: 演示县人民政府 ->
    {演示县政府}, never a bare 政府 that every government could claim. Only the first (most specific) rule that
    applies is used, so 经济开发区管理委员会 does not also give 经济开发区管委会."""
    found: set[str] = set()
    for long_form, shorts in rules.items():
        if long_form in name:
            head, _, tail = name.partition(long_form)
            for short in shorts:
                shortened = name.replace(long_form, short)
                found.add(shortened)
                if long_form not in place_bound:
                    found.add(short_name(shortened, region_name))
                    if head and region_name.startswith(head):  # 演示 + 经济开发区管理委员会 in 演示经济开发区
                        found.add(short + tail)
            break
    found.discard(name)
    return {f for f in found if len(f) >= 2}


def known_names(agency: AgencyNames, rules: Mapping[str, tuple[str, ...]], place_bound: Iterable[str] = ()) -> set[str]:
    """Every name an agency is known by: its name, its name without the region (unless that is a place-bound long
    form alone, such as 人民政府), former names, aliases and abbreviations."""
    bound = set(place_bound)
    short = short_name(agency.name, agency.region_name)
    names = {
        agency.name,
        *agency.former,
        *agency.aliases,
        *abbreviations(agency.name, agency.region_name, rules, bound),
    }
    if short not in bound:
        names.add(short)
    return names


class Vocabulary:
    def __init__(
        self,
        synonyms: Mapping[str, Iterable[str]] | None = None,
        agencies: Iterable[AgencyNames] = (),
        rules: Mapping[str, tuple[str, ...]] | None = None,
        spell: Spell | None = None,
        place_bound: Iterable[str] = (),
        sound: Sound | None = None,
    ) -> None:
        self.synonyms: dict[str, tuple[str, ...]] = {}
        for word, targets in (synonyms or {}).items():
            key = squash(word)
            wanted = tuple(dict.fromkeys(t for t in targets if squash(t) and squash(t) != key))
            if key and wanted:
                self.synonyms[key] = tuple(dict.fromkeys((*self.synonyms.get(key, ()), *wanted)))
        self.named: dict[str, set[str]] = {}  # squashed name, short name, alias or abbreviation -> USCCs
        self._by_length: dict[int, list[tuple[str, str]]] = {}  # length -> (name or short name, USCC)
        self._spell = spell
        self._sound = sound
        self._spelled: dict[str, set[str]] | None = None  # pinyin and initials -> USCCs, made at the first use
        for agency in agencies:
            for name in filter(None, map(squash, known_names(agency, rules or {}, place_bound))):
                self.named.setdefault(name, set()).add(agency.uscc)
            for name in {squash(agency.name), squash(short_name(agency.name, agency.region_name))}:
                self._by_length.setdefault(len(name), []).append((name, agency.uscc))

    def alternatives(self, words: tuple[str, ...]) -> tuple[str, ...]:
        """The site's terms a run of query words stands for (none for most)."""
        return self.synonyms.get("".join(words), ())

    def _spellings(self) -> dict[str, set[str]]:
        """Pinyin and initials of every name and short name, spelled when a Latin query first needs them (the index
        keeps the spellings of the names it knows, suggest.spellings; a new agency's costs pypinyin's dictionaries)."""
        if self._spelled is None:
            self._spelled = {}
            for names in self._by_length.values():
                for name, uscc in names:
                    for spelling in self._spell(name) if self._spell else ():
                        if spelling:
                            self._spelled.setdefault(spelling, set()).add(uscc)
        return self._spelled

    def agencies(self, text: str) -> tuple[str, ...]:
        """The agencies `text` names, as USCCs: its full name, short name, a former name, an alias or an abbreviation,
        or its pinyin or initials (caizhengju, czj)."""
        wanted = squash(text)
        if len(wanted) < 2:
            return ()
        exact = self.named.get(wanted) or (self._spellings().get(wanted) if wanted.isascii() else None)
        return tuple(sorted(exact)) if exact else ()

    def near_agencies(self, text: str) -> tuple[str, ...]:
        """The agencies `text` may mean by a near-sound typo: a name or short name of the same length that sounds
        the same, as many speakers hear it (财正局, 演示县财证局 -> 演示县财政局; suggest.sound)."""
        wanted = squash(text)
        if len(wanted) < 3 or wanted.isascii() or self._sound is None or self.agencies(wanted):
            return ()
        heard = self._sound(wanted)
        found = {uscc for name, uscc in self._by_length.get(len(wanted), ()) if self._sound(name) == heard}
        return tuple(sorted(found))
