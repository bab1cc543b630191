"""How long a complainant's or an objector's personal data is kept once the case is closed, and what is erased.
Pure.

Basis: data minimisation. 《中华人民共和国个人信息保护法》第六条 (collect no more than the purpose needs), 第十九条
(keep personal information for the shortest time the purpose needs) and 第四十七条第一款第（一）项 (delete it once
the purpose is achieved). None of the five local documents (如东县办法 2020, 泗政秘〔2018〕145号,
新信用发〔2018〕6号, 泰信用办〔2022〕12号, 沈政办发〔2018〕117号) sets a period for keeping a complainant's or an
objector's data: 泗政秘〔2018〕145号 (三) and (八) ask for the channels (失信行为投诉举报机制, 异议、投诉办理等制度),
not for how long their filers' data is kept. The period is therefore the portal's own policy, `PORTAL_RETENTION_YEARS`
years after closing (default 3): time to answer a follow-up, a review or an audit of how the case was handled.

What is erased is what the filer gave about themselves: name, 统一社会信用代码, phone, e-mail, their own account of
the case and their attachments (file names included). What stays is the case as the office handled it: the row,
its number, category, agency, amount, dates, status, steps, the agency's feedback and the office's answer (public,
with consent, anonymised), so the public page, the statistics, the bulletins and the evaluation are unchanged."""

from __future__ import annotations

from datetime import date
from typing import Any

from portal.core.masking import ERASED

# Field -> what it holds once erased: the name and the free text say so (ERASED), the optional contacts are empty.
COMPLAINT_ERASED: dict[str, Any] = {
    "name": ERASED,
    "uscc": "",
    "phone": "",
    "email": "",
    "description": ERASED,
    "attachments": [],
    "rating_comment": "",  # the complainant's own words on the answer (the rating itself stays, for statistics)
}
OBJECTION_ERASED: dict[str, Any] = {
    "name": ERASED,
    "phone": "",
    "email": "",
    "explanation": ERASED,
    "attachments": [],
}


def cutoff(today: date, years: int) -> date:
    """The last closing day whose personal data is due for erasure on `today`: the same day `years` earlier (a 29
    February with no twin is 28 February). A case closed on 2023-11-20 is erased from 2026-11-20 on, with 3 years."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February, `years` before a year without one
        return today.replace(year=today.year - years, day=28)


def is_due(closed_on: date | None, today: date, years: int) -> bool:
    """Is a case closed on `closed_on` (None: still open, never due) due for erasure on `today`?"""
    return closed_on is not None and closed_on <= cutoff(today, years)
