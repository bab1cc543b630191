"""The fictional county 演示县: deterministic agencies, commitments, records and rectifications.

Pure: the same seed, size and anchor date give the same data. Dates are placed relative to the anchor date
(the day of loading) so that every status is represented consistently with the disclosure rules.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from portal.agencies.rules import AgencyKind
from portal.commitments.rules import CommitmentSubject, CommitmentType, Fulfilment, Scope, commitment_code
from portal.core.periods import DEFAULT_PERIODS, PeriodBounds, Severity, add_months, disclosure_window
from portal.core.uscc import CHARSET, check_character
from portal.measures.rules import MeasureKind
from portal.records.kinds import KINDS
from portal.records.rules import RecordStatus
from portal.rectifications.rules import Outcome

COUNTY_CODE = "990121"  # 99 is no real province: the county cannot be mistaken for a real one
COUNTY = "演示县"
COMMITMENTS = 100

DEPARTMENTS = (
    "发展和改革局",
    "教育局",
    "科学技术局",
    "工业和信息化局",
    "公安局",
    "民政局",
    "司法局",
    "财政局",
    "人力资源和社会保障局",
    "自然资源和规划局",
    "住房和城乡建设局",
    "交通运输局",
    "水利局",
    "农业农村局",
    "商务局",
    "文化广电和旅游局",
    "卫生健康委员会",
    "应急管理局",
    "审计局",
    "市场监督管理局",
    "医疗保障局",
    "城市管理局",
    "数据资源局",
    "统计局",
)
INSTITUTIONS = ("人民医院", "第一中学", "疾病预防控制中心", "不动产登记中心", "公共资源交易中心")
SOES = ("城市建设投资集团有限公司", "水务有限公司", "交通投资有限公司")
TOWNSHIPS = (
    ("100", "城关镇", "城关镇人民政府"),
    ("101", "东湖镇", "东湖镇人民政府"),
    ("102", "西山乡", "西山乡人民政府"),
    ("103", "南岭镇", "南岭镇人民政府"),
    ("104", "北河街道", "北河街道办事处"),
)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚"
FIRMS = (
    "演示县鑫达建筑工程有限公司",
    "演示县恒信物业服务有限公司",
    "演示县绿源农业科技有限公司",
    "演示县华通商贸有限公司",
    "演示县安泰机电设备有限公司",
    "演示县兴业印务有限公司",
    "演示县润丰食品有限公司",
    "演示县博远信息技术有限公司",
)
PROMISES = ("依法履职", "优化营商环境", "廉洁自律", "限时办结", "兑现招商引资政策", "按期支付合同款项")
VIOLATIONS = (
    "未按规定履行政府采购合同付款义务",
    "未按期支付工程款",
    "违规收取保证金",
    "未依法履行行政协议",
    "拖延办理项目审批",
    "未按约定兑现招商优惠政策",
)


def organisation_code(serial: int) -> str:
    """A 9-character 组织机构代码 with its GB 11714 check digit."""
    body = f"{serial:08d}"
    total = sum(int(c) * w for c, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def make_uscc(prefix: str, region: str, serial: int) -> str:
    first17 = prefix + region[:6] + organisation_code(serial)
    if "X" in first17:  # X is outside the USCC code set: use the next serial instead
        return make_uscc(prefix, region, serial + 100)
    assert all(ch in CHARSET for ch in first17)
    return first17 + check_character(first17)


# Who carries out each joint measure in the demo county (the county has no 金融办: 财政局 informs the banks).
MEASURE_UNITS = {
    MeasureKind.WRITTEN_WARNING: f"{COUNTY}发展和改革局",
    MeasureKind.INTERVIEW: f"{COUNTY}人民政府",  # 新信用发〔2018〕6号 (五)1: 由各级人民政府负责约谈
    MeasureKind.LIMIT_FINANCING: f"{COUNTY}财政局",
    MeasureKind.NO_HONOURS: f"{COUNTY}人力资源和社会保障局",
    MeasureKind.RECORDED: f"{COUNTY}发展和改革局",
    MeasureKind.LIMIT_PROJECT_APPROVAL: f"{COUNTY}发展和改革局",
    MeasureKind.LIMIT_SUBSIDIES: f"{COUNTY}财政局",
    MeasureKind.LIMIT_CONSUMPTION: f"{COUNTY}发展和改革局",
}
MEASURE_BASIS = {
    MeasureKind.WRITTEN_WARNING: "如东县政务失信防范治理长效管理办法 四(一)",
    MeasureKind.INTERVIEW: "新信用发〔2018〕6号 (五)1",
    MeasureKind.LIMIT_FINANCING: "新信用发〔2018〕6号 (五)2",
    MeasureKind.NO_HONOURS: "新信用发〔2018〕6号 (五)3",
    MeasureKind.RECORDED: "新信用发〔2018〕6号 (五)4",
    MeasureKind.LIMIT_PROJECT_APPROVAL: "新信用发〔2018〕6号 (五)5",
    MeasureKind.LIMIT_SUBSIDIES: "新信用发〔2018〕6号 (五)6",
    MeasureKind.LIMIT_CONSUMPTION: "新信用发〔2018〕6号 (五)7",
}


def _implementer(kind: MeasureKind, punished: str) -> str:
    """The demo unit that carries out the measure: never the punished body itself."""
    unit = MEASURE_UNITS[kind]
    return unit if unit != punished else f"{COUNTY}人民政府"


def demo_agencies() -> list[dict[str, Any]]:
    """Agencies as dicts; `parent` is the index of the parent in the list (the county government is 0)."""
    county = {"region_code": COUNTY_CODE, "region_name": COUNTY}
    rows: list[dict[str, Any]] = [
        {"name": f"{COUNTY}人民政府", "kind": AgencyKind.GOVERNMENT, "prefix": "11", "parent": None, **county}
    ]
    rows += [
        {"name": f"{COUNTY}{d}", "kind": AgencyKind.DEPARTMENT, "prefix": "11", "parent": 0, **county}
        for d in DEPARTMENTS
    ]
    rows += [
        {"name": f"{COUNTY}{i}", "kind": AgencyKind.INSTITUTION, "prefix": "12", "parent": 0, **county}
        for i in INSTITUTIONS
    ]
    rows += [{"name": f"{COUNTY}{s}", "kind": AgencyKind.SOE, "prefix": "91", "parent": 0, **county} for s in SOES]
    rows += [
        {
            "name": name,
            "kind": AgencyKind.TOWNSHIP,
            "prefix": "11",
            "parent": 0,
            "region_code": COUNTY_CODE + suffix,
            "region_name": f"{COUNTY}{region}",
        }
        for suffix, region, name in TOWNSHIPS
    ]
    rows.append(
        {
            "name": "演示经济开发区管理委员会",
            "kind": AgencyKind.GOVERNMENT,
            "prefix": "11",
            "parent": 0,
            "region_code": COUNTY_CODE + "400",
            "region_name": "演示经济开发区",
        }
    )
    rnd = random.Random(7)
    for serial, row in enumerate(rows, start=1):
        row["uscc"] = make_uscc(row.pop("prefix"), row["region_code"], 10_000_000 + serial * 37)
        row["legal_representative"] = rnd.choice(SURNAMES) + rnd.choice(GIVEN) + rnd.choice(GIVEN)
    return rows


def demo_commitments(agencies: list[dict[str, Any]], anchor: date, rnd: random.Random) -> list[dict[str, Any]]:
    rows = []
    types, subjects = list(CommitmentType), list(CommitmentSubject)
    for n in range(COMMITMENTS):
        agency_index = n % len(agencies)
        agency = agencies[agency_index]
        made_on = anchor - timedelta(days=20 + n * 7 + rnd.randrange(5))
        fulfilment = (
            Fulfilment.IN_PROGRESS,
            Fulfilment.FULFILLED,
            Fulfilment.PARTLY,
            Fulfilment.UNFULFILLED,
        )[0 if n % 2 else (n // 2) % 4]
        subject = subjects[n % len(subjects)]
        rows.append(
            {
                "agency_index": agency_index,
                "code": commitment_code(agency["region_code"], made_on, n + 1),
                "type": types[n % len(types)].value,
                "subject": subject.value,
                "title": f"{agency['name']}关于{PROMISES[n % len(PROMISES)]}的承诺",
                "reason": "根据政务诚信建设要求，向社会公开作出承诺，接受社会监督。",
                "content": "严格依法依规履行职责，按约定期限兑现政策和支付款项，不以换届、人员调整等理由违约毁约。",
                "liability": "违反承诺的，依法依规纳入政务失信记录，接受约谈、通报并限期整改。",
                "made_on": made_on,
                "valid_until": None if n % 5 == 0 else made_on + timedelta(days=365 * (1 + n % 3)),
                "accepting_unit": f"{COUNTY}社会信用体系建设领导小组办公室",
                "scope": (Scope.RESTRICTED if n % 10 == 3 else Scope.NOT_PUBLIC if n % 10 == 7 else Scope.PUBLIC).value,
                "fulfilment": fulfilment.value,
                "determined_on": None if fulfilment is Fulfilment.IN_PROGRESS else made_on + timedelta(days=15),
            }
        )
    return rows


STATUS_CYCLE = tuple(RecordStatus)
STATUS_WEIGHTS = (35, 25, 20, 7, 6, 7)
SEVERITIES = tuple(Severity)
KIND_CODES = tuple(KINDS)


def _record_dates(
    status: RecordStatus,
    severity: Severity,
    anchor: date,
    rnd: random.Random,
    periods: dict[Severity, PeriodBounds],
) -> tuple[date, date | None]:
    """A decision date consistent with the status, and the stop date for stopped records."""
    bounds = periods[severity]
    max_days = bounds.max_months * 30
    min_days = bounds.min_months * 30
    if status is RecordStatus.EXPIRED:  # its maximum period ended before the anchor (counted in calendar months)
        decision = add_months(anchor, -bounds.max_months) - timedelta(days=5 + rnd.randrange(200))
        return decision, disclosure_window(decision, severity, periods).max_end
    if status is RecordStatus.REPAIRED:
        decision = anchor - timedelta(days=min(max_days - 3, min_days + 10 + rnd.randrange(60)))
        window = disclosure_window(decision, severity, periods)
        return decision, min(anchor, window.min_end + timedelta(days=1 + rnd.randrange(8)))
    decision = anchor - timedelta(days=1 + rnd.randrange(max(1, max_days - 5)))
    if status is RecordStatus.REVOKED:
        return decision, min(anchor, decision + timedelta(days=5 + rnd.randrange(20)))
    return decision, None


def _details(kind: str, n: int, agency: dict[str, Any], decision: date, rnd: random.Random) -> dict[str, Any]:
    year = decision.year
    firm = FIRMS[n % len(FIRMS)]
    amount = (rnd.randrange(5, 500) * 10_000 + rnd.randrange(100)) * 100
    if kind in ("judgment_defaulter", "enforced_party"):
        details = {
            "case_number": f"（{year}）演{COUNTY_CODE[2:]}执{1000 + n}号",
            "court": f"{COUNTY}人民法院",
            "basis_document": f"（{year - 1}）演{COUNTY_CODE[2:]}民初{2000 + n}号",
            "basis_issuer": f"{COUNTY}人民法院",
            "filed_on": (decision - timedelta(days=30)).isoformat(),
            "obligation": f"向{firm}支付合同款{amount // 100:,}元及逾期利息。",
            "performance": ("全部未履行", "部分履行")[n % 2],
        }
        if kind == "judgment_defaulter":
            details["default_circumstance"] = "有履行能力而拒不履行生效法律文书确定义务"
            details["published_on"] = decision.isoformat()
        return details
    if kind == "administrative_penalty":
        return {
            "decision_number": f"演{('市监', '环', '住建', '应急')[n % 4]}罚〔{year}〕{100 + n}号",
            "violation_type": VIOLATIONS[n % len(VIOLATIONS)],
            "violation_facts": f"经查，{agency['name']}{VIOLATIONS[n % len(VIOLATIONS)]}，事实清楚，证据确凿。",
            "legal_basis": "《中华人民共和国行政处罚法》及相关规定",
            "penalty_category": ("警告", "罚款", "通报批评")[n % 3],
            "penalty_content": "责令限期改正" + ("，并处罚款" if n % 3 == 1 else ""),
            "fine": amount // 50 if n % 3 == 1 else None,
            "decided_on": decision.isoformat(),
            "penalty_authority": f"演示市{('市场监督管理局', '生态环境局', '住房和城乡建设局', '应急管理局')[n % 4]}",
        }
    if kind == "lost_lawsuit":
        return {
            "case_number": f"（{year}）演{COUNTY_CODE[2:]}民初{3000 + n}号",
            "court": f"{COUNTY}人民法院",
            "cause": ("建设工程施工合同纠纷", "买卖合同纠纷", "行政协议纠纷")[n % 3],
            "judgment": f"判决{agency['name']}于判决生效之日起十日内向{firm}支付款项。",
            "amount": amount,
        }
    if kind == "arrears":
        return {
            "contract_number": f"YSX-{year}-{4000 + n:05d}",
            "party_a": agency["name"],
            "party_b": firm,
            "contract_amount": amount * 2,
            "amount_owed": amount,
            "breach": "合同约定的付款期限届满后仍未支付，经催告仍未履行。",
        }
    return {
        "project": f"{('智能制造产业园', '冷链物流中心', '新能源装备', '文旅综合体')[n % 4]}招商项目",
        "promise": "承诺给予土地、税收返还和配套基础设施支持。",
        "unfulfilled": "配套基础设施未按约定期限建成，奖补资金未按期拨付。",
        "amount": amount,
    }


def demo_records(
    size: int,
    agencies: list[dict[str, Any]],
    commitments: list[dict[str, Any]],
    anchor: date,
    seed: int,
    periods: dict[Severity, PeriodBounds] | None = None,
) -> Iterator[dict[str, Any]]:
    """`size` records; the first 108 cover every kind × tier × status, the rest are drawn at random.
    Each dict has the record's columns plus `agency_index`, `commitment_index` and `rectification`."""
    periods = periods or dict(DEFAULT_PERIODS)
    rnd = random.Random(seed)
    # An investment-promise record links a public investment-policy commitment of its own agency that is not 全部履行
    # (a broken promise cannot be one that was kept).
    investment = [
        i
        for i, c in enumerate(commitments)
        if c["subject"] == CommitmentSubject.INVESTMENT_POLICY
        and c["fulfilment"] != Fulfilment.FULFILLED
        and c["scope"] == Scope.PUBLIC
    ]
    for n in range(size):
        if n < len(KIND_CODES) * len(SEVERITIES) * len(STATUS_CYCLE):
            kind = KIND_CODES[n % 6]
            severity = SEVERITIES[(n // 6) % 3]
            status = STATUS_CYCLE[(n // 18) % 6]
        else:
            kind = rnd.choice(KIND_CODES)
            severity = rnd.choices(SEVERITIES, (3, 5, 2))[0]
            status = rnd.choices(STATUS_CYCLE, STATUS_WEIGHTS)[0]
        agency_index = rnd.randrange(len(agencies))
        commitment_index = investment[n % len(investment)] if kind == "investment_promise" else None
        if commitment_index is not None:
            agency_index = commitments[commitment_index]["agency_index"]
        agency = agencies[agency_index]
        decision, stopped_on = _record_dates(status, severity, anchor, rnd, periods)
        window = disclosure_window(decision, severity, periods)
        details = _details(kind, n, agency, decision, rnd)
        kind_label = {
            "judgment_defaulter": "被列为失信被执行人",
            "enforced_party": "被列为被执行人",
            "administrative_penalty": "受到行政处罚",
            "lost_lawsuit": "败诉未履行判决",
            "arrears": "拖欠企业账款",
            "investment_promise": "招商引资承诺未兑现",
        }[kind]
        document = (
            details.get("case_number")
            or details.get("decision_number")
            or details.get("contract_number")
            or f"演招商〔{decision.year}〕{500 + n}号"
        )
        yield {
            "kind": kind,
            "agency_index": agency_index,
            "commitment_index": commitment_index,
            "title": f"{agency['name']}{kind_label} · {document}",
            "summary": f"{agency['name']}{kind_label}，文书编号 {document}。本条为虚构的演示数据。",
            "severity": severity.value,
            "deciding_authority": details.get("court") or details.get("penalty_authority") or f"{COUNTY}人民政府",
            "deciding_authority_code": make_uscc("11", COUNTY_CODE, 20_000_000 + n % 50),
            "source_unit": f"{COUNTY}社会信用体系建设领导小组办公室",
            "document_number": document,
            "decision_date": decision,
            "publication_start": decision,
            "publication_min_end": window.min_end,
            "publication_max_end": window.max_end,
            "status": status.value,
            "stopped_on": stopped_on,
            "stop_note": "演示数据" if stopped_on else "",
            "objection_open": False,  # the markers come from real objections and repair applications only
            "repair_open": False,
            "details": {k: v for k, v in details.items() if v is not None},
            "amount_fen": details.get({"arrears": "amount_owed", "investment_promise": "amount"}.get(kind, "")),
            "rectification": _rectification(n, status, agency, decision, anchor, rnd),
        }


def _rectification(
    n: int, status: RecordStatus, agency: dict[str, Any], decision: date, anchor: date, rnd: random.Random
) -> dict[str, Any] | None:
    if status is RecordStatus.PUBLIC and n % 4:
        return None
    deadline = decision + timedelta(days=60 + rnd.randrange(60))
    finished = status in (RecordStatus.FULFILLED, RecordStatus.REPAIRED)
    outcome = None
    if finished:
        outcome = (Outcome.PERFORMED, Outcome.SETTLED, Outcome.CASE_CLOSED)[n % 3]
    finished_on = min(anchor, decision + timedelta(days=30 + rnd.randrange(60))) if finished else None
    progress_days = [decision + timedelta(days=d) for d in (7, 21, 40)]
    progress = [
        {"entry_date": day, "text": text, "evidence": evidence}
        for day, (text, evidence) in zip(
            [d for d in progress_days if d <= anchor],
            (
                ("已制定整改方案，明确责任人和时限。", "整改方案"),
                ("已与企业沟通，确定付款计划。", "会议纪要"),
                ("已支付部分款项，剩余款项纳入预算。", "付款凭证"),
            ),
            strict=False,
        )
    ]
    overdue = not finished and deadline < anchor  # 逾期未整改 is a state, not an outcome
    measures: list[dict[str, Any]] = []
    if overdue:
        kinds = list(MeasureKind)
        for k in range(1 + n % 3):
            kind = kinds[(n + k) % len(kinds)]
            applied_on = min(anchor, deadline + timedelta(days=3 + 10 * k))
            confirmed_on = applied_on + timedelta(days=5)  # every other measure confirmed 已落实 by its unit
            measures.append(
                {
                    "kind": kind.value,
                    "applied_on": applied_on,
                    "implementing": _implementer(kind, agency["name"]),
                    "document_number": f"演信用〔{deadline.year}〕{n % 1000 + 1}-{k + 1}号",
                    "basis": MEASURE_BASIS[kind],
                    "note": "逾期未完成整改",
                    "confirmed_on": confirmed_on if k % 2 == 0 and confirmed_on <= anchor else None,
                }
            )
    return {
        "responsible_unit": agency["name"],
        "responsible_post": ("主要负责人", "分管负责人", "财务科科长")[n % 3],
        "steps": [
            {
                "position": 0,
                "text": "制定整改方案，筹措资金，限期履行生效法律文书确定的义务。",
                "deadline": deadline,
                "done_on": finished_on,
            }
        ],
        "deadline": deadline,
        "outcome": outcome.value if outcome else None,
        "finished_on": finished_on,
        "outcome_summary": "已按要求完成整改。" if outcome else "",
        "progress": progress,
        "measures_applied": measures,
    }
