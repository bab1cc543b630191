"""One behavioural suite, run for each engine on each database (issue 16's parts that are the engines': codes typed in
groups, the any-word query, synonyms' alternatives, named agencies, the region facet, traditional characters)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from portal.agencies.models import Agency
from portal.commitments.models import Commitment
from portal.commitments.operations import determine_fulfilment
from portal.commitments.rules import Fulfilment
from portal.db import commit
from portal.extensions import db
from portal.records.models import Record
from portal.records.operations import change_status
from portal.records.queries import public_records
from portal.records.rules import RecordStatus
from portal.rectifications.queries import public_outcomes
from portal.search.engine import SearchRequest, SearchResult
from portal.search.index import SearchIndex
from portal.search.query import Clause, ParsedQuery, Term, parse_query
from tests.factories import make_agency, make_commitment, make_record, make_rectification
from tests.search.conftest import TODAY_DATE, keys, publish, search


def _public_records() -> list[Record]:
    return list(db.session.scalars(public_records(TODAY_DATE)))


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


def test_every_public_record_is_found_first_by_its_document_number_and_in_the_top_3_by_its_title(
    index: SearchIndex,
) -> None:
    records = _public_records()
    assert len(records) > 100
    for record in records:
        assert keys(search(index, record.document_number, facets=False))[:1] == [f"record:{record.id}"], record.title
        assert f"record:{record.id}" in keys(search(index, record.title, facets=False))[:3], record.title


def test_kind_codes_are_exact_match_fields(index: SearchIndex) -> None:
    record = next(r for r in _public_records() if r.kind == "arrears")
    contract = record.details["contract_number"]
    assert keys(search(index, contract, facets=False))[:1] == [f"record:{record.id}"]
    found = search(index, record.agency.uscc, filters={"type": "agency"}, facets=False)
    assert keys(found) == [f"agency:{record.agency.uscc}"]


def test_full_width_digits_and_brackets_find_the_half_width_case_number(index: SearchIndex) -> None:
    record = next(r for r in _public_records() if r.kind == "judgment_defaulter")
    case_number = record.details["case_number"]  # e.g. （2026）演0121执1000号
    half_width = case_number.replace("（", "(").replace("）", ")")
    for query in (case_number, half_width, _fullwidth(half_width)):
        assert keys(search(index, query, facets=False))[:1] == [f"record:{record.id}"], query


def test_a_phrase_needs_its_words_side_by_side(writable_index: SearchIndex) -> None:
    together = make_record(title="泊舟县测试记录一", summary="审批超过法定期限，企业多次催办。")
    apart = make_record(title="泊舟县测试记录二", summary="法定期限内完成了审批，未超过时限。")
    publish(f"record:{together.id}", f"record:{apart.id}")
    words = set(keys(search(writable_index, "审批超过法定期限", facets=False)))
    assert {f"record:{together.id}", f"record:{apart.id}"} <= words
    assert keys(search(writable_index, '"审批超过法定期限"', facets=False)) == [f"record:{together.id}"]


def test_domain_terms_stay_whole_and_their_parts_still_match(index: SearchIndex) -> None:
    defaulters = set(keys(search(index, '"失信被执行人"', filters={"type": "record"}, limit=1000)))
    enforced = set(keys(search(index, "被执行人", filters={"type": "record"}, limit=1000)))
    expected_defaulters = {f"record:{r.id}" for r in _public_records() if r.kind == "judgment_defaulter"}
    assert expected_defaulters <= defaulters
    kinds = {db.session.get(Record, int(key.split(":")[1])).kind for key in defaulters}  # type: ignore[union-attr]
    assert kinds == {"judgment_defaulter"}
    assert defaulters < enforced  # 被执行人 also finds the 失信被执行人 records


def test_exclusion_removes_matches(index: SearchIndex) -> None:
    everything = search(index, "拖欠", limit=1000)
    without = search(index, "拖欠 -财政局", limit=1000)
    assert 0 < without.total < everything.total
    assert not any("财政局" in hit.title for hit in without.hits)


def test_words_are_all_required(index: SearchIndex) -> None:
    both = search(index, "财政局 拖欠", limit=1000)
    assert both.total > 0
    assert both.total < search(index, "拖欠", limit=1000).total
    assert all("财政局" in hit.title + hit.body and "拖欠" in hit.title + hit.body for hit in both.hits)


def test_malformed_queries_still_answer(index: SearchIndex) -> None:
    for text in ('"未闭合的引号', "-", '""', "- - -", "AND OR NOT", "((", "\x00\x1b", "长" * 5000, "a" * 5000):
        result = search(index, text)
        assert result.total >= 0


def test_type_facet_counts_equal_sql_counts(index: SearchIndex) -> None:
    facets = dict(search(index, filters={"type": "record"}).facets["type"])
    assert facets == {"record": len(_public_records())}
    counts = {
        name: dict(search(index, filters={"type": name}).facets.get("type", [])).get(name, 0)
        for name in ("commitment", "outcome", "agency")
    }
    assert counts == {
        "commitment": db.session.scalar(select(func.count()).where(Commitment.public_clause())),
        "outcome": db.session.scalar(select(func.count()).select_from(public_outcomes(TODAY_DATE).subquery())),
        "agency": db.session.scalar(select(func.count()).select_from(Agency)),
    }


def test_record_facets_equal_sql_counts_and_combine(index: SearchIndex) -> None:
    records = _public_records()
    facets = search(index, filters={"type": "record"}).facets
    assert dict(facets["kind"]) == Counter(r.kind for r in records)
    assert dict(facets["status"]) == Counter(r.status for r in records)
    assert dict(facets["agency"]) == Counter(r.agency.uscc for r in records)
    assert dict(facets["year"]) == Counter(str(r.decision_date.year) for r in records)
    narrowed = search(index, filters={"type": "record", "kind": "arrears", "year": 2026}).facets
    expected = Counter(r.status for r in records if r.kind == "arrears" and r.decision_date.year == 2026)
    assert dict(narrowed["status"]) == expected


def test_facets_follow_the_query(index: SearchIndex) -> None:
    result = search(index, "拖欠", filters={"type": "record"}, limit=1000)
    assert sum(count for _, count in result.facets["kind"]) == result.total
    assert dict(result.facets["kind"]).keys() <= {
        "arrears",
        "lost_lawsuit",
        "judgment_defaulter",
        "enforced_party",
        "administrative_penalty",
        "investment_promise",
    }


def test_date_sort_is_newest_first_and_relevance_puts_the_exact_item_first(index: SearchIndex) -> None:
    by_date = search(index, "演示县", sort="date", limit=50, facets=False)
    days = [hit.day for hit in by_date.hits if hit.day]
    assert len(days) > 10
    assert days == sorted(days, reverse=True)
    record = _public_records()[5]
    assert search(index, record.document_number, sort="relevance").hits[0].key == f"record:{record.id}"


def test_pages_and_total(index: SearchIndex) -> None:
    first = search(index, "演示县", limit=10, facets=False)
    second = search(index, "演示县", limit=10, offset=10, facets=False)
    assert first.total == second.total > 20
    assert len(first.hits) == len(second.hits) == 10
    assert not set(keys(first)) & set(keys(second))


def test_nothing_private_is_searchable(writable_index: SearchIndex) -> None:
    agency = make_agency()
    future = make_record(agency, title="未到公示日期的记录子丑寅", decision_date=TODAY_DATE + timedelta(days=3))
    revoked = make_record(agency, title="已撤销的记录卯辰巳", status="revoked", stopped_on=TODAY_DATE)
    restricted = make_commitment(agency, title="政务共享范围的承诺午未申", scope="restricted")
    unpublished = make_commitment(agency, title="尚未发布的承诺酉戌亥", published_at=None)
    publish(
        f"record:{future.id}", f"record:{revoked.id}", f"commitment:{restricted.code}", f"commitment:{unpublished.code}"
    )
    writable_index.rebuild(db.session, TODAY_DATE)  # and from scratch: still nothing
    for secret in ("子丑寅", "卯辰巳", "午未申", "酉戌亥"):
        assert search(writable_index, secret).total == 0, secret
    # The record whose publication starts in three days appears on that day, without re-indexing.
    assert keys(search(writable_index, "子丑寅", today=TODAY_DATE + timedelta(days=3))) == [f"record:{future.id}"]


def test_a_record_leaves_the_results_on_the_day_its_period_ends(index: SearchIndex) -> None:
    record = _public_records()[0]
    assert keys(search(index, record.document_number, facets=False))[:1] == [f"record:{record.id}"]
    after = search(index, record.document_number, today=record.publication_max_end, facets=False)
    assert f"record:{record.id}" not in keys(after)


def test_publish_makes_searchable_and_stopping_publication_removes(writable_index: SearchIndex) -> None:
    record = make_record(title="新公示的测试记录鼋鼍蛟", decision_date=TODAY_DATE)
    publish(f"record:{record.id}")
    assert keys(search(writable_index, "鼋鼍蛟")) == [f"record:{record.id}"]
    change_status(record, RecordStatus.REVOKED, TODAY_DATE, reason="认定错误", actor="staff")
    commit()
    assert search(writable_index, "鼋鼍蛟").total == 0


def test_an_outcome_is_its_own_result_and_leaves_with_its_record(writable_index: SearchIndex) -> None:
    record = make_record(title="整改完成的测试记录麒麟")
    rectification = make_rectification(
        record, outcome="performed", finished_on=TODAY_DATE, outcome_summary="已全额支付欠款"
    )
    publish(f"record:{record.id}", f"outcome:{rectification.id}")
    assert set(keys(search(writable_index, "麒麟"))) == {f"record:{record.id}", f"outcome:{rectification.id}"}
    change_status(record, RecordStatus.REVOKED, TODAY_DATE, reason="认定错误", actor="staff")
    commit()
    assert search(writable_index, "麒麟").total == 0


def test_a_fulfilment_change_reaches_the_status_facet(writable_index: SearchIndex) -> None:
    commitment = make_commitment(title="测试承诺貔貅")
    publish(f"commitment:{commitment.code}")
    assert dict(search(writable_index, "貔貅").facets["status"]) == {"in_progress": 1}
    determine_fulfilment(commitment, Fulfilment.FULFILLED, TODAY_DATE, determined_by="演示县信用办", actor="staff")
    commit()
    assert dict(search(writable_index, "貔貅").facets["status"]) == {"fulfilled": 1}


# --- issue 16 -------------------------------------------------------------------------------------------------------


def _ask(index: SearchIndex, query: ParsedQuery, **options: object) -> SearchResult:
    return index.search(SearchRequest(query, TODAY_DATE, **options))  # type: ignore[arg-type]


def _agency(name: str) -> Agency:
    agency = db.session.scalar(select(Agency).where(Agency.name == name))
    assert agency is not None
    return agency


def test_a_code_typed_in_groups_is_one_identifier(index: SearchIndex) -> None:
    record = next(r for r in _public_records() if r.kind == "arrears" and "-" in r.document_number)
    for typed in (record.document_number.replace("-", " "), record.document_number.replace("-", " - ")):
        assert keys(search(index, typed, facets=False))[:1] == [f"record:{record.id}"], typed
    uscc = record.agency.uscc
    grouped = " ".join(uscc[i : i + 6] for i in range(0, 18, 6))
    assert keys(search(index, grouped, filters={"type": "agency"}, facets=False)) == [f"agency:{uscc}"]


def test_the_any_word_query_matches_any_clause(index: SearchIndex) -> None:
    parsed = parse_query("夔牛 拖欠账款", index.analyzer())
    assert _ask(index, parsed).total == 0
    loosened = parsed.loosened()
    assert loosened is not None
    assert set(keys(_ask(index, loosened, limit=1000))) == set(keys(search(index, "拖欠账款", limit=1000)))


def test_a_term_matches_its_alternatives(index: SearchIndex) -> None:
    query = ParsedQuery((Clause(("夔牛",), False, "", (Term(("夔牛",), (("拖欠账款",),)),)),))
    assert set(keys(_ask(index, query, limit=1000))) == set(keys(search(index, "拖欠账款", limit=1000)))
    both = ParsedQuery((Clause(("夔牛",), False, "", (Term(("夔牛",), (("拖欠账款", "财政局"),)),)),))
    assert set(keys(_ask(index, both, limit=1000))) == set(keys(search(index, "拖欠账款 财政局", limit=1000)))


def test_a_named_agency_brings_its_items_and_its_profile_first(index: SearchIndex) -> None:
    agency = _agency("演示县财政局")
    query = ParsedQuery((Clause(("czj",), False, "", (Term(("czj",), (), (agency.uscc,)),)),))
    found = _ask(index, query, limit=1000)
    assert keys(found)[0] == f"agency:{agency.uscc}"
    assert set(keys(found)) == set(keys(search(index, filters={"agency": agency.uscc}, limit=1000)))


def test_a_quoted_agency_name_matches_its_items_only(index: SearchIndex) -> None:
    county = _agency("演示县人民政府")
    term = Term(("演示县人民政府",), (), (county.uscc,))
    loose = _ask(index, ParsedQuery((Clause(term.words, False, "", (term,)),)), limit=1000)
    quoted = _ask(index, ParsedQuery((Clause(term.words, False, "", (term,), quoted=True),)), limit=1000)
    assert {hit.agency for hit in loose.hits} > {county.uscc}  # others' records name it as deciding authority
    assert {hit.agency for hit in quoted.hits} == {county.uscc}
    assert keys(quoted)[0] == f"agency:{county.uscc}"
    assert set(keys(quoted)) == set(keys(search(index, filters={"agency": county.uscc}, limit=1000)))


def test_the_region_facet_and_filter_count_a_county_with_its_towns(index: SearchIndex) -> None:
    records = _public_records()
    regions = dict(search(index, filters={"type": "record"}).facets["region"])
    assert regions["990121"] == len(records)
    town = _agency("城关镇人民政府")
    assert len(town.region_code) == 9
    in_town = sum(1 for r in records if r.agency.region_code == town.region_code)
    assert regions[town.region_code] == in_town > 0
    assert search(index, filters={"type": "record", "region": "990121"}).total == len(records)
    assert search(index, filters={"type": "record", "region": town.region_code}).total == in_town


def test_traditional_text_is_found_by_simplified_words_and_the_reverse(writable_index: SearchIndex) -> None:
    traditional = make_record(title="泊舟縣測試記錄：財政局拖欠賬款")
    simplified = make_record(title="泊舟县测试记录：财政局拖欠账款")
    publish(f"record:{traditional.id}", f"record:{simplified.id}")
    both = {f"record:{traditional.id}", f"record:{simplified.id}"}
    assert set(keys(search(writable_index, "泊舟县测试记录"))) == both
    assert set(keys(search(writable_index, "泊舟縣測試記錄"))) == both
    assert set(keys(search(writable_index, '"泊舟县测试记录 财政局 拖欠账款"'))) == both
