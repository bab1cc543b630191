"""Display labels for every stored code, in Chinese (msgid) with English from the catalog."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from portal.agencies.rules import AgencyKind
from portal.commitments.rules import CommitmentSubject, CommitmentType, DraftState, Fulfilment, Scope
from portal.complaints.rules import Category, ComplaintStatus, FilerType, RefusalReason
from portal.core.periods import Severity
from portal.objections.rules import Ground, ObjectionStatus
from portal.records.kinds import KINDS
from portal.records.rules import RecordStatus
from portal.rectifications.rules import MeasureKind, Outcome
from portal.repairs.rules import RepairStatus
from portal.review.rules import SubmissionKind, SubmissionStatus
from portal.users.rules import Role

AGENCY_KIND: dict[str, Any] = {
    AgencyKind.GOVERNMENT: _l("人民政府"),
    AgencyKind.DEPARTMENT: _l("政府部门"),
    AgencyKind.INSTITUTION: _l("事业单位"),
    AgencyKind.SOE: _l("国有企业"),
    AgencyKind.TOWNSHIP: _l("乡镇（街道）"),
}
RECORD_KIND: dict[str, Any] = {code: kind.label for code, kind in KINDS.items()}
RECORD_STATUS: dict[str, Any] = {
    RecordStatus.PUBLIC: _l("公示中"),
    RecordStatus.RECTIFYING: _l("整改中"),
    RecordStatus.FULFILLED: _l("已履行"),
    RecordStatus.REPAIRED: _l("已修复"),
    RecordStatus.EXPIRED: _l("公示期满"),
    RecordStatus.REVOKED: _l("已撤销"),
}
SEVERITY: dict[str, Any] = {
    Severity.MINOR: _l("轻微"),
    Severity.GENERAL: _l("一般"),
    Severity.SERIOUS: _l("严重"),
}
COMMITMENT_TYPE: dict[str, Any] = {
    CommitmentType.APPROVAL_SUBSTITUTE: _l("审批替代型"),
    CommitmentType.TOLERANT_ACCEPTANCE: _l("容缺受理型"),
    CommitmentType.CERTIFICATION: _l("证明事项型"),
    CommitmentType.CREDIT_REPAIR: _l("信用修复型"),
    CommitmentType.SELF_DISCIPLINE: _l("行业自律型"),
    CommitmentType.VOLUNTARY: _l("主动型"),
    CommitmentType.OTHER: _l("其他"),
}
COMMITMENT_SUBJECT: dict[str, Any] = {
    CommitmentSubject.DUTY: _l("履职尽责"),
    CommitmentSubject.SERVICE: _l("优化服务"),
    CommitmentSubject.INTEGRITY: _l("廉洁自律"),
    CommitmentSubject.SERVICE_QUALITY: _l("服务质量/期限/保障承诺"),
    CommitmentSubject.INVESTMENT_POLICY: _l("招商引资政策"),
    CommitmentSubject.CONTRACT: _l("合同契约"),
}
SCOPE: dict[str, Any] = {
    Scope.PUBLIC: _l("社会公开"),
    Scope.RESTRICTED: _l("政务共享"),
    Scope.NOT_PUBLIC: _l("不予公开"),
}
FULFILMENT: dict[str, Any] = {
    Fulfilment.IN_PROGRESS: _l("履行中"),
    Fulfilment.FULFILLED: _l("全部履行"),
    Fulfilment.PARTLY: _l("部分履行"),
    Fulfilment.UNFULFILLED: _l("全部未履行"),
}
OUTCOME: dict[str, Any] = {
    Outcome.PERFORMED: _l("履行完毕"),
    Outcome.SETTLED: _l("达成和解"),
    Outcome.CASE_CLOSED: _l("销案"),
    Outcome.OVERDUE: _l("逾期未整改"),
}
MEASURE: dict[str, Any] = {
    MeasureKind.INTERVIEW: _l("约谈"),
    MeasureKind.LIMIT_FINANCING: _l("限制融资"),
    MeasureKind.NO_HONOURS: _l("取消评先"),
    MeasureKind.RECORDED: _l("记入系统"),
    MeasureKind.LIMIT_PROJECT_APPROVAL: _l("限制投资项目审批"),
    MeasureKind.LIMIT_SUBSIDIES: _l("限制补助"),
    MeasureKind.LIMIT_CONSUMPTION: _l("限制消费"),
}
ROLE: dict[str, Any] = {
    Role.OFFICER: _l("机构填报员"),
    Role.STAFF: _l("信用办工作人员"),
    Role.ADMIN: _l("管理员"),
}
DRAFT_STATE: dict[str, Any] = {
    DraftState.DRAFT: _l("草稿"),
    DraftState.SUBMITTED: _l("待审核"),
    DraftState.RETURNED: _l("已退回"),
    DraftState.REJECTED: _l("未通过"),
    DraftState.PUBLISHED: _l("已发布"),
}
SUBMISSION_KIND: dict[str, Any] = {
    SubmissionKind.COMMITMENT: _l("承诺书"),
    SubmissionKind.PROGRESS: _l("整改进展"),
    SubmissionKind.FULFILMENT: _l("承诺履行情况"),
}
SUBMISSION_STATUS: dict[str, Any] = {
    SubmissionStatus.PENDING: _l("待审核"),
    SubmissionStatus.APPROVED: _l("已通过"),
    SubmissionStatus.RETURNED: _l("已退回"),
    SubmissionStatus.REJECTED: _l("未通过"),
}
FILER_TYPE: dict[str, Any] = {FilerType.INDIVIDUAL: _l("个人"), FilerType.ENTERPRISE: _l("企业")}
COMPLAINT_CATEGORY: dict[str, Any] = {
    Category.ARREARS: _l("拖欠账款"),
    Category.BROKEN_PROMISE: _l("承诺不兑现"),
    Category.CONTRACT: _l("合同违约"),
    Category.OLD_DEBTS: _l("新官不理旧账"),
    Category.OTHER: _l("其他"),
}
COMPLAINT_STATUS: dict[str, Any] = {
    ComplaintStatus.SUBMITTED: _l("已提交"),
    ComplaintStatus.ACCEPTED: _l("已受理"),
    ComplaintStatus.NOT_ACCEPTED: _l("不予受理"),
    ComplaintStatus.TRANSFERRED: _l("已转办"),
    ComplaintStatus.ANSWERED: _l("部门已反馈"),
    ComplaintStatus.CLOSED: _l("已办结"),
}
REFUSAL_REASON: dict[str, Any] = {
    RefusalReason.NO_FACTS: _l("未提供具体事实和依据"),
    RefusalReason.DUPLICATE: _l("重复投诉"),
    RefusalReason.OTHER_CHANNEL: _l("已通过或应当通过其他法定途径处理"),
    RefusalReason.NOT_OUR_JURISDICTION: _l("不属于本平台受理范围"),
}
OBJECTION_GROUND: dict[str, Any] = {
    Ground.WRONG: _l("信息错误"),
    Ground.OMISSION: _l("遗漏"),
    Ground.DUPLICATE: _l("重复公示"),
    Ground.SHOULD_NOT: _l("不应公示"),
    Ground.OVERDUE: _l("超期公示"),
    Ground.MISMATCH: _l("与认定机关信息不一致"),
}
OBJECTION_STATUS: dict[str, Any] = {
    ObjectionStatus.SUBMITTED: _l("已提交"),
    ObjectionStatus.ACCEPTED: _l("已受理，核查中"),
    ObjectionStatus.CORRECTED: _l("已更正"),
    ObjectionStatus.REVOKED: _l("已撤销公示"),
    ObjectionStatus.UPHELD: _l("维持原记录"),
}
REPAIR_STATUS: dict[str, Any] = {
    RepairStatus.SUBMITTED: _l("修复申请中"),
    RepairStatus.APPROVED: _l("准予修复"),
    RepairStatus.REJECTED: _l("不予修复"),
}
