"""The credit office's evaluation: score a month (a finished one; a month scored before keeps its scores), and the
yearly 考核 sheet per township and per department as HTML and XLSX (如东县办法 五(四): 年终整体目标考核;
沈政办发〔2018〕117号 三(三): 纳入政府绩效考核; 泗政秘〔2018〕145号 (十四): 街道和乡镇绩效考核), built from the
stored monthly scores and the year's counts. Staff and admins only."""

from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, abort, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
from werkzeug.wrappers import Response

from portal import clock
from portal.errors import RefusedError, show_refusal
from portal.evaluation.forms import ScoreMonthForm
from portal.evaluation.operations import score_month
from portal.evaluation.queries import YearRow, YearSheet, scored_months, scored_years, year_sheet
from portal.evaluation.rules import GRADES, Indicator, last_finished_month
from portal.extensions import db
from portal.menu import menu_link
from portal.users.access import STAFF_ROLES, current, signed_in
from portal.users.rules import Role

bp = Blueprint("evaluation_workspace", __name__, url_prefix="/workspace/evaluation")

menu_link("evaluation_workspace.index", _l("政务诚信评价"), roles=frozenset({Role.STAFF, Role.ADMIN}), order=72)

CLAUSES = "如东县办法 五(四)；沈政办发〔2018〕117号 三(三)；泗政秘〔2018〕145号 (十四)"


def _index_page(form: ScoreMonthForm) -> str:
    return render_template(
        "workspace/evaluation/index.html",
        form=form,
        months=scored_months(),
        years=scored_years(),
        last_finished=last_finished_month(clock.today()),
    )


@bp.get("/")
@signed_in(*STAFF_ROLES)
def index() -> str:
    form = ScoreMonthForm()
    if not form.month.data:
        form.month.data = str(last_finished_month(clock.today()))
    return _index_page(form)


@bp.post("/")
@signed_in(*STAFF_ROLES)
def score() -> Response | tuple[str, int]:
    """Score a month: a malformed month, a month not over, or one before every method: 400 beside the field; a month
    scored before changes nothing (its scores are history) and says so."""
    form = ScoreMonthForm()
    done = form.already_done()
    if done is not None:
        return done
    if not form.validate():
        return _index_page(form), 400
    try:
        with db.session.begin_nested():  # a refusal leaves no trace of its partial work
            result = score_month(form.chosen(), clock.today(), by=current())
    except RefusedError as refused:
        status = show_refusal(form, refused)
        return _index_page(form), status
    if result.scored:
        message = _(
            "%(month)s 已评分：%(n)d 个单位（评价方法 %(version)s）。",
            month=str(result.month),
            n=result.scored,
            version=result.version,
        )
    else:
        message = _(
            "%(month)s 此前已评分，未做任何更改（%(n)d 个单位保留原评分和评价方法 %(version)s）。",
            month=str(result.month),
            n=result.kept,
            version=result.version,
        )
    return form.finish(url_for(".index"), message)


# --- the yearly 考核 sheet -------------------------------------------------------------------------------------------


def _sheet_or_404(year: int) -> YearSheet:
    if year > clock.today().year:
        abort(404)
    return year_sheet(year)


@bp.get("/<id(min=2000, max=2100):year>")
@signed_in(*STAFF_ROLES)
def sheet(year: int) -> str:
    return render_template(
        "workspace/evaluation/sheet.html",
        sheet=_sheet_or_404(year),
        grades=GRADES,
        clauses=CLAUSES,
        overdue_key=Indicator.OVERDUE_RECTIFICATIONS,
    )


def headers(sheet: YearSheet) -> list[str]:
    """The columns of the 考核 sheet (the XLSX adds each scored month's score after them)."""
    return [
        _("单位"),
        _("评分月数"),
        _("平均分"),
        *(_("%(grade)s 级月数", grade=g) for g in GRADES),
        _("最近等级"),
        _("新增失信记录"),
        _("整改办结"),
        _("逾期未整改（最近评分月末）"),
        _("联合惩戒（年内实施）"),
        _("投诉（年内收到）"),
        _("投诉（年内受理并办结）"),
        _("表彰奖励"),
    ]


def plain(row: YearRow) -> list[Any]:
    """A row as the XLSX writes it: numbers stay numbers (the average in points, one decimal)."""
    average = row.average_tenths
    latest = row.latest
    return [
        row.agency.name,
        len(row.scores),
        None if average is None else average / 10,
        *(row.months_graded(g) for g in GRADES),
        latest.grade if latest is not None else "",
        row.records_opened,
        row.rectifications_finished,
        row.latest_count(Indicator.OVERDUE_RECTIFICATIONS),
        row.measures_applied,
        row.complaints_received,
        row.complaints_substantiated,
        row.positive_items,
    ]


def _text_cell(sheet: Any, value: str) -> Any:
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # text stays text: never read as a formula
    return cell


def xlsx(sheet: YearSheet) -> bytes:
    workbook = Workbook(write_only=True)
    months = [str(m) for m in sheet.months]
    for group, rows in sheet.groups.items():
        ws = workbook.create_sheet(str(group.label))
        ws.append([_text_cell(ws, _("%(year)d 年度政务诚信考核表（%(group)s）", year=sheet.year, group=group.label))])
        scope = (
            _("月度评分：%(first)s 至 %(last)s", first=months[0], last=months[-1])
            if months
            else _("本年度尚无已评分的月份")
        )
        ws.append([_text_cell(ws, f"{scope}；{_('依据')}：{CLAUSES}")])
        ws.append([_text_cell(ws, h) for h in [*headers(sheet), *months]])
        for row in rows:
            by_month = {s.month: s.score_tenths / 10 for s in row.scores}
            cells = []
            for value in [*plain(row), *(by_month.get(m) for m in months)]:
                if isinstance(value, str):
                    cells.append(_text_cell(ws, value))
                else:
                    cell = WriteOnlyCell(ws, value=value)
                    if isinstance(value, float):
                        cell.number_format = "0.0"
                    cells.append(cell)
            ws.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@bp.get("/<id(min=2000, max=2100):year>.xlsx")
@signed_in(*STAFF_ROLES)
def sheet_xlsx(year: int) -> Response:
    response = Response(
        xlsx(_sheet_or_404(year)), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response.headers["Content-Disposition"] = f'attachment; filename="evaluation-{year}.xlsx"'
    return response
