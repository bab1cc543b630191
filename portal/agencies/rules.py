"""Agency kinds (主体类型)."""

from __future__ import annotations

from portal.core.labelled import N_, LabelledEnum


class AgencyKind(LabelledEnum):
    GOVERNMENT = "government", N_("人民政府")
    DEPARTMENT = "department", N_("政府部门")
    INSTITUTION = "institution", N_("事业单位")
    SOE = "soe", N_("国有企业")
    TOWNSHIP = "township", N_("乡镇（街道）")
