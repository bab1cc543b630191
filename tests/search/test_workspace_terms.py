"""The staff's search vocabulary (/workspace/search/terms, issue 16): staff add synonyms and agency aliases that take
effect at the next search, and remove them; the file's synonyms and the generated entries are listed read-only. Bad
input stands beside its field with a 400 and writes nothing; every change is audited; officers get 403."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.agencies.models import Agency
from portal.audit.models import AuditEntry
from portal.demo.search_showcase import add_demo_terms
from portal.extensions import db
from portal.search.index import SearchIndex
from portal.search.models import SearchTerm
from portal.search.operations import add_term
from portal.users.models import User
from portal.users.rules import Role
from tests.factories import make_user
from tests.forms import csrf_token, hidden_fields, post_form, sign_in
from tests.html import attr, css, find, find_all, form_fields, forms, one, parse_strict, text_of, title_of, visible_text
from tests.search.conftest import TODAY_DATE

PAGE = "/workspace/search/terms"
STAFF_TERMS = "section[aria-labelledby=staff-terms-heading]"


def agency_named(name: str) -> Agency:
    agency = db.session.scalar(select(Agency).where(Agency.name == name))
    assert agency is not None, name
    return agency


def term_count() -> int:
    return int(db.session.scalar(select(func.count()).select_from(SearchTerm)) or 0)


def audit(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def error_beside(body: str, field: str) -> str:
    """The message shown beside a field (and the field, or its group of radio buttons, described by it)."""
    message = find(body, "p", class_="field-error-message", id=f"{field}-error")
    assert message is not None, f"no message beside {field}"
    controls = [e for e in find_all(body, id=field) if e.tag in ("input", "select", "textarea", "fieldset")]
    assert any(f"{field}-error" in e.get("aria-describedby", "") for e in controls), f"{field} not described"
    return text_of(message)


def synonym(word: str, means: str) -> dict[str, Any]:
    return {"word": word, "kind": "synonym", "means": means, "agency": ""}


def alias(word: str, agency: Agency | str) -> dict[str, Any]:
    return {
        "word": word,
        "kind": "alias",
        "means": "",
        "agency": str(agency.id if isinstance(agency, Agency) else agency),
    }


@pytest.fixture
def staff(client: FlaskClient) -> User:
    user = make_user(Role.STAFF)
    sign_in(client, user)
    return user


def add(client: FlaskClient, data: dict[str, Any]) -> Any:
    return post_form(client, PAGE, data)


def results(client: FlaskClient, query: str) -> tuple[str, set[str]]:
    """The search page's count heading and the links of its first page of results."""
    body = client.get(f"/search?q={quote(query)}").get_data(as_text=True)
    heading = find(body, "h2", id="results-title")
    return (text_of(heading) if heading is not None else ""), {attr(a, "href") for a in css(body, "ol.results h3 a")}


def named_first(client: FlaskClient, query: str) -> str | None:
    """The agency the search page shows first, in the named-agency card (None when there is no card)."""
    body = client.get(f"/search?q={quote(query)}").get_data(as_text=True)
    cards = css(body, "ul.named-agencies li h3 a")
    return text_of(cards[0]) if cards else None


# --- adding, and the next search ---------------------------------------------------------------------------------


def test_a_synonym_staff_add_finds_what_its_meaning_finds(index: SearchIndex, client: FlaskClient, staff: User) -> None:
    meaning = results(client, "逾期")
    assert meaning[1], "the demo has items that say 逾期"
    assert results(client, "卡脖子") != meaning  # nothing says 卡脖子 yet

    response = add(client, synonym("卡脖子", "逾期"))
    assert response.status_code == 303
    assert response.headers["Location"].startswith(PAGE)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已添加“卡脖子”，下一次搜索起生效。" in visible_text(page)
    (row,) = css(page, f"{STAFF_TERMS} tbody tr")
    assert text_of(row.findall("td")[0]) == "卡脖子"
    assert results(client, "卡脖子") == meaning  # the next search, no rebuild


