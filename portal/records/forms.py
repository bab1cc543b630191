"""Staff forms for records, generated from the kind's field declaration (portal/records/kinds.py): adding a field
there adds it to the form. Values travel between form, operations and prefill as one flat dict
(`RecordValues`): the common fields under the form's names, the kind's fields under their declared names."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DateField, Field, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from portal.agencies.models import Agency
from portal.core.periods import Severity
from portal.forms import (  # noqa: F401 - control_characters is part of this module's vocabulary
    REQUIRED,
    OnceForm,
    PlainText,
    YuanField,
    choices,
    control_characters,
    normalise_uscc,
    strip,
    strip_lines,
    valid_uscc,
)
from portal.records.kinds import COMMON_LABELS, KINDS, WINDOW_LABELS, FieldType, KindField, RecordValues

TEXT_MAX = 200
CODE_MAX = 100
LONG_TEXT_MAX = 5000
SUMMARY_MAX = 20000

# Names a kind field may not take: they belong to the common fields or to the form itself.
RESERVED = frozenset({*COMMON_LABELS, *WINDOW_LABELS, "kind", "reason", "action", "csrf_token", "form_token"})


# --- fields and validators ---------------------------------------------------------------------------------------


class IsoDateField(DateField):
    """A date typed as 2026-11-20 (what <input type=date> sends); the error is in the reader's language and an
    empty field is simply empty (Required or Optional says whether that is allowed)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or not " ".join(valuelist).strip():
            self.data = None
            return
        try:
            super().process_formdata([" ".join(valuelist).strip()])
        except ValueError:
            raise ValueError(_l("请填写有效日期，格式如 2026-11-20")) from None


def kind_form_field(spec: KindField) -> Field:
    """The form field for one declared kind field: TEXT → one line, LONG_TEXT → text area, DATE → date,
    MONEY → amount in 元 stored as fen, CODE → one line; `required` → Required, else Optional."""
    need = [REQUIRED] if spec.required else [Optional()]
    if spec.type is FieldType.LONG_TEXT:
        return TextAreaField(
            spec.label, validators=[*need, Length(max=LONG_TEXT_MAX), PlainText(True)], filters=[strip_lines]
        )
    if spec.type is FieldType.DATE:
        return IsoDateField(spec.label, validators=need)
    if spec.type is FieldType.MONEY:
        return YuanField(spec.label, validators=need)
    longest = CODE_MAX if spec.type is FieldType.CODE else TEXT_MAX
    return StringField(spec.label, validators=[*need, Length(max=longest), PlainText()], filters=[strip])


def _text(label: Any, longest: int) -> StringField:
    return StringField(label, validators=[REQUIRED, Length(max=longest), PlainText()], filters=[strip])


class RecordForm(OnceForm):
    """The fields every record has; `record_form(kind)` adds the kind's own."""

    agency = SelectField(COMMON_LABELS["agency"], validators=[REQUIRED], choices=[], validate_choice=False)
    title = _text(COMMON_LABELS["title"], 200)
    summary = TextAreaField(
        COMMON_LABELS["summary"],
        validators=[Optional(), Length(max=SUMMARY_MAX), PlainText(True)],
        filters=[strip_lines],
    )
    severity = SelectField(
        COMMON_LABELS["severity"],
        choices=choices(Severity.choices()),
        default=Severity.GENERAL.value,
        validate_choice=False,
    )
    deciding_authority = _text(COMMON_LABELS["deciding_authority"], 200)
    deciding_authority_code = StringField(
        COMMON_LABELS["deciding_authority_code"], validators=[Optional(), valid_uscc], filters=[normalise_uscc]
    )
    source_unit = _text(COMMON_LABELS["source_unit"], 200)
    document_number = _text(COMMON_LABELS["document_number"], 100)
    decision_date = IsoDateField(COMMON_LABELS["decision_date"], validators=[REQUIRED])

    kind_names: tuple[str, ...] = ()
    links_commitment = False
    agency_ids: frozenset[int] = frozenset()

    def set_agencies(self, agencies: Sequence[Agency]) -> None:
        self.agency.choices = [("", str(_l("请选择"))), *((str(a.id), f"{a.name}（{a.uscc}）") for a in agencies)]
        self.agency_ids = frozenset(a.id for a in agencies)

    def validate_agency(self, field: SelectField) -> None:
        if not (str(field.data).isascii() and str(field.data).isdigit() and int(field.data) in self.agency_ids):
            raise ValidationError(_l("请从列表中选择失信主体"))

    def validate_severity(self, field: SelectField) -> None:
        if field.data not in {s.value for s in Severity}:
            raise ValidationError(_l("请从列表中选择严重程度"))

    def kind_fields(self) -> list[Field]:
        return [self[name] for name in self.kind_names]

    def values(self) -> RecordValues:
        """The validated input as RecordValues."""
        values: RecordValues = {
            "agency": int(self.agency.data),
            "title": self.title.data,
            "summary": self.summary.data or "",
            "severity": self.severity.data,
            "deciding_authority": self.deciding_authority.data,
            "deciding_authority_code": self.deciding_authority_code.data or "",
            "source_unit": self.source_unit.data,
            "document_number": self.document_number.data,
            "decision_date": self.decision_date.data,
        }
        if self.links_commitment:
            values["commitment_code"] = self["commitment_code"].data or ""
        for name in self.kind_names:
            values[name] = self[name].data
        return values


class CorrectionReason:
    """Mixed into the correction form: why the record is corrected (shown publicly)."""

    reason = TextAreaField(
        _l("更正理由（公开显示）"),
        validators=[REQUIRED, Length(max=LONG_TEXT_MAX), PlainText(True)],
        filters=[strip_lines],
    )


@functools.cache
def record_form(kind_code: str, correcting: bool = False) -> type[RecordForm]:
    """The form class for a kind (KeyError for an unknown one), built from its declaration; with `correcting`,
    it also asks for the reason."""
    kind = KINDS[kind_code]
    clash = {f.name for f in kind.fields} & RESERVED
    if clash:
        raise ValueError(f"kind {kind.code!r} declares fields with reserved names: {sorted(clash)}")
    attrs: dict[str, Any] = {spec.name: kind_form_field(spec) for spec in kind.fields}
    attrs["kind_names"] = tuple(spec.name for spec in kind.fields)
    if kind.code == "investment_promise":
        attrs["links_commitment"] = True
        attrs["commitment_code"] = StringField(
            COMMON_LABELS["commitment_code"], validators=[Optional(), Length(max=40), PlainText()], filters=[strip]
        )
    bases: tuple[type, ...] = (RecordForm, CorrectionReason) if correcting else (RecordForm,)
    return type(f"{kind.code.title().replace('_', '')}{'Correction' if correcting else 'Record'}Form", bases, attrs)


def prefill(values: RecordValues) -> dict[str, Any]:
    """RecordValues as form data (agency ids as the select's strings)."""
    return {**values, "agency": str(values["agency"])}
