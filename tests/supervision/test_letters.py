"""Letters (提醒函, 督办函, 交办单, 约谈通知书, 情况通报): numbered from the year's sequence, rendered as a PDF with the
CJK fonts embedded and kept under its SHA-256, closing the ledger item they answer; the agency's officer replies
once (新信用发〔2018〕6号 二(一)、二(二)、二(五); 泰信用办〔2022〕12号 二(二)、二(四)、二(五))."""

from __future__ import annotations

import hashlib
import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import func, select

from portal.agencies.models import Agency
from portal.agencies.rules import AgencyStatus
from portal.demo.pdf import one_page_pdf
from portal.errors import InputRefusedError, NotAllowedError
from portal.extensions import db
from portal.files.models import StoredFile
from portal.forms import issue_form_token
from portal.pdf import chinese_date
from portal.supervision.models import LedgerItem, Letter
from portal.supervision.operations import letters as letter_operations
from portal.supervision.operations import work_calendar
from portal.supervision.operations.letters import paragraphs, send_letter
from portal.supervision.queries.letters import next_serial, reply_item
from portal.supervision.rules import ClosedHow, LedgerRule, LetterKind, letter_number
from portal.users.models import User
from portal.users.rules import Role
from tests.factories import make_agency, make_record, make_user
from tests.forms import csrf_token, hidden_fields, multipart, sign_in
from tests.html import find, find_all, form_fields, forms, parse_strict, text_of, title_of, visible_text

TODAY = date(2026, 11, 20)
NEW = "/workspace/letters/new"


# --- builders -----------------------------------------------------------------------------------------------------


def make_penalty_item(agency: Agency | None = None, **fields: Any) -> LedgerItem:
    """An open 行政处罚到期修复提醒 (泰信用办〔2022〕12号 二(二)) for a penalty record of `agency`."""
    record = make_record(agency or make_agency(), title=fields.pop("title", "演示县某局行政处罚（测试）"))
    rule = LedgerRule.PENALTY_REPAIR_REMINDER
    values: dict[str, Any] = {
        "key": f"{rule}:record:{record.id}",
        "rule": rule,
        "agency_id": record.agency_id,
        "responsible_unit": record.agency.name,
        "subject": record.title,
        "subject_type": "record",
        "subject_id": record.id,
        "opened_on": date(2026, 11, 16),
        "due_on": date(2026, 11, 25),
    } | fields
    item = LedgerItem(**values)
    db.session.add(item)
    db.session.flush()
    return item


def files_dir(app: Flask) -> Path:
    return Path(app.config["PORTAL_SETTINGS"].files_dir)


def letter_count() -> int:
    return db.session.scalar(select(func.count(Letter.id))) or 0


def file_count() -> int:
    return db.session.scalar(select(func.count()).select_from(StoredFile)) or 0


def page_form(client: FlaskClient, url: str) -> dict[str, str]:
    """Every field of the page's post form as a browser would send it (hidden fields included)."""
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    main = find(page.get_data(as_text=True), "main")
    assert main is not None
    return form_fields(forms(main, method="post")[0])


def error_beside(body: str, field: str) -> str:
    message = find(body, "p", id=f"{field}-error")
    assert message is not None, f"no error beside {field}"
    return text_of(message)


def pdf_text(app: Flask, letter: Letter) -> str:
    data = letter.file.path_in(files_dir(app)).read_bytes()
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def send(app: Flask, staff: User, agency: Agency, **fields: Any) -> Letter:
    values: dict[str, Any] = {
        "addressee": "",
        "title": "关于测试事项的提醒函",
        "body": "请你单位按要求办理。",
        "deadline": date(2026, 12, 4),
        "reply_due": date(2026, 12, 4),
        "today": TODAY,
        "by": staff,
        "files_dir": files_dir(app),
    } | fields
    return send_letter(values.pop("kind", LetterKind.REMINDER), agency, **values)


# --- pure helpers -------------------------------------------------------------------------------------------------


