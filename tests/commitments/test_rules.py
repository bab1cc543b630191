"""Commitment codes (6-digit region + 8-digit date + 6-digit serial) and fulfilment transitions."""

from __future__ import annotations

from datetime import date
from itertools import product

import pytest

from portal.commitments.rules import (
    FULFILMENT_TRANSITIONS,
    Fulfilment,
    commitment_code,
    is_commitment_code,
)
from portal.core.transitions import TransitionError, check_transition


@pytest.mark.parametrize(
    ("region", "made_on", "serial", "code"),
    [
        ("990121", date(2026, 1, 15), 1, "99012120260115000001"),
        ("350100", date(2025, 10, 8), 999_999, "35010020251008999999"),
        ("350100", date(2024, 2, 29), 42, "35010020240229000042"),
        ("990121001", date(2026, 12, 31), 123, "99012120261231000123"),  # township code: county part used
        ("000000", date(2025, 1, 1), 10, "00000020250101000010"),
    ],
)
def test_commitment_code(region: str, made_on: date, serial: int, code: str) -> None:
    assert commitment_code(region, made_on, serial) == code
    assert is_commitment_code(code)


@pytest.mark.parametrize(
    ("region", "serial"),
    [
        ("99012", 1),
        ("", 1),
        ("99A121", 1),
        ("9901 2", 1),
        ("990121", 0),
        ("990121", -1),
        ("990121", 1_000_000),
    ],
)
def test_commitment_code_bad_input(region: str, serial: int) -> None:
    with pytest.raises(ValueError, match="region code of 6 digits and a serial"):
        commitment_code(region, date(2026, 1, 15), serial)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("99012120260115000001", True),
        ("35010020240229000123", True),  # leap day
        ("00000020251231999999", True),
        ("99012120261332000001", False),  # month 13, day 32
        ("99012120261301000001", False),  # month 13
        ("99012120260132000001", False),  # 32 January
        ("99012120260100000001", False),  # day 0
        ("99012120250229000001", False),  # 2025 is not a leap year
        ("99012120260431000001", False),  # 31 April
        ("9901212026011500001", False),  # 19 digits
        ("990121202601150000011", False),  # 21 digits
        ("", False),
        ("99012A20260115000001", False),
        ("99012120260115A00001", False),
        ("9901212026-01-150001", False),
        (" 99012120260115000001", False),
        ("99012120260115000001 ", False),
        ("99012120260115000001\n", False),
        ("９９０１２１２０２６０１１５００００01", False),  # full-width digits
        ("٩٩٠١٢١٢٠٢٦٠١١٥٠٠٠٠٠١", False),  # Arabic-Indic digits
    ],
)
def test_is_commitment_code(code: str, expected: bool) -> None:
    assert is_commitment_code(code) is expected


F = Fulfilment
ALLOWED = {(F.IN_PROGRESS, F.FULFILLED), (F.IN_PROGRESS, F.PARTLY), (F.IN_PROGRESS, F.UNFULFILLED)}
FORBIDDEN = sorted(set(product(Fulfilment, Fulfilment)) - ALLOWED)


def test_fulfilment_table_is_the_documented_one() -> None:
    assert {(a, b) for a, targets in FULFILMENT_TRANSITIONS.items() for b in targets} == ALLOWED
    assert set(FULFILMENT_TRANSITIONS) == set(Fulfilment)
    assert len(FORBIDDEN) == 13


@pytest.mark.parametrize(("current", "new"), sorted(ALLOWED))
def test_allowed_fulfilment_changes(current: Fulfilment, new: Fulfilment) -> None:
    check_transition(FULFILMENT_TRANSITIONS, current, new)  # no TransitionError


@pytest.mark.parametrize(("current", "new"), FORBIDDEN)
def test_other_fulfilment_changes_raise(current: Fulfilment, new: Fulfilment) -> None:
    with pytest.raises(TransitionError, match=f"from '{current.value}' to '{new.value}'"):
        check_transition(FULFILMENT_TRANSITIONS, current, new)
