"""The staff's search vocabulary form (/workspace/search/terms): a word residents type, and either the site's term it
means (a synonym) or the agency it names (an alias). The agencies to choose from are filled by the view."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField
from wtforms.validators import ValidationError

from portal.agencies.forms import agency_choices
from portal.agencies.models import Agency
from portal.forms import OnceForm, choices, line_field
from portal.search.operations import TERM_LONGEST

SYNONYM, ALIAS = "synonym", "alias"


class TermForm(OnceForm):
    word = line_field(_l("词语"), TERM_LONGEST)
    kind = RadioField(
        _l("词条类型"),
        choices=choices([(SYNONYM, _l("同义词：对应本站用语")), (ALIAS, _l("机构别名：指向一个机构"))]),
        default=SYNONYM,
        validate_choice=False,  # a missing or unknown choice is named in words (validate_kind)
    )
    means = line_field(_l("本站用语"), TERM_LONGEST, required=False)
    agency = SelectField(_l("所指机构"), choices=[], validate_choice=False)

    def set_agencies(self, agencies: Iterable[Agency]) -> None:
        self.agency.choices = agency_choices(agencies, _("（请选择）"))

    def validate_kind(self, field: RadioField) -> None:
        if field.data not in (SYNONYM, ALIAS):
            raise ValidationError(_l("请选择词条类型"))

    def entry(self) -> tuple[str, int | None] | None:
        """What the word means, as add_term takes it: (the site's term, "") for a synonym or ("", the agency's id)
        for an alias; None with the problem beside its field when the entry does not fit its kind."""
        means = (self.means.data or "").strip()
        chosen = (self.agency.data or "").strip()
        if self.kind.data == SYNONYM:
            if chosen:
                self.agency.errors = [_("登记同义词时不选机构。要登记机构别名，请在“词条类型”中选择“机构别名”。")]
            elif not means:
                self.means.errors = [_("请填写这个词对应的本站用语，如：逾期。")]
            else:
                return means, None
            return None
        if means:
            self.means.errors = [_("登记机构别名时不填本站用语。要登记同义词，请在“词条类型”中选择“同义词”。")]
        elif not chosen:
            self.agency.errors = [_("请选择这个词所指的机构")]
        elif chosen.isascii() and chosen.isdigit() and len(chosen) <= 9:
            return "", int(chosen)
        else:
            self.agency.errors = [_("请从列表中选择机构")]
        return None


class RemoveTermForm(OnceForm):
    """The button that takes one staff term out of the vocabulary (CSRF and the one-time token, nothing else)."""
