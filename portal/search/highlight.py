"""Highlighted snippets: the stored text around the first match, escaped, with <mark> around every query word.
Matching runs on the normalised text (NFKC, lower case) and maps back to the original characters."""

from __future__ import annotations

import unicodedata

from markupsafe import Markup, escape

SNIPPET_CHARS = 120


def _normalised_with_map(text: str) -> tuple[str, list[int]]:
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        norm = unicodedata.normalize("NFKC", ch).lower()
        out.append(norm)
        origin.extend([i] * len(norm))
    return "".join(out), origin


def _spans(text: str, words: list[str]) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) spans of `words` in `text`, in original character offsets."""
    norm, origin = _normalised_with_map(text)
    taken = [False] * len(norm)
    spans = []
    for word in sorted(set(words), key=len, reverse=True):
        start = norm.find(word)
        while word and start != -1:
            end = start + len(word)
            if not any(taken[start:end]):
                taken[start:end] = [True] * len(word)
                spans.append((origin[start], origin[end - 1] + 1))
            start = norm.find(word, end)
    return sorted(spans)


def mark(text: str, words: list[str], spans: list[tuple[int, int]] | None = None) -> Markup:
    spans = _spans(text, words) if spans is None else spans
    out = Markup()
    last = 0
    for start, end in spans:
        out += escape(text[last:start]) + Markup("<mark>") + escape(text[start:end]) + Markup("</mark>")
        last = end
    return out + escape(text[last:])


def snippet(text: str, words: list[str], size: int = SNIPPET_CHARS) -> Markup:
    """About `size` characters of `text` around the first match (its start if none), words marked."""
    text = " ".join(text.split())
    spans = _spans(text, words)
    begin = max(0, spans[0][0] - size // 4) if spans else 0
    end = min(len(text), begin + size)
    window = [(s - begin, e - begin) for s, e in spans if s >= begin and e <= end]
    body = mark(text[begin:end], words, window)
    return (Markup("…") if begin else Markup()) + body + (Markup("…") if end < len(text) else Markup())
