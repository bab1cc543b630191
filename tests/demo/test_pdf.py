"""The demo PDF writer: a structurally valid PDF 1.4 file whose cross-reference table is right."""

from __future__ import annotations

import re

import pytest

from portal.demo.pdf import one_page_pdf

LINES = [
    [],
    ["Demo County commitment letter"],
    ["Line (1) with parentheses", "back\\slash", "x) Tj (y"],
    [f"Line {n}" for n in range(40)],
    [""],
]


def startxref(pdf: bytes) -> int:
    match = re.search(rb"startxref\n(\d+)\n%%EOF\n?$", pdf)
    assert match, pdf[-60:]
    return int(match[1])


def xref_entries(pdf: bytes) -> list[tuple[int, int, bytes]]:
    at = startxref(pdf)
    match = re.compile(rb"xref\n0 (\d+)\n").match(pdf, at)
    assert match
    count = int(match[1])
    entries = []
    pos = match.end()
    for _ in range(count):
        entry = pdf[pos : pos + 20]
        parsed = re.fullmatch(rb"(\d{10}) (\d{5}) ([nf]) \n", entry)
        assert parsed, entry
        entries.append((int(parsed[1]), int(parsed[2]), parsed[3]))
        pos += 20
    assert pdf[pos:].startswith(b"trailer\n")
    return entries


@pytest.mark.parametrize("lines", LINES)
def test_header_and_end(lines: list[str]) -> None:
    pdf = one_page_pdf(lines)
    assert pdf.startswith(b"%PDF-1.4\n")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert pdf.count(b"%%EOF") == 1


@pytest.mark.parametrize("lines", LINES)
def test_startxref_points_at_xref(lines: list[str]) -> None:
    pdf = one_page_pdf(lines)
    at = startxref(pdf)
    assert pdf[at : at + 4] == b"xref"
    assert pdf.rindex(b"\nxref\n") + 1 == at


@pytest.mark.parametrize("lines", LINES)
def test_xref_offsets_point_at_objects(lines: list[str]) -> None:
    pdf = one_page_pdf(lines)
    entries = xref_entries(pdf)
    assert entries[0] == (0, 65535, b"f")
    assert len(entries) == 6
    for number, (offset, generation, kind) in enumerate(entries[1:], start=1):
        assert (generation, kind) == (0, b"n")
        assert pdf[offset:].startswith(b"%d 0 obj\n" % number)
    assert re.search(rb"trailer\n<< /Size 6 /Root 1 0 R >>", pdf)


@pytest.mark.parametrize("lines", LINES)
def test_stream_length_is_exact(lines: list[str]) -> None:
    pdf = one_page_pdf(lines)
    match = re.search(rb"<< /Length (\d+) >>\nstream\n", pdf)
    assert match
    length = int(match[1])
    assert pdf[match.end() + length :].startswith(b"\nendstream")


def test_text_is_escaped_and_in_order() -> None:
    pdf = one_page_pdf(["first", "a(b)c\\", "last"])
    assert b"(first) ' (a\\(b\\)c\\\\) ' (last) '" in pdf
    assert pdf.index(b"(first)") < pdf.index(b"(last)")


def test_same_input_same_bytes() -> None:
    assert one_page_pdf(["x", "y"]) == one_page_pdf(["x", "y"])
    assert one_page_pdf(["x"]) != one_page_pdf(["y"])


@pytest.mark.parametrize("lines", [["政务诚信"], ["ok", "café"], ["en dash –"], ["\u00a0"]])
def test_non_ascii_text_raises(lines: list[str]) -> None:
    with pytest.raises(ValueError, match="ASCII"):
        one_page_pdf(lines)
