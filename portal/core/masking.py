"""Masking of personal data for display: phones, ID numbers, names, e-mail addresses."""

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


def mask_name(name: str) -> str:
    """张三 -> 张*, 欧阳娜娜 -> 欧***; Latin names keep their first letter."""
    name = name.strip()
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)


def mask_email(email: str) -> str:
    """zhang.san@example.cn -> z***@example.cn"""
    local, sep, domain = email.strip().partition("@")
    if not sep:
        return mask_name(email)
    return f"{local[:1]}***@{domain}"


def shown_contact(name: str, phone: str, email: str, *, revealed: bool = False) -> dict[str, str]:
    """A filer's name and contact as staff see them: masked until they press "show" (`revealed`, audited by the
    caller); a contact not given stays empty."""
    if revealed:
        return {"name": name, "phone": phone, "email": email}
    return {
        "name": mask_name(name),
        "phone": mask_phone(phone) if phone else "",
        "email": mask_email(email) if email else "",
    }
