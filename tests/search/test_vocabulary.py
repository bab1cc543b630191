"""The search vocabulary (issue 16): short names, abbreviations and known names of agencies, the Vocabulary's three
answers (which site terms a run of words stands for, which agencies a text names, which it may mean by a near-sound
typo), and the hand-kept data file itself."""

from __future__ import annotations

import tomllib

import pytest

from portal.demo.generator import demo_agencies
from portal.search.analyzer import DOMAIN_TERMS, Analyzer
from portal.search.query import parse_query
from portal.search.vocabulary import (
    MAX_RUN,
    VOCABULARY_FILE,
    AgencyNames,
    Vocabulary,
    abbreviations,
    data_file,
    known_names,
    short_name,
    squash,
)

RULES = data_file().abbreviations
PLACE_BOUND = data_file().place_bound
SYNONYMS = data_file().synonyms
QUESTION_WORDS = data_file().question_words

FINANCE = AgencyNames("U-FINANCE", "演示县财政局", "演示县")
CIVIL = AgencyNames("U-CIVIL", "演示县民政局", "演示县")
REFORM = AgencyNames("U-REFORM", "演示县发展和改革局", "演示县")
MARKET = AgencyNames("U-MARKET", "演示县市场监督管理局", "演示县")
TOWN = AgencyNames("U-TOWN", "城关镇人民政府", "演示县城关镇")
HOSPITAL = AgencyNames("U-HOSPITAL", "演示县人民医院", "演示县", former=("演示县卫生院",), aliases=("县医院",))
AGENCIES = (FINANCE, CIVIL, REFORM, MARKET, TOWN, HOSPITAL)

# A stand-in for pypinyin: what the Vocabulary asks `spell` about (each name and short name, squashed).
SPELLED = {
    "演示县财政局": ("yanshixiancaizhengju", "ysxczj"),
    "财政局": ("caizhengju", "czj"),
    "演示县民政局": ("yanshixianminzhengju", "ysxmzj"),
    "民政局": ("minzhengju", "mzj"),
}


def fake_spell(name: str) -> tuple[str, str]:
    return SPELLED.get(name, ("", ""))


@pytest.fixture(scope="module")
def plain() -> Analyzer:
    return Analyzer()


# --- short_name and abbreviations --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "region", "short"),
    [
        ("演示县财政局", "演示县", "财政局"),
        ("城关镇人民政府", "演示县城关镇", "城关镇人民政府"),  # its region is not in front: the name stays
        ("演示县", "演示县", "演示县"),  # nothing would be left
        ("演示县局", "演示县", "演示县局"),  # one character is no name
        ("财政局", "", "财政局"),
        ("演示县财政局", "泊舟县", "演示县财政局"),
    ],
)
def test_short_name(name: str, region: str, short: str) -> None:
    assert short_name(name, region) == short


@pytest.mark.parametrize(
    ("name", "region", "shortened"),
    [
        ("演示县发展和改革局", "演示县", {"演示县发改局", "发改局", "演示县发改委", "发改委"}),
        ("某市发展和改革委员会", "某市", {"某市发改委", "发改委"}),
        ("演示县市场监督管理局", "演示县", {"演示县市场监管局", "市场监管局"}),
        ("城关镇人民政府", "演示县城关镇", {"城关镇政府"}),
        ("演示县人民政府", "演示县", {"演示县政府"}),  # place-bound: never a bare 政府
        ("演示县人民医院", "演示县", {"演示县医院"}),
        ("北河街道办事处", "演示县北河街道", {"北河街道办", "北河街道"}),
        ("演示县卫生健康委员会", "演示县", {"演示县卫健委", "卫健委"}),
        # the most specific rule only: not also 演示经济开发区管委会 by the rule for 管理委员会
        (
            "演示经济开发区管理委员会",
            "演示经济开发区",
            {"演示开发区管委会", "演示经开区管委会", "开发区管委会", "经开区管委会"},
        ),
        ("演示县财政局", "演示县", set()),  # no rule applies
        ("演示县审计局", "演示县", set()),
    ],
)
def test_abbreviations_from_the_data_file(name: str, region: str, shortened: set[str]) -> None:
    assert abbreviations(name, region, RULES, PLACE_BOUND) == shortened


