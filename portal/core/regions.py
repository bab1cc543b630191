"""行政区划代码 (region codes). Pure."""

from __future__ import annotations

import re

REGION_CODE = re.compile(r"[0-9]{6}(?:[0-9]{3})?")


def is_region_code(code: str) -> bool:
    """行政区划代码: 6 digits (county level) or 9 digits (township level)."""
    return REGION_CODE.fullmatch(code) is not None