def test_dates_and_paragraphs_as_a_letter_writes_them() -> None:
    assert chinese_date(date(2026, 11, 20)) == "2026年11月20日"
    assert chinese_date(date(2027, 1, 5)) == "2027年1月5日"
    assert paragraphs("第一段。\r\n\r\n  第二段。 \n") == ["第一段。", "第二段。"]
    assert letter_number(2026, 3) == "信用办函〔2026〕3号"


# --- sending from a ledger item -----------------------------------------------------------------------------------


def test_a_letter_for_a_ledger_item_is_numbered_rendered_stored_and_closes_the_item(
    app: Flask, client: FlaskClient
) -> None:
    agency = make_agency(name="演示县测试发函局")
    item = make_penalty_item(agency)
    second = make_penalty_item(agency, title="演示县某局第二起行政处罚（测试）")
    staff = make_user(Role.STAFF)
    sign_in(client, staff)
    first_serial = next_serial(2026)

    url = f"{NEW}?ledger_item_id={item.id}"
    page = client.get(url).get_data(as_text=True)
    assert title_of(page).startswith("发函")
    assert "泰信用办〔2022〕12号 二(二)" in visible_text(page)  # the rule's clause is shown
    fields = page_form(client, url)
    assert fields["kind"] == LetterKind.REMINDER.value  # the rule's letter
    assert fields["agency"] == str(agency.id)
    assert fields["addressee"] == "演示县测试发函局"
    assert fields["title"] == "关于演示县某局行政处罚（测试）的提醒函"
    assert "泰信用办〔2022〕12号 二(二)" in fields["body"]
    assert "信用修复" in fields["body"]
    reply_due = work_calendar(TODAY).add_workdays(TODAY, app.config["PORTAL_SETTINGS"].deadline_days["letter_reply"])
    assert fields["reply_due"] == reply_due.isoformat()
    assert fields["serial"] == ""

    response = client.post(url, data=fields)
    assert response.status_code == 303, visible_text(response.get_data(as_text=True))
    letter = db.session.scalars(select(Letter).where(Letter.agency_id == agency.id)).one()
    assert letter.number == letter_number(2026, first_serial)
    assert letter.kind is LetterKind.REMINDER
    assert letter.record_id == item.subject_id
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"文号 {letter.number}" in visible_text(shown)  # the flash names the 文号
    assert letter.file_sha256 in visible_text(shown)

    db.session.refresh(item)
    assert (item.closed_on, item.closed_how, item.letter_id, item.closed_by_id) == (
        TODAY,
        ClosedHow.LETTER,
        letter.id,
        staff.id,
    )
    due = reply_item(letter.id)  # the reply's due day is on the ledger
    assert due is not None
    assert due.rule is LedgerRule.LETTER_REPLY
    assert due.due_on == reply_due
    assert due.is_open

    stored = letter.file.path_in(files_dir(app)).read_bytes()
    assert hashlib.sha256(stored).hexdigest() == letter.file_sha256
    assert letter.file.content_type == "application/pdf"
    text = pdf_text(app, letter)
    assert "演示县测试发函局" in text
    assert letter.number in text
    assert "演示县社会信用体系建设领导小组办公室" in text
    assert "2026年11月20日" in text

    # the next one takes the next number
    url = f"{NEW}?ledger_item_id={second.id}"
    assert client.post(url, data=page_form(client, url)).status_code == 303
    numbers = db.session.scalars(select(Letter.serial).where(Letter.agency_id == agency.id).order_by(Letter.id)).all()
    assert numbers == [first_serial, first_serial + 1]


def test_the_pdf_embeds_its_cjk_fonts(app: Flask) -> None:
    letter = send(app, make_user(Role.STAFF), make_agency(name="演示县字体测试局"))
    reader = PdfReader(io.BytesIO(letter.file.path_in(files_dir(app)).read_bytes()))
    resources: Any = reader.pages[0]["/Resources"]
    fonts = [font.get_object() for font in resources["/Font"].values()]
    names = [str(font["/BaseFont"]) for font in fonts]
    assert any("CJK" in name for name in names), names
    for font in fonts:
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), names


