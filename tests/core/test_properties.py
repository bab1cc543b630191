"""Property tests (Hypothesis) for rules that come in pairs: when a record is published, in Python and in SQL;
money typed in 元 and shown again; working days added and counted; the USCC check character computed and checked.
The table tests beside this file pin known cases; these try many generated ones, boundaries first."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from flask import Flask
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from portal.core.money import format_yuan, parse_yuan
from portal.core.periods import Severity, disclosure_window
from portal.core.uscc import CHARSET, WEIGHTS, UsccProblem, check_character, is_valid_uscc, uscc_problem
from portal.core.workdays import WorkCalendar, china_calendar
from portal.extensions import db
from portal.records.models import Record
from portal.records.rules import SHOWN_STATUSES, RecordStatus, is_published, publication_stop
from tests.factories import make_record

QUICK = settings(max_examples=150, deadline=None, database=None)  # no example database left in the work tree

# --- publication: rules.is_published / publication_stop and their SQL twin Record.public_clause ------------------

days = st.dates(min_value=date(2019, 1, 1), max_value=date(2032, 12, 31))


@st.composite
def publications(draw: st.DrawFn) -> tuple[date, date, date, date, RecordStatus, date | None, date]:
    """(decision, start, min_end, max_end, status, stopped_on, another_day): a window from a decision date and a
    severity, published from that day or a little later (sometimes after its end), and some day to try as well as
    the days around its edges."""
    decision = draw(days)
    window = disclosure_window(decision, draw(st.sampled_from(list(Severity))))
    start = decision + timedelta(days=draw(st.one_of(st.just(0), st.integers(0, 40), st.integers(0, 1200))))
    status = draw(st.sampled_from(list(RecordStatus)))
    stopped_on = None if status in SHOWN_STATUSES else draw(st.one_of(days, st.just(start)))
    return decision, start, window.min_end, window.max_end, status, stopped_on, draw(days)


def around(*edges: date) -> list[date]:
    """The day before, of and after each edge."""
    return sorted({edge + timedelta(days=n) for edge in edges for n in (-1, 0, 1)})


@settings(QUICK, max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(publication=publications())
def test_a_record_is_public_in_sql_exactly_when_it_is_in_python(
    app: Flask, publication: tuple[date, date, date, date, RecordStatus, date | None, date]
) -> None:
    decision, start, min_end, max_end, status, stopped_on, another_day = publication
    record = make_record(
        decision_date=decision,
        publication_start=start,
        publication_min_end=min_end,
        publication_max_end=max_end,
        status=status,
        stopped_on=stopped_on,
    )
    for today in [*around(start, min_end, max_end), another_day]:
        in_sql = db.session.scalar(
            select(func.count()).select_from(Record).where(Record.id == record.id, Record.public_clause(today))
        )
        in_python = is_published(status, start, max_end, today)
        assert in_sql == int(in_python), today
        assert record.is_public(today) is in_python, today
        # the stop notice agrees: none while public; without a stored stop date it never names a later day
        notice = publication_stop(status, stopped_on, max_end, today)
        assert (start <= today and notice is None) is in_python, today
        if notice is not None and stopped_on is None:
            assert notice.since <= today, today
    db.session.delete(record)  # keep the table small for the next example (the test's transaction rolls back)


@QUICK
@given(start=days, length=st.integers(1, 3 * 366), status=st.sampled_from(list(RecordStatus)))
def test_publication_ends_on_the_day_the_maximum_period_is_reached(
    start: date, length: int, status: RecordStatus
) -> None:
    """Shown on the day before max_end, not on max_end itself, and a shown status is what keeps it up."""
    max_end = start + timedelta(days=length)
    last = max_end - timedelta(days=1)
    assert is_published(status, start, max_end, last) is (status in SHOWN_STATUSES)
    assert not is_published(status, start, max_end, max_end)
    assert not is_published(status, start, max_end, start - timedelta(days=1))


# --- money: 元 typed → fen → shown → fen --------------------------------------------------------------------------

WAN_FEN = 10_000 * 100  # fen in one 万元
fens = st.integers(min_value=0, max_value=10**15)


@st.composite
def typed_amounts(draw: st.DrawFn) -> tuple[str, int]:
    """An amount as someone might type it (with or without thousands separators, 0–2 decimals, 元, spaces) and the
    fen it means."""
    whole = draw(st.integers(0, 10**12))
    decimals = draw(st.sampled_from([0, 1, 2]))
    frac = draw(st.integers(0, 10**decimals - 1)) if decimals else 0
    text = f"{whole:,}" if draw(st.booleans()) and whole >= 1000 else str(whole)
    if decimals:
        text += f".{frac:0{decimals}d}"
    text = text + draw(st.sampled_from(["", "元", " 元"]))
    text = draw(st.sampled_from(["", " "])) + text + draw(st.sampled_from(["", " ", "\t"]))
    return text, whole * 100 + frac * 10 ** (2 - decimals)


@QUICK
@given(typed=typed_amounts())
@example(typed=("0", 0))
@example(typed=("99,999.99 元", 9_999_999))
@example(typed=("100,000", 10_000_000))
def test_typed_yuan_parse_to_fen_and_show_again(typed: tuple[str, int]) -> None:
    text, fen = typed
    assert parse_yuan(text) == fen
    shown = format_yuan(fen)
    if fen < 10 * WAN_FEN:  # shown in 元 to the fen: reading it back gives the same amount
        assert shown.endswith(" 元")
        assert parse_yuan(shown) == fen
    else:  # shown in 万元 to 0.01 万元, rounded half up: within half a hundredth
        assert shown.endswith(" 万元")
        shown_fen = Decimal(shown.removesuffix(" 万元").replace(",", "")) * WAN_FEN
        assert -WAN_FEN // 200 < shown_fen - fen <= WAN_FEN // 200


@QUICK
@given(fen=fens)
@example(fen=10 * WAN_FEN - 1)
@example(fen=10 * WAN_FEN)
@example(fen=10 * WAN_FEN + WAN_FEN // 200)  # exactly half a hundredth: rounded up
def test_shown_amounts_read_back(fen: int) -> None:
    shown = format_yuan(fen)
    assert format_yuan(-fen) == (f"-{shown}" if fen else shown)
    if fen < 10 * WAN_FEN:
        assert parse_yuan(shown) == fen
    else:
        shown_fen = Decimal(shown.removesuffix(" 万元").replace(",", "")) * WAN_FEN
        assert -WAN_FEN // 200 < shown_fen - fen <= WAN_FEN // 200


# --- working days: add_workdays and workdays_between ------------------------------------------------------------

CHINA = china_calendar(range(2024, 2029))
near = st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 10, 31))


@st.composite
def calendars(draw: st.DrawFn) -> WorkCalendar:
    """China's calendar, sometimes with overrides (days made working days or days off) like the staff table's."""
    if draw(st.booleans()):
        return CHINA
    overrides = draw(st.dictionaries(near, st.booleans(), max_size=30))
    return CHINA.with_overrides(overrides)


@QUICK
@given(calendar=calendars(), start=near, count=st.integers(0, 60))
@example(calendar=CHINA, start=date(2026, 9, 30), count=1)  # the day before 国庆
@example(calendar=CHINA, start=date(2026, 2, 13), count=3)  # the Friday before 春节
def test_adding_working_days_then_counting_them_gives_the_same_number(
    calendar: WorkCalendar, start: date, count: int
) -> None:
    due = calendar.add_workdays(start, count)
    assert calendar.workdays_between(start, due) == count
    assert calendar.workdays_between(due, start) == -count
    if count:
        assert calendar.is_workday(due)
        assert due > start
        assert calendar.add_workdays(start, count - 1) < due  # one more working day is a later day
    if count >= 2:
        assert calendar.previous_workday(due) == calendar.add_workdays(start, count - 1)


@QUICK
@given(calendar=calendars(), start=near, counts=st.tuples(st.integers(0, 60), st.integers(0, 60)))
def test_adding_working_days_is_monotonic_and_adds_up(
    calendar: WorkCalendar, start: date, counts: tuple[int, int]
) -> None:
    a, b = sorted(counts)
    assert calendar.add_workdays(start, a) <= calendar.add_workdays(start, b)
    if a < b:
        assert calendar.add_workdays(start, a) < calendar.add_workdays(start, b)
    # a deadline of a + b working days is b working days after the deadline of a
    assert calendar.add_workdays(calendar.add_workdays(start, a), b) == calendar.add_workdays(start, a + b)


# --- the USCC check character (GB 32100-2015) ---------------------------------------------------------------------

code_chars = st.sampled_from(CHARSET)
digits = st.sampled_from("0123456789")


@st.composite
def bodies(draw: st.DrawFn) -> str:
    """The first 17 characters: registering authority and type (2), region code (6 digits), the rest (9)."""
    head = draw(st.text(code_chars, min_size=2, max_size=2))
    region = draw(st.text(digits, min_size=6, max_size=6))
    rest = draw(st.text(code_chars, min_size=9, max_size=9))
    return head + region + rest


@QUICK
@given(body=bodies())
def test_a_body_with_its_check_character_is_valid(body: str) -> None:
    code = body + check_character(body)
    assert uscc_problem(code) is None
    assert is_valid_uscc(code.lower())  # codes are read without regard to case
    assert is_valid_uscc(f"  {code} ")


@QUICK
@given(body=bodies(), position=st.integers(0, 17), replacement=st.sampled_from(CHARSET + "IOSVZ*-"))
def test_changing_any_one_character_makes_the_code_invalid(body: str, position: int, replacement: str) -> None:
    """Every weight (3**i mod 31) is non-zero and 31 is prime, so changing one character of the 17 always changes
    the sum modulo 31, and with it the check character; a changed check character no longer matches; a character
    outside the set (I, O, S, V, Z...) is refused by itself. (A lower-case letter is not a change: see above.)"""
    code = body + check_character(body)
    assume(code[position] != replacement)
    changed = code[:position] + replacement + code[position + 1 :]
    assert not is_valid_uscc(changed)
    if replacement not in CHARSET:
        assert uscc_problem(changed) is UsccProblem.CHARACTERS
    elif 2 <= position < 8 and not replacement.isdigit():
        assert uscc_problem(changed) is UsccProblem.REGION
    else:
        assert uscc_problem(changed) is UsccProblem.CHECK_CHARACTER


@QUICK
@given(body=bodies(), position=st.integers(0, 16))
def test_swapping_two_neighbouring_characters_makes_the_code_invalid(body: str, position: int) -> None:
    """The weights of neighbours differ (3**i mod 31 are distinct for i < 30), so a swap of two different
    characters changes the sum by (a - b)(w_i - w_j), never a multiple of 31."""
    code = body + check_character(body)
    a, b = code[position], code[position + 1]
    assume(a != b)
    swapped = code[:position] + b + a + code[position + 2 :]
    assert not is_valid_uscc(swapped)


def test_the_weights_are_distinct_and_non_zero() -> None:
    """What the two properties above rest on."""
    assert len(set(WEIGHTS)) == len(WEIGHTS)
    assert all(w % 31 for w in WEIGHTS)
