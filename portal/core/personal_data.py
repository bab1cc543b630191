"""Personal data found in a text meant for publication: names, phone numbers, ID numbers, enterprise codes and
e-mail addresses. Pure.

A complaint's answer is written to the complainant; the public version of it must name no one (DESIGN.md
"Complaint": with consent, the reply is published anonymised; issue 18: a clerk's greeting that named the
complainant reached two public pages). `find_personal_data` flags what staff must take out before publishing;
`redact` gives the version the publication form starts from."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from portal.core.labelled import N_, LabelledEnum
from portal.core.uscc import is_valid_uscc


class Found(LabelledEnum):
    NAME = "name", N_("姓名或名称")
    PHONE = "phone", N_("电话号码")
    ID_NUMBER = "id_number", N_("身份证号码")
    USCC = "uscc", N_("统一社会信用代码")
    EMAIL = "email", N_("电子邮箱")


# What each finding becomes in the prefilled public version (msgids: the form shows them translated).
PLACEHOLDERS = {
    Found.NAME: N_("投诉人"),
    Found.PHONE: N_("〔电话已隐去〕"),
    Found.ID_NUMBER: N_("〔身份证号已隐去〕"),
    Found.USCC: N_("〔统一社会信用代码已隐去〕"),
    Found.EMAIL: N_("〔邮箱已隐去〕"),
}

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# 18-character 统一社会信用代码 (GB 32100-2015 alphabet); only those whose check character is right are flagged.
_USCC = re.compile(r"(?<![0-9A-Za-z])[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}(?![0-9A-Za-z])")
# 居民身份证号码 (GB 11643): 6 digits of region, the birth date, 3 digits and a check character (written in groups
# sometimes), or the old 15 digits with a 2-digit year. Flagged when the birth date is a real date (and the check
# character right), so that a contract's serial number is not.
_ID_NUMBER = re.compile(
    r"(?<![0-9A-Za-z])(?:[1-9][0-9]{5} ?(?:19|20)[0-9]{6} ?[0-9]{3}[0-9Xx]|[1-9][0-9]{14})(?![0-9A-Za-z])"
)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
# Mobile numbers (138 1234 5678, 138-1234-5678, +86 13812345678) and landlines with an area code (0513-12345678,
# (0513)12345678).
_PHONE = re.compile(
    r"(?<![0-9])(?:(?:\+?86[ -]?)?1[3-9][0-9](?:[ -]?[0-9]{4}){2}|\(?0[1-9][0-9]{1,2}\)?[ -]?[0-9]{7,8})(?![0-9])"
)
# A person addressed by surname and title, as a greeting does: 张先生, 王女士, 李经理, 欧阳老师; not a role such as
# 负责同志, 经办同志 or 公司总经理.
_TITLED_NAME = re.compile(r"([\u4e00-\u9fa5]{1,2})(?:先生|女士|小姐|同志|老师|总经理|经理|师傅)")
_NOT_NAMES = frozenset(
    {"负责", "经办", "相关", "有关", "公司", "单位", "承办", "主管", "分管", "部门", "工作"}
    | {"该", "此", "各", "本", "贵", "总", "副"}
)


def _same_length_nfkc(text: str) -> str:
    """Full-width digits, letters and signs (１３８, ＠, －, （ ）) as their ASCII forms, each character on its own, so
    that a match's offsets are the same in `text` (a character NFKC would widen is kept as it is)."""
    return "".join(n if len(n := unicodedata.normalize("NFKC", c)) == 1 else c for c in text)


def _is_id_number(found: str) -> bool:
    digits = found.replace(" ", "").upper()
    if len(digits) == 15:
        birth = "19" + digits[6:12]
    else:
        birth = digits[6:14]
        total = sum(int(d) * w for d, w in zip(digits[:17], _ID_WEIGHTS, strict=True))
        if "10X98765432"[total % 11] != digits[17]:
            return False
    try:
        date(int(birth[:4]), int(birth[4:6]), int(birth[6:8]))
    except ValueError:
        return False
    return True


def _digits_pattern(value: str) -> str:
    """A known phone number, found however its digits are grouped (139 1234 5678, 139-1234-5678)."""
    return r"[ \-()]{0,2}".join(re.escape(d) for d in value if d.isdigit())


@dataclass(frozen=True)
class Finding:
    kind: Found
    text: str
    line: int  # 1-based, for "第 3 行"
    start: int
    end: int


def find_personal_data(text: str, known_names: Iterable[str] = (), known_phones: Iterable[str] = ()) -> list[Finding]:
    """Every stretch of `text` that looks like personal data, in reading order, without overlaps: the names and
    phone numbers given (the complainant's, as filed), titled names, e-mail addresses, enterprise codes, ID and
    phone numbers, in half- or full-width characters."""
    plain = _same_length_nfkc(text)
    spans: list[tuple[int, int, Found]] = []
    for name in {n.strip() for n in known_names if len(n.strip()) >= 2}:
        spans += [(m.start(), m.end(), Found.NAME) for m in re.finditer(re.escape(_same_length_nfkc(name)), plain)]
    for phone in {p for p in known_phones if sum(c.isdigit() for c in p) >= 5}:
        spans += [(m.start(), m.end(), Found.PHONE) for m in re.finditer(_digits_pattern(phone), plain)]
    spans += [(m.start(), m.end(), Found.EMAIL) for m in _EMAIL.finditer(plain)]
    spans += [(m.start(), m.end(), Found.USCC) for m in _USCC.finditer(plain) if is_valid_uscc(m.group())]
    spans += [(m.start(), m.end(), Found.ID_NUMBER) for m in _ID_NUMBER.finditer(plain) if _is_id_number(m.group())]
    spans += [(m.start(), m.end(), Found.PHONE) for m in _PHONE.finditer(plain)]
    spans += [(m.start(), m.end(), Found.NAME) for m in _TITLED_NAME.finditer(plain) if m.group(1) not in _NOT_NAMES]
    findings: list[Finding] = []
    taken_until = -1
    for start, end, kind in sorted(spans, key=lambda s: (s[0], -s[1])):  # the longest of those starting together
        if start < taken_until:
            continue
        findings.append(Finding(kind, text[start:end], text.count("\n", 0, start) + 1, start, end))
        taken_until = end
    return findings


def redact(
    text: str,
    known_names: Iterable[str] = (),
    known_phones: Iterable[str] = (),
    placeholders: dict[Found, str] | None = None,
) -> str:
    """`text` with every finding replaced by its placeholder (translated ones may be passed in)."""
    shown = placeholders or PLACEHOLDERS
    parts: list[str] = []
    at = 0
    for finding in find_personal_data(text, known_names, known_phones):
        parts += [text[at : finding.start], str(shown[finding.kind])]
        at = finding.end
    return "".join([*parts, text[at:]])
