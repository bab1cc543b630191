from __future__ import annotations

import hashlib
import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.commitments.models import Commitment
from portal.extensions import db
from tests.factories import make_commitment
from tests.html import css, find, find_all, one, parse_strict, text_of, title_of, visible_text


def listed_total(client: FlaskClient, query: str) -> int:
    body = client.get(f"/commitments/?{query}").get_data(as_text=True)
    pagination = find(body, "nav", class_="pagination")
    assert pagination is not None, body
    match = re.match(r"共 (\d+) 条", text_of(one(pagination, "p")))
    assert match, body
    return int(match.group(1))


def test_list_shows_only_public_commitments(client: FlaskClient) -> None:
    body = client.get("/commitments/").get_data(as_text=True)
    parse_strict(body)
    public = db.session.scalar(select(func.count()).where(Commitment.public_clause()))
    hidden = db.session.scalars(select(Commitment).where(Commitment.scope != "public")).all()
    assert hidden, "the demo data has restricted and not-public commitments"
    assert listed_total(client, "") == public
    for commitment in hidden:
        assert commitment.code is not None
        assert commitment.code not in body
        assert client.get(f"/commitments/{commitment.code}").status_code == 404
        assert client.get(f"/commitments/{commitment.code}/letter.pdf").status_code == 404


@pytest.mark.parametrize(("name", "value"), [("type", "voluntary"), ("subject", "contract"), ("fulfilment", "partly")])
def test_filters_match_sql(client: FlaskClient, name: str, value: str) -> None:
    expected = db.session.scalar(
        select(func.count()).where(Commitment.public_clause(), getattr(Commitment, name) == value)
    )
    assert expected
    assert listed_total(client, f"{name}={value}") == expected


def test_agency_filter(client: FlaskClient) -> None:
    commitment = make_commitment()
    assert listed_total(client, f"agency={commitment.agency.uscc}") == 1


@pytest.mark.parametrize("query", ["type=nonsense", "page=abc", "fulfilment=" + "x" * 5000, "agency=abc"])
def test_bad_filters_get_400(client: FlaskClient, query: str) -> None:
    assert client.get(f"/commitments/?{query}").status_code == 400


def test_detail_shows_the_letter_with_its_sha256_and_history(client: FlaskClient) -> None:
    commitment = db.session.scalars(
        select(Commitment).where(Commitment.public_clause(), Commitment.fulfilment == "fulfilled")
    ).first()
    assert commitment is not None
    assert commitment.letter is not None
    response = client.get(f"/commitments/{commitment.code}")
    body = response.get_data(as_text=True)
    parse_strict(body)
    assert title_of(body).startswith(commitment.title)
    text = visible_text(body)
    assert commitment.letter.sha256 in text
    assert "全部履行" in text
    assert commitment.fulfilment_history[0].determined_by in text

    with client.get(f"/commitments/{commitment.code}/letter.pdf") as pdf:
        assert pdf.status_code == 200
        assert pdf.mimetype == "application/pdf"
        assert pdf.data.startswith(b"%PDF-")
        assert hashlib.sha256(pdf.data).hexdigest() == commitment.letter.sha256
        assert str(len(pdf.data)) == pdf.headers["Content-Length"]
        assert str(commitment.letter.size) == pdf.headers["Content-Length"]
        # an agency's upload is a download, never shown inline in the site's origin (issue 19)
        assert pdf.headers["Content-Disposition"].startswith("attachment")
        assert pdf.headers["X-Content-Type-Options"] == "nosniff"


def test_unknown_commitment_is_404(client: FlaskClient) -> None:
    assert client.get("/commitments/00000000000000000000").status_code == 404
    assert client.get("/commitments/../../etc/passwd").status_code == 404


def test_unpublished_commitment_is_404(client: FlaskClient) -> None:
    draft = make_commitment(published_at=None)
    assert client.get(f"/commitments/{draft.code}").status_code == 404


def test_the_list_leaves_the_letters_sha256_to_the_commitments_own_page(client: FlaskClient) -> None:
    """The list is a summary a phone can show as cards (issue 17): title (linking the commitment), code, agency,
    type, fulfilment and date; the letter's SHA-256 stays on the commitment's page."""
    commitment = db.session.scalars(
        select(Commitment).where(Commitment.public_clause(), Commitment.letter_sha256.is_not(None))
    ).first()
    assert commitment is not None
    assert commitment.letter is not None
    body = client.get(f"/commitments/?agency={commitment.agency.uscc}").get_data(as_text=True)
    assert commitment.letter.sha256 not in body
    assert "SHA-256" not in visible_text(body)
    headings = [text_of(th) for th in css(body, "table.list thead th")]
    assert headings == ["承诺事项", "承诺编码", "承诺主体", "承诺类型", "履行情况", "承诺日期"]
    code = commitment.code
    assert code is not None
    row = next(tr for tr in css(body, "table.list tbody tr") if code in text_of(tr))
    title = one(row, "td", class_="title")
    assert text_of(title) == commitment.title
    assert one(title, "a").get("href") == f"/commitments/{code}"
    assert all(td.get("data-label") for td in find_all(row, "td"))
    assert commitment.letter.sha256 in client.get(f"/commitments/{commitment.code}").get_data(as_text=True)
