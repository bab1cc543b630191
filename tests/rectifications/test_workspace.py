"""Officers' progress reports: only on their own agency's records, evidence checked by content, nothing kept from
a refused report, and the report goes to review rather than straight to the public page."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.core.uploads import MB
from portal.demo.pdf import one_page_pdf
from portal.extensions import db
from portal.review.models import Submission
from tests.commitments.test_workspace import files_on_disk
from tests.factories import make_agency, make_record, make_rectification, make_user
from tests.forms import hidden_fields, post_files, sign_in

PDF = one_page_pdf(["evidence"])


def progress_url(record_id: int) -> str:
    return f"/workspace/records/{record_id}/progress"


def submissions(record_id: int) -> int:
    return int(db.session.scalar(select(func.count()).where(Submission.record_id == record_id)) or 0)


def test_only_officers_of_the_agency_may_report(app: Flask, client: FlaskClient) -> None:
    record = make_record()
    make_rectification(record)
    url = progress_url(record.id)
    assert client.get(url).headers["Location"].startswith("/login?next=")
    sign_in(client, make_user("staff"))
    assert client.get(url).status_code == 403
    sign_in(client, make_user("officer"))  # another agency's officer
    response = client.get(url)
    assert response.status_code == 404
    assert record.title not in response.get_data(as_text=True)
    sign_in(client, make_user("officer", record.agency))
    assert client.get(url).status_code == 200
    assert client.get(progress_url(999_999_999)).status_code == 404


@pytest.mark.parametrize(
    ("files", "status", "message"),
    [
        ([(b"MZ\x90\x00 not really", "evidence.pdf")], 400, "文件内容不是"),
        ([(b"", "empty.png")], 400, "文件是空的"),
        ([(PDF, "../../evil.pdf")], 400, "不能包含路径"),
        ([(PDF + b"%" + b"0" * (10 * MB), "big.pdf")], 413, "文件太大"),
        ([(PDF, f"{n}.pdf") for n in range(6)], 400, "最多上传 5 个文件"),
    ],
)
def test_refused_evidence_keeps_nothing(
    app: Flask, client: FlaskClient, files: list[tuple[bytes, str]], status: int, message: str
) -> None:
    record = make_record()
    make_rectification(record)
    sign_in(client, make_user("officer", record.agency))
    before = files_on_disk(app)
    good_first = [(one_page_pdf(["kept only if all are accepted"]), "ok.pdf"), *files]
    response = post_files(
        client, progress_url(record.id), {"entry_date": "2026-11-19", "text": "进展说明"}, {"evidence": good_first}
    )
    assert response.status_code == status
    body = response.get_data(as_text=True)
    assert message in body
    assert "进展说明" in body
    assert submissions(record.id) == 0
    assert files_on_disk(app) == before


def test_refused_when_there_is_nothing_to_report_on(app: Flask, client: FlaskClient) -> None:
    agency = make_agency()
    officer = make_user("officer", agency)
    sign_in(client, officer)
    without = make_record(agency)
    response = post_files(client, progress_url(without.id), {"entry_date": "2026-11-19", "text": "x"}, {})
    assert response.status_code == 409
    assert "尚未建立整改台账" in response.get_data(as_text=True)
    future = make_record(agency)
    make_rectification(future)
    response = post_files(client, progress_url(future.id), {"entry_date": "2026-12-19", "text": "x"}, {})
    assert response.status_code == 409
    assert "不能晚于今天" in response.get_data(as_text=True)
    assert submissions(without.id) == submissions(future.id) == 0


def test_missing_csrf_and_double_posts(app: Flask, client: FlaskClient) -> None:
    record = make_record()
    make_rectification(record)
    sign_in(client, make_user("officer", record.agency))
    url = progress_url(record.id)
    assert client.post(url, data={"entry_date": "2026-11-19", "text": "x"}).status_code == 400
    hidden = hidden_fields(client.get(url).get_data(as_text=True))
    for _ in range(2):
        response = client.post(url, data={**hidden, "entry_date": "2026-11-19", "text": "一次"})
        assert response.status_code == 303
    assert submissions(record.id) == 1
