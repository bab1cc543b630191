"""People's query syntax, parsed without ever failing: words (all must match), "quoted phrases", -exclusion.

Unbalanced quotes run to the end, lone operators are ignored, and text beyond MAX_QUERY_CHARS is cut off, so any
input gives a query (possibly an empty one). Engines turn the result into their own query objects.

Residents type questions and everyday words (issue 16), so the parse also
- reads full-width and curly operator characters as their ASCII twins (“…” 「…」 as quotes, － − – as minus);
- drops question words (怎么, 如何, 哪些, 吗 … in vocabulary.toml) unless nothing else is left;
- lets a word (or a run of words) also match the site's terms it stands for (Vocabulary: 欠钱 -> 拖欠账款);
- notes the agencies a clause names (name, alias, abbreviation, pinyin; a near-sound typo only on the second try,
  `near`), so that an agency's items match it and its 诚信档案 comes first;
- matches the whole query, spaces and hyphens removed, as an identifier (a USCC typed in groups).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from itertools import islice

from portal.search.analyzer import Analyzer, normalise
from portal.search.vocabulary import MAX_RUN, Vocabulary, data_file

MAX_QUERY_CHARS = 200
MAX_CLAUSES = 16
_CHUNK = re.compile(r'(-?)"([^"]*)"?|(\S+)')
# What input methods type for the operators: curly and corner quotes, minus signs and hyphens (NFKC already turns
# full-width ＂ and － into " and -).
OPERATOR_TWINS = str.maketrans(dict.fromkeys("“”„‟〝〞「」『』", '"') | dict.fromkeys("−–‐‑﹣", "-"))
_CODE_JOINERS = re.compile(r"[\s\-_/]+")


def code_form(text: str) -> str:
    """How identifiers (案号, 文号, USCC, commitment codes) are indexed and matched: normalised, without the spaces
    and hyphens people type inside them."""
    return _CODE_JOINERS.sub("", normalise(text))


@dataclass(frozen=True)
class Term:
    """A word of a clause, or a run of words that stands for something else: it matches its words, any of
    `alternatives` (each a run of words, all required: a synonym's site terms), or any item of the `agencies` it
    names (USCCs: an agency's name, alias, abbreviation, pinyin or near-sound typo)."""

    words: tuple[str, ...]
    alternatives: tuple[tuple[str, ...], ...] = ()
    agencies: tuple[str, ...] = ()


@dataclass(frozen=True)
class Clause:
    """One part of the query: all `words` must match (in this order, side by side, if `phrase`), or the whole of
    it must equal an identifier (`code`, empty when the text has no digit and so cannot be one). `terms` groups the
    words with their synonyms and the agencies they name (empty: each word alone). A `quoted` clause that names an
    agency as a whole matches that agency's items only."""

    words: tuple[str, ...]
    phrase: bool
    code: str
    terms: tuple[Term, ...] = ()
    quoted: bool = False

    @property
    def match_terms(self) -> tuple[Term, ...]:
        return self.terms or tuple(Term((w,)) for w in self.words)

    @property
    def agencies(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(uscc for term in self.terms for uscc in term.agencies))

    @property
    def only_agencies(self) -> tuple[str, ...]:
        """The agencies a quoted clause names as a whole ("演示县财政局"): it matches their items and nothing else."""
        if self.quoted and len(self.terms) == 1 and self.terms[0].words == self.words:
            return self.terms[0].agencies
        return ()


@dataclass(frozen=True)
class ParsedQuery:
    required: tuple[Clause, ...] = ()
    excluded: tuple[Clause, ...] = ()
    code: str = ""  # the whole query as one identifier, when it has several parts and a digit
    any_word: bool = False  # match any clause, ranked (the fallback when all of them together find nothing)

    @property
    def is_empty(self) -> bool:
        return not self.required

    @property
    def highlight_words(self) -> list[str]:
        words = {w for clause in self.required for w in clause.words}
        for clause in self.required:
            for term in clause.terms:
                words.update(w for alternative in term.alternatives for w in alternative)
        return sorted(words, key=lambda w: (-len(w), w))

    @property
    def agencies(self) -> tuple[str, ...]:
        """The agencies the query names, in the order named."""
        return tuple(dict.fromkeys(uscc for clause in self.required for uscc in clause.agencies))

    def loosened(self) -> ParsedQuery | None:
        """The any-word fallback: each term of the plain clauses on its own, any of them enough (phrases stay
        whole); None when there is nothing to loosen (a single term) or the query is an identifier (a case number
        that is not listed must find nothing, not its digits)."""
        if self.code or any(clause.code for clause in self.required):
            return None
        clauses: list[Clause] = []
        for clause in self.required:
            if clause.phrase or len(clause.match_terms) == 1:
                clauses.append(clause)
            else:
                clauses += [Clause(term.words, False, "", (term,)) for term in clause.match_terms]
        if len(clauses) < 2:
            return None
        return replace(self, required=tuple(clauses), code="", any_word=True)


def _terms(words: tuple[str, ...], analyzer: Analyzer, vocabulary: Vocabulary | None, near: bool) -> tuple[Term, ...]:
    """The words grouped into the longest runs that stand for something (a synonym, an agency; with `near`, an
    agency by a near miss too), each with what it stands for; the question words no run covers are left out."""
    question_words = data_file().question_words
    terms: list[Term] = []
    i = 0
    longest = MAX_RUN if vocabulary is not None else 0
    while i < len(words):
        for j in range(min(len(words), i + longest), i, -1):
            assert vocabulary is not None
            run = words[i:j]
            targets = vocabulary.alternatives(run)
            agencies = vocabulary.agencies("".join(run)) or (vocabulary.near_agencies("".join(run)) if near else ())
            if targets or agencies:
                alternatives = tuple(tuple(analyzer.words_of(t)) for t in targets)
                terms.append(Term(run, tuple(a for a in alternatives if a), agencies))
                i = j
                break
        else:
            if words[i] not in question_words:
                terms.append(Term((words[i],)))
            i += 1
    return tuple(terms)


def _clause(
    text: str, quoted: bool, analyzer: Analyzer, vocabulary: Vocabulary | None, near: bool = False
) -> tuple[Clause | None, bool]:
    """The clause of one chunk of the query, and whether it held question words only (then it is kept only if
    nothing else is left). Quoted text is taken as typed: no question words dropped, no synonyms, and it names an
    agency only by an exact name."""
    words = tuple(analyzer.words_of(text))
    if not words:
        return None, False
    code = code_form(text)
    code = code if any(ch.isdigit() for ch in code) else ""
    if quoted or code:
        named = vocabulary.agencies(text) if vocabulary is not None and not code else ()
        whole: tuple[Term, ...] = (Term(words, (), named),) if named else ()
        return Clause(words, quoted and len(words) > 1, code, whole, quoted), False
    named = () if vocabulary is None else vocabulary.agencies(text) or (vocabulary.near_agencies(text) if near else ())
    if named:
        return Clause(words, False, "", (Term(words, (), named),)), False
    terms = _terms(words, analyzer, vocabulary, near)
    if not terms:  # question words alone
        return Clause(words, False, ""), True
    plain = all(not (t.alternatives or t.agencies) for t in terms)
    return Clause(tuple(w for t in terms for w in t.words), False, "", () if plain else terms), False


def printable(text: str) -> str:
    """The query as it may be shown back: control characters (and lone surrogates) become spaces."""
    return "".join(ch if ch.isprintable() and not 0xD800 <= ord(ch) <= 0xDFFF else " " for ch in text)


def operators(text: str) -> str:
    """The query with its operator characters as ASCII (see OPERATOR_TWINS), nothing else changed."""
    return unicodedata.normalize("NFKC", text).translate(OPERATOR_TWINS)


def parse_query(
    text: str, analyzer: Analyzer, vocabulary: Vocabulary | None = None, *, near: bool = False
) -> ParsedQuery:
    """The query as typed, read with the vocabulary (synonyms, the agencies named exactly). With `near`, a part that
    names no agency exactly may name one by a near miss: run_search tries that when the query as typed finds
    nothing. An exclusion excludes what the same words would find (-发改委 leaves out that agency's items)."""
    text = operators(printable(text[:MAX_QUERY_CHARS]))
    required: list[Clause] = []
    excluded: list[Clause] = []
    questions: list[Clause] = []
    for match in islice(_CHUNK.finditer(text), 2 * MAX_CLAUSES):
        negated, quoted, plain = match.group(1), match.group(2), match.group(3)
        if plain is not None:
            negated = "-" if plain.startswith("-") else ""
            clause, question = _clause(plain.lstrip("-"), False, analyzer, vocabulary, near and not negated)
        else:
            clause, question = _clause(quoted, True, analyzer, vocabulary)
        if clause is not None:
            (excluded if negated else required if not question else questions).append(clause)
    required = required or questions  # question words alone are still searched: a search is never emptied
    whole = code_form(text) if len(required) > 1 and not excluded and '"' not in text else ""
    return ParsedQuery(
        tuple(required[:MAX_CLAUSES]), tuple(excluded[:MAX_CLAUSES]), whole if any(c.isdigit() for c in whole) else ""
    )