def test_the_first_letter_of_a_year_is_number_1_then_2(app: Flask) -> None:
    """A year with no letter yet starts the sequence at 1 (the tests' 2026 may hold demo letters: use a later
    year)."""
    staff = make_user(Role.STAFF)
    agency = make_agency()
    day = date(2031, 3, 3)
    first = send(app, staff, agency, today=day, deadline=None, reply_due=None)
    second = send(app, staff, agency, today=day, deadline=None, reply_due=None)
    assert (first.number, second.number) == ("信用办函〔2031〕1号", "信用办函〔2031〕2号")


def test_a_reused_serial_is_refused_beside_the_field_and_nothing_is_stored(app: Flask, client: FlaskClient) -> None:
    staff = make_user(Role.STAFF)
    agency = make_agency()
    used = send(app, staff, agency)
    item = make_penalty_item(agency)
    sign_in(client, staff)
    url = f"{NEW}?ledger_item_id={item.id}"
    fields = page_form(client, url)
    before = (letter_count(), file_count())
    response = client.post(url, data=fields | {"serial": str(used.serial)})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert used.number in error_beside(body, "serial")
    assert (letter_count(), file_count()) == before
    db.session.refresh(item)
    assert item.is_open

    # a number not yet used may be chosen (a letter numbered by hand out of order)
    chosen = next_serial(2026) + 5
    response = client.post(url, data=page_form(client, url) | {"serial": str(chosen)})
    assert response.status_code == 303
    assert db.session.scalars(select(Letter).where(Letter.serial == chosen, Letter.year == 2026)).one()


def test_a_serial_that_is_not_a_number_is_refused(app: Flask, client: FlaskClient) -> None:
    sign_in(client, make_user(Role.STAFF))
    item = make_penalty_item()
    url = f"{NEW}?ledger_item_id={item.id}"
    response = client.post(url, data=page_form(client, url) | {"serial": "三"})
    assert response.status_code == 400
    assert "整数" in error_beside(response.get_data(as_text=True), "serial")


def test_a_letter_to_a_closed_agency_is_refused(app: Flask, client: FlaskClient) -> None:
    staff = make_user(Role.STAFF)
    agency = make_agency(name="演示县已撤销测试局")
    item = make_penalty_item(agency)
    sign_in(client, staff)
    url = f"{NEW}?ledger_item_id={item.id}"
    fields = page_form(client, url)
    agency.status, agency.closed_on = AgencyStatus.CLOSED, date(2026, 11, 18)
    db.session.flush()
    before = (letter_count(), file_count())
    response = client.post(url, data=fields)
    assert response.status_code == 400
    assert "已撤销" in error_beside(response.get_data(as_text=True), "agency")
    assert (letter_count(), file_count()) == before

    with pytest.raises(InputRefusedError) as refused:
        send(app, staff, agency)
    assert set(refused.value.problems) == {"agency"}

    merged = make_agency(status=AgencyStatus.MERGED.value, closed_on=date(2026, 10, 1), merged_into_id=make_agency().id)
    with pytest.raises(InputRefusedError) as refused:
        send(app, staff, merged)
    assert "并入" in str(refused.value.problems["agency"])


