"""Odd and hostile addresses answer 4xx on both databases, never 500 (PostgreSQL refuses NUL characters and
integers beyond its column types, so these must be caught before any query)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

NOT_FOUND = [
    "/records/99999999999999999999999",
    "/records/2147483648",
    "/records/-1",
    "/agencies/%00",
    "/agencies/11990121%00000037401",
    "/agencies/" + "%E6%B5%8B" * 18,
    "/commitments/%00",
    "/commitments/9901212026%0020000001",
    "/commitments/%00/letter.pdf",
    "/pages/%00",
    "/pages/about%00",
]
BAD_REQUEST = [
    "/records/?kind=%00",
    "/records/?agency=" + "%00" * 18,
    "/records/?region=%00%00%00%00%00%00",
    "/records/?year=%D9%A2%D9%A0%D9%A2%D9%A6",  # Arabic-Indic digits
    "/records/?region=%D9%A9%D9%A9%D9%A0%D9%A1%D9%A2%D9%A1",
    "/records/?agency=119901211000003741",  # wrong check character
    "/commitments/?agency=%00",
    "/commitments/?type=%01",
]


@pytest.mark.parametrize("path", NOT_FOUND)
def test_hostile_paths_are_404(client: FlaskClient, path: str) -> None:
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("path", BAD_REQUEST)
def test_hostile_query_values_are_400(client: FlaskClient, path: str) -> None:
    assert client.get(path).status_code == 400


@pytest.mark.parametrize("path", ["/?lang=%00", "/search?q=%00%01", "/?lang=" + "x" * 5000, "/records/?utm=%00"])
def test_harmless_oddities_still_answer(client: FlaskClient, path: str) -> None:
    assert client.get(path).status_code == 200
