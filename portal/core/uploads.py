"""What an uploaded file is, judged by its content and never by its name; and whether its name is safe to show.
Pure: bytes and a name in, a verdict out — a refusal carries a code and its numbers, which the forms
(portal/forms.py) put into words in the reader's language. The upload policies (which kinds, how large, how many)
are declared here once; the checks, the request size limits and the field labels are built from them."""

from __future__ import annotations

import io
import logging
import unicodedata
import warnings
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PdfReadError, PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

MB = 1024 * 1024
MAX_NAME_CHARS = 200
MAX_IMAGE_PIXELS = 50_000_000  # a photo of a receipt needs far fewer; more is a decompression bomb


class FileKind(StrEnum):
    PDF = "application/pdf"
    JPEG = "image/jpeg"
    PNG = "image/png"


class UploadProblem(StrEnum):
    """Why a file is refused; the refusal's `params` hold the numbers the message needs."""

    NO_NAME = "no_name"
    NAME_CONTROL = "name_control"  # control or invisible formatting characters in the name
    NAME_PATH = "name_path"  # a path, not a file name
    NAME_TOO_LONG = "name_too_long"  # params: n (the name's length), max
    EMPTY = "empty"
    TOO_LARGE = "too_large"  # params: mb (the most allowed)
    WRONG_KIND = "wrong_kind"  # params: kinds (e.g. "PDF / JPEG / PNG")
    PDF_ENCRYPTED = "pdf_encrypted"
    PDF_NO_PAGES = "pdf_no_pages"
    PDF_BROKEN = "pdf_broken"
    PDF_ACTIVE = "pdf_active"  # JavaScript, a launch or other action, an embedded file, an XFA form, rich media
    PDF_POLYGLOT = "pdf_polyglot"  # markup before or around the PDF: a file that is also a web page
    IMAGE_BROKEN = "image_broken"  # a JPEG or PNG that does not decode, or has more than MAX_IMAGE_PIXELS


class UploadRefusedError(ValueError):
    """The file cannot be accepted: `problem` says why (as a code, with its `params`), `status` is the HTTP answer
    (413 for a file too large, else 400)."""

    def __init__(self, problem: UploadProblem, **params: Any) -> None:
        super().__init__(f"{problem.value} {params}" if params else problem.value)
        self.problem = problem
        self.params = params
        self.status = 413 if problem is UploadProblem.TOO_LARGE else 400


@dataclass(frozen=True)
class UploadPolicy:
    """What a file field takes: which kinds (by content), how large each file may be, how many files, and whether
    at least one is needed."""

    kinds: frozenset[FileKind]
    max_bytes: int
    max_files: int = 1
    required: bool = False

    @property
    def kind_names(self) -> tuple[str, ...]:
        """The kinds' names in a fixed order: ('PDF', 'JPEG', 'PNG')."""
        return tuple(kind.name for kind in FileKind if kind in self.kinds)

    @property
    def max_mb(self) -> int:
        return self.max_bytes // MB

    @property
    def most_bytes(self) -> int:
        """The most a field of this policy can bring in one request."""
        return self.max_files * self.max_bytes


PDF_ONLY = frozenset({FileKind.PDF})
DOCUMENTS_AND_PHOTOS = frozenset({FileKind.PDF, FileKind.JPEG, FileKind.PNG})

COMMITMENT_LETTER = UploadPolicy(PDF_ONLY, 20 * MB)  # 签章承诺书: needed for a new draft (the view says when)
EVIDENCE = UploadPolicy(DOCUMENTS_AND_PHOTOS, 10 * MB, max_files=5)  # complaints, objections, rectification progress
REPAIR_EVIDENCE = replace(EVIDENCE, required=True)  # 履行佐证材料: at least one
REPAIR_PLEDGE = UploadPolicy(PDF_ONLY, 20 * MB, required=True)  # the signed 信用承诺书 of a repair application


@dataclass(frozen=True)
class CheckedFile:
    name: str
    kind: FileKind
    data: bytes


