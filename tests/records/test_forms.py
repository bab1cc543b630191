"""The record forms' pure helpers (amounts, control characters, USCC messages, diffs) as tables, and the form
classes generated from the kind declaration."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from flask import Flask
from wtforms import DateField, StringField, TextAreaField

from portal.core.periods import DEFAULT_PERIODS, Severity
from portal.forms import YuanField, control_characters, parse_money, uscc_message, yuan_input
from portal.records import kinds
from portal.records.forms import IsoDateField, record_form
from portal.records.kinds import COMMON_LABELS, KINDS, FieldType, Kind, KindField, RecordKind, field_label, value_type
from portal.records.models import Correction
from portal.records.rules import decision_date_problem, diff_values, publication_window
from tests.factories import make_record


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("", None),
        ("   ", None),
        (None, None),
        ("0", 0),
        ("1", 100),
        ("1.5", 150),
        ("1.05", 105),
        ("1234.56", 123456),
        ("1,234.56", 123456),
        (" 12 元", 1200),
        ("1000000000000", 10**14),  # 1 万亿元: the most accepted
    ],
)
def test_amounts_in_yuan_become_fen(text: str | None, fen: int | None) -> None:
    assert parse_money(text) == fen


@pytest.mark.parametrize(
    "text",
    ["abc", "1.234", "-5", "1e5", "1,23", "12.", ".5", "１２", "1 000", "1000000000000.01", "9" * 40],
)
def test_anything_else_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="金额"):
        parse_money(text)


@pytest.mark.parametrize(
    ("fen", "text"),
    [(None, ""), (0, "0.00"), (5, "0.05"), (150, "1.50"), (123456, "1234.56"), (10**14, "1000000000000.00")],
)
def test_fen_shown_in_the_form_parse_back_the_same(fen: int | None, text: str) -> None:
    assert yuan_input(fen) == text
    assert parse_money(text) == fen


@pytest.mark.parametrize(
    ("text", "multiline", "bad"),
    [
        ("演示县财政局", False, False),
        ("a\tb", False, True),
        ("line\nbreak", False, True),
        ("line\nbreak\tand tab", True, False),
        ("nul\x00", True, True),
        ("bell\x07", False, True),
        ("del\x7f", True, True),
        ("全角　空格", False, False),
    ],
)
def test_control_characters(text: str, multiline: bool, bad: bool) -> None:
    assert control_characters(text, multiline=multiline) is bad


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("91350100M000100Y43", None),
        ("91350100M000100Y4", "应为 18 位"),
        ("91350100M000100YI3", "不使用的字符：I"),
        ("9135A100M000100Y43", "行政区划代码"),
        ("91350100M000100Y44", "校验位不符"),
    ],
)
def test_uscc_messages_say_what_is_wrong(app: Flask, code: str, message: str | None) -> None:
    with app.test_request_context():
        result = uscc_message(code)
    assert result is None if message is None else message in (result or "")


@pytest.mark.parametrize(
    ("old", "new", "changes"),
    [
        ({}, {}, {}),
        ({"title": "甲"}, {"title": "甲"}, {}),
        ({"title": "甲"}, {"title": "乙"}, {"title": ["甲", "乙"]}),
        ({"fine": ""}, {"fine": "1.00 元"}, {"fine": ["", "1.00 元"]}),
        ({}, {"fine": "1.00 元"}, {"fine": ["", "1.00 元"]}),
        ({"fine": "1.00 元"}, {}, {"fine": ["1.00 元", ""]}),
        ({"fine": ""}, {}, {}),  # missing and empty are the same
        (
            {"a": "1", "b": "2", "c": "3"},
            {"c": "4", "b": "2", "a": "0"},
            {"c": ["3", "4"], "a": ["1", "0"]},  # in the order of the new values
        ),
    ],
)
def test_diff_values(old: dict[str, str], new: dict[str, str], changes: dict[str, list[str]]) -> None:
    result = diff_values(old, new)
    assert result == changes
    assert list(result) == list(changes)


TODAY = date(2026, 11, 20)


@pytest.mark.parametrize(
    ("decision", "severity", "min_end", "max_end", "refused"),
    [
        (date(2026, 11, 20), "minor", date(2026, 11, 20), date(2027, 2, 20), None),
        (date(2026, 11, 1), "general", date(2027, 2, 1), date(2027, 11, 1), None),
        (date(2024, 12, 1), "serious", date(2025, 12, 1), date(2027, 12, 1), None),
        (date(2026, 11, 21), "minor", date(2026, 11, 21), date(2027, 2, 21), "不能晚于今天"),
        (date(2026, 8, 20), "minor", date(2026, 8, 20), date(2026, 11, 20), "已于 2026-11-20 届满"),  # ends today
        (date(2025, 11, 21), "general", date(2026, 2, 21), date(2026, 11, 21), None),  # ends tomorrow
        (date(2020, 1, 1), "serious", date(2021, 1, 1), date(2023, 1, 1), "届满"),
    ],
)
def test_publication_window_and_decision_date(
    app: Flask, decision: date, severity: str, min_end: date, max_end: date, refused: str | None
) -> None:
    window = publication_window(decision, severity, TODAY, DEFAULT_PERIODS)
    assert (window.start, window.min_end, window.max_end) == (TODAY, min_end, max_end)
    with app.test_request_context():
        problem = decision_date_problem(decision, window.max_end, TODAY)
        assert (problem is None) if refused is None else refused in str(problem)


# --- generated forms ----------------------------------------------------------------------------------------------

EXPECTED_CLASS = {
    FieldType.TEXT: StringField,
    FieldType.CODE: StringField,
    FieldType.LONG_TEXT: TextAreaField,
    FieldType.DATE: IsoDateField,
    FieldType.MONEY: YuanField,
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_declared_field_is_in_the_form(app: Flask, kind: str) -> None:
    with app.test_request_context():
        form = record_form(kind)()
        for spec in KINDS[kind].fields:
            field = form[spec.name]
            assert type(field) is EXPECTED_CLASS[spec.type], spec.name
            assert field.label.text == str(spec.label)
            assert bool(field.flags.required) is spec.required, spec.name
        assert [f.name for f in form.kind_fields()] == [f.name for f in KINDS[kind].fields]
        assert set(COMMON_LABELS) - {"commitment_code"} <= {f.name for f in form}
        assert ("commitment_code" in form) is (kind == "investment_promise")
        assert "reason" not in form
        assert "reason" in record_form(kind, correcting=True)()
    assert issubclass(IsoDateField, DateField)


@pytest.fixture
def kinds_changed(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, RecordKind]]:
    changed = dict(KINDS)
    monkeypatch.setattr(kinds, "KINDS", changed)
    monkeypatch.setattr("portal.records.forms.KINDS", changed)
    record_form.cache_clear()
    yield changed
    record_form.cache_clear()


def test_a_field_added_to_the_declaration_is_in_the_form(app: Flask, kinds_changed: dict[str, RecordKind]) -> None:
    arrears = kinds_changed["arrears"]
    extra = KindField("interest", "利息", FieldType.MONEY, required=False)
    kinds_changed["arrears"] = RecordKind(arrears.code, (*arrears.fields, extra))
    with app.test_request_context():
        form = record_form("arrears")()
        assert type(form["interest"]) is YuanField
        assert form.kind_fields()[-1].name == "interest"


def test_a_field_may_not_take_a_common_fields_name(app: Flask, kinds_changed: dict[str, RecordKind]) -> None:
    kinds_changed["clash"] = RecordKind(Kind.ARREARS, (KindField("title", "标题"),))
    with pytest.raises(ValueError, match="reserved"):
        record_form("clash")


def test_correction_rows_name_fields_by_their_labels(app: Flask) -> None:
    record = make_record(kind="administrative_penalty")
    changes = {
        "title": ["旧", "新"],
        "fine": ["1,234.56 元", ""],
        "decided_on": ["2026-01-01", "2026-01-02"],
        "severity": ["general", "serious"],
        "publication_max_end": ["2027-10-01", "2029-10-01"],
        "gone": ["x", "y"],
    }
    with app.test_request_context():
        correction = Correction(record=record, changes=changes)
        rows = [(str(label), kind, old, new) for label, kind, old, new in correction.rows()]
        assert str(field_label(record.record_kind, "decision_date")) == "决定日期"
    assert rows == [
        ("标题", "text", "旧", "新"),
        ("罚款金额", "text", "1,234.56 元", ""),
        ("处罚决定日期", "date", "2026-01-01", "2026-01-02"),
        ("严重程度", "severity", "general", "serious"),
        ("最长公示期满", "date", "2027-10-01", "2029-10-01"),
        ("gone", "text", "x", "y"),
    ]
    assert value_type(record.record_kind, "decision_date") == "date"
    assert Severity("general") in DEFAULT_PERIODS
