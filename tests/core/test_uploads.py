"""Table tests of check_upload and safe_name: a file is judged by its content, never by its name, and its name must be
a plain, short, printable file name."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image
from pypdf import PdfWriter

from portal.core import uploads
from portal.core.uploads import (
    COMMITMENT_LETTER,
    EVIDENCE,
    MAX_NAME_CHARS,
    MB,
    REPAIR_EVIDENCE,
    REPAIR_PLEDGE,
    FileKind,
    UploadProblem,
    UploadRefusedError,
    check_upload,
    safe_name,
)
from portal.demo.pdf import one_page_pdf
from tests.factories import active_pdf, photo

PDF = one_page_pdf(["Commitment letter", "signed and sealed"])
LETTER = COMMITMENT_LETTER.kinds
LETTER_MAX_BYTES = COMMITMENT_LETTER.max_bytes
EVIDENCE_KINDS = EVIDENCE.kinds


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1×1, 8-bit RGB
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


JPEG = photo("JPEG")
PNG = png()


def encrypted_pdf(user_password: str) -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(PDF))
    writer.encrypt(user_password, owner_password="owner-secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def refusal(
    name: str, data: bytes, allowed: frozenset[FileKind] = LETTER, max_bytes: int = LETTER_MAX_BYTES
) -> UploadRefusedError:
    with pytest.raises(UploadRefusedError) as refused:
        check_upload(name, data, allowed, max_bytes)
    assert refused.value.status == 400
    return refused.value


def test_the_policies() -> None:
    """Commitment letter and repair pledge: one PDF of 20 MB; evidence: up to 5 PDF/JPEG/PNG of 10 MB each."""
    assert (COMMITMENT_LETTER.kind_names, COMMITMENT_LETTER.max_bytes, COMMITMENT_LETTER.max_files) == (
        ("PDF",),
        20 * MB,
        1,
    )
    assert (REPAIR_PLEDGE.kind_names, REPAIR_PLEDGE.max_mb, REPAIR_PLEDGE.max_files, REPAIR_PLEDGE.required) == (
        ("PDF",),
        20,
        1,
        True,
    )
    assert (EVIDENCE.kind_names, EVIDENCE.max_mb, EVIDENCE.max_files, EVIDENCE.required) == (
        ("PDF", "JPEG", "PNG"),
        10,
        5,
        False,
    )
    assert (REPAIR_EVIDENCE.kinds, REPAIR_EVIDENCE.max_bytes, REPAIR_EVIDENCE.max_files) == (
        EVIDENCE.kinds,
        EVIDENCE.max_bytes,
        EVIDENCE.max_files,
    )
    assert REPAIR_EVIDENCE.required is True
    assert EVIDENCE.most_bytes == 50 * MB


@pytest.mark.parametrize(
    ("name", "data", "allowed", "kind"),
    [
        ("承诺书.pdf", PDF, LETTER, FileKind.PDF),
        ("scan.jpg", PDF, LETTER, FileKind.PDF),  # a PDF named .jpg is a PDF
        ("no-extension", PDF, LETTER, FileKind.PDF),
        ("LETTER.PDF", PDF, LETTER, FileKind.PDF),
        ("照片.png", PNG, EVIDENCE_KINDS, FileKind.PNG),
        ("照片.pdf", PNG, EVIDENCE_KINDS, FileKind.PNG),  # evidence may be an image, whatever its name
        ("现场.jpg", JPEG, EVIDENCE_KINDS, FileKind.JPEG),
        ("现场.pdf", PDF, EVIDENCE_KINDS, FileKind.PDF),
    ],
)
def test_a_file_is_what_its_content_says(name: str, data: bytes, allowed: frozenset[FileKind], kind: FileKind) -> None:
    checked = check_upload(name, data, allowed, LETTER_MAX_BYTES)
    assert checked.kind is kind
    if kind is FileKind.PDF:
        assert checked.data == data
    else:  # a photo is stored re-encoded (its pixels only)
        with Image.open(io.BytesIO(checked.data)) as image, Image.open(io.BytesIO(data)) as original:
            assert (image.format, image.size) == (original.format, original.size)
    assert checked.name == name


def test_a_letter_of_exactly_20_mb_is_not_refused_for_its_size() -> None:
    data = PDF + b"%" + b" " * (LETTER_MAX_BYTES - len(PDF) - 2) + b"\n"  # a comment pads the file to the limit
    assert len(data) == LETTER_MAX_BYTES
    assert check_upload("big.pdf", data, LETTER, LETTER_MAX_BYTES).kind is FileKind.PDF


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("照片.pdf", PNG),
        ("扫描件.pdf", JPEG),
        ("page.pdf", b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"),
        ("page.pdf", b"<html><body>%PD F-1.4</body></html>"),
        ("archive.pdf", b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 100),
        ("setup.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 100),
        ("script.pdf", b"#!/bin/sh\nrm -rf /\n"),
        ("letter.pdf", b"\x00" * 1000),
        ("letter.pdf", "承诺书".encode()),
        ("letter.pdf", b"%PDF"),  # not even a header
    ],
)
def test_a_letter_must_be_a_pdf_by_content(name: str, data: bytes) -> None:
    refused = refusal(name, data)
    assert refused.problem is UploadProblem.WRONG_KIND
    assert refused.params == {"kinds": "PDF"}


@pytest.mark.parametrize("data", [PDF, PNG, JPEG])
def test_evidence_that_is_not_an_allowed_kind_names_the_kinds(data: bytes) -> None:
    allowed = frozenset({FileKind.JPEG}) if data != JPEG else frozenset({FileKind.PNG})
    refused = refusal("file.jpg", data, allowed)
    assert refused.problem is UploadProblem.WRONG_KIND
    assert refused.params == {"kinds": next(iter(allowed)).name}


def test_an_empty_file_is_refused() -> None:
    assert refusal("承诺书.pdf", b"").problem is UploadProblem.EMPTY


def test_one_byte_over_20_mb_is_refused_with_413() -> None:
    data = PDF + b"%" + b" " * (LETTER_MAX_BYTES - len(PDF))
    assert len(data) == LETTER_MAX_BYTES + 1
    with pytest.raises(UploadRefusedError) as refused:
        check_upload("big.pdf", data, LETTER, LETTER_MAX_BYTES)
    assert refused.value.status == 413
    assert refused.value.problem is UploadProblem.TOO_LARGE
    assert refused.value.params == {"mb": 20}


@pytest.mark.parametrize("user_password", ["open-sesame", ""])
def test_an_encrypted_pdf_is_refused_saying_so(user_password: str) -> None:
    """Even one that opens without a password (owner password only) cannot be verified publicly as it stands."""
    assert refusal("加密.pdf", encrypted_pdf(user_password)).problem is UploadProblem.PDF_ENCRYPTED


@pytest.mark.parametrize(
    "data",
    [
        PDF[: len(PDF) // 2],  # the download broke off
        PDF[:200],
        PDF[: len(PDF) - 40],  # no trailer
        PDF.replace(b"/Pages 2 0 R", b"/Pages 9 0 R"),  # points at an object that is not there
        PDF[:9] + b"\x00" * 300 + PDF[309:],  # overwritten in the middle
        b"%PDF-1.4\n" + bytes(range(256)) * 20,
        b"%PDF-1.7\n%%EOF\n",
    ],
)
def test_a_broken_pdf_is_refused_saying_so(data: bytes) -> None:
    assert refusal("承诺书.pdf", data).problem is UploadProblem.PDF_BROKEN


def test_a_pdf_without_pages_is_refused() -> None:
    writer = PdfWriter()
    out = io.BytesIO()
    writer.write(out)
    assert refusal("空白.pdf", out.getvalue()).problem is UploadProblem.PDF_NO_PAGES


PATH, CONTROL, LONG, NO_NAME = (
    UploadProblem.NAME_PATH,
    UploadProblem.NAME_CONTROL,
    UploadProblem.NAME_TOO_LONG,
    UploadProblem.NO_NAME,
)


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("../承诺书.pdf", PATH),
        ("../../etc/passwd", PATH),
        ("/etc/passwd", PATH),
        ("dir/承诺书.pdf", PATH),
        ("C:\\Users\\li\\承诺书.pdf", PATH),
        ("..\\承诺书.pdf", PATH),
        ("..", PATH),
        (".", PATH),
        ("承诺书\x00.pdf", CONTROL),
        ("承诺书.pdf\x00.jpg", CONTROL),
        ("承诺\n书.pdf", CONTROL),
        ("承诺书\r.pdf", CONTROL),
        ("\x1b[31m承诺书.pdf", CONTROL),
        ("\x7f.pdf", CONTROL),
        ("fdp.\u202eexe", CONTROL),  # right-to-left override: shown as "exe.pdf"
        ("承诺\u200b书.pdf", CONTROL),  # zero-width space
        ("承诺书\u2028伪造的第二行.pdf", CONTROL),  # line separator: a line break in many viewers
        ("承诺书\u2029.pdf", CONTROL),  # paragraph separator
        ("承诺书\ud800.pdf", CONTROL),  # a lone surrogate cannot even be stored as UTF-8
        ("a" * (MAX_NAME_CHARS + 1), LONG),
        ("承" * 300 + ".pdf", LONG),
        ("", NO_NAME),
        ("   ", NO_NAME),
    ],
)
def test_hostile_names_are_refused(name: str, problem: UploadProblem) -> None:
    with pytest.raises(UploadRefusedError) as refused:
        safe_name(name)
    assert refused.value.problem is problem
    assert refused.value.status == 400
    assert refusal(name, PDF).problem is problem  # check_upload refuses the name before looking at the content


def test_a_long_name_is_refused_with_its_length_and_the_maximum() -> None:
    assert refusal("a" * (MAX_NAME_CHARS + 1), PDF).params == {"n": 201, "max": 200}


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("承诺书.pdf", "承诺书.pdf"),
        ("演示县财政局关于按期支付中小企业账款的承诺书（2026年第3号）.pdf", None),
        ("信用承诺书 定稿 v2.pdf", None),
        ("《营商环境承诺》-签章版.PDF", None),
        ("  承诺书.pdf  ", "承诺书.pdf"),
        ("..承诺书.pdf", None),  # dots inside a name are no path
        ("a" * MAX_NAME_CHARS, None),
        ("e\u0301.pdf", "\u00e9.pdf"),  # kept in NFC
    ],
)
def test_normal_names_are_kept(name: str, kept: str | None) -> None:
    assert safe_name(name) == (kept if kept is not None else name)
    assert check_upload(name, PDF, LETTER, LETTER_MAX_BYTES).name == (kept if kept is not None else name)


def _exif_with_position() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 6  # Orientation: turn 90° clockwise to view
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (31.0, 14.0, 5.0), "E", (121.0, 28.0, 9.0)
    return exif


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_a_photo_is_stored_without_its_exif_and_position_but_upright(fmt: str) -> None:
    """Issue 19: a phone's photo carries where it was taken; what is stored is the pixels alone."""
    original = photo(fmt, size=(4, 2), exif=_exif_with_position())
    with Image.open(io.BytesIO(original)) as before:
        assert before.getexif().get_ifd(0x8825)  # the test's photo really has a GPS position
    checked = check_upload(f"现场.{fmt.lower()}", original, EVIDENCE_KINDS, 10 * 1024 * 1024)
    assert b"PhoneMaker" not in checked.data
    with Image.open(io.BytesIO(checked.data)) as after:
        assert after.format == fmt
        assert not after.getexif()  # no EXIF at all: no GPS, no maker, no orientation left to misapply
        assert after.size == (2, 4)  # turned upright by the orientation it carried


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n" + b"\0\0\0\rIHDR" + b"\0" * 17 + b"\0\0\0\0IEND\xaeB`\x82",  # a PNG header, no image
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9",
        bytes(b ^ 0xFF if i == 29 else b for i, b in enumerate(photo("PNG"))),  # its header's checksum broken
    ],
)
def test_an_image_that_does_not_decode_is_refused(data: bytes) -> None:
    assert refusal("照片.png", data, EVIDENCE_KINDS).problem is UploadProblem.IMAGE_BROKEN


def test_an_image_with_too_many_pixels_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uploads, "MAX_IMAGE_PIXELS", 7)  # the photo has 8
    assert refusal("照片.png", photo("PNG"), EVIDENCE_KINDS).problem is UploadProblem.IMAGE_BROKEN


@pytest.mark.parametrize("part", ["javascript", "open-script", "launch", "attachment", "xfa"])
def test_an_active_pdf_is_refused(part: str) -> None:
    """Issue 19: refused rather than cleaned, because a letter's SHA-256 is published as proof of what was signed."""
    assert refusal("承诺书.pdf", active_pdf(part)).problem is UploadProblem.PDF_ACTIVE


def test_a_pdf_that_opens_at_its_first_page_is_still_accepted() -> None:
    assert check_upload("承诺书.pdf", active_pdf("goto"), LETTER, LETTER_MAX_BYTES).kind is FileKind.PDF


@pytest.mark.parametrize(
    "data",
    [
        b"<html><body><script>alert(1)</script>" + PDF,  # a web page with a PDF after it
        PDF.replace(b"%PDF-1.4\n", b"%PDF-1.4\n<!DOCTYPE html><script>alert(1)</script>\n", 1),
    ],
)
def test_a_pdf_that_is_also_a_web_page_is_refused(data: bytes) -> None:
    assert refusal("承诺书.pdf", data).problem is UploadProblem.PDF_POLYGLOT