def safe_name(name: str) -> str:
    """The uploader's file name if it is a plain name; refuse paths, control characters and very long names."""
    name = unicodedata.normalize("NFC", name or "").strip()
    if not name:
        raise UploadRefusedError(UploadProblem.NO_NAME)
    if any(unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Zl", "Zp"} for ch in name):
        raise UploadRefusedError(UploadProblem.NAME_CONTROL)
    if "/" in name or "\\" in name or name in {".", ".."}:
        raise UploadRefusedError(UploadProblem.NAME_PATH)
    if len(name) > MAX_NAME_CHARS:
        raise UploadRefusedError(UploadProblem.NAME_TOO_LONG, n=len(name), max=MAX_NAME_CHARS)
    return name


def _sniff(data: bytes) -> FileKind | None:
    if data.startswith(b"%PDF-") or b"%PDF-" in data[:1024]:
        return FileKind.PDF
    if data.startswith(b"\xff\xd8\xff") and data.rstrip(b"\0").endswith(b"\xff\xd9"):
        return FileKind.JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR" and b"IEND" in data[-16:]:
        return FileKind.PNG
    return None


# What makes a PDF active (issue 19). Such a file is refused, not cleaned: a letter's SHA-256 is published as proof of
# what was signed, so the agency exports a plain PDF again rather than the portal changing the signed bytes.
ACTIVE_KEYS = frozenset({"/JS", "/JavaScript", "/EmbeddedFile", "/EmbeddedFiles", "/XFA", "/RichMedia"})
ACTIVE_ACTIONS = frozenset({"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToE", "/RichMediaExecute"})
ACTIVE_SUBTYPES = frozenset({"/FileAttachment", "/RichMedia", "/Screen", "/Movie", "/Sound"})
MARKUP = (b"<html", b"<!doctype", b"<script", b"<body", b"<iframe")
MAX_PDF_OBJECTS = 200_000  # more than any letter has; walking further would only feed a crafted file


def _active_part(reader: PdfReader) -> str | None:
    """The first active part found walking every object reachable from the trailer, or None."""
    seen: set[int] = set()
    todo: list[Any] = [reader.trailer]
    walked = 0
    while todo:
        item = todo.pop()
        if isinstance(item, IndirectObject):
            if item.idnum in seen:
                continue
            seen.add(item.idnum)
            item = item.get_object()
        walked += 1
        if walked > MAX_PDF_OBJECTS:
            raise UploadRefusedError(UploadProblem.PDF_BROKEN)
        if isinstance(item, DictionaryObject):
            for key in item:
                if key in ACTIVE_KEYS:
                    return str(key)
            if item.get("/S") in ACTIVE_ACTIONS:
                return str(item.get("/S"))
            if item.get("/Subtype") in ACTIVE_SUBTYPES:
                return str(item.get("/Subtype"))
            todo.extend(value for key, value in item.items() if key not in ("/Parent", "/P"))
        elif isinstance(item, ArrayObject):
            todo.extend(item)
    return None


def _check_pdf(data: bytes) -> None:
    """It must be a PDF and nothing else (no markup before or around it), open with at least one page, not be
    encrypted, and carry nothing active (ACTIVE_KEYS, ACTIVE_ACTIONS, ACTIVE_SUBTYPES)."""
    start = data.find(b"%PDF-")
    head = data[: max(start, 0) + 1024].lower()
    if data[:start].strip(b"\xef\xbb\xbf \t\r\n\0") or any(tag in head for tag in MARKUP):
        raise UploadRefusedError(UploadProblem.PDF_POLYGLOT)
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # broken files are refused below; no log noise
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise UploadRefusedError(UploadProblem.PDF_ENCRYPTED)
        if len(reader.pages) < 1:
            raise UploadRefusedError(UploadProblem.PDF_NO_PAGES)
        if _active_part(reader) is not None:
            raise UploadRefusedError(UploadProblem.PDF_ACTIVE)
    except UploadRefusedError:
        raise
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, IndexError, AttributeError, RecursionError):
        raise UploadRefusedError(UploadProblem.PDF_BROKEN) from None


def _pixels_only(data: bytes, kind: FileKind) -> bytes:
    """A photo decoded and encoded again (issue 19): no EXIF (a phone's GPS position, its owner, the camera), no
    comment or text chunk and no bytes after the image survive; it is turned upright first by its EXIF orientation,
    which goes with the rest."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > MAX_IMAGE_PIXELS:
                    raise UploadRefusedError(UploadProblem.IMAGE_BROKEN)
                image.load()
                upright = ImageOps.exif_transpose(image)
        out = io.BytesIO()
        if kind is FileKind.JPEG:
            keep = upright if upright.mode in ("RGB", "L", "CMYK") else upright.convert("RGB")
            keep.save(out, "JPEG", quality=90)
        else:
            upright.save(out, "PNG")
    except UploadRefusedError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError, Warning):
        raise UploadRefusedError(UploadProblem.IMAGE_BROKEN) from None
    return out.getvalue()


def check_upload(name: str, data: bytes, allowed: frozenset[FileKind], max_bytes: int) -> CheckedFile:
    """Accept the file if its name is safe, it is not empty or too large, and its content is one of `allowed`. A
    photo comes back re-encoded, without its metadata (_pixels_only): what is stored is that."""
    clean = safe_name(name)
    if not data:
        raise UploadRefusedError(UploadProblem.EMPTY)
    if len(data) > max_bytes:
        raise UploadRefusedError(UploadProblem.TOO_LARGE, mb=max_bytes // MB)
    kind = _sniff(data)
    if kind is None or kind not in allowed:
        raise UploadRefusedError(UploadProblem.WRONG_KIND, kinds=" / ".join(k.name for k in FileKind if k in allowed))
    if kind is FileKind.PDF:
        _check_pdf(data)
    else:
        data = _pixels_only(data, kind)
    return CheckedFile(clean, kind, data)