def test_an_alias_staff_add_puts_its_agency_first(index: SearchIndex, client: FlaskClient, staff: User) -> None:
    finance = agency_named("演示县财政局")
    assert named_first(client, "钱袋子") is None
    assert add(client, alias("钱袋子", finance)).status_code == 303
    assert named_first(client, "钱袋子") == "演示县财政局"
    assert named_first(client, "钱袋子 2026") == "演示县财政局"  # a word of a longer query


def test_removing_a_term_takes_it_out_of_the_next_search(index: SearchIndex, client: FlaskClient, staff: User) -> None:
    finance = agency_named("演示县财政局")
    term = add_term("钱袋子", agency=finance, by=staff)
    assert named_first(client, "钱袋子") == "演示县财政局"

    page = client.get(PAGE).get_data(as_text=True)
    remove_forms = [f for f in forms(find(page, "main") or page, method="post") if "/remove" in attr(f, "action")]
    assert [attr(f, "action") for f in remove_forms] == [f"{PAGE}/{term.id}/remove"]
    assert text_of(one(remove_forms[0], "button")) == "删除“钱袋子”"
    response = client.post(attr(remove_forms[0], "action"), data=form_fields(remove_forms[0], hidden_only=True))
    assert response.status_code == 303
    assert db.session.get(SearchTerm, term.id) is None
    assert named_first(client, "钱袋子") is None
    (entry,) = audit("search_term.remove")
    assert entry.entity_type == "search_term"
    assert entry.entity_id == str(term.id)
    assert entry.actor_id == staff.id
    assert entry.changes == {"word": ["钱袋子", None], "agency": [f"演示县财政局（{finance.uscc}）", None]}

    again = client.post(attr(remove_forms[0], "action"), data=form_fields(remove_forms[0], hidden_only=True))
    assert again.status_code == 404  # the second click: a clear answer, nothing else changes
    assert "该词条不存在或已经删除" in visible_text(again.get_data(as_text=True))
    assert len(audit("search_term.remove")) == 1


def test_adding_is_audited_with_who_and_what(client: FlaskClient, staff: User) -> None:
    response = add(client, synonym("  卡脖子 ", "逾期"))
    assert response.status_code == 303
    (term,) = db.session.scalars(select(SearchTerm))
    assert (term.word, term.means, term.agency_id, term.added_by) == ("卡脖子", "逾期", None, staff.username)
    (entry,) = audit("search_term.add")
    assert (entry.entity_type, entry.entity_id, entry.actor_id) == ("search_term", str(term.id), staff.id)
    assert entry.changes == {"word": [None, "卡脖子"], "means": [None, "逾期"]}


def test_a_form_posted_twice_adds_once(client: FlaskClient, staff: User) -> None:
    page = client.get(PAGE).get_data(as_text=True)
    data = {**hidden_fields(page), **synonym("卡脖子", "逾期")}
    first, second = client.post(PAGE, data=data), client.post(PAGE, data=data)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert term_count() == 1


# --- refusals --------------------------------------------------------------------------------------------------

