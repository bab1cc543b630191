"""What an uploaded file is, judged by its content and never by its name; and whether its name is safe to show.
Pure: bytes and a name in, a verdict out (messages are lazy strings, shown in the reader's language)."""

from __future__ import annotations

import io
import logging
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from flask_babel import lazy_gettext as _l
from pypdf import PdfReader
from pypdf.errors import PdfReadError, PyPdfError

MB = 1024 * 1024
MAX_NAME_CHARS = 200


class FileKind(StrEnum):
    PDF = "application/pdf"
    JPEG = "image/jpeg"
    PNG = "image/png"


class UploadRefused(ValueError):
    """The file cannot be accepted; `message` says why in words for the uploader, `status` is the HTTP answer."""

    def __init__(self, message: Any, status: int = 400) -> None:
        super().__init__(str(message))
        self.message = message
        self.status = status


@dataclass(frozen=True)
class CheckedFile:
    name: str
    kind: FileKind
    data: bytes


def safe_name(name: str) -> str:
    """The uploader's file name if it is a plain name; refuse paths, control characters and very long names."""
    name = unicodedata.normalize("NFC", name or "").strip()
    if not name:
        raise UploadRefused(_l("文件没有名称。"))
    if any(unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Zl", "Zp"} for ch in name):
        raise UploadRefused(_l("文件名含有控制字符，请改名后再上传。"))
    if "/" in name or "\\" in name or name in {".", ".."}:
        raise UploadRefused(_l("文件名不能包含路径（/ 或 \\），请只上传文件本身。"))
    if len(name) > MAX_NAME_CHARS:
        raise UploadRefused(_l("文件名太长（%(n)d 个字符），最多 %(max)d 个字符。", n=len(name), max=MAX_NAME_CHARS))
    return name


def _sniff(data: bytes) -> FileKind | None:
    if data.startswith(b"%PDF-") or b"%PDF-" in data[:1024]:
        return FileKind.PDF
    if data.startswith(b"\xff\xd8\xff") and data.rstrip(b"\0").endswith(b"\xff\xd9"):
        return FileKind.JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR" and b"IEND" in data[-16:]:
        return FileKind.PNG
    return None


def _check_pdf(data: bytes) -> None:
    """It must open as a PDF with at least one page and must not be encrypted."""
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # broken files are refused below; no log noise
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise UploadRefused(_l("PDF 文件已加密或设有密码，无法公开核验，请上传未加密的文件。"))
        if len(reader.pages) < 1:
            raise UploadRefused(_l("PDF 文件没有页面。"))
    except UploadRefused:
        raise
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, IndexError, AttributeError, RecursionError):
        raise UploadRefused(_l("文件已损坏，无法作为 PDF 打开，请重新导出后上传。")) from None


def check_upload(name: str, data: bytes, allowed: frozenset[FileKind], max_bytes: int) -> CheckedFile:
    """Accept the file if its name is safe, it is not empty or too large, and its content is one of `allowed`."""
    clean = safe_name(name)
    if not data:
        raise UploadRefused(_l("文件是空的（0 字节）。"))
    if len(data) > max_bytes:
        raise UploadRefused(_l("文件太大：最大 %(mb)d MB。", mb=max_bytes // MB), status=413)
    kind = _sniff(data)
    if kind is None or kind not in allowed:
        wanted = " / ".join(k.name for k in sorted(allowed))
        raise UploadRefused(_l("文件内容不是 %(kinds)s（按文件内容判断，与扩展名无关）。", kinds=wanted))
    if kind is FileKind.PDF:
        _check_pdf(data)
    return CheckedFile(clean, kind, data)