def test_a_pdf_that_fails_to_render_uses_no_number(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    staff = make_user(Role.STAFF)
    item = make_penalty_item()
    sign_in(client, staff)
    url = f"{NEW}?ledger_item_id={item.id}"
    fields = page_form(client, url)
    number = next_serial(2026)
    before = (letter_count(), file_count())

    def broken(html: str) -> bytes:
        raise OSError("fontconfig: no fonts")

    monkeypatch.setattr(letter_operations, "render_pdf", broken)
    response = client.post(url, data=fields)
    assert response.status_code == 503
    assert "函件PDF生成失败，未占用文号，请重试" in visible_text(response.get_data(as_text=True))
    assert (letter_count(), file_count()) == before
    db.session.refresh(item)
    assert item.is_open
    assert next_serial(2026) == number

    monkeypatch.undo()
    response = client.post(url, data=page_form(client, url))  # tried again: the number that failed
    assert response.status_code == 303
    letter = db.session.scalars(select(Letter).where(Letter.id == int(response.headers["Location"].rsplit("/")[-1])))
    assert letter.one().serial == number


def test_bad_dates_are_refused_beside_their_fields(app: Flask, client: FlaskClient) -> None:
    sign_in(client, make_user(Role.STAFF))
    item = make_penalty_item()
    url = f"{NEW}?ledger_item_id={item.id}"
    before = (letter_count(), file_count())
    response = client.post(url, data=page_form(client, url) | {"deadline": "2026-11-19", "reply_due": "2026-10-01"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "不能早于今天" in error_beside(body, "deadline")
    assert "不能早于今天" in error_beside(body, "reply_due")
    response = client.post(url, data=page_form(client, url) | {"deadline": "2026-13-01"})
    assert response.status_code == 400
    assert "请填写有效日期" in error_beside(response.get_data(as_text=True), "deadline")
    assert (letter_count(), file_count()) == before


def test_empty_title_and_body_and_a_kind_the_item_does_not_close_with(app: Flask, client: FlaskClient) -> None:
    staff = make_user(Role.STAFF)
    sign_in(client, staff)
    agency = make_agency()
    item = make_penalty_item(agency)
    url = f"{NEW}?ledger_item_id={item.id}"
    response = client.post(url, data=page_form(client, url) | {"title": " ", "body": ""})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert error_beside(body, "title")
    assert error_beside(body, "body")
    response = client.post(url, data=page_form(client, url) | {"kind": LetterKind.URGING.value})
    assert response.status_code == 400
    assert "提醒函" in error_beside(response.get_data(as_text=True), "kind")
    with pytest.raises(InputRefusedError) as refused:
        send(app, staff, agency, item=item, title="", body=" ")
    assert set(refused.value.problems) == {"title", "body"}


def test_an_item_already_closed_takes_no_letter(app: Flask, client: FlaskClient) -> None:
    staff = make_user(Role.STAFF)
    agency = make_agency()
    item = make_penalty_item(agency, closed_on=date(2026, 11, 19), closed_how=ClosedHow.MANUAL)
    sign_in(client, staff)
    url = f"{NEW}?ledger_item_id={item.id}"
    response = client.get(url)
    assert response.status_code == 409
    assert "已登记办结" in visible_text(response.get_data(as_text=True))
    with pytest.raises(NotAllowedError):
        send(app, staff, agency, item=item)
    assert client.get(f"{NEW}?ledger_item_id=2147483647").status_code == 404
    assert client.get(f"{NEW}?ledger_item_id=abc").status_code == 404


def test_a_notification_goes_to_the_county_leaders(app: Flask, client: FlaskClient) -> None:
    """泰信用办〔2022〕12号 二(五): a body listed as 失信被执行人 is reported to 同级党委、政府、组织部、财政."""
    agency = make_agency(name="演示县被执行测试局")
    record = make_record(agency, kind="judgment_defaulter", title="（2026）演0121执100号", details={})
    rule = LedgerRule.DEFAULTER_NOTIFICATION
    item = LedgerItem(
        key=f"{rule}:record:{record.id}",
        rule=rule,
        agency_id=agency.id,
        responsible_unit=agency.name,
        subject=record.title,
        subject_type="record",
        subject_id=record.id,
        opened_on=date(2026, 11, 18),
        due_on=date(2026, 11, 27),
    )
    db.session.add(item)
    db.session.flush()
    sign_in(client, make_user(Role.STAFF))
    url = f"{NEW}?ledger_item_id={item.id}"
    fields = page_form(client, url)
    assert fields["kind"] == LetterKind.NOTIFICATION.value
    assert fields["addressee"] == "县委、县政府、县委组织部、县财政局"
    assert fields["reply_due"] == ""
    assert client.post(url, data=fields).status_code == 303
    letter = db.session.scalars(select(Letter).where(Letter.agency_id == agency.id)).one()
    assert letter.reply_due is None
    assert reply_item(letter.id) is None
    assert "县委、县政府、县委组织部、县财政局" in pdf_text(app, letter)


def test_a_letter_without_an_item(app: Flask, client: FlaskClient) -> None:
    agency = make_agency(name="演示县交办测试局")
    sign_in(client, make_user(Role.STAFF))
    fields = page_form(client, NEW)
    assert fields["kind"] == ""
    assert fields["reply_due"]
    fields |= {"kind": LetterKind.ASSIGNMENT.value, "agency": str(agency.id), "title": "关于测试的交办单"}
    fields |= {"body": "请于限期内办结。"}
    response = client.post(NEW, data=fields)
    assert response.status_code == 303
    letter = db.session.scalars(select(Letter).where(Letter.agency_id == agency.id)).one()
    assert letter.addressee == "演示县交办测试局"  # empty 主送: the agency itself
    assert letter.kind is LetterKind.ASSIGNMENT
    assert client.post(NEW, data=page_form(client, NEW) | {"agency": "x"}).status_code == 400


# --- the agency's officer: reading and replying -------------------------------------------------------------------


def test_the_officer_sees_the_letter_downloads_it_and_replies_once(app: Flask, client: FlaskClient) -> None:
    agency = make_agency(name="演示县回复测试局")
    officer = make_user(Role.OFFICER, agency)
    letter = send(app, make_user(Role.STAFF), agency, item=make_penalty_item(agency))
    sign_in(client, officer)

    listing = client.get("/workspace/letters/").get_data(as_text=True)
    assert letter.number in visible_text(listing)
    dashboard = client.get("/workspace/").get_data(as_text=True)
    figure = find(dashboard, "a", href="/workspace/letters/?replied=no")
    assert figure is not None
    assert text_of(figure) == "本单位待回复的函件：1"

    page = f"/workspace/letters/{letter.id}"
    download = client.get(f"{page}/letter.pdf")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert f"letter-2026-{letter.serial}.pdf" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert hashlib.sha256(download.data).hexdigest() == letter.file_sha256
    download.close()

    evidence = one_page_pdf(["reply evidence"])
    shown = client.get(page).get_data(as_text=True)
    body, content_type = multipart(
        {**hidden_fields(shown), "reply_text": "已全部履行处罚决定，并已申请信用修复。"},
        {"evidence": [(evidence, "回复.pdf")]},
    )
    response = client.post(f"{page}/reply", data=body, content_type=content_type)
    assert response.status_code == 303, visible_text(response.get_data(as_text=True))
    db.session.refresh(letter)
    assert letter.replied_on == TODAY
    assert letter.replied_by_id == officer.id
    assert letter.reply_evidence_sha256 == hashlib.sha256(evidence).hexdigest()
    due = reply_item(letter.id)
    assert due is not None
    assert due.closed_how is ClosedHow.REPLIED

    shown = client.get(page).get_data(as_text=True)
    assert "已全部履行处罚决定" in visible_text(shown)
    file = client.get(f"{page}/evidence/{letter.reply_evidence_sha256}")
    assert file.status_code == 200
    assert file.data == evidence
    assert file.headers["X-Content-Type-Options"] == "nosniff"
    file.close()
    assert client.get(f"{page}/evidence/{'0' * 64}").status_code == 404

    # a second reply: 409, nothing changed
    body, content_type = multipart({**fresh_tokens(client, letter), "reply_text": "再次回复"}, {})
    response = client.post(f"{page}/reply", data=body, content_type=content_type)
    assert response.status_code == 409
    assert "不能重复回复" in visible_text(response.get_data(as_text=True))
    db.session.refresh(letter)
    assert letter.reply_text.startswith("已全部履行")


def fresh_tokens(client: FlaskClient, letter: Letter) -> dict[str, str]:
    """The session's CSRF token (from the header's sign-out form) and a new one-time token: what a reply form
    opened before the first reply went through would post."""
    token = csrf_token(client.get(f"/workspace/letters/{letter.id}").get_data(as_text=True))
    return {"csrf_token": token, "form_token": issue_form_token()}


def test_a_reply_needs_text_and_takes_only_an_accepted_file(app: Flask, client: FlaskClient) -> None:
    agency = make_agency()
    letter = send(app, make_user(Role.STAFF), agency)
    sign_in(client, make_user(Role.OFFICER, agency))
    page = f"/workspace/letters/{letter.id}"
    shown = client.get(page).get_data(as_text=True)
    body, content_type = multipart({**hidden_fields(shown), "reply_text": ""}, {})
    response = client.post(f"{page}/reply", data=body, content_type=content_type)
    assert response.status_code == 400
    assert error_beside(response.get_data(as_text=True), "reply_text")
    body, content_type = multipart(
        {**hidden_fields(shown), "reply_text": "已办理"}, {"evidence": [(b"MZ not a pdf", "a.pdf")]}
    )
    response = client.post(f"{page}/reply", data=body, content_type=content_type)
    assert response.status_code == 400
    assert "PDF" in error_beside(response.get_data(as_text=True), "evidence")
    db.session.refresh(letter)
    assert letter.replied_on is None


def test_another_agencys_officer_is_told_nothing_is_there(app: Flask, client: FlaskClient) -> None:
    agency = make_agency()
    letter = send(app, make_user(Role.STAFF), agency)
    sign_in(client, make_user(Role.OFFICER))  # of another agency
    page = f"/workspace/letters/{letter.id}"
    assert client.get(page).status_code == 404
    assert client.get(f"{page}/letter.pdf").status_code == 404
    assert letter.number not in visible_text(client.get("/workspace/letters/").get_data(as_text=True))
    assert client.get(NEW).status_code == 403


def test_staff_filter_the_list(app: Flask, client: FlaskClient) -> None:
    staff = make_user(Role.STAFF)
    agency = make_agency(name="演示县筛选测试局")
    urging = send(app, staff, agency, kind=LetterKind.URGING, title="关于筛选测试的督办函")
    reminder = send(app, staff, make_agency(), title="关于筛选测试的提醒函")
    sign_in(client, staff)
    text = visible_text(client.get(f"/workspace/letters/?kind=urging&agency={agency.id}").get_data(as_text=True))
    assert urging.number in text
    assert reminder.number not in text
    text = visible_text(client.get("/workspace/letters/?replied=no").get_data(as_text=True))
    assert urging.number in text
    bad = client.get("/workspace/letters/?kind=poem")
    assert bad.status_code == 400
    assert "不是可选的值" in visible_text(bad.get_data(as_text=True))


def test_the_pages_are_well_formed_and_labelled(app: Flask, client: FlaskClient) -> None:
    agency = make_agency()
    staff = make_user(Role.STAFF)
    letter = send(app, staff, agency)
    item = make_penalty_item(agency)
    for user, urls in (
        (staff, ["/workspace/letters/", NEW, f"{NEW}?ledger_item_id={item.id}", f"/workspace/letters/{letter.id}"]),
        (make_user(Role.OFFICER, agency), ["/workspace/letters/", f"/workspace/letters/{letter.id}"]),
    ):
        sign_in(client, user)
        for url in urls:
            response = client.get(url)
            body = response.get_data(as_text=True)
            assert response.status_code == 200, url
            parse_strict(body)
            assert title_of(body), url
            main = find(body, "main")
            assert main is not None
            for control in [*find_all(main, "input"), *find_all(main, "select"), *find_all(main, "textarea")]:
                if control.get("type") in ("hidden", "submit"):
                    continue
                assert find(body, "label", for_=control.get("id", "")) is not None, (url, control.get("name"))
