"""A judged set of the searches residents type (issue 16), run on the demo data for each engine (and database),
each with what it must find expressed against the database: questions, everyday words, agency names in every form
people use, codes typed in groups, state words, traditional characters, input-method operators, the any-word
fallback, the region facet and published complaints.

Searches are run as the search page runs them (operations.run_search: the site's vocabulary, the any-word
fallback, the named agencies); what only the page or the API shows (the named agency's card, notices, suggestions)
is read from them."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.agencies.models import Agency
from portal.arrears.models import ArrearsTerms
from portal.arrears.rules import Subtype
from portal.commitments.models import Commitment
from portal.db import commit
from portal.extensions import db
from portal.records.models import Record
from portal.records.queries import public_records
from portal.rectifications.queries import public_outcomes
from portal.search.index import SearchIndex
from portal.search.operations import Search, run_search
from portal.search.suggest import spellings
from portal.search.vocabulary import AgencyNames, data_file, known_names, short_name
from tests.factories import make_agency, make_closed_complaint, make_record, make_user
from tests.html import css, text_of
from tests.search.conftest import TODAY_DATE, keys, publish, search

ALL = 1000  # results per page: every hit


def resident(text: str, **params: str) -> Search:
    """The search as the page runs it, with every hit on one page."""
    found = run_search({"q": text, **params}, ALL)
    assert found.result is not None, text
    return found


def found_keys(text: str, **params: str) -> list[str]:
    result = resident(text, **params).result
    assert result is not None
    return keys(result)


def uscc(name: str) -> str:
    value = db.session.scalar(select(Agency.uscc).where(Agency.name == name))
    assert value is not None, name
    return value


def agency_of(name: str) -> Agency:
    agency = db.session.scalar(select(Agency).where(Agency.name == name))
    assert agency is not None, name
    return agency


def public() -> dict[str, Record]:
    return {f"record:{r.id}": r for r in db.session.scalars(public_records(TODAY_DATE))}


def state(record: Record) -> str:
    """The rectification state as the public page words it (整改中, 逾期未整改, 已办结), or ""."""
    return str(record.rectification.state(TODAY_DATE).label) if record.rectification else ""


def item_agency(key: str) -> str:
    """The USCC of the agency an item belongs to, as the database says."""
    kind, ident = key.split(":", 1)
    if kind == "agency":
        return ident
    if kind == "record":
        record = db.session.get(Record, int(ident))
        assert record is not None
        return record.agency.uscc
    if kind == "commitment":
        commitment = db.session.scalar(select(Commitment).where(Commitment.code == ident))
        assert commitment is not None
        return commitment.agency.uscc
    if kind == "outcome":
        return next(o.record.agency.uscc for o in db.session.scalars(public_outcomes(TODAY_DATE)) if o.id == int(ident))
    return ""


# --- agencies by every name people use ----------------------------------------------------------------------------

NAMED = [
    # (what a resident types, the agency whose 诚信档案 must come first)
    ("演示县财政局", "演示县财政局"),  # the exact name
    ("财政局", "演示县财政局"),  # without the county
    ("財政局", "演示县财政局"),  # traditional characters
    ("演示縣財政局", "演示县财政局"),
    ("czj", "演示县财政局"),  # initials
    ("CZJ", "演示县财政局"),
    ("ｃｚｊ", "演示县财政局"),  # full-width letters
    ("caizhengju", "演示县财政局"),  # pinyin
    ("ysxczj", "演示县财政局"),
    ("财正局", "演示县财政局"),  # near-sound typos
    ("财证局", "演示县财政局"),
    ("民正局", "演示县民政局"),
    ("交通运数局", "演示县交通运输局"),
    ("市场监督管里局", "演示县市场监督管理局"),
    ("发改委", "演示县发展和改革局"),  # abbreviations
    ("发改局", "演示县发展和改革局"),
    ("發改委", "演示县发展和改革局"),
    ("市场监管局", "演示县市场监督管理局"),
    ("城关镇政府", "城关镇人民政府"),
    ("人社局", "演示县人力资源和社会保障局"),
    ("住建局", "演示县住房和城乡建设局"),
    ("卫健委", "演示县卫生健康委员会"),
    ("疾控中心", "演示县疾病预防控制中心"),
    ("城投", "演示县城市建设投资集团有限公司"),
    ("一中", "演示县第一中学"),
    ("北河街道", "北河街道办事处"),
    ("jyj", "演示县教育局"),
]


@pytest.mark.parametrize(("text", "name"), NAMED)
def test_an_agency_named_in_any_form_comes_first(index: SearchIndex, text: str, name: str) -> None:
    found = resident(text)
    assert found.query.agencies == (uscc(name),)
    assert found_keys(text)[0] == f"agency:{uscc(name)}"
    assert [u for u, _counts in found.named] == [uscc(name)]


def test_every_agency_is_first_for_its_name_short_name_abbreviations_and_pinyin(index: SearchIndex) -> None:
    dictionary = data_file()
    missed = []
    for agency in db.session.scalars(select(Agency).order_by(Agency.id)):
        names = AgencyNames(agency.uscc, agency.name, agency.region_name)
        forms = known_names(names, dictionary.abbreviations, dictionary.place_bound)
        forms |= set(spellings(short_name(agency.name, agency.region_name)))
        for form in sorted(forms):
            first = found_keys(form)[:1]
            if first != [f"agency:{agency.uscc}"]:
                missed.append((agency.name, form, first))
    assert missed == []


@pytest.mark.parametrize(("text", "name"), [("czj", "演示县财政局"), ("城关镇政府", "城关镇人民政府")])
def test_the_page_heads_the_results_with_the_named_agencys_card(
    index: SearchIndex, client: FlaskClient, text: str, name: str
) -> None:
    body = client.get(f"/search?q={quote(text)}").get_data(as_text=True)
    (card,) = css(body, "ul.named-agencies h3 a")
    assert card.get("href") == f"/agencies/{uscc(name)}"
    assert text_of(card) == name
    assert css(body, "aside.suggestions") == []  # named, not guessed at
    assert f"/agencies/{uscc(name)}" not in [a.get("href") for a in css(body, "ol.results h3 a")]  # not twice


def test_the_named_agencys_counts_are_its_public_items(index: SearchIndex, client: FlaskClient) -> None:
    agency = agency_of("演示县财政局")
    expected = {
        "record": db.session.scalar(
            select(func.count()).select_from(public_records(TODAY_DATE, {"agency": agency.uscc}).subquery())
        ),
        "commitment": db.session.scalar(
            select(func.count()).where(Commitment.public_clause(), Commitment.agency_id == agency.id)
        ),
        "outcome": db.session.scalar(
            select(func.count()).select_from(public_outcomes(TODAY_DATE, agency.id).subquery())
        ),
    }
    expected = {kind: n for kind, n in expected.items() if n}
    assert expected.keys() >= {"record", "commitment"}
    answer = client.get("/api/v1/search?q=czj").get_json()
    assert answer["agencies"] == [
        {
            "uscc": agency.uscc,
            "name": "演示县财政局",
            "url": f"http://localhost/agencies/{agency.uscc}",
            "counts": expected,
        }
    ]
    body = client.get("/search?q=czj").get_data(as_text=True)
    shown = {text_of(a) for a in css(body, "ul.named-agencies ul.counts a")}
    labels = {"record": "失信记录", "commitment": "政务承诺", "outcome": "整改结果"}
    assert shown == {f"{labels[kind]} {n}" for kind, n in expected.items()}


def test_a_quoted_agency_name_gives_that_agencys_items_only(index: SearchIndex) -> None:
    county = uscc("演示县人民政府")
    loose = found_keys("演示县人民政府")
    assert {item_agency(k) for k in loose} - {county}  # other agencies' records name it as deciding authority
    for text in ('"演示县人民政府"', "“演示县人民政府”", "「演示县人民政府」"):
        quoted = found_keys(text)
        assert quoted[0] == f"agency:{county}", text
        assert {item_agency(k) for k in quoted} == {county}, text
        assert set(quoted) < set(loose), text


def test_an_abbreviation_in_quotes_is_the_agency_too(index: SearchIndex) -> None:
    reform = uscc("演示县发展和改革局")
    found = found_keys('"发改委"')
    assert found[0] == f"agency:{reform}"
    assert {item_agency(k) for k in found} == {reform}
    assert set(found) == set(found_keys('"演示县发展和改革局"'))


@pytest.mark.parametrize("text", ["天气", "夔牛", "演示县", "信用", "局", "政府", "人民政府"])
def test_an_unrelated_word_names_no_agency(index: SearchIndex, client: FlaskClient, text: str) -> None:
    assert resident(text).query.agencies == ()
    answer = client.get(f"/api/v1/search?q={quote(text)}").get_json()
    assert answer["agencies"] == []
    body = client.get(f"/search?q={quote(text)}").get_data(as_text=True)
    assert css(body, "ul.named-agencies") == []


@pytest.mark.parametrize(
    "text",
    ["邮政局", "税务局", "体育局", "人民法院"],  # real agencies the county has not: no typo of 财政局, 商务局 …
)
def test_another_real_agency_is_not_taken_for_a_demo_one(index: SearchIndex, client: FlaskClient, text: str) -> None:
    answer = client.get(f"/api/v1/search?q={quote(text)}").get_json()
    assert answer["agencies"] == []
    assert not any(item["key"].startswith("agency:") for item in answer["items"])


NEAR = "没有找到与输入完全一致的内容，以下按名称相近的机构查找。"


@pytest.mark.parametrize(
    ("typo", "right"), [("财正局", "财政局"), ("财正局 拖欠", "财政局 拖欠"), ("民正局", "民政局")]
)
def test_a_near_sound_typo_finds_what_the_name_finds_and_the_page_says_so(
    index: SearchIndex, client: FlaskClient, typo: str, right: str
) -> None:
    found = resident(typo)
    assert found.near
    assert set(found_keys(typo)) == set(found_keys(right))
    body = client.get(f"/search?q={quote(typo)}").get_data(as_text=True)
    assert [text_of(p) for p in css(body, "p.notice-near")] == [NEAR]
    assert not resident(right).near


def test_part_of_a_name_is_a_suggestion_not_a_name(index: SearchIndex, client: FlaskClient) -> None:
    assert resident("财政").query.agencies == ()
    body = client.get(f"/search?q={quote('财政')}").get_data(as_text=True)
    assert css(body, "ul.named-agencies") == []
    assert [a.get("href") for a in css(body, "aside.suggestions li a")] == [f"/agencies/{uscc('演示县财政局')}"]


# --- everyday words -------------------------------------------------------------------------------------------------

EVERYDAY = [
    # (what a resident types, the record kinds it means)
    ("欠钱", {"arrears"}),
    ("欠款", {"arrears"}),
    ("欠錢", {"arrears"}),
    ("打白条", {"arrears"}),
    ("政府欠钱怎么办", {"arrears"}),
    ("赖账", {"arrears", "judgment_defaulter"}),
    ("老赖", {"judgment_defaulter"}),
    ("黑名单", {"judgment_defaulter"}),
    ("罚款", {"administrative_penalty"}),
    ("罚钱", {"administrative_penalty"}),
    ("打官司", {"lost_lawsuit"}),
    ("毁约", {"arrears"}),
    ("招商不兑现", {"investment_promise"}),
]


@pytest.mark.parametrize(("text", "kinds"), EVERYDAY)
def test_everyday_words_find_the_records_they_mean(index: SearchIndex, text: str, kinds: set[str]) -> None:
    records = public()
    found = found_keys(text)
    first = found[:10]
    assert len(first) == 10, text
    assert all(k in records and records[k].kind in kinds for k in first), [k for k in first]
    meant = {k for k, r in records.items() if r.kind in kinds}
    assert meant <= set(found)  # every one of them


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("不还钱", {"arrears"}),  # a synonym that holds a question word (不) must still be read as one
        ("不守合同", {"arrears"}),
        ("失信名单", {"judgment_defaulter"}),
    ],
)
def test_everyday_phrases_holding_a_question_word(index: SearchIndex, text: str, kinds: set[str]) -> None:
    records = public()
    first = [k for k in found_keys(text)[:10] if k.startswith("record:")]  # a policy page may come first
    assert len(first) >= 8, text
    assert all(records[k].kind in kinds for k in first), first


def test_an_arrears_subtype_typed_with_its_verb(writable_index: SearchIndex) -> None:
    agency = make_agency(name="泊舟县测试局")
    records = {}
    for subtype in (Subtype.CONSTRUCTION, Subtype.GOODS):
        record = make_record(agency, kind="arrears", title=f"泊舟县测试局欠款记录{subtype.value}", details={})
        db.session.add(ArrearsTerms(record_id=record.id, subtype=subtype))
        records[subtype] = f"record:{record.id}"
    db.session.flush()
    publish(*records.values())
    for text in ("拖欠工程款", "欠工程款", "泊舟县测试局 拖欠工程款"):
        found = found_keys(text, type="record")
        assert records[Subtype.CONSTRUCTION] in found, text
        assert records[Subtype.GOODS] not in found, text
    assert records[Subtype.GOODS] in found_keys("拖欠货款")
    assert records[Subtype.CONSTRUCTION] not in found_keys("拖欠货款")


# --- questions ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("question", "plain"), [("怎样才能修复信用", "修复信用"), ("如何修复信用", "修复信用")])
def test_a_question_searches_its_words(index: SearchIndex, question: str, plain: str) -> None:
    found = found_keys(question)
    assert found[0] == "page:credit-repair"
    assert found == found_keys(plain)


@pytest.mark.parametrize(
    ("question", "plain"),
    [
        ("财政局欠钱怎么办", "财政局 欠钱"),
        ("请问哪些单位拖欠账款", "拖欠账款"),
        ("我想查询一下老赖名单", "老赖"),
        ("发改委有没有逾期未整改的", "发改委 逾期未整改"),
    ],
)
def test_a_question_finds_what_its_words_find(index: SearchIndex, question: str, plain: str) -> None:
    found = found_keys(question)
    assert found
    assert set(found) == set(found_keys(plain))


def test_question_words_alone_still_search(index: SearchIndex, client: FlaskClient) -> None:
    found = resident("怎么办")
    assert not found.query.is_empty
    assert found.result is not None
    body = client.get(f"/search?q={quote('怎么办')}").get_data(as_text=True)
    assert css(body, "h2#results-title")  # searched: an answer, not the empty form


def test_question_words_alone_find_what_holds_them(writable_index: SearchIndex) -> None:
    record = make_record(title="泊舟县测试记录：企业被拖欠怎么办")
    publish(f"record:{record.id}")
    assert found_keys("怎么办") == [f"record:{record.id}"]


# --- records by their state words -------------------------------------------------------------------------------


def test_in_rectification_finds_the_records_in_rectification(index: SearchIndex) -> None:
    records = public()
    # 整改中 is a record's status (公示中 → 整改中) and the state of its rectification
    rectifying = {k for k, r in records.items() if r.status == "rectifying" or state(r) == "整改中"}
    found = found_keys("整改中")
    assert rectifying <= set(found)
    first = [k for k in found[:10] if k.startswith("record:")]
    assert first
    assert all(k in rectifying for k in first), first
    quoted = found_keys('"整改中"')
    assert {k for k in quoted if k.startswith("record:")} == rectifying


def test_overdue_finds_the_overdue_records_first(index: SearchIndex) -> None:
    records = public()
    overdue = {k for k, r in records.items() if state(r) == "逾期未整改"}
    assert len(overdue) > 10
    found = found_keys("逾期未整改")
    assert all(k in overdue for k in found[:10]), found[:10]
    assert overdue <= set(found)
    quoted = found_keys('"逾期未整改"')
    assert {k for k in quoted if k.startswith("record:")} == overdue


def test_failing_records_finds_every_public_record(index: SearchIndex) -> None:
    result = resident("失信记录").result
    assert result is not None
    assert set(public()) <= set(keys(result))
    assert dict(result.facets["type"])["record"] == len(public())


@pytest.mark.parametrize(
    ("text", "name", "states"),
    [
        ("发改委 整改", "演示县发展和改革局", {"整改中", "逾期未整改"}),
        ("财政局 整改", "演示县财政局", {"整改中", "逾期未整改"}),
        ("城关镇政府 整改中", "城关镇人民政府", {"整改中"}),
        ("财政局 逾期未整改", "演示县财政局", {"逾期未整改"}),
    ],
)
def test_an_agency_with_a_state_word_brings_that_agencys_records(
    index: SearchIndex, text: str, name: str, states: set[str]
) -> None:
    wanted = uscc(name)
    meant = {k for k, r in public().items() if r.agency.uscc == wanted and state(r) in states}
    assert meant, text  # the demo has such records
    found = found_keys(text)
    assert meant <= set(found)
    assert {item_agency(k) for k in found} == {wanted}


# --- codes, operators, traditional characters --------------------------------------------------------------------


def _an(kind: str) -> Record:
    return next(r for r in public().values() if r.kind == kind)


@pytest.mark.parametrize(
    "typed",
    [
        lambda r: r.document_number.replace("-", " "),  # YSX 2026 04287
        lambda r: r.document_number.replace("-", " - "),
        lambda r: r.document_number.lower(),
    ],
)
def test_a_document_number_typed_in_groups_finds_its_record_first(
    index: SearchIndex, typed: Callable[[Record], str]
) -> None:
    record = _an("arrears")
    assert "-" in record.document_number
    assert found_keys(typed(record))[0] == f"record:{record.id}"


def test_a_case_number_typed_with_spaces_finds_its_record_first(index: SearchIndex) -> None:
    record = _an("judgment_defaulter")
    case = record.details["case_number"]  # （2026）演0121执1000号
    spaced = case.replace("）", "） ").replace("执", " 执 ")
    assert found_keys(spaced)[0] == f"record:{record.id}"


@pytest.mark.parametrize(
    "typed",
    [
        lambda u: " ".join(u[i : i + 4] for i in range(0, 18, 4)),  # 1199 0121 1000 0433 2J
        lambda u: f"{u[:8]}-{u[8:]}",
        lambda u: u.lower(),
    ],
)
def test_a_uscc_typed_in_groups_finds_its_agency_first(index: SearchIndex, typed: Callable[[str], str]) -> None:
    code = uscc("演示县财政局")
    assert found_keys(typed(code))[0] == f"agency:{code}"


def test_a_commitment_code_typed_in_groups_finds_it_first(index: SearchIndex) -> None:
    commitment = db.session.scalars(select(Commitment).where(Commitment.public_clause())).first()
    assert commitment is not None
    assert commitment.code is not None
    code = commitment.code
    assert found_keys(f"{code[:6]} {code[6:14]} {code[14:]}")[0] == f"commitment:{code}"


@pytest.mark.parametrize(
    ("typed", "ascii"),
    [
        ("拖欠 －财政局", "拖欠 -财政局"),
        ("拖欠 −财政局", "拖欠 -财政局"),
        ("“演示县人民政府”", '"演示县人民政府"'),
        ("财政局 -“拖欠企业账款”", '财政局 -"拖欠企业账款"'),
    ],
)
def test_input_method_operators_act_as_the_operators(index: SearchIndex, typed: str, ascii: str) -> None:
    assert found_keys(typed) == found_keys(ascii)


@pytest.mark.parametrize(
    ("traditional", "simplified"),
    [
        ("財政局 拖欠", "财政局 拖欠"),
        ("失信被執行人", "失信被执行人"),
        ("賴賬", "赖账"),
        ("行政處罰", "行政处罚"),
        ("逾期未整改 發改委", "逾期未整改 发改委"),
    ],
)
def test_traditional_characters_find_the_simplified_text(index: SearchIndex, traditional: str, simplified: str) -> None:
    found = found_keys(traditional)
    assert found
    assert found == found_keys(simplified)


def test_traditional_characters_are_found_at_the_engine(index: SearchIndex) -> None:
    assert keys(search(index, "失信被執行人", limit=ALL)) == keys(search(index, "失信被执行人", limit=ALL))


# --- exclusion ------------------------------------------------------------------------------------------------------


def test_exclusion_still_excludes(index: SearchIndex) -> None:
    finance = uscc("演示县财政局")
    everything = found_keys("拖欠")
    without = found_keys("拖欠 -财政局")
    assert 0 < len(without) < len(everything)
    assert finance not in {item_agency(k) for k in without}
    assert finance not in resident("拖欠 -财政局").query.agencies


def test_excluding_words_from_a_named_agency(index: SearchIndex) -> None:
    finance = uscc("演示县财政局")
    found = resident("财政局 -拖欠")
    assert found.query.agencies == (finance,)
    assert found.result is not None
    hits = found.result.hits
    assert hits
    assert all("拖欠" not in hit.title + hit.body for hit in hits)
    assert {item_agency(hit.key) for hit in hits} == {finance}


def test_excluding_an_agency_by_any_of_its_names(index: SearchIndex) -> None:
    reform = uscc("演示县发展和改革局")
    everything = found_keys("整改")
    assert reform in {item_agency(k) for k in everything}
    for text in ("整改 -发改委", "整改 -演示县发展和改革局", "整改 －发改局"):
        without = found_keys(text)
        assert 0 < len(without) < len(everything), text
        assert reform not in {item_agency(k) for k in without}, text


def test_excluding_an_everyday_word_excludes_what_it_means(index: SearchIndex) -> None:
    records = public()
    found = found_keys("赖账 -老赖")  # 赖账: arrears or 失信被执行人; 老赖: 失信被执行人
    assert {k for k, r in records.items() if r.kind == "arrears"} <= set(found)
    assert not any(records[k].kind == "judgment_defaulter" for k in found if k in records)


# --- the any-word fallback ----------------------------------------------------------------------------------------

PARTIAL = "没有同时包含全部词语的结果，以下为部分匹配。"


@pytest.mark.parametrize(
    ("text", "some"),
    [
        ("财政局 天气", "财政局"),  # an agency and a word nothing has
        ("欠钱 夔牛", "欠钱"),
        ("财政局天气", "财政局"),  # in one chunk, too
        ("老赖 天气 夔牛", "老赖"),
        ('"信用 修复" 天气', '"信用 修复"'),  # a phrase stays whole
    ],
)
def test_when_nothing_has_every_word_any_word_is_enough_and_the_page_says_so(
    index: SearchIndex, client: FlaskClient, text: str, some: str
) -> None:
    found = resident(text)
    assert found.partial
    assert set(found_keys(text)) == set(found_keys(some))
    body = client.get(f"/search?q={quote(text)}").get_data(as_text=True)
    assert [text_of(p) for p in css(body, "p.notice-partial")] == [PARTIAL]
    answer = client.get(f"/api/v1/search?q={quote(text)}").get_json()
    assert {"code": "partial", "message": PARTIAL} in answer["notices"]


@pytest.mark.parametrize("text", ["财政局 拖欠", "欠钱", "天气", "怎么办", '"信用 修复"', "天气 -财政局"])
def test_no_fallback_notice_when_every_word_is_found_or_nothing_can_be_loosened(
    index: SearchIndex, client: FlaskClient, text: str
) -> None:
    assert not resident(text).partial
    body = client.get(f"/search?q={quote(text)}").get_data(as_text=True)
    assert css(body, "p.notice-partial") == []


def test_stop_words_never_empty_a_search(index: SearchIndex) -> None:
    for text in ("的", "吗", "请问", "怎么样", "哪些 单位", "我 要 查询"):
        assert not resident(text).query.is_empty, text


# --- the page and its JSON twin say the same ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["czj", "财政", "财政局 天气", "天气", "发改委 整改", "-拖欠 财政局", "欠钱 夔牛", "财正局", "邮政局"]
)
def test_the_api_returns_the_notices_agencies_and_suggestions_of_the_page(
    index: SearchIndex, client: FlaskClient, text: str
) -> None:
    body = client.get(f"/search?q={quote(text)}").get_data(as_text=True)
    answer = client.get(f"/api/v1/search?q={quote(text)}").get_json()
    assert [text_of(p) for p in css(body, "p.notice")] == [n["message"] for n in answer["notices"]]
    assert [a.get("href") for a in css(body, "ul.named-agencies h3 a")] == [
        f"/agencies/{a['uscc']}" for a in answer["agencies"]
    ]
    assert [text_of(a) for a in css(body, "ul.named-agencies h3 a")] == [a["name"] for a in answer["agencies"]]
    assert [a.get("href") for a in css(body, "aside.suggestions li a")] == [
        f"/agencies/{s['uscc']}" for s in answer["suggestions"]
    ]
    assert [text_of(a) for a in css(body, "aside.suggestions li a")] == [s["name"] for s in answer["suggestions"]]
    total = text_of(css(body, "h2#results-title")[0])
    assert total == f"共找到 {answer['total']} 条结果"


# --- the region facet -------------------------------------------------------------------------------------------


def test_the_region_facet_counts_a_county_with_its_towns(index: SearchIndex) -> None:
    records = public()
    result = resident("", type="record").result
    assert result is not None
    regions = dict(result.facets["region"])
    towns = {code for code in regions if len(code) == 9}
    assert towns  # the demo has records of its towns
    assert all(code.startswith("990121") for code in towns)
    for code, count in regions.items():
        assert count == sum(1 for r in records.values() if r.agency.region_code.startswith(code)), code
    assert regions["990121"] == len(records)
    for code in ("990121", *sorted(towns)[:2]):
        narrowed = set(found_keys("", type="record", region=code))
        expected = {f"record:{r.id}" for r in db.session.scalars(public_records(TODAY_DATE, {"region": code}))}
        assert narrowed == expected, code


def test_the_region_facet_follows_the_query(index: SearchIndex) -> None:
    result = resident("城关镇政府").result
    assert result is not None
    regions = dict(result.facets["region"])
    assert regions["990121"] == regions["990121100"] == result.total


# --- published complaints -----------------------------------------------------------------------------------------


def test_a_published_complaint_is_found_by_a_residents_words(writable_index: SearchIndex, client: FlaskClient) -> None:
    agency = make_agency(name="泊舟县测试局")
    staff = make_user("staff")
    make_closed_complaint(
        agency, "TS-2026-910001", "已督促泊舟县测试局结清尾款", staff, name="私密个人", phone="13900000000", uscc=""
    )
    commit()  # closing with consent noted it for search: the commit indexes it
    for text in ("泊舟县测试局 投诉", "结清尾款", "泊舟县测试局 欠钱"):
        assert "complaint:TS-2026-910001" in found_keys(text), text
    answer = client.get(f"/api/v1/search?q={quote('泊舟县测试局 投诉')}&type=complaint").get_json()
    assert [(i["key"], i["type"]) for i in answer["items"]] == [("complaint:TS-2026-910001", "complaint")]
    assert answer["items"][0]["url"].endswith("/complaints/TS-2026-910001")
    body = client.get(f"/search?q={quote('结清尾款')}").get_data(as_text=True)
    assert "投诉办理结果" in text_of(css(body, "ol.results")[0])
    for private in ("私密个人", "13900000000"):
        assert "complaint:TS-2026-910001" not in found_keys(private), private
