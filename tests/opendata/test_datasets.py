"""The one declaration of the open datasets (portal/opendata/datasets.py, driven by portal/records/kinds.py): every
record field has its name in the national credit-information standards, the standards' columns are there for the
kinds the issue names, keys and names are unique, and the importable datasets name their natural key."""

from __future__ import annotations

import pytest

from portal.opendata.datasets import (
    DATASETS,
    DUMPED,
    IMPORTABLE,
    RECORDS_BY_KIND,
    ColumnType,
    Dataset,
)
from portal.records.kinds import KINDS

PENALTY_STANDARD = [
    "行政相对人名称",
    "统一社会信用代码",
    "行政处罚决定书文号",
    "违法行为类型",
    "违法事实",
    "处罚依据",
    "处罚类别",
    "处罚内容",
    "罚款金额（万元）",
    "处罚决定日期",
    "处罚机关",
    "处罚机关统一社会信用代码",
    "数据来源单位",
    "公示截止期",
]
DEFAULTER_STANDARD = [
    "失信被执行人名称",
    "统一社会信用代码",
    "执行法院",
    "执行依据文号",
    "立案时间",
    "案号",
    "做出执行依据单位",
    "生效法律文书确定的义务",
    "被执行人的履行情况",
    "失信被执行人行为具体情形",
    "发布时间",
]


def names(dataset: Dataset) -> list[str]:
    return [column.name for column in dataset.columns]


def test_every_field_of_every_kind_has_its_standard_name_and_an_example() -> None:
    for kind in KINDS.values():
        for spec in kind.fields:
            assert spec.column, f"{kind.code}.{spec.name} has no standard column name"
            assert spec.example, f"{kind.code}.{spec.name} has no example"
            if spec.type == "money":
                assert spec.column.endswith("（万元）"), spec.column


@pytest.mark.parametrize(
    ("kind", "standard"), [("administrative_penalty", PENALTY_STANDARD), ("judgment_defaulter", DEFAULTER_STANDARD)]
)
def test_the_standards_columns_are_there_in_the_standards_order(kind: str, standard: list[str]) -> None:
    shown = names(RECORDS_BY_KIND[kind])
    assert set(standard) <= set(shown)
    if kind == "administrative_penalty":  # its columns follow the standard's order
        assert [name for name in shown if name in standard] == standard


@pytest.mark.parametrize("dataset", DATASETS.values(), ids=lambda d: d.key)
def test_keys_and_names_are_unique_in_a_dataset(dataset: Dataset) -> None:
    keys = [column.key for column in dataset.columns]
    assert len(set(keys)) == len(keys)
    assert len(set(names(dataset))) == len(names(dataset))
    assert all(key.isascii() and key.replace("_", "").isalnum() and key.islower() for key in keys)


@pytest.mark.parametrize("dataset", DATASETS.values(), ids=lambda d: d.key)
def test_code_lists_and_money(dataset: Dataset) -> None:
    for column in dataset.columns:
        assert (column.type is ColumnType.LABEL) == (column.codes is not None), column.key
        if column.type is ColumnType.MONEY:
            assert "万元" in column.name


def test_a_record_field_keeps_its_key_in_every_kind() -> None:
    """The English key of a kind field is its name in Record.details: the API reads the same keys."""
    for code, dataset in RECORDS_BY_KIND.items():
        for spec in KINDS[code].fields:
            assert dataset.column(spec.name).name == spec.column


def test_what_can_be_imported() -> None:
    assert set(IMPORTABLE) == {"agencies", *(f"records-{code}" for code in KINDS)}
    for dataset in IMPORTABLE.values():
        key = dataset.column(dataset.natural_key)
        assert key.imported
        assert key.required
        derived = {c.key for c in dataset.columns if not c.imported}
        assert "url" in derived
    assert IMPORTABLE["records-administrative_penalty"].natural_key == "document_number"
    assert IMPORTABLE["agencies"].natural_key == "uscc"


def test_the_dump_has_each_kind_and_not_the_all_kinds_list() -> None:
    assert [d.key for d in DUMPED if d.kind] == [f"records-{code}" for code in KINDS]
    assert "records" not in {d.key for d in DUMPED}
    assert {"agencies", "commitments", "outcomes", "complaints"} <= {d.key for d in DUMPED}


def test_no_complainant_data_is_declared() -> None:
    complaint_columns = {c.key for c in DATASETS["complaints"].columns}
    assert complaint_columns.isdisjoint({"name", "phone", "email", "uscc", "attachments", "agency_answer"})
