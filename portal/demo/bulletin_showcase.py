"""The demo's bulletins: the past months drafted, written and published through the reports' own operations, by
the demo's staff account, as the credit office would (新信用发〔2018〕6号 二(八)). The narrative is short and
fictional; one bulletin gets an erratum. A month that has its bulletin already is left as it is."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select

from portal.core.months import Month
from portal.extensions import db
from portal.reports.operations import add_erratum, edit_bulletin, make_draft, publish_bulletin
from portal.reports.queries import bulletin_of
from portal.users.models import User

MONTHS = 3  # the months before today's that get a published bulletin

NOTABLE = (
    "演示县财政局会同相关单位，对本月办结的拖欠账款案件逐案核对还款凭证，确认款项已足额支付，并在整改结果栏目公开。"
    "（演示数据，内容虚构）"
)
NEXT_STEPS = (
    "1. 对逾期未整改的案件逐案下发督办函，限期报送整改进展；\n"
    "2. 对列为失信被执行人的政府机构开展现场督办，推动动态清零；\n"
    "3. 按时办结政务失信投诉，提高按期办结率。\n\n"
    "（演示数据，内容虚构）"
)
ERRATUM = "“各单位情况”表中一处单位简称有误，以本勘误为准：演示县人民医院为县卫生健康委员会下属事业单位。（演示数据）"


def publish_past_bulletins(today: date, files_dir: Path) -> None:
    """Draft and publish the bulletin of each of the MONTHS months before today's (the caller commits)."""
    staff = db.session.scalar(select(User).where(User.username == "demo-staff"))
    assert staff is not None, "the demo has a staff account"
    month = Month.of(today)
    published = []
    for _ in range(MONTHS):
        month = month.plus(-1)
        if bulletin_of(month) is not None:
            continue  # drafted or published already: left as it is
        bulletin = make_draft(month, today, by=staff)
        edit_bulletin(
            bulletin,
            {
                "title": bulletin.title,
                "summary": bulletin.summary + "\n\n（演示数据：数据由演示县虚构数据生成。）",
                "notable": NOTABLE,
                "next_steps": NEXT_STEPS,
            },
            by=staff,
        )
        publish_bulletin(bulletin, today, by=staff, files_dir=files_dir)
        published.append(bulletin)
    if published:
        add_erratum(published[-1], ERRATUM, today, by=staff)  # the oldest month's