def test_a_place_bound_long_form_keeps_its_place() -> None:
    assert abbreviations("演示县人民政府", "演示县", RULES) == {"演示县政府", "政府"}
    assert abbreviations("演示县人民政府", "演示县", RULES, {"人民政府"}) == {"演示县政府"}


@pytest.mark.parametrize(
    ("agency", "names"),
    [
        (AgencyNames("U", "演示县财政局", "演示县"), {"演示县财政局", "财政局"}),
        (AgencyNames("U", "演示县人民政府", "演示县"), {"演示县人民政府", "演示县政府"}),  # not 人民政府, not 政府
        (AgencyNames("U", "城关镇人民政府", "演示县城关镇"), {"城关镇人民政府", "城关镇政府"}),
        (
            AgencyNames("U", "演示县人民医院", "演示县", former=("演示县卫生院",), aliases=("县医院",)),
            {"演示县人民医院", "演示县医院", "演示县卫生院", "县医院"},
        ),
        (
            AgencyNames("U", "演示县发展和改革局", "演示县"),
            {"演示县发展和改革局", "发展和改革局", "演示县发改局", "发改局", "演示县发改委", "发改委"},
        ),
    ],
)
def test_known_names(agency: AgencyNames, names: set[str]) -> None:
    assert known_names(agency, RULES, PLACE_BOUND) == names


@pytest.mark.parametrize(
    ("name", "region", "rules", "shortened"),
    [
        ("甲乙丙局", "", {"乙丙": ("X",)}, {"甲X局"}),
        ("县甲乙丙", "县", {"甲乙丙": ("丁",)}, {"县丁"}),  # "丁" alone is too short to name anything
        ("甲乙丙", "", {"甲乙丙": ("甲乙丙",)}, set()),  # a rule that changes nothing gives nothing
        ("甲乙丙丁", "", {"乙丙丁": ("A",), "丙丁": ("B",)}, {"甲A"}),  # the first rule that applies, only
        ("甲乙丙丁", "", {"丙丁": ("B",), "乙丙丁": ("A",)}, {"甲乙B"}),
        ("甲乙丙", "", {}, set()),
    ],
)
def test_abbreviations_rules(name: str, region: str, rules: dict[str, tuple[str, ...]], shortened: set[str]) -> None:
    assert abbreviations(name, region, rules) == shortened


# --- Vocabulary: synonyms ------------------------------------------------------------------------------------------


def test_synonyms_are_looked_up_by_their_squashed_words() -> None:
    vocabulary = Vocabulary({"欠钱": ["拖欠账款"], "賴賬": ["拖欠账款", "失信被执行人"], "修复 信用": ["信用修复"]})
    assert vocabulary.alternatives(("欠钱",)) == ("拖欠账款",)
    assert vocabulary.alternatives(("赖账",)) == ("拖欠账款", "失信被执行人")  # traditional key, simplified query
    assert vocabulary.alternatives(("修复", "信用")) == ("信用修复",)  # a run of words
    assert vocabulary.alternatives(("拖欠账款",)) == ()
    assert vocabulary.alternatives(()) == ()


def test_synonym_entries_are_cleaned_and_merged() -> None:
    vocabulary = Vocabulary(
        {
            "欠钱": ["拖欠账款", "拖欠账款", "欠钱", " 欠 钱 ", ""],  # repeats, itself and blanks dropped
            "欠 钱": ["失信被执行人"],  # the same key once squashed: merged
            "  ": ["拖欠账款"],  # no key
            "老赖": ["老赖"],  # only itself: no entry
        }
    )
    assert vocabulary.synonyms == {"欠钱": ("拖欠账款", "失信被执行人")}


