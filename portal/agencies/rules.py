"""Agency kinds (主体类型) and region codes."""

from __future__ import annotations

import re

from portal.core.labelled import N_, LabelledEnum


class AgencyKind(LabelledEnum):
    GOVERNMENT = "government", N_("人民政府")
    DEPARTMENT = "department", N_("政府部门")
    INSTITUTION = "institution", N_("事业单位")
    SOE = "soe", N_("国有企业")
    TOWNSHIP = "township", N_("乡镇（街道）")


REGION_CODE = re.compile(r"[0-9]{6}(?:[0-9]{3})?")


def is_region_code(code: str) -> bool:
    """行政区划代码: 6 digits (county level) or 9 digits (township level)."""
    return REGION_CODE.fullmatch(code) is not None
