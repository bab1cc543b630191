"""The agency registry's forms (staff): an agency's fields, rename, close, merge, and its positive information
(泰信用办〔2022〕12号 三(四)). The choices of agencies are filled by the view."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from portal.agencies.models import Agency
from portal.agencies.rules import AgencyKind, PositiveKind
from portal.forms import (
    REQUIRED,
    OnceForm,
    PlainText,
    choices,
    normalise_uscc,
    strip,
    strip_lines,
    too_long,
    valid_uscc,
)
from portal.records.forms import IsoDateField


def _agency_id(field: SelectField) -> int | None:
    """The agency picked in a select (None for the empty choice); anything else is an error beside the field."""
    value = (field.data or "").strip()
    if not value:
        return None
    if value.isascii() and value.isdigit() and len(value) <= 9:
        return int(value)
    field.errors = [*field.errors, _("请从列表中选择机构")]
    return None


def day(field: IsoDateField) -> date:
    """A required date field's date, once the form has validated."""
    value: Any = field.data
    assert isinstance(value, date)
    return value


def agency_choices(agencies: Iterable[Agency], empty: Any) -> list[Any]:
    return choices([("", empty), *((str(a.id), f"{a.name}（{a.region_name}）") for a in agencies)])


class AgencyFieldsForm(OnceForm):
    """What staff edit of an agency: its kind, region, parent and legal representative."""

    kind = SelectField(_l("机构类型"), choices=choices(AgencyKind.choices()))
    region_code = StringField(_l("行政区划代码"), validators=[REQUIRED, too_long(9), PlainText()], filters=[strip])
    region_name = StringField(_l("行政区划名称"), validators=[REQUIRED, too_long(100), PlainText()], filters=[strip])
    parent = SelectField(_l("上级机构"), choices=[], validate_choice=False)
    legal_representative = StringField(
        _l("法定代表人"), validators=[Optional(), too_long(100), PlainText()], filters=[strip]
    )

    def set_agencies(self, agencies: Iterable[Agency]) -> None:
        self.parent.choices = agency_choices(agencies, _("（无上级机构）"))

    def values(self) -> dict[str, Any]:
        """The fields as the operations take them (a bad parent choice goes beside the field)."""
        return {
            "kind": self.kind.data,
            "region_code": self.region_code.data or "",
            "region_name": self.region_name.data or "",
            "parent_id": _agency_id(self.parent),
            "legal_representative": self.legal_representative.data or "",
        }


class AgencyForm(AgencyFieldsForm):
    """A new agency: its 统一社会信用代码 (GB 32100-2015; fixed once created, being its public address) and name."""

    uscc = StringField(_l("统一社会信用代码"), validators=[REQUIRED, valid_uscc], filters=[normalise_uscc])
    name = StringField(_l("机构名称"), validators=[REQUIRED, too_long(200), PlainText()], filters=[strip])

    def values(self) -> dict[str, Any]:
        return super().values() | {"uscc": self.uscc.data or "", "name": self.name.data or ""}


class RenameForm(OnceForm):
    name = StringField(_l("新名称"), validators=[REQUIRED, too_long(200), PlainText()], filters=[strip])
    used_until = IsoDateField(_l("原名称使用至"), validators=[REQUIRED])


class CloseForm(OnceForm):
    closed_on = IsoDateField(_l("撤销日期"), validators=[REQUIRED])
    note = TextAreaField(
        _l("依据和说明"), validators=[REQUIRED, too_long(2000), PlainText(multiline=True)], filters=[strip_lines]
    )


class MergeForm(OnceForm):
    into = SelectField(_l("并入机构"), choices=[], validate_choice=False)
    closed_on = IsoDateField(_l("合并日期"), validators=[REQUIRED])
    note = TextAreaField(
        _l("依据和说明"), validators=[REQUIRED, too_long(2000), PlainText(multiline=True)], filters=[strip_lines]
    )

    def set_agencies(self, agencies: Iterable[Agency]) -> None:
        self.into.choices = agency_choices(agencies, _("（请选择）"))

    def into_id(self) -> int | None:
        return _agency_id(self.into)


class PositiveItemForm(OnceForm):
    """Positive information (表彰奖励, 守信践诺) on the agency's 政务诚信档案."""

    title = StringField(_l("名称"), validators=[REQUIRED, too_long(200), PlainText()], filters=[strip])
    kind = SelectField(_l("类别"), choices=choices(PositiveKind.choices()))
    awarded_on = IsoDateField(_l("日期"), validators=[REQUIRED])
    awarding_unit = StringField(
        _l("授予或认定单位"), validators=[REQUIRED, too_long(200), PlainText()], filters=[strip]
    )
    document_number = StringField(_l("文号"), validators=[Optional(), too_long(100), PlainText()], filters=[strip])
    note = TextAreaField(
        _l("说明"), validators=[Optional(), too_long(2000), PlainText(multiline=True)], filters=[strip_lines]
    )

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name).data for name in ("title", "kind", "awarded_on", "awarding_unit")} | {
            "document_number": self.document_number.data or "",
            "note": self.note.data or "",
        }


class RemoveForm(OnceForm):
    reason = TextAreaField(
        _l("移除理由"), validators=[REQUIRED, too_long(1000), PlainText(multiline=True)], filters=[strip_lines]
    )