# --- Vocabulary: agencies ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def agencies() -> Vocabulary:
    return Vocabulary({}, AGENCIES, RULES, fake_spell, PLACE_BOUND)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("演示县财政局", FINANCE),  # the name
        ("财政局", FINANCE),  # without its region
        (" 演示县 财政局 ", FINANCE),  # spaces
        ("財政局", FINANCE),  # traditional characters
        ("演示县發展和改革局", REFORM),
        ("发改委", REFORM),  # abbreviations
        ("演示县发改局", REFORM),
        ("市场监管局", MARKET),
        ("城关镇政府", TOWN),
        ("城关镇人民政府", TOWN),
        ("演示县医院", HOSPITAL),
        ("演示县卫生院", HOSPITAL),  # a former name
        ("县医院", HOSPITAL),  # an alias added by staff
        ("caizhengju", FINANCE),  # pinyin and initials
        ("czj", FINANCE),
        ("CZJ", FINANCE),
        ("ｃｚｊ", FINANCE),
        ("ysxczj", FINANCE),
        ("mzj", CIVIL),
    ],
)
def test_agencies_by_name_abbreviation_former_name_alias_and_pinyin(
    agencies: Vocabulary, text: str, named: AgencyNames
) -> None:
    assert agencies.agencies(text) == (named.uscc,)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "局",
        "财",
        "天气",
        "财政",  # part of a name is a suggestion (suggest.py), not a name
        "演示县",
        "人民政府",
        "政府",  # place-bound: every government could claim it
        "医院",
        "财正局",  # a near miss is another question (near_agencies)
        "xyz",
        "cz",  # initials of nobody
        "czjj",
        "财政局局长",
        "演示县财政局拖欠账款",
    ],
)
def test_text_that_names_no_agency(agencies: Vocabulary, text: str) -> None:
    assert agencies.agencies(text) == ()


def test_pinyin_needs_a_spelling() -> None:
    assert Vocabulary({}, AGENCIES, RULES).agencies("czj") == ()
    assert Vocabulary({}, AGENCIES, RULES).agencies("财政局") == (FINANCE.uscc,)


def test_an_agency_known_by_several_names_and_a_name_shared() -> None:
    twin = AgencyNames("U-TWIN", "泊舟县财政局", "泊舟县")
    vocabulary = Vocabulary({}, (FINANCE, twin), RULES, fake_spell)
    assert vocabulary.agencies("财政局") == tuple(sorted((FINANCE.uscc, twin.uscc)))  # both, in a fixed order
    assert vocabulary.agencies("泊舟县财政局") == (twin.uscc,)


# A stand-in for suggest.sound: the toneless reading of the few characters used here, z/zh blurred.
SOUNDS = {"财": "cai", "政": "zen", "正": "zen", "证": "zen", "局": "ju", "民": "min", "邮": "you", "演": "yan"}
SOUNDS |= {"示": "si", "县": "xian", "市": "si", "场": "can", "监": "jian", "督": "du", "管": "guan", "理": "ni"}
SOUNDS |= {"里": "ni", "发": "fa", "展": "zan", "和": "he", "改": "gai", "革": "ge", "人": "ren", "医": "yi"}
SOUNDS |= {"院": "yuan", "法": "fa", "宗": "zon"}


def fake_sound(text: str) -> str:
    return " ".join(SOUNDS.get(ch, ch) for ch in text)


@pytest.fixture(scope="module")
def heard() -> Vocabulary:
    return Vocabulary({}, AGENCIES, RULES, fake_spell, PLACE_BOUND, fake_sound)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("财正局", FINANCE),  # near-sound typos: the same length, the same sound
        ("财证局", FINANCE),
        ("演示县财正局", FINANCE),
        ("民正局", CIVIL),
        ("市场监督管里局", MARKET),
    ],
)
def test_a_near_sound_typo_may_mean_the_agency(heard: Vocabulary, text: str, named: AgencyNames) -> None:
    assert heard.near_agencies(text) == (named.uscc,)
    assert heard.agencies(text) == ()  # but it names none


@pytest.mark.parametrize(
    "text",
    [
        "财政局",  # named exactly: no near miss
        "发改委",
        "财政居",  # sounds otherwise
        "财政局局",  # another length
        "邮政局",  # real agencies that are not in the list: not a typo of 财政局 or 民政局
        "人民法院",  # not a typo of 人民医院
        "民宗局",
        "cai",  # too short, and Latin
        "caizhengju",
    ],
)
def test_no_near_miss(heard: Vocabulary, text: str) -> None:
    assert heard.near_agencies(text) == ()


def test_no_near_miss_without_a_sound() -> None:
    assert Vocabulary({}, AGENCIES, RULES, fake_spell, PLACE_BOUND).near_agencies("财正局") == ()


# --- the data file, vocabulary.toml --------------------------------------------------------------------------------

# Forms of Chinese agency names that are not in the demo county (so that a rule for them is a real one).
COMMON_AGENCY_NAMES = (
    "某市发展和改革委员会",
    "某县生态环境局",
    "某区人民政府",
    "某市市场监督管理局",
    "某县卫生健康委员会",
    "某区街道办事处",
    "某市经济技术开发区管理委员会",
    "某县高新技术产业开发区管理委员会",
    "某市城市建设投资集团有限公司",
)