DUPLICATE = "已有该词条"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (synonym("", "逾期"), "word", "此项必填"),
        (synonym("欠", "拖欠账款"), "word", "太短了：至少 2 个字符。"),
        (synonym(" 欠 ", "拖欠账款"), "word", "太短了：至少 2 个字符。"),  # counted once trimmed
        (synonym("卡" * 41, "逾期"), "word", "太长了：最多 40 个字符。"),
        (synonym("卡脖子", "期"), "means", "太短了：至少 2 个字符。"),
        (synonym("卡脖子", ""), "means", "请填写这个词对应的本站用语，如：逾期。"),  # neither
        (alias("县医院", ""), "agency", "请选择这个词所指的机构"),  # neither
        ({**synonym("卡脖子", "逾期"), "agency": "演示县财政局"}, "agency", "登记同义词时不选机构"),  # both
        ({**alias("县医院", "演示县人民医院"), "means": "医院"}, "means", "登记机构别名时不填本站用语"),  # both
        (alias("县医院", "999999999"), "agency", "请从列表中选择机构"),
        (alias("县医院", "x"), "agency", "请从列表中选择机构"),
        ({**synonym("卡脖子", "逾期"), "kind": "other"}, "kind", "请选择词条类型"),
        (synonym("逾期", " 逾期"), "means", "词语和本站用语相同，不必添加。"),
        (synonym("超期", "逾期"), "word", DUPLICATE),  # vocabulary.toml has it
        (synonym("超 期", "逾 期"), "word", DUPLICATE),  # compared without spaces
        (synonym("欠工程款", "拖欠账款 工程款"), "word", DUPLICATE),  # generated from the arrears subtypes
        (alias("发改委", "演示县发展和改革局"), "word", DUPLICATE),  # a generated abbreviation
        (alias("演示县财政局", "演示县财政局"), "word", DUPLICATE),  # its own name
        (synonym("这是一个非常长的说法用来测试分词", "逾期"), "word", "这个词太长"),  # never one run of words
    ],
)
def test_bad_input_is_refused_beside_its_field_and_writes_nothing(
    client: FlaskClient, staff: User, data: dict[str, Any], field: str, message: str
) -> None:
    if data["agency"].startswith("演示"):  # an agency named in the table above: its id, as the select sends it
        data = {**data, "agency": str(agency_named(data["agency"]).id)}
    audited = len(audit("search_term.add"))
    response = add(client, data)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    parse_strict(body)
    assert error_beside(body, field).startswith(message)
    assert find(body, "div", class_="error-summary") is not None
    assert term_count() == 0
    assert len(audit("search_term.add")) == audited


def test_a_term_staff_added_already_is_refused(client: FlaskClient, staff: User) -> None:
    hospital = agency_named("演示县人民医院")
    add_term("卡脖子", means="逾期", by=staff)
    add_term("县医院", agency=hospital, by=staff)
    for data in (synonym("卡脖子", "逾期"), synonym("卡 脖子", "逾期"), alias("县医院", hospital)):
        response = add(client, data)
        assert response.status_code == 400
        assert error_beside(response.get_data(as_text=True), "word") == DUPLICATE
    assert term_count() == 2
    # the same word for another meaning or another agency is another entry
    assert add(client, synonym("卡脖子", "拖延")).status_code == 303
    assert add(client, alias("县医院", agency_named("演示县疾病预防控制中心"))).status_code == 303
    assert term_count() == 4


def test_removing_a_term_that_is_not_there_is_404(client: FlaskClient, staff: User) -> None:
    page = client.get(PAGE).get_data(as_text=True)
    response = client.post(f"{PAGE}/2147483647/remove", data=hidden_fields(page))
    assert response.status_code == 404
    assert "该词条不存在或已经删除" in visible_text(response.get_data(as_text=True))


def test_a_removal_without_its_form_token_is_400_and_removes_nothing(client: FlaskClient, staff: User) -> None:
    term = add_term("卡脖子", means="逾期", by=staff)
    page = client.get(PAGE).get_data(as_text=True)
    token = hidden_fields(page)["csrf_token"]
    response = client.post(f"{PAGE}/{term.id}/remove", data={"csrf_token": token})
    assert response.status_code == 400
    summary = find(response.get_data(as_text=True), "div", class_="error-summary")
    assert summary is not None
    assert "未能删除词条" in visible_text(summary)
    assert db.session.get(SearchTerm, term.id) is not None
    assert audit("search_term.remove") == []


# --- the page, and who may use it ------------------------------------------------------------------------------


