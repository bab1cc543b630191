"""Table tests of the account rules: user names, passwords, roles and agencies, the login's `next`, TOTP steps."""

from __future__ import annotations

import pytest

from portal.users.rules import (
    MAX_PASSWORD_CHARS,
    MIN_PASSWORD_CHARS,
    TOTP_ROLES,
    InvalidUserError,
    Role,
    check_password,
    check_role,
    check_username,
    safe_next,
    totp_step_accepted,
)


@pytest.mark.parametrize(
    "username",
    ["abc", "demo-staff", "li.ming", "user_01", "9to5", "a" * 80, "demo-officer-township"],
)
def test_good_user_names_pass(username: str) -> None:
    assert check_username(username) == username


@pytest.mark.parametrize(
    "username",
    [
        "",
        "ab",  # too short
        "a" * 81,  # too long
        "Admin",  # upper case (create_user lower-cases before checking)
        "-dash-first",
        ".dot-first",
        "_under-first",
        "li ming",
        "li@ming",
        "李明",
        "../etc",
        "name\n",
        "name\x00x",
    ],
)
def test_bad_user_names_are_refused(username: str) -> None:
    with pytest.raises(InvalidUserError, match="用户名为 3–80 个字符"):
        check_username(username)


@pytest.mark.parametrize(
    "password",
    ["x" * MIN_PASSWORD_CHARS, "correct horse battery", "密码密码密码密码密码密码", "x" * MAX_PASSWORD_CHARS],
)
def test_good_passwords_pass(password: str) -> None:
    assert check_password(password, "li.ming") == password


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("", "密码至少需要 12 个字符"),
        ("x" * (MIN_PASSWORD_CHARS - 1), "密码至少需要 12 个字符"),
        ("x" * (MAX_PASSWORD_CHARS + 1), "密码最多 256 个字符"),
        ("my-li.ming-password", "密码不能包含用户名"),
        ("MY-LI.MING-PASSWORD", "密码不能包含用户名"),
        ("\x00" * 20, "密码不能含有控制字符"),
        ("a-long-password\x1b[2J", "密码不能含有控制字符"),
    ],
)
def test_bad_passwords_are_refused(password: str, message: str) -> None:
    with pytest.raises(InvalidUserError, match=message):
        check_password(password, "li.ming")


@pytest.mark.parametrize(
    ("role", "agency_id", "message"),
    [
        (Role.OFFICER, 7, None),
        (Role.STAFF, None, None),
        (Role.ADMIN, None, None),
        (Role.OFFICER, None, "机构填报员必须选择所属机构"),
        (Role.STAFF, 7, "只有机构填报员才有所属机构"),
        (Role.ADMIN, 7, "只有机构填报员才有所属机构"),
    ],
)
def test_only_officers_belong_to_an_agency(role: Role, agency_id: int | None, message: str | None) -> None:
    if message is None:
        check_role(role, agency_id)
    else:
        with pytest.raises(InvalidUserError, match=message):
            check_role(role, agency_id)


def test_totp_is_for_staff_and_admins_only() -> None:
    assert frozenset({Role.STAFF, Role.ADMIN}) == TOTP_ROLES


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/workspace/", "/workspace/"),
        ("/workspace/review/12?tab=files", "/workspace/review/12?tab=files"),
        ("/records/?q=%E6%8B%96%E6%AC%A0", "/records/?q=%E6%8B%96%E6%AC%A0"),
        (None, None),
        ("", None),
        ("workspace/", None),  # relative
        ("//evil.example", None),  # protocol-relative: another host
        ("//evil.example/workspace/", None),
        ("https://evil.example", None),
        ("http://localhost/workspace/", None),
        ("javascript:alert(1)", None),
        ("/\\evil.example", None),  # browsers read /\ as //
        ("/workspace\\..\\x", None),
        ("/\t/evil.example", None),  # browsers drop tabs and newlines: //evil.example
        ("/\n/evil.example", None),
        ("/\r\nSet-Cookie: x=1", None),
        (" //evil.example", None),
    ],
)
def test_safe_next_keeps_only_paths_on_this_site(target: str | None, expected: str | None) -> None:
    assert safe_next(target) == expected


@pytest.mark.parametrize(
    ("code_steps", "last_step", "expected"),
    [
        ([], None, None),  # the code matched no step
        ([100], None, 100),  # first use
        ([99, 100, 101], None, 101),  # the newest matching step is spent
        ([100], 99, 100),
        ([100], 100, None),  # the same code again
        ([99, 100], 100, None),  # an older code after a newer one
        ([100, 101], 100, 101),  # the next step's code still works
        ([98], 100, None),
    ],
)
def test_a_totp_step_is_accepted_once(code_steps: list[int], last_step: int | None, expected: int | None) -> None:
    assert totp_step_accepted(code_steps, last_step) == expected