def test_the_data_file_has_every_part() -> None:
    assert len(SYNONYMS) >= 40
    assert len(RULES) >= 20
    assert len(QUESTION_WORDS) >= 40


@pytest.mark.parametrize(("key", "targets"), sorted(SYNONYMS.items()))
def test_every_synonym_is_a_word_for_other_words(key: str, targets: tuple[str, ...]) -> None:
    assert squash(key), key
    assert targets, key
    assert len(set(map(squash, targets))) == len(targets), key  # no target twice
    for target in targets:
        assert squash(target), key
        assert squash(target) != squash(key), key


def test_synonym_keys_are_distinct_once_squashed() -> None:
    squashed = [squash(key) for key in SYNONYMS]
    assert len(set(squashed)) == len(squashed)


def test_synonym_keys_are_short_enough_to_be_looked_up(plain: Analyzer) -> None:
    too_long = [key for key in SYNONYMS if len(plain.words_of(key)) > MAX_RUN]
    assert too_long == []


def test_every_synonym_key_typed_alone_finds_its_targets(plain: Analyzer) -> None:
    """What a resident types is what the file says: 不还钱 must also mean 拖欠账款 (a key whose words include a
    question word such as 不, 被 or 了 must not lose that word before it is looked up)."""
    vocabulary = Vocabulary(SYNONYMS)
    unread = []
    for key, targets in SYNONYMS.items():
        wanted = {tuple(plain.words_of(t)) for t in targets}
        (clause,) = parse_query(key, plain, vocabulary).required
        if not any(set(term.alternatives) == wanted for term in clause.terms):
            unread.append(key)
    assert unread == [], " ".join(unread)


def test_no_question_word_is_a_synonym_key_or_a_domain_term() -> None:
    keys = {squash(key) for key in SYNONYMS}
    assert sorted(QUESTION_WORDS & keys) == []
    assert sorted(QUESTION_WORDS & set(DOMAIN_TERMS)) == []


def test_question_words_are_single_words(plain: Analyzer) -> None:
    # a query is cut into words before question words are dropped: one the segmenter cuts in two is never dropped
    assert sorted(w for w in QUESTION_WORDS if plain.words_of(w) != [w]) == []


def test_question_words_are_written_once() -> None:
    written = tomllib.loads(VOCABULARY_FILE.read_text(encoding="utf-8"))["question_words"].split()
    assert len(written) == len(set(written))


def test_every_abbreviation_rule_shortens_a_real_agency_name() -> None:
    names = [row["name"] for row in demo_agencies()] + list(COMMON_AGENCY_NAMES)
    unused = [long_form for long_form in RULES if not any(long_form in name for name in names)]
    assert unused == []


@pytest.mark.parametrize(("long_form", "shorts"), sorted(RULES.items()))
def test_every_abbreviation_is_shorter(long_form: str, shorts: tuple[str, ...]) -> None:
    assert shorts
    for short in shorts:
        assert 2 <= len(short) < len(long_form), (long_form, short)
        assert squash(short) == short  # written as it is compared


def test_abbreviation_rules_are_most_specific_first() -> None:
    # only the first rule that applies is used: one inside a longer rule's long form must come after it
    order = list(RULES)
    misplaced = [(a, b) for a in order for b in order if a != b and a in b and order.index(a) < order.index(b)]
    assert misplaced == []


def test_place_bound_long_forms_are_abbreviation_rules() -> None:
    assert PLACE_BOUND
    assert sorted(PLACE_BOUND - set(RULES)) == []


def test_no_demo_name_or_abbreviation_names_two_agencies() -> None:
    demo = [AgencyNames(row["uscc"], row["name"], row["region_name"]) for row in demo_agencies()]
    vocabulary = Vocabulary({}, demo, RULES, None, PLACE_BOUND)
    shared = {name: usccs for name, usccs in vocabulary.named.items() if len(usccs) > 1}
    assert shared == {}


def test_no_abbreviation_or_short_name_is_a_synonym_key() -> None:
    demo = [AgencyNames(row["uscc"], row["name"], row["region_name"]) for row in demo_agencies()]
    names = set(Vocabulary({}, demo, RULES, None, PLACE_BOUND).named)
    assert sorted(names & {squash(key) for key in SYNONYMS}) == []