def test_the_page_lists_the_file_the_generated_entries_and_the_staffs_terms(client: FlaskClient, staff: User) -> None:
    add_term("县医院", agency=agency_named("演示县人民医院"), by=staff)
    response = client.get(PAGE)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    parse_strict(body)
    assert title_of(body).startswith("搜索词表")
    text = visible_text(body)
    assert "下一次搜索起生效" in text
    rows = {text_of(row.findall("td")[0]): text_of(row.findall("td")[1]) for row in css(body, "details tbody tr")}
    assert rows["欠钱"] == "拖欠账款"  # vocabulary.toml
    assert rows["赖账"] == "拖欠账款、失信被执行人"
    assert rows["拖欠工程款"] == "拖欠账款 工程款"  # generated from the arrears subtypes
    assert rows["演示县发展和改革局"] == "发改委、发改局、演示县发改委、演示县发改局"  # generated abbreviations
    staff_rows = css(body, f"{STAFF_TERMS} tbody tr")
    assert len(staff_rows) == 1
    assert [text_of(td) for td in staff_rows[0].findall("td")][:3] == ["县医院", "机构别名", "演示县人民医院"]
    assert all(td.get("data-label") for td in css(body, "table.list td")), "every cell names its column on a phone"
    fieldset = one(body, "fieldset", id="kind")
    assert text_of(one(fieldset, "legend")).startswith("词条类型")
    assert [attr(i, "value") for i in find_all(fieldset, "input", type="radio")] == ["synonym", "alias"]


def test_staff_find_it_in_their_menu_and_officers_do_not(client: FlaskClient) -> None:
    sign_in(client, make_user(Role.STAFF))
    nav = find(client.get("/workspace/").get_data(as_text=True), "nav", class_="workspace-nav")
    assert nav is not None
    assert "搜索词表" in visible_text(nav)
    sign_in(client, make_user(Role.OFFICER))
    nav = find(client.get("/workspace/").get_data(as_text=True), "nav", class_="workspace-nav")
    assert nav is not None
    assert "搜索词表" not in visible_text(nav)


def test_an_admin_may_add_too(client: FlaskClient) -> None:
    sign_in(client, make_user(Role.ADMIN))
    assert add(client, synonym("卡脖子", "逾期")).status_code == 303


def test_officers_get_403_and_write_nothing(client: FlaskClient, staff: User) -> None:
    term = add_term("卡脖子", means="逾期", by=staff)
    sign_in(client, make_user(Role.OFFICER))
    assert client.get(PAGE).status_code == 403
    token = csrf_token(client.get("/workspace/").get_data(as_text=True))  # the officer's session's
    assert client.post(PAGE, data={"csrf_token": token, **synonym("县医院", "人民医院")}).status_code == 403
    assert client.post(f"{PAGE}/{term.id}/remove", data={"csrf_token": token}).status_code == 403
    assert term_count() == 1


@pytest.mark.parametrize(("method", "path"), [("GET", PAGE), ("POST", PAGE), ("POST", f"{PAGE}/1/remove")])
def test_anonymous_visitors_are_sent_to_sign_in(client: FlaskClient, method: str, path: str) -> None:
    token = csrf_token(client.get("/login").get_data(as_text=True))
    response = client.open(path, method=method, data={"csrf_token": token} if method == "POST" else None)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/login?next={quote(path, safe='')}"


# --- the demo ----------------------------------------------------------------------------------------------------


def test_the_demo_adds_its_terms_once(index: SearchIndex, client: FlaskClient) -> None:
    add_demo_terms(TODAY_DATE)
    add_demo_terms(TODAY_DATE)  # again: nothing more
    terms = {(t.word, t.means, t.agency.name if t.agency else "") for t in db.session.scalars(select(SearchTerm))}
    assert terms == {
        ("县医院", "", "演示县人民医院"),
        ("县政府", "", "演示县人民政府"),
        ("开发区", "", "演示经济开发区管理委员会"),
        ("经开区", "", "演示经济开发区管理委员会"),
        ("卡脖子", "逾期", ""),
    }
    assert {e.actor for e in audit("search_term.add")} == {"demo-staff"}
    assert named_first(client, "经开区") == "演示经济开发区管理委员会"
