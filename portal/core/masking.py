"""Masking of personal data for display: phones, ID numbers, enterprise codes, names, e-mail addresses."""

from __future__ import annotations


def mask_phone(phone: str) -> str:
    """13812345678 -> 138****5678; other lengths always hide at least half of the characters."""
    digits = phone.strip()
    if len(digits) == 11:
        return f"{digits[:3]}****{digits[7:]}"
    if len(digits) <= 4:
        return "*" * len(digits)
    if len(digits) < 10:
        return f"{digits[0]}{'*' * (len(digits) - 2)}{digits[-1]}"
    return f"{digits[:3]}{'*' * (len(digits) - 5)}{digits[-2:]}"


def mask_id_number(number: str) -> str:
    """18-digit 居民身份证号码: keep the first 6 (region) and last 4."""
    number = number.strip()
    if len(number) <= 10:
        return "*" * len(number)
    return f"{number[:6]}{'*' * (len(number) - 10)}{number[-4:]}"


def mask_code(code: str) -> str:
    """An enterprise complainant's 统一社会信用代码 (it names the firm): the first 2 and last 2 characters kept,
    91320100MA1XXXXX8Q -> 91**************8Q."""
    code = code.strip()
    if len(code) <= 4:
        return "*" * len(code)
    return f"{code[:2]}{'*' * (len(code) - 4)}{code[-2:]}"


ERASED = "（已按保存期限删除）"  # what a filer's name and text become once kept long enough (portal/retention)


def mask_name(name: str) -> str:
    """张三 -> 张*, 欧阳娜娜 -> 欧***; Latin names keep their first letter; the erased placeholder stays readable."""
    name = name.strip()
    if not name or name == ERASED:
        return name
    return name[0] + "*" * max(len(name) - 1, 1)


def mask_email(email: str) -> str:
    """zhang.san@example.cn -> z***@example.cn"""
    local, sep, domain = email.strip().partition("@")
    if not sep:
        return mask_name(email)
    return f"{local[:1]}***@{domain}"


def shown_contact(name: str, phone: str, email: str, code: str = "", *, revealed: bool = False) -> dict[str, str]:
    """A filer's name, contact and enterprise code as staff see them: masked until they press "show" (`revealed`,
    audited by the caller); what was not given stays empty."""
    if revealed:
        return {"name": name, "phone": phone, "email": email, "code": code}
    return {
        "name": mask_name(name),
        "phone": mask_phone(phone) if phone else "",
        "email": mask_email(email) if email else "",
        "code": mask_code(code) if code else "",
    }
